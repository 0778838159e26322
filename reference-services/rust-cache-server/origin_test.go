package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOrigin answers GET /items/KEY after delay with a body naming the key and two timing entries.
type fakeOrigin struct {
	calls  atomic.Int32
	delay  time.Duration
	status int
}

func (o *fakeOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.calls.Add(1)
	select {
	case <-time.After(o.delay):
	case <-r.Context().Done():
		return
	}
	w.Header().Add("Server-Timing", "origin;dur=1.250")
	w.Header().Add("Server-Timing", "db;dur=0.500")
	w.Header().Set("Content-Type", "text/x-item")
	if o.status != 0 {
		w.WriteHeader(o.status)
	}
	w.Write([]byte("item:" + r.URL.EscapedPath()))
}

func startOrigin(t *testing.T, o *fakeOrigin) string {
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1/origin/items/"
}

func TestSingleFlightReadThrough(t *testing.T) {
	o := &fakeOrigin{delay: 200 * time.Millisecond}
	a := startApp(t, testConfig(t, "--origin", startOrigin(t, o)))
	const n = 20
	start := make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]*httptestResult, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			w := call(a, "GET", "/cache/a%2Fb", nil)
			codes[i] = &httptestResult{w.Code, w.Body.String(), w.Header().Get("X-Cache"), w.Header().Get("Server-Timing")}
		}()
	}
	close(start)
	wg.Wait()
	timing := regexp.MustCompile(`^rust-cache-server;dur=\d+\.\d{3};up=\d+\.\d{3}, origin;dur=1\.250, db;dur=0\.500$`)
	for _, c := range codes {
		if c.status != 200 || c.body != "item:/v1/origin/items/a%2Fb" || c.xcache != "miss" || !timing.MatchString(c.timing) {
			t.Fatalf("%+v", c)
		}
	}
	if o.calls.Load() != 1 || a.m.sfShared.Load() != n-1 {
		t.Fatalf("origin calls %d, shared %d", o.calls.Load(), a.m.sfShared.Load())
	}
	w := call(a, "GET", "/cache/a%2Fb", nil)
	if w.Code != 200 || w.Header().Get("X-Cache") != "hit" || w.Header().Get("Content-Type") != "text/x-item" || o.calls.Load() != 1 {
		t.Fatalf("after fill: %d %v", w.Code, w.Header())
	}
	checkOwnTiming(t, w.Header())
}

type httptestResult struct {
	status               int
	body, xcache, timing string
}

func TestOriginErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		origin *fakeOrigin
		status int
		code   string
	}{
		{"error", &fakeOrigin{status: 500}, 502, "origin_error"},
		{"not found", &fakeOrigin{status: 404}, 404, "not_found"},
		{"timeout", &fakeOrigin{delay: 2 * time.Second}, 504, "origin_timeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := startApp(t, testConfig(t, "--origin", startOrigin(t, c.origin), "--origin-timeout-ms", "100"))
			w := call(a, "GET", "/cache/k", nil)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d", w.Code, c.status)
			}
			checkError(t, w.Body.Bytes(), c.code, nil)
			if c.status != 504 && !regexp.MustCompile(`^rust-cache-server;dur=\d+\.\d{3};up=\d+\.\d{3}, origin;dur=1\.250, db;dur=0\.500$`).MatchString(w.Header().Get("Server-Timing")) {
				t.Fatalf("Server-Timing %q", w.Header().Get("Server-Timing"))
			}
			if c.status == 504 && a.m.originTimeouts.Load() != 1 {
				t.Fatal("timeout not counted")
			}
		})
	}
	a := startApp(t, testConfig(t, "--origin", "http://127.0.0.1:1/items/"))
	if w := call(a, "GET", "/cache/k", nil); w.Code != 502 {
		t.Fatalf("unreachable origin: %d", w.Code)
	}
}

func TestServerTimingThroughForwardAndOrigin(t *testing.T) {
	o := &fakeOrigin{delay: 5 * time.Millisecond}
	nodes := startCluster(t, 2, "--origin", startOrigin(t, o))
	key := keyOwnedBy(t, nodes, 1, "x")
	resp, _ := httpDo(t, "GET", nodes[0].url+"/cache/"+key, "")
	m := regexp.MustCompile(`^n0;dur=(\d+\.\d{3});up=\d+\.\d{3}, n1;dur=(\d+\.\d{3});up=\d+\.\d{3}, origin;dur=1\.250, db;dur=0\.500$`).FindStringSubmatch(resp.Header.Get("Server-Timing"))
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	outer, _ := strconv.ParseFloat(m[1], 64)
	inner, _ := strconv.ParseFloat(m[2], 64)
	if outer < inner || inner < 5 {
		t.Fatalf("outer hop %s shorter than inner %s, or inner under the origin's 5 ms", m[1], m[2])
	}
}
