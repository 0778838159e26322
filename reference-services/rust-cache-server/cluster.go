package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// hdrForwarded marks a request one node sent to the key's owner; a node never forwards such a
// request again, so a disagreement between nodes' --peers costs a wrong answer, never a loop.
const hdrForwarded = "X-Rcs-Forwarded"

// invalidationBatch caps the keys sent in one /internal/invalidate request: batching keeps the
// fan-out to one request per peer per burst instead of one per key.
const invalidationBatch = 256

// cluster owns the hash ring and the per-peer invalidation queues of an owner node.
type cluster struct {
	self       string
	selfHeader []string
	ring       *ring // nil for a single node
	client     *http.Client
	queues     []*peerQueue // every peer but self
	stop       chan struct{}
	ctx        context.Context // aborts deliveries still running when shutdown runs out of time
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

func newCluster(cfg *config) *cluster {
	c := &cluster{
		self:       cfg.self,
		selfHeader: []string{cfg.self},
		client:     newHTTPClient(cfg.forwardTimeout),
		stop:       make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if len(cfg.peers) > 1 {
		c.ring = newRing(cfg.peers, cfg.vnodes)
	}
	for _, p := range cfg.peers {
		if p != cfg.self {
			c.queues = append(c.queues, &peerQueue{
				peer:     p,
				capacity: cfg.invalidationQueue,
				pending:  make(map[string]int64),
				notify:   make(chan struct{}, 1),
			})
		}
	}
	return c
}

// owner names the node owning a key hash and whether it is this node.
func (c *cluster) owner(h uint64) (string, bool) {
	if c.ring == nil {
		return c.self, true
	}
	o := c.ring.owner(h)
	return o, o == c.self
}

func (c *cluster) start() {
	for _, q := range c.queues {
		c.wg.Add(1)
		go c.worker(q)
	}
}

// close delivers what is still queued until ctx ends, then aborts the deliveries in progress.
func (c *cluster) close(ctx context.Context) {
	close(c.stop)
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		c.cancel()
		<-done
	}
	c.cancel()
}

// invalidate queues key for every other peer; called by the owner after a PUT or DELETE.
func (c *cluster) invalidate(key string) {
	now := time.Now().UnixNano()
	for _, q := range c.queues {
		q.enqueue(key, now)
	}
}

// peerQueue is a bounded queue of keys to invalidate on one peer. A key already queued is not
// queued twice: the peer only needs to drop it once, and the oldest enqueue time is kept so the
// measured lag is the longest any writer waited.
type peerQueue struct {
	peer      string
	capacity  int
	mu        sync.Mutex
	pending   map[string]int64 // key -> enqueue time, unix ns
	order     []string         // FIFO of the pending keys
	notify    chan struct{}    // capacity 1: wakes the worker without ever blocking a writer
	sent      atomic.Uint64
	dropped   atomic.Uint64
	coalesced atomic.Uint64
	failed    atomic.Uint64
}

func (q *peerQueue) enqueue(key string, now int64) {
	q.mu.Lock()
	if _, ok := q.pending[key]; ok {
		q.mu.Unlock()
		q.coalesced.Add(1)
		return
	}
	if len(q.order) >= q.capacity {
		q.mu.Unlock()
		q.dropped.Add(1)
		return
	}
	q.pending[key] = now
	q.order = append(q.order, key)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *peerQueue) take(max int) []invalidation {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(max, len(q.order))
	batch := make([]invalidation, n)
	for i, k := range q.order[:n] {
		batch[i] = invalidation{Key: k, EnqueuedUnixNs: q.pending[k]}
		delete(q.pending, k)
	}
	q.order = q.order[n:]
	return batch
}

func (q *peerQueue) length() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.order)
}

// worker delivers one peer's queue, one batch at a time, so a slow peer delays only its own
// invalidations and, once its queue is full, drops them instead of blocking writers.
func (c *cluster) worker(q *peerQueue) {
	defer c.wg.Done()
	for {
		select {
		case <-q.notify:
			c.flush(q)
		case <-c.stop:
			c.flush(q)
			return
		}
	}
}

func (c *cluster) flush(q *peerQueue) {
	for {
		batch := q.take(invalidationBatch)
		if len(batch) == 0 {
			return
		}
		n := uint64(len(batch))
		if c.send(q.peer, batch) {
			q.sent.Add(n)
		} else {
			// Not retried: the peer's near-cache TTL bounds how long it can serve the old value.
			q.failed.Add(n)
		}
	}
}

