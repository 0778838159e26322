package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

type routeID int

const (
	routeCacheGet routeID = iota
	routeCachePut
	routeCacheDelete
	routeBench
	routeHealth
	routeMetrics
	routeDebugGC
	routeDebugPressure
	routeInvalidate
	routeOther
	numRoutes
)

var routeNames = [numRoutes]string{
	routeCacheGet:      "GET /cache/{key}",
	routeCachePut:      "PUT /cache/{key}",
	routeCacheDelete:   "DELETE /cache/{key}",
	routeBench:         "POST /bench/json",
	routeHealth:        "GET /healthz",
	routeMetrics:       "GET /metrics",
	routeDebugGC:       "GET /debug/gc",
	routeDebugPressure: "/debug/pressure",
	routeInvalidate:    "POST /internal/invalidate",
	routeOther:         "other",
}

// Seconds; chosen to resolve loopback lags (tens of µs) as well as a stalled peer (seconds).
var lagBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics are plain atomics indexed by fixed route and status, so counting a request is one
// uncontended-by-lock increment with no map lookup or label formatting.
type metrics struct {
	requests       [numRoutes][600]atomic.Uint64
	inFlight       atomic.Int64
	hits           atomic.Uint64
	misses         atomic.Uint64
	nearHits       atomic.Uint64
	forwards       atomic.Uint64
	forwardErrors  atomic.Uint64
	originRequests atomic.Uint64
	originErrors   atomic.Uint64
	originTimeouts atomic.Uint64
	sfShared       atomic.Uint64
	invApplied     atomic.Uint64
	lag            histogram
}

func (m *metrics) request(r routeID, status int) {
	if status < 0 || status >= 600 {
		status = 0
	}
	m.requests[r][status].Add(1)
}

type histogram struct {
	counts [17]atomic.Uint64 // one per bucket of lagBuckets, then +Inf
	sumNs  atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(lagBuckets) && s > lagBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(int64(d))
}

