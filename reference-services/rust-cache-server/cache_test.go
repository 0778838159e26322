package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"
)

func TestLRUEvictsLeastRecentlyUsedWithinBudget(t *testing.T) {
	c := newLRU(10_000, 5_000) // small enough for one shard: a strict LRU
	if len(c.shards) != 1 {
		t.Fatalf("%d shards", len(c.shards))
	}
	now := time.Now()
	val := make([]byte, 1000-3-entryOverhead) // with a 3-byte key every entry weighs 1000
	put := func(i int) {
		k := fmt.Sprintf("k%02d", i)
		if !c.set(keyHash(k), newEntry(k, val, "x", 0, now), false) {
			t.Fatalf("set %s refused", k)
		}
	}
	for i := range 10 {
		put(i)
	}
	if c.get("k00", keyHash("k00"), now.UnixNano()) == nil { // k00 becomes the most recent
		t.Fatal("k00 missing before the budget is exceeded")
	}
	put(10)
	if c.get("k01", keyHash("k01"), now.UnixNano()) != nil {
		t.Fatal("k01, the least recently used, survived")
	}
	if c.get("k00", keyHash("k00"), now.UnixNano()) == nil {
		t.Fatal("k00 was evicted although recently read")
	}
	entries, used := c.stats()
	if entries != 10 || used != 10_000 || c.evictions.Load() != 1 {
		t.Fatalf("entries %d bytes %d evictions %d", entries, used, c.evictions.Load())
	}
	if c.set(1, newEntry("big", make([]byte, 20_000), "x", 0, now), false) {
		t.Fatal("an entry larger than the budget was stored")
	}
}

func TestCacheBudgetOverHTTP(t *testing.T) {
	a := startApp(t, testConfig(t, "--memory-mb", "1", "--max-value-bytes", "20000"))
	val := bytes.Repeat([]byte("v"), 10_000)
	for i := range 300 { // 3 MB into a 1 MiB budget
		if w := call(a, "PUT", "/cache/key-"+strconv.Itoa(i), val); w.Code != 204 {
			t.Fatalf("PUT %d: %d %s", i, w.Code, w.Body)
		}
	}
	entries, used := a.cache.stats()
	if used > 1<<20 || entries < 50 || a.cache.evictions.Load() == 0 {
		t.Fatalf("entries %d bytes %d evictions %d", entries, used, a.cache.evictions.Load())
	}
	if w := call(a, "GET", "/cache/key-0", nil); w.Code != 404 || w.Header().Get("X-Cache") != "miss" {
		t.Fatalf("oldest key: %d %s", w.Code, w.Header().Get("X-Cache"))
	}
	if w := call(a, "GET", "/cache/key-299", nil); w.Code != 200 || !bytes.Equal(w.Body.Bytes(), val) {
		t.Fatalf("newest key: %d", w.Code)
	}
	if w := call(a, "PUT", "/cache/too-big", make([]byte, 20_001)); w.Code != 413 {
		t.Fatalf("oversized value: %d", w.Code)
	}
}

func TestTTLExpiry(t *testing.T) {
	c := newLRU(1<<20, 1000)
	now := time.Now()
	c.set(keyHash("k"), newEntry("k", []byte("v"), "x", 50*time.Millisecond, now), false)
	if c.get("k", keyHash("k"), now.Add(49*time.Millisecond).UnixNano()) == nil {
		t.Fatal("expired early")
	}
	if c.get("k", keyHash("k"), now.Add(50*time.Millisecond).UnixNano()) != nil {
		t.Fatal("served after its TTL")
	}
	if c.expired.Load() != 1 {
		t.Fatalf("expired counter %d", c.expired.Load())
	}

	a := startApp(t, testConfig(t, "--default-ttl-ms", "60000"))
	call(a, "PUT", "/cache/q?ttl_ms=40", []byte("1"))
	call(a, "PUT", "/cache/h", []byte("2"), "X-TTL-Ms", "40")
	call(a, "PUT", "/cache/d", []byte("3"))
	time.Sleep(60 * time.Millisecond)
	for key, want := range map[string]int{"q": 404, "h": 404, "d": 200} {
		if w := call(a, "GET", "/cache/"+key, nil); w.Code != want {
			t.Fatalf("%s: %d, want %d", key, w.Code, want)
		}
	}
	for _, bad := range []string{"?ttl_ms=-1", "?ttl_ms=abc", "?ttl_ms=1.5", "?ttl_ms=99999999999999"} {
		if w := call(a, "PUT", "/cache/x"+bad, []byte("v")); w.Code != 400 {
			t.Fatalf("%s: %d", bad, w.Code)
		}
	}
}

func TestCacheRoundTripAndBadInput(t *testing.T) {
	a := startApp(t, testConfig(t, "--max-value-bytes", "100"))
	w := call(a, "PUT", "/cache/a%2Fb%20c", []byte(`{"x":1}`), "Content-Type", "application/json")
	if w.Code != 204 {
		t.Fatalf("PUT %d", w.Code)
	}
	checkOwnTiming(t, w.Header())
	w = call(a, "GET", "/cache/a%2Fb%20c", nil)
	if w.Code != 200 || w.Body.String() != `{"x":1}` || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("X-Cache") != "hit" {
		t.Fatalf("GET %d %q %v", w.Code, w.Body, w.Header())
	}
	checkOwnTiming(t, w.Header())
	call(a, "PUT", "/cache/plain", []byte("p"))
	if ct := call(a, "GET", "/cache/plain", nil).Header().Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("default Content-Type %q", ct)
	}
	if w := call(a, "DELETE", "/cache/plain", nil); w.Code != 204 {
		t.Fatalf("DELETE %d", w.Code)
	}
	if w := call(a, "GET", "/cache/plain", nil); w.Code != 404 {
		t.Fatalf("GET after DELETE %d", w.Code)
	}
	for _, c := range []struct {
		method, target string
		body           []byte
		status         int
	}{
		{"GET", "/cache/", nil, 400},
		{"GET", "/cache/" + string(bytes.Repeat([]byte("k"), 251)), nil, 400},
		{"GET", "/cache/%ff", nil, 400},
		{"PUT", "/cache/k", make([]byte, 101), 413},
		{"POST", "/cache/k", nil, 405},
		{"GET", "/nowhere", nil, 404},
		{"GET", "/debug/gc?since=-1", nil, 400},
		{"POST", "/internal/invalidate", []byte(`{"invalidations":[{"key":""}]}`), 400},
		{"POST", "/internal/invalidate", []byte(`[`), 400},
	} {
		w := call(a, c.method, c.target, c.body)
		if w.Code != c.status {
			t.Fatalf("%s %s: %d, want %d", c.method, c.target, w.Code, c.status)
		}
		checkOwnTiming(t, w.Header())
		var e errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
			t.Fatalf("%s %s: not a JSON error: %s", c.method, c.target, w.Body)
		}
	}
	if w := call(a, "GET", "/cache/"+string(bytes.Repeat([]byte("k"), 250)), nil); w.Code != 404 {
		t.Fatalf("250-byte key: %d", w.Code)
	}
}
