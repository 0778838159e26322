package main

import (
	"encoding/json"
	"runtime"
	"strconv"
	"testing"
)

type gcReport struct {
	Cursor uint64 `json:"cursor"`
	Pauses []struct {
		EndUnixNs  int64  `json:"end_unix_ns"`
		DurationNs int64  `json:"duration_ns"`
		NumGC      uint64 `json:"num_gc"`
	} `json:"pauses"`
	Lost           uint64 `json:"lost"`
	HeapAllocBytes uint64 `json:"heap_alloc_bytes"`
	HeapInuseBytes uint64 `json:"heap_inuse_bytes"`
	NumGC          uint64 `json:"num_gc"`
	GOGC           int64  `json:"gogc"`
	GOMemLimit     uint64 `json:"gomemlimit_bytes"`
}

func gcPoll(t *testing.T, a *app, since string) gcReport {
	t.Helper()
	w := call(a, "GET", "/debug/gc?since="+since, nil)
	var r gcReport
	if err := json.Unmarshal(w.Body.Bytes(), &r); w.Code != 200 || err != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	return r
}

// checkConsecutive asserts the report accounts for every cycle after since exactly once.
func checkConsecutive(t *testing.T, r gcReport, since uint64) {
	t.Helper()
	if uint64(len(r.Pauses))+r.Lost != r.Cursor-since {
		t.Fatalf("%d pauses + %d lost != %d cycles", len(r.Pauses), r.Lost, r.Cursor-since)
	}
	for i, p := range r.Pauses {
		if p.NumGC != r.Cursor-uint64(len(r.Pauses)-1-i) || p.EndUnixNs <= 0 || p.DurationNs < 0 {
			t.Fatalf("pause %d: %+v", i, p)
		}
	}
}

func TestGCTelemetryKeepsMoreThan256Pauses(t *testing.T) {
	a := startApp(t, testConfig(t, "--gc-sample-ms", "1"))
	before := gcPoll(t, a, "0")
	for range 600 {
		runtime.GC()
	}
	r := gcPoll(t, a, strconv.FormatUint(before.Cursor, 10))
	if r.Lost != 0 || len(r.Pauses) < 600 {
		t.Fatalf("%d pauses, %d lost after 600 forced GCs", len(r.Pauses), r.Lost)
	}
	checkConsecutive(t, r, before.Cursor)
	if r.NumGC < r.Cursor || r.HeapAllocBytes == 0 || r.HeapInuseBytes < r.HeapAllocBytes || r.GOGC == 0 || r.GOMemLimit == 0 {
		t.Fatalf("gauges %+v", r)
	}
	if again := gcPoll(t, a, strconv.FormatUint(r.Cursor, 10)); again.Lost != 0 || len(again.Pauses) != int(again.Cursor-r.Cursor) {
		t.Fatalf("poll from the new cursor: %+v", again)
	}
}

func TestGCTelemetryReportsLostHonestly(t *testing.T) {
	// No background sampling: 300 cycles between two samples overflow the runtime's 256.
	g := newGCSampler(100)
	since, lost0 := g.lastGC, g.lost
	for range 300 {
		runtime.GC()
	}
	g.poll()
	if g.lost-lost0 < 300-256 {
		t.Fatalf("lost %d", g.lost-lost0)
	}
	var r gcReport
	if err := json.Unmarshal(g.appendGCReport(nil, since), &r); err != nil {
		t.Fatal(err)
	}
	// Of >= 300 cycles, the runtime had 256 and our ring of 100 keeps the last 100.
	if len(r.Pauses) != 100 || r.Lost < 200 {
		t.Fatalf("%d pauses %d lost", len(r.Pauses), r.Lost)
	}
	checkConsecutive(t, r, since)
}
