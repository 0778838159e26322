package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// testConfig parses args like the command line, with no RCS_ variables and a free port.
func testConfig(t testing.TB, args ...string) *config {
	t.Helper()
	cfg, err := parseConfig(append([]string{"--port", "0"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startApp(t testing.TB, cfg *config) *app {
	a := newApp(cfg)
	a.start()
	t.Cleanup(func() { a.stop(context.Background()) })
	return a
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func serveOn(t testing.TB, h http.Handler, ln net.Listener) {
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// call runs one request through h in-process; hdr holds header name, value pairs.
func call(h http.Handler, method, target string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var ownTiming = regexp.MustCompile(`^rust-cache-server;dur=\d+\.\d{3}(;up=\d+\.\d{3})?$`)

func checkOwnTiming(t testing.TB, h http.Header) {
	t.Helper()
	if v := h.Values("Server-Timing"); len(v) != 1 || !ownTiming.MatchString(v[0]) {
		t.Fatalf("Server-Timing = %q, want one own entry", v)
	}
}
