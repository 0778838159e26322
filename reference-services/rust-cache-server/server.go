package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// app is one node: its caches, its place in the cluster, its origin and its telemetry.
type app struct {
	cfg        *config
	hop        string // "NAME;dur=", the start of every Server-Timing header
	m          *metrics
	cache      *lruCache // keys this node owns
	near       *lruCache // keys owned elsewhere, read through the owner
	cluster    *cluster
	origin     *originFetcher // nil without --origin
	gc         *gcSampler
	press      *pressure
	healthBody []byte
	stopBg     chan struct{}
	writers    sync.Pool // *timingWriter, one per request otherwise
	bufs       sync.Pool // *[]byte for /bench/json bodies and answers
}

func newApp(cfg *config) *app {
	m := &metrics{}
	a := &app{
		cfg:        cfg,
		hop:        cfg.hopName + ";dur=",
		m:          m,
		cache:      newLRU(int64(cfg.memoryMB)<<20, int64(cfg.maxValueBytes)),
		near:       newLRU(int64(cfg.nearCacheMB)<<20, int64(cfg.maxValueBytes)),
		cluster:    newCluster(cfg),
		gc:         newGCSampler(cfg.gcRingSize),
		press:      newPressure(cfg.ballastMB, cfg.garbageKB),
		healthBody: []byte(`{"status":"ok","service":"` + serviceName + `","version":"` + version + `"}`),
		stopBg:     make(chan struct{}),
	}
	if cfg.origin != "" {
		a.origin = &originFetcher{
			prefix:   cfg.origin,
			client:   newHTTPClient(cfg.originTimeout),
			maxBytes: int64(cfg.maxValueBytes),
			ttl:      cfg.defaultTTL,
			m:        m,
			calls:    make(map[string]*originCall),
		}
	}
	a.writers.New = func() any { return new(timingWriter) }
	a.bufs.New = func() any { return new([]byte) }
	return a
}

// start runs the background work: the GC sampler and the invalidation workers.
func (a *app) start() {
	go a.gc.run(a.cfg.gcSample, a.stopBg)
	a.cluster.start()
}

// stop ends the background work once requests are drained; queued invalidations get until ctx ends.
func (a *app) stop(ctx context.Context) {
	close(a.stopBg)
	a.cluster.close(ctx)
}

func (a *app) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := a.writers.Get().(*timingWriter)
	*w = timingWriter{ResponseWriter: rw, start: time.Now(), hop: a.hop}
	a.m.inFlight.Add(1)
	route := routeOther
	defer a.finish(w, &route)

	path := r.URL.Path
	if key, ok := strings.CutPrefix(path, "/cache/"); ok {
		switch r.Method {
		case http.MethodGet:
			route = routeCacheGet
		case http.MethodPut:
			route = routeCachePut
		case http.MethodDelete:
			route = routeCacheDelete
		default:
			methodNotAllowed(w, "GET, PUT, DELETE")
			return
		}
		if kb := a.press.garbageKB.Load(); kb > 0 {
			defer runtime.KeepAlive(garbage(kb))
		}
		switch route {
		case routeCacheGet:
			a.cacheGet(w, r, key)
		case routeCachePut:
			a.cachePut(w, r, key)
		default:
			a.cacheDelete(w, r, key)
		}
		return
	}

	var handler func(http.ResponseWriter, *http.Request)
	allow := http.MethodGet
	switch path {
	case "/bench/json":
		route, handler, allow = routeBench, a.handleBench, http.MethodPost
	case "/healthz":
		route, handler = routeHealth, a.handleHealth
	case "/internal/invalidate":
		route, handler, allow = routeInvalidate, a.handleInvalidate, http.MethodPost
	// The observability routes below allocate no garbage: polling them must not add to the
	// pressure they measure.
	case "/metrics":
		route = routeMetrics
		if r.Method == http.MethodGet {
			writeText(w, a.renderMetrics())
		} else {
			methodNotAllowed(w, allow)
		}
		return
	case "/debug/gc":
		route = routeDebugGC
		if r.Method == http.MethodGet {
			a.handleDebugGC(w, r)
		} else {
			methodNotAllowed(w, allow)
		}
		return
	case "/debug/pressure":
		route = routeDebugPressure
		a.handlePressure(w, r)
		return
	default:
		writeError(w, http.StatusNotFound, "not_found", "", "no route for "+path)
		return
	}
	if r.Method != allow {
		methodNotAllowed(w, allow)
		return
	}
	if kb := a.press.garbageKB.Load(); kb > 0 {
		defer runtime.KeepAlive(garbage(kb))
	}
	handler(w, r)
}

// finish runs after every handler: it turns a panic into a 500 (the last resort; a bug must not
// kill the connection or the process), makes sure a head with Server-Timing was written, and
// counts the request. http.ErrAbortHandler is net/http's own abort and is re-raised.
func (a *app) finish(w *timingWriter, route *routeID) {
	rec := recover()
	if rec != nil && rec != http.ErrAbortHandler {
		fmt.Fprintf(os.Stderr, "%s: panic serving %s: %v\n", serviceName, routeNames[*route], rec)
		if w.status == 0 {
			writeError(w, http.StatusInternalServerError, "internal_error", "", "internal error")
		}
	}
	if w.status == 0 && rec == nil {
		w.WriteHeader(http.StatusOK)
	}
	a.m.request(*route, w.status)
	a.m.inFlight.Add(-1)
	if rec == http.ErrAbortHandler {
		panic(rec)
	}
	*w = timingWriter{}
	a.writers.Put(w)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header()["Allow"] = []string{allow}
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "", "method not allowed; use "+allow)
}

func writeText(w http.ResponseWriter, body []byte) {
	w.Header()["Content-Type"] = []string{"text/plain; version=0.0.4; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (a *app) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.healthBody)
}

func (a *app) handleBench(w http.ResponseWriter, r *http.Request) {
	in, out := a.bufs.Get().(*[]byte), a.bufs.Get().(*[]byte)
	defer func() {
		a.bufs.Put(in)
		a.bufs.Put(out)
	}()
	body, err := readLimited(r.Body, benchMaxBody, *in, r.ContentLength)
	*in = body
	if err != nil {
		writeBodyError(w, err, "body_too_large", "body exceeds 1 MiB (1048576 bytes)")
		return
	}
	res, e := benchTransform(body, (*out)[:0])
	*out = res
	if e != nil {
		writeAPIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
