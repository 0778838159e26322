package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type node struct {
	a   *app
	url string
}

// startCluster runs n nodes on real loopback listeners, named n0, n1, ... in Server-Timing.
func startCluster(t *testing.T, n int, extra ...string) []node {
	lns := make([]net.Listener, n)
	urls := make([]string, n)
	for i := range n {
		lns[i] = listen(t)
		urls[i] = "http://" + lns[i].Addr().String()
	}
	nodes := make([]node, n)
	for i := range n {
		args := append([]string{"--peers", strings.Join(urls, ","), "--self", urls[i], "--hop-name", "n" + strconv.Itoa(i)}, extra...)
		nodes[i] = node{a: startApp(t, testConfig(t, args...)), url: urls[i]}
		serveOn(t, nodes[i].a, lns[i])
	}
	return nodes
}

// keyOwnedBy finds a key that the ring gives to nodes[want].
func keyOwnedBy(t *testing.T, nodes []node, want int, prefix string) string {
	for i := range 10000 {
		k := prefix + strconv.Itoa(i)
		if o, _ := nodes[0].a.cluster.owner(keyHash(k)); o == nodes[want].url {
			return k
		}
	}
	t.Fatal("no key found")
	return ""
}

func httpDo(t *testing.T, method, url, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// eventually polls cond every 10 ms for at most 3 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func timingNames(h http.Header) []string {
	var names []string
	for _, e := range strings.Split(h.Get("Server-Timing"), ", ") {
		names = append(names, strings.SplitN(e, ";", 2)[0])
	}
	return names
}

