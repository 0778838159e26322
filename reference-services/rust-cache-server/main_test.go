package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestConfigPrecedenceAndChecks(t *testing.T) {
	env := map[string]string{"RCS_PORT": "9000", "RCS_MEMORY_MB": "7", "RCS_HOP_NAME": "cache-a"}
	cfg, err := parseConfig([]string{"--port", "9001"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.port != 9001 || cfg.memoryMB != 7 || cfg.hopName != "cache-a" || cfg.bind != "127.0.0.1" || cfg.self != "http://127.0.0.1:9001" {
		t.Fatalf("%+v", cfg)
	}
	for _, args := range [][]string{
		{"--hop-name", "bad name"},
		{"--peers", "http://127.0.0.1:1,http://127.0.0.1:2", "--self", "http://127.0.0.1:3"},
		{"--peers", "ftp://x"},
		{"--memory-mb", "0"},
		{"--ballast-mb", "-1"},
		{"--max-value-bytes", "9999999", "--memory-mb", "1"},
		{"stray"},
	} {
		if _, err := parseConfig(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Fatalf("%v accepted", args)
		}
	}
	if _, err := parseConfig(nil, func(k string) string { return map[string]string{"RCS_PORT": "x"}[k] }, io.Discard); err == nil {
		t.Fatal("RCS_PORT=x accepted")
	}
}

func TestHealthz(t *testing.T) {
	a := startApp(t, testConfig(t))
	w := call(a, "GET", "/healthz", nil)
	if w.Code != 200 || w.Body.String() != `{"status":"ok","service":"rust-cache-server","version":"`+version+`"}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	checkOwnTiming(t, w.Header())
	w = call(a, "GET", "/metrics", nil)
	if !strings.Contains(w.Body.String(), `rcs_requests_total{route="GET /healthz",status="200"} 1`) {
		t.Fatalf("metrics:\n%s", w.Body)
	}
}

func TestPanicBecomes500(t *testing.T) {
	a := startApp(t, testConfig(t))
	rec := httptest.NewRecorder()
	func() {
		w := &timingWriter{ResponseWriter: rec, start: time.Now(), hop: a.hop}
		route := routeOther
		a.m.inFlight.Add(1)
		defer a.finish(w, &route)
		panic("boom")
	}()
	if rec.Code != 500 || !ownTiming.MatchString(rec.Header().Get("Server-Timing")) || a.m.inFlight.Load() != 0 {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	checkError(t, rec.Body.Bytes(), "internal_error", nil)
}

// serveRun starts run on a loopback listener and returns its URL, its cancel and its result.
func serveRun(t *testing.T, cfg *config) (string, context.CancelFunc, chan error) {
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- run(ctx, cfg, ln, &out) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, done
}

func TestGracefulShutdownDrainsInFlight(t *testing.T) {
	o := &fakeOrigin{delay: 300 * time.Millisecond}
	url, cancel, done := serveRun(t, testConfig(t, "--origin", startOrigin(t, o), "--shutdown-timeout-ms", "3000"))
	type result struct {
		status int
		body   string
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/cache/slow")
		if err != nil {
			res <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		res <- result{status: resp.StatusCode, body: string(b)}
	}()
	eventually(t, "the request to reach the origin", func() bool { return o.calls.Load() == 1 })
	cancel() // what SIGTERM does in main
	r := <-res
	if r.err != nil || r.status != 200 || r.body != "item:/v1/origin/items/slow" {
		t.Fatalf("in-flight request: %+v", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("run did not return")
	}
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestSlowClientIsCutOff(t *testing.T) {
	url, _, _ := serveRun(t, testConfig(t, "--read-header-timeout-ms", "200", "--read-timeout-ms", "400"))
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // the head never ends
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	io.Copy(io.Discard, conn)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("connection held for %s", d)
	}

	// A body that stalls mid-way is cut off by the read timeout, and the server stays healthy.
	conn2, _ := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	defer conn2.Close()
	conn2.Write([]byte("POST /bench/json HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":"))
	conn2.SetReadDeadline(time.Now().Add(3 * time.Second))
	reply, _ := io.ReadAll(conn2)
	if len(reply) > 0 && !bytes.HasPrefix(reply, []byte("HTTP/1.1 400")) {
		t.Fatalf("stalled body answered %q", reply)
	}
	if resp, err := http.Get(url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after slow clients: %v", err)
	}
}

// h2cClient speaks HTTP/2 over plain TCP from the first byte (prior knowledge), never HTTP/1.1.
func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}, Timeout: 5 * time.Second}
}

func TestH2cPriorKnowledgeBehindTheFlag(t *testing.T) {
	url, _, _ := serveRun(t, testConfig(t, "--h2c"))
	put, _ := http.NewRequest("PUT", url+"/cache/k1", strings.NewReader(`{"value":"v1"}`))
	for _, req := range []*http.Request{put, mustRequest(t, "GET", url+"/cache/k1")} {
		resp, err := h2cClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode/100 != 2 || !ownTiming.MatchString(resp.Header.Get("Server-Timing")) {
			t.Fatalf("%s %s: %s %d %v %s", req.Method, req.URL.Path, resp.Proto, resp.StatusCode, resp.Header, body)
		}
	}
	// HTTP/1.1 on the same port is unchanged.
	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.ProtoMajor != 1 || resp.StatusCode != 200 {
		t.Fatalf("HTTP/1.1 beside h2c: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestNoH2cWithoutTheFlag(t *testing.T) {
	url, _, _ := serveRun(t, testConfig(t))
	if resp, err := h2cClient().Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("h2c answered without --h2c: %s %d", resp.Proto, resp.StatusCode)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
