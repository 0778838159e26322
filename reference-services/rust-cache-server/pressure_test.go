package main

import (
	"encoding/json"
	"testing"
)

func TestPressureEndpoint(t *testing.T) {
	a := startApp(t, testConfig(t, "--ballast-mb", "2", "--garbage-kb-per-request", "1"))
	if s := a.press.settings(); s.ballastMB != 2 || s.garbageKB != 1 || len(a.press.chunks[1]) != objsPerMB {
		t.Fatalf("start-up settings %+v", s)
	}
	w := call(a, "POST", "/debug/pressure?ballast_mb=5&garbage_kb=64", nil)
	var got struct {
		BallastMB  int    `json:"ballast_mb"`
		GarbageKB  int    `json:"garbage_kb"`
		HeapAlloc  uint64 `json:"heap_alloc_bytes"`
		GOGC       int64  `json:"gogc"`
		GOMemLimit uint64 `json:"gomemlimit_bytes"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got.BallastMB != 5 || got.GarbageKB != 64 || got.HeapAlloc < 5<<20 || got.GOGC == 0 || got.GOMemLimit == 0 {
		t.Fatalf("%+v", got)
	}
	// Requests still work with garbage on, and a lone parameter keeps the other setting.
	if w := call(a, "GET", "/healthz", nil); w.Code != 200 {
		t.Fatalf("healthz %d", w.Code)
	}
	call(a, "POST", "/debug/pressure?ballast_mb=0", nil)
	if s := a.press.settings(); s.ballastMB != 0 || s.garbageKB != 64 || len(a.press.chunks) != 0 {
		t.Fatalf("after shrink %+v", s)
	}
	for _, q := range []string{"ballast_mb=-1", "garbage_kb=x", "ballast_mb=99999999", "bogus=1", "ballast_mb=1&ballast_mb=2", "%zz"} {
		if w := call(a, "POST", "/debug/pressure?"+q, nil); w.Code != 400 {
			t.Fatalf("%s: %d", q, w.Code)
		}
	}
	if w := call(a, "DELETE", "/debug/pressure", nil); w.Code != 405 {
		t.Fatalf("DELETE %d", w.Code)
	}
}

func TestGarbageIsPointerRich(t *testing.T) {
	n := 0
	for o := garbage(4); o != nil; o = o.refs[0] {
		n++
	}
	if n != 4*1024/64 {
		t.Fatalf("%d objects for 4 KiB", n)
	}
}

func FuzzPressureQuery(f *testing.F) {
	for _, q := range []string{"", "ballast_mb=1", "garbage_kb=2&ballast_mb=3", "x=1", "ballast_mb=%00", "garbage_kb=-5"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		s, e := parsePressureQuery(q, pressureSettings{ballastMB: 1, garbageKB: 1})
		if e != nil {
			if e.status != 400 {
				t.Fatalf("status %d", e.status)
			}
			return
		}
		if s.ballastMB < 0 || s.ballastMB > maxBallastMB || s.garbageKB < 0 || s.garbageKB > maxGarbageKB {
			t.Fatalf("accepted %+v from %q", s, q)
		}
	})
}