// promLabel escapes a label value as the Prometheus text format requires.
var promLabel = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// renderMetrics writes the Prometheus text exposition format by hand: a dependency on client_golang
// would buy nothing for a fixed set of counters.
func (a *app) renderMetrics() []byte {
	var b bytes.Buffer
	m := a.m
	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	single := func(name, typ, help string, v any) {
		family(name, typ, help)
		fmt.Fprintf(&b, "%s %v\n", name, v)
	}

	family("rcs_requests_total", "counter", "Requests answered, by route and status.")
	for r := range numRoutes {
		for status := range m.requests[r] {
			if n := m.requests[r][status].Load(); n > 0 {
				fmt.Fprintf(&b, "rcs_requests_total{route=\"%s\",status=\"%d\"} %d\n", routeNames[r], status, n)
			}
		}
	}
	single("rcs_in_flight_requests", "gauge", "Requests being served.", m.inFlight.Load())
	single("rcs_cache_hits_total", "counter", "GET /cache hits in the owned cache.", m.hits.Load())
	single("rcs_cache_misses_total", "counter", "GET /cache misses in the owned cache.", m.misses.Load())
	single("rcs_cache_evictions_total", "counter", "Entries evicted to stay within the memory budget.", a.cache.evictions.Load())
	single("rcs_cache_expired_total", "counter", "Entries found expired when read.", a.cache.expired.Load())
	entries, used := a.cache.stats()
	single("rcs_cache_entries", "gauge", "Entries in the owned cache.", entries)
	single("rcs_cache_bytes", "gauge", "Bytes counted against the budget (key + value + per-entry overhead).", used)
	single("rcs_cache_budget_bytes", "gauge", "Memory budget of the owned cache.", a.cache.budget())
	nearEntries, nearBytes := a.near.stats()
	single("rcs_near_cache_hits_total", "counter", "GET /cache hits in the near cache of keys owned elsewhere.", m.nearHits.Load())
	single("rcs_near_cache_entries", "gauge", "Entries in the near cache.", nearEntries)
	single("rcs_near_cache_bytes", "gauge", "Bytes in the near cache.", nearBytes)
	single("rcs_forwards_total", "counter", "Requests forwarded to the owner node.", m.forwards.Load())
	single("rcs_forward_errors_total", "counter", "Forwarded requests that failed or timed out.", m.forwardErrors.Load())
	single("rcs_origin_requests_total", "counter", "Requests sent to the origin.", m.originRequests.Load())
	single("rcs_origin_errors_total", "counter", "Origin requests that failed (timeouts excluded).", m.originErrors.Load())
	single("rcs_origin_timeouts_total", "counter", "Origin requests that timed out.", m.originTimeouts.Load())
	single("rcs_singleflight_shared_total", "counter", "Misses that waited for another request's origin call.", m.sfShared.Load())

	peers := a.cluster.queues
	family("rcs_invalidations_sent_total", "counter", "Invalidations delivered to a peer.")
	for _, q := range peers {
		fmt.Fprintf(&b, "rcs_invalidations_sent_total{peer=\"%s\"} %d\n", promLabel.Replace(q.peer), q.sent.Load())
	}
	family("rcs_invalidations_dropped_total", "counter", "Invalidations dropped because the peer's queue was full.")
	for _, q := range peers {
		fmt.Fprintf(&b, "rcs_invalidations_dropped_total{peer=\"%s\"} %d\n", promLabel.Replace(q.peer), q.dropped.Load())
	}
	family("rcs_invalidations_coalesced_total", "counter", "Invalidations merged into one already queued for the same key.")
	for _, q := range peers {
		fmt.Fprintf(&b, "rcs_invalidations_coalesced_total{peer=\"%s\"} %d\n", promLabel.Replace(q.peer), q.coalesced.Load())
	}
	family("rcs_invalidations_failed_total", "counter", "Invalidations whose delivery to the peer failed (not retried).")
	for _, q := range peers {
		fmt.Fprintf(&b, "rcs_invalidations_failed_total{peer=\"%s\"} %d\n", promLabel.Replace(q.peer), q.failed.Load())
	}
	family("rcs_invalidation_queue_length", "gauge", "Invalidations waiting for a peer.")
	for _, q := range peers {
		fmt.Fprintf(&b, "rcs_invalidation_queue_length{peer=\"%s\"} %d\n", promLabel.Replace(q.peer), q.length())
	}
	single("rcs_invalidations_applied_total", "counter", "Invalidations received from owners and applied here.", m.invApplied.Load())

	family("rcs_invalidation_lag_seconds", "histogram", "Time from enqueue on the owner to applied here.")
	var cum uint64
	for i, le := range lagBuckets {
		cum += m.lag.counts[i].Load()
		fmt.Fprintf(&b, "rcs_invalidation_lag_seconds_bucket{le=\"%g\"} %d\n", le, cum)
	}
	cum += m.lag.counts[len(lagBuckets)].Load()
	fmt.Fprintf(&b, "rcs_invalidation_lag_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(&b, "rcs_invalidation_lag_seconds_sum %g\n", time.Duration(m.lag.sumNs.Load()).Seconds())
	fmt.Fprintf(&b, "rcs_invalidation_lag_seconds_count %d\n", cum)

	gc := a.gc.snapshot()
	single("rcs_gc_cycles_total", "counter", "Completed GC cycles.", gc.numGC)
	single("rcs_gc_pauses_recorded_total", "counter", "GC pauses recorded by the sampler.", gc.recorded)
	single("rcs_gc_pauses_lost_total", "counter", "GC pauses the sampler missed (runtime ring overflowed between samples).", gc.lost)
	single("rcs_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects.", gc.heapAlloc)
	single("rcs_heap_inuse_bytes", "gauge", "Bytes in in-use heap spans.", gc.heapInuse)
	p := a.press.settings()
	single("rcs_ballast_bytes", "gauge", "Bytes of the live heap ballast.", int64(p.ballastMB)<<20)
	single("rcs_garbage_bytes_per_request", "gauge", "Garbage allocated per request.", int64(p.garbageKB)<<10)
	return b.Bytes()
}