func TestClusterForwardingNearCacheAndInvalidation(t *testing.T) {
	nodes := startCluster(t, 3, "--near-ttl-ms", "60000")
	key := keyOwnedBy(t, nodes, 1, "user:")

	// A PUT through n0 lands on the owner n1 only.
	resp, _ := httpDo(t, "PUT", nodes[0].url+"/cache/"+key+"?ttl_ms=60000", "v1", "Content-Type", "text/plain")
	if resp.StatusCode != 204 || !slices.Equal(timingNames(resp.Header), []string{"n0", "n1"}) {
		t.Fatalf("PUT via n0: %d %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	if n := nodes[1].a.cache.get(key, keyHash(key), time.Now().UnixNano()); n == nil || string(n.val) != "v1" {
		t.Fatal("owner does not hold the value")
	}
	if e, _ := nodes[0].a.cache.stats(); e != 0 {
		t.Fatal("non-owner stored the value")
	}

	// n2 forwards the first GET (owner hit) and serves the second from its near cache.
	resp, body := httpDo(t, "GET", nodes[2].url+"/cache/"+key, "")
	if resp.StatusCode != 200 || body != "v1" || resp.Header.Get("X-Cache") != "hit" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("GET via n2: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if !regexp.MustCompile(`^n2;dur=\d+\.\d{3};up=\d+\.\d{3}, n1;dur=\d+\.\d{3}$`).MatchString(resp.Header.Get("Server-Timing")) {
		t.Fatalf("Server-Timing %q", resp.Header.Get("Server-Timing"))
	}
	resp, body = httpDo(t, "GET", nodes[2].url+"/cache/"+key, "")
	if body != "v1" || !slices.Equal(timingNames(resp.Header), []string{"n2"}) || nodes[2].a.m.nearHits.Load() != 1 {
		t.Fatalf("second GET via n2 was not a near hit: %q %q", body, resp.Header.Get("Server-Timing"))
	}

	// A write through n0 reaches n1, whose invalidation clears n2's near copy.
	httpDo(t, "PUT", nodes[0].url+"/cache/"+key, "v2")
	eventually(t, "n2 to see v2", func() bool {
		_, body := httpDo(t, "GET", nodes[2].url+"/cache/"+key, "")
		return body == "v2"
	})
	if nodes[2].a.m.invApplied.Load() == 0 || nodes[2].a.m.lag.counts[len(lagBuckets)].Load() > 0 {
		t.Fatalf("applied %d", nodes[2].a.m.invApplied.Load())
	}
	// Two writes, two peers each. n2 has applied its second one, but n0's may still be on its way (counted
	// once delivered) or have been folded into the first while that one was queued.
	eventually(t, "the owner to deliver both writes' invalidations to both peers", func() bool {
		var delivered uint64
		for _, q := range nodes[1].a.cluster.queues {
			delivered += q.sent.Load() + q.coalesced.Load()
		}
		return delivered >= 4
	})
	metrics := string(nodes[2].a.renderMetrics())
	if !strings.Contains(metrics, "rcs_invalidation_lag_seconds_count ") || strings.Contains(metrics, "rcs_invalidation_lag_seconds_count 0\n") {
		t.Fatal("lag histogram is empty in /metrics")
	}

	// DELETE through n2 removes it on the owner.
	if resp, _ := httpDo(t, "DELETE", nodes[2].url+"/cache/"+key, ""); resp.StatusCode != 204 {
		t.Fatalf("DELETE %d", resp.StatusCode)
	}
	if resp, _ := httpDo(t, "GET", nodes[0].url+"/cache/"+key, ""); resp.StatusCode != 404 || resp.Header.Get("X-Cache") != "miss" {
		t.Fatalf("GET after DELETE %d", resp.StatusCode)
	}
}

func TestForwardedRequestIsNeverForwardedAgain(t *testing.T) {
	nodes := startCluster(t, 3)
	key := keyOwnedBy(t, nodes, 1, "k")
	resp, _ := httpDo(t, "GET", nodes[0].url+"/cache/"+key, "", "X-RCS-Forwarded", "http://elsewhere")
	if resp.StatusCode != 404 || nodes[0].a.m.forwards.Load() != 0 || !slices.Equal(timingNames(resp.Header), []string{"n0"}) {
		t.Fatalf("status %d forwards %d timing %q", resp.StatusCode, nodes[0].a.m.forwards.Load(), resp.Header.Get("Server-Timing"))
	}
}

func TestForwardToDeadOwner(t *testing.T) {
	ln := listen(t)
	dead := "http://" + ln.Addr().String()
	ln.Close()
	self := "http://127.0.0.1:1"
	a := startApp(t, testConfig(t, "--peers", self+","+dead, "--self", self))
	var key string
	for i := 0; key == ""; i++ {
		if _, mine := a.cluster.owner(keyHash(strconv.Itoa(i))); !mine {
			key = strconv.Itoa(i)
		}
	}
	w := call(a, "GET", "/cache/"+key, nil)
	if w.Code != 502 || a.m.forwardErrors.Load() != 1 {
		t.Fatalf("status %d", w.Code)
	}
	checkOwnTiming(t, w.Header())
}

// A peer that blocks on its first batch until released, recording every batch.
type stuckPeer struct {
	mu      sync.Mutex
	batches [][]string
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
}

func (p *stuckPeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, e := parseInvalidate(body)
	if e != nil {
		http.Error(w, e.message, 400)
		return
	}
	var keys []string
	for _, inv := range req.Invalidations {
		keys = append(keys, inv.Key)
	}
	p.mu.Lock()
	p.batches = append(p.batches, keys)
	p.mu.Unlock()
	if p.calls.Add(1) == 1 {
		close(p.entered)
		<-p.release
	}
}

func TestInvalidationCoalescingAndDrops(t *testing.T) {
	peer := &stuckPeer{entered: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(peer)
	defer srv.Close()
	self := "http://127.0.0.1:1"
	c := newCluster(testConfig(t, "--peers", self+","+srv.URL, "--self", self, "--invalidation-queue", "3"))
	c.start()
	q := c.queues[0]

	c.invalidate("a") // taken at once, then stuck at the peer
	<-peer.entered
	for _, k := range []string{"b", "b", "b", "c", "d", "e", "b"} {
		c.invalidate(k)
	}
	// b, c, d fill the queue; e is dropped; the three later b's coalesce into the queued one.
	if q.length() != 3 || q.dropped.Load() != 1 || q.coalesced.Load() != 3 {
		t.Fatalf("queued %d dropped %d coalesced %d", q.length(), q.dropped.Load(), q.coalesced.Load())
	}
	close(peer.release)
	eventually(t, "delivery", func() bool { return q.sent.Load() == 4 })
	peer.mu.Lock()
	got := peer.batches
	peer.mu.Unlock()
	if len(got) != 2 || !slices.Equal(got[0], []string{"a"}) || !slices.Equal(got[1], []string{"b", "c", "d"}) {
		t.Fatalf("batches %v", got)
	}
	c.close(t.Context())
}

func TestInvalidateEndpoint(t *testing.T) {
	a := startApp(t, testConfig(t))
	k := "some key"
	a.near.set(keyHash(k), newEntry(k, []byte("v"), "x", 0, time.Now()), false)
	body := `{"invalidations":[{"key":"some key","enqueued_unix_ns":` + strconv.FormatInt(time.Now().Add(-2*time.Millisecond).UnixNano(), 10) + `}]}`
	w := call(a, "POST", "/internal/invalidate", []byte(body))
	if w.Code != 200 || w.Body.String() != `{"applied":1}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if a.near.get(k, keyHash(k), time.Now().UnixNano()) != nil {
		t.Fatal("near copy survived")
	}
	var under5ms uint64
	for i, le := range lagBuckets {
		if le <= 0.001 && a.m.lag.counts[i].Load() > 0 {
			t.Fatal("a 2 ms lag landed in a bucket of 1 ms or less")
		}
		if le <= 0.005 {
			under5ms += a.m.lag.counts[i].Load()
		}
	}
	if under5ms != 1 {
		t.Fatalf("lag not observed in the 2.5-5 ms buckets")
	}
}

func FuzzInvalidateBody(f *testing.F) {
	f.Add([]byte(`{"invalidations":[{"key":"a","enqueued_unix_ns":1}]}`))
	f.Add([]byte(`{"invalidations":[]}`))
	f.Add([]byte(`{"invalidations":[{"key":"","enqueued_unix_ns":-1}],"x":1}`))
	f.Add([]byte(`{"invalidations":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, e := parseInvalidate(body)
		if e != nil {
			if e.status != 400 || e.code == "" {
				t.Fatalf("bad error %+v", e)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		for _, inv := range req.Invalidations {
			if checkKey(inv.Key) != nil || inv.EnqueuedUnixNs < 0 {
				t.Fatalf("accepted bad invalidation %+v", inv)
			}
		}
	})
}
