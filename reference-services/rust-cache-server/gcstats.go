package main

import (
	"net/http"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"sort"
	"strconv"
	"sync"
	"time"
)

// The runtime keeps the pauses of only the last 256 GC cycles (MemStats.PauseNs/PauseEnd), so a
// client polling /debug/gc less often than every 256 cycles would lose pauses. gcSampler copies
// them into its own ring (--gc-ring-size, 100k by default) from a background goroutine:
//
//   - every --gc-sample-ms it reads the cycle count from runtime/metrics, which does not stop
//     the world, and does nothing more when no cycle completed;
//   - when cycles completed it reads the pause history with debug.ReadGCStats, which copies it
//     under the heap lock, again without stopping the world (runtime.ReadMemStats would).
//
// Each pause is stored with its cycle number, so a cursor is a cycle number and "lost" is exact:
// cycles after the cursor minus pauses still held. Pauses go missing only if more than 256 cycles
// complete between two samples, or if the client falls more than --gc-ring-size pauses behind.

type gcPause struct {
	endUnixNs  int64
	durationNs int64
	numGC      uint64
}

type gcSampler struct {
	mu       sync.Mutex
	ring     []gcPause // ring[(first+i)%cap] for i < count, oldest first
	first    int
	count    int
	lastGC   uint64 // the cycle through which pauses are recorded or counted lost
	recorded uint64
	lost     uint64 // cycles whose pause the runtime ring had overwritten before a sample
	stats    debug.GCStats
	cycles   []rtmetrics.Sample
	heap     []rtmetrics.Sample
}

func newGCSampler(size int) *gcSampler {
	g := &gcSampler{
		ring:   make([]gcPause, size),
		cycles: []rtmetrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}},
		heap: []rtmetrics.Sample{
			{Name: "/gc/cycles/total:gc-cycles"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
			{Name: "/gc/gogc:percent"},
			{Name: "/gc/gomemlimit:bytes"},
		},
		// Room for the runtime's whole history: ReadGCStats then reuses these slices.
		stats: debug.GCStats{Pause: make([]time.Duration, 0, 2*256+3), PauseEnd: make([]time.Time, 0, 256)},
	}
	g.poll()
	return g
}

// run samples until stop is closed.
func (g *gcSampler) run(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			g.poll()
		}
	}
}

func (g *gcSampler) poll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	rtmetrics.Read(g.cycles)
	if g.cycles[0].Value.Uint64() == g.lastGC {
		return
	}
	debug.ReadGCStats(&g.stats)
	numGC := uint64(g.stats.NumGC)
	if numGC <= g.lastGC {
		return
	}
	fresh := numGC - g.lastGC
	held := uint64(len(g.stats.Pause)) // most recent first
	if fresh > held {
		g.lost += fresh - held
		fresh = held
	}
	for i := int(fresh) - 1; i >= 0; i-- {
		g.push(gcPause{
			endUnixNs:  g.stats.PauseEnd[i].UnixNano(),
			durationNs: int64(g.stats.Pause[i]),
			numGC:      numGC - uint64(i),
		})
	}
	g.recorded += fresh
	g.lastGC = numGC
}

func (g *gcSampler) push(p gcPause) {
	if g.count < len(g.ring) {
		g.ring[(g.first+g.count)%len(g.ring)] = p
		g.count++
		return
	}
	g.ring[g.first] = p
	g.first = (g.first + 1) % len(g.ring)
}

func (g *gcSampler) at(i int) *gcPause { return &g.ring[(g.first+i)%len(g.ring)] }

type gcSnapshot struct {
	numGC, recorded, lost, heapAlloc, heapInuse, gomemlimit uint64
	gogc                                                    int64
}

func (g *gcSampler) snapshot() gcSnapshot {
	g.mu.Lock()
	defer g.mu.Unlock()
	rtmetrics.Read(g.heap)
	s := gcSnapshot{
		numGC:      g.heap[0].Value.Uint64(),
		recorded:   g.recorded,
		lost:       g.lost,
		heapAlloc:  g.heap[1].Value.Uint64(),
		heapInuse:  g.heap[1].Value.Uint64() + g.heap[2].Value.Uint64(),
		gogc:       int64(g.heap[3].Value.Uint64()),
		gomemlimit: g.heap[4].Value.Uint64(),
	}
	return s
}

// appendGCReport writes the /debug/gc body for the pauses of the cycles after since.
func (g *gcSampler) appendGCReport(out []byte, since uint64) []byte {
	g.poll()
	snap := g.snapshot()
	g.mu.Lock()
	defer g.mu.Unlock()
	start := sort.Search(g.count, func(i int) bool { return g.at(i).numGC > since })
	out = append(out, `{"cursor":`...)
	out = strconv.AppendUint(out, g.lastGC, 10)
	out = append(out, `,"pauses":[`...)
	for i := start; i < g.count; i++ {
		p := g.at(i)
		if i > start {
			out = append(out, ',')
		}
		out = append(out, `{"end_unix_ns":`...)
		out = strconv.AppendInt(out, p.endUnixNs, 10)
		out = append(out, `,"duration_ns":`...)
		out = strconv.AppendInt(out, p.durationNs, 10)
		out = append(out, `,"num_gc":`...)
		out = strconv.AppendUint(out, p.numGC, 10)
		out = append(out, '}')
	}
	var lost uint64
	if g.lastGC > since {
		lost = g.lastGC - since - uint64(g.count-start)
	}
	out = append(out, `],"lost":`...)
	out = strconv.AppendUint(out, lost, 10)
	out = append(out, `,"heap_alloc_bytes":`...)
	out = strconv.AppendUint(out, snap.heapAlloc, 10)
	out = append(out, `,"heap_inuse_bytes":`...)
	out = strconv.AppendUint(out, snap.heapInuse, 10)
	out = append(out, `,"num_gc":`...)
	out = strconv.AppendUint(out, snap.numGC, 10)
	out = append(out, `,"gogc":`...)
	out = strconv.AppendInt(out, snap.gogc, 10)
	out = append(out, `,"gomemlimit_bytes":`...)
	out = strconv.AppendUint(out, snap.gomemlimit, 10)
	return append(out, '}')
}

func (a *app) handleDebugGC(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_type", "since", "since must be a non-negative integer cursor")
			return
		}
		since = n
	}
	writeJSON(w, http.StatusOK, a.gc.appendGCReport(make([]byte, 0, 256), since))
}
