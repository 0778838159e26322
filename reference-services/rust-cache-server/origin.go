package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const defaultContentType = "application/octet-stream"

// newHTTPClient is the keep-alive client for the origin and for peers. The defaults keep only 2
// idle connections per host, so under load most requests would dial anew and leave TIME_WAIT
// sockets behind; a load test talks to few hosts with many concurrent requests.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil, // peers and origin are direct; a proxy from the environment would add a hop hopscope cannot see
			DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 512,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true, // values are stored and served as the origin sent them
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

type originResult struct {
	e       *entry // the value, when status is 200
	status  int    // the origin's status, 0 when it did not answer
	timing  string // the origin's Server-Timing entries
	err     error
	timeout bool
}

// originFetcher reads misses through from the origin with a single-flight group: concurrent
// misses of one key share one origin call. It is a dozen lines, so it is written here rather
// than taken from golang.org/x/sync/singleflight, which would be the only module dependency.
type originFetcher struct {
	prefix   string
	client   *http.Client
	maxBytes int64
	ttl      time.Duration
	m        *metrics
	mu       sync.Mutex
	calls    map[string]*originCall
}

type originCall struct {
	done chan struct{}
	res  originResult
}

// fetch returns the origin's answer for key. The caller that starts the call runs store on a 200
// before the waiters are released, so requests arriving after them already hit the cache.
func (o *originFetcher) fetch(key string, store func(*entry)) originResult {
	o.mu.Lock()
	if c := o.calls[key]; c != nil {
		o.mu.Unlock()
		o.m.sfShared.Add(1)
		<-c.done
		return c.res
	}
	c := &originCall{done: make(chan struct{})}
	o.calls[key] = c
	o.mu.Unlock()

	// Released even if get panics, so waiters never hang on a dead call.
	defer func() {
		o.mu.Lock()
		delete(o.calls, key)
		o.mu.Unlock()
		close(c.done)
	}()
	c.res = o.get(key)
	if c.res.e != nil {
		store(c.res.e)
	}
	return c.res
}

// get runs without the client's request context on purpose: its result serves every waiter,
// so one impatient client must not cancel it; the client timeout bounds it instead.
func (o *originFetcher) get(key string) originResult {
	o.m.originRequests.Add(1)
	resp, err := o.client.Get(o.prefix + url.PathEscape(key))
	if err != nil {
		return o.failed(originResult{err: err})
	}
	defer resp.Body.Close()
	res := originResult{status: resp.StatusCode, timing: upstreamTiming(resp.Header)}
	if resp.StatusCode != http.StatusOK {
		// Drained (bounded) so the keep-alive connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode != http.StatusNotFound {
			o.m.originErrors.Add(1)
		}
		return res
	}
	body, err := readLimited(resp.Body, o.maxBytes, nil, resp.ContentLength)
	if err != nil {
		res.err = err
		return o.failed(res)
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = defaultContentType
	}
	res.e = newEntry(key, body, ct, o.ttl, time.Now())
	return res
}

func (o *originFetcher) failed(res originResult) originResult {
	if isTimeout(res.err) {
		res.timeout = true
		o.m.originTimeouts.Add(1)
	} else {
		o.m.originErrors.Add(1)
	}
	return res
}

// errTooLarge is returned by readLimited when the body exceeds its limit.
var errTooLarge = errors.New("body too large")

// readLimited reads at most limit bytes of r into buf (which may be nil), growing it as needed,
// and fails with errTooLarge past the limit. sizeHint (a Content-Length, or -1) sizes the
// buffer once and rejects a declared oversize body without reading it.
func readLimited(r io.Reader, limit int64, buf []byte, sizeHint int64) ([]byte, error) {
	if sizeHint > limit {
		return buf[:0], errTooLarge
	}
	if sizeHint >= 0 && int64(cap(buf)) < sizeHint+1 {
		buf = make([]byte, 0, sizeHint+1) // +1 to see EOF without growing
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf[:0], errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:0], err
		}
	}
}