func (c *cluster) send(peer string, batch []invalidation) bool {
	body, err := json.Marshal(invalidateRequest{Invalidations: batch})
	if err != nil {
		return false
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, peer+"/internal/invalidate", bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header["Content-Type"] = jsonContentType
	req.Header[hdrForwarded] = c.selfHeader
	resp, err := c.client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

type invalidation struct {
	Key            string `json:"key"`
	EnqueuedUnixNs int64  `json:"enqueued_unix_ns"`
}

type invalidateRequest struct {
	Invalidations []invalidation `json:"invalidations"`
}

// parseInvalidate decodes POST /internal/invalidate: {"invalidations":[{"key":K,"enqueued_unix_ns":T}]}.
// encoding/json is fine here: this is internal traffic, and the UTF-8 check up front stops it
// from silently turning invalid bytes into U+FFFD and so invalidating a different key.
func parseInvalidate(body []byte) (*invalidateRequest, *apiError) {
	if !utf8.Valid(body) {
		return nil, fieldErr(http.StatusBadRequest, "malformed_json", "", "body is not valid UTF-8")
	}
	var raw struct {
		Invalidations *[]invalidation `json:"invalidations"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return nil, fieldErr(http.StatusBadRequest, "invalid_type", te.Field, err.Error())
		}
		return nil, fieldErr(http.StatusBadRequest, "malformed_json", "", err.Error())
	}
	if raw.Invalidations == nil {
		return nil, fieldErr(http.StatusBadRequest, "missing_field", "invalidations", "invalidations is required")
	}
	for i, inv := range *raw.Invalidations {
		field := "invalidations[" + strconv.Itoa(i) + "]"
		if e := checkKey(inv.Key); e != nil {
			e.field = field + ".key"
			return nil, e
		}
		if inv.EnqueuedUnixNs < 0 {
			return nil, fieldErr(http.StatusBadRequest, "out_of_range", field+".enqueued_unix_ns", "enqueued_unix_ns must not be negative")
		}
	}
	return &invalidateRequest{Invalidations: *raw.Invalidations}, nil
}

func (a *app) handleInvalidate(w http.ResponseWriter, r *http.Request) {
	body, err := readLimited(r.Body, 1<<20, nil, r.ContentLength)
	if err != nil {
		writeBodyError(w, err, "body_too_large", "invalidation body exceeds 1 MiB")
		return
	}
	req, e := parseInvalidate(body)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	now := time.Now()
	for _, inv := range req.Invalidations {
		h := keyHash(inv.Key)
		a.near.del(inv.Key, h)
		// The owned cache too: it holds a key owned elsewhere only when a peer with another
		// --peers list forwarded it here, and that copy is just as stale.
		a.cache.del(inv.Key, h)
		a.m.invApplied.Add(1)
		if inv.EnqueuedUnixNs > 0 {
			a.m.lag.observe(max(0, now.Sub(time.Unix(0, inv.EnqueuedUnixNs))))
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"applied":`+strconv.Itoa(len(req.Invalidations))+`}`))
}

// forwardedResponseHeaders are the owner's response headers a forwarding node passes on.
var forwardedResponseHeaders = []string{"Content-Type", "X-Cache", "Allow"}

// forward sends a /cache request for a key owned elsewhere to its owner and relays the answer,
// with the owner's Server-Timing entries after this node's own. A successful GET also fills the
// near cache, which the owner's invalidations (or --near-ttl-ms) clear.
func (a *app) forward(w *timingWriter, r *http.Request, owner, key string, h uint64, body []byte) {
	a.m.forwards.Add(1)
	target := owner + "/cache/" + url.PathEscape(key)
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target, rd)
	if err != nil {
		a.m.forwardErrors.Add(1)
		writeError(w, http.StatusBadGateway, "forward_error", "", err.Error())
		return
	}
	req.Header[hdrForwarded] = a.cluster.selfHeader
	for _, k := range []string{"Content-Type", "X-Ttl-Ms"} {
		if v, ok := r.Header[k]; ok {
			req.Header[k] = v
		}
	}
	asked := time.Now()
	resp, err := a.cluster.client.Do(req)
	w.waited = time.Since(asked)
	var data []byte
	if err == nil {
		defer resp.Body.Close()
		data, err = readLimited(resp.Body, int64(a.cfg.maxValueBytes)+64<<10, nil, resp.ContentLength)
	}
	if err != nil {
		a.m.forwardErrors.Add(1)
		if isTimeout(err) {
			writeError(w, http.StatusGatewayTimeout, "forward_timeout", "", "owner "+owner+" timed out")
		} else {
			writeError(w, http.StatusBadGateway, "forward_error", "", "owner "+owner+": "+err.Error())
		}
		return
	}
	w.upstream = upstreamTiming(resp.Header)
	hdr := w.Header()
	for _, k := range forwardedResponseHeaders {
		if v, ok := resp.Header[k]; ok {
			hdr[k] = v
		}
	}
	if r.Method == http.MethodGet && resp.StatusCode == http.StatusOK {
		ct := resp.Header.Get("Content-Type")
		if ct == "" {
			ct = defaultContentType
		}
		a.near.set(h, newEntry(key, data, ct, a.cfg.nearTTL, time.Now()), false)
	}
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified {
		hdr["Content-Length"] = []string{strconv.Itoa(len(data))}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(data)
}
