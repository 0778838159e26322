package main

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// GC-pressure knobs. Both use pointer-rich objects on purpose: the GC skips the inside of
// pointer-free memory (a big []byte is one span it never scans), so only pointers make the
// mark phase, and so pause and assist times, grow with the ballast.

const (
	maxBallastMB = 8192
	maxGarbageKB = 65536
)

// gcObj is 64 bytes of pointers, all of which the GC must scan.
type gcObj struct {
	refs [8]*gcObj
}

// objsPerMB counts the objects plus their slot in the chunk slice, so a chunk weighs about 1 MiB.
const objsPerMB = (1 << 20) / (64 + 8)

type pressure struct {
	mu        sync.Mutex
	chunks    [][]*gcObj // one per MiB of ballast; separate chunks let the GC mark them in parallel
	garbageKB atomic.Int64
}

type pressureSettings struct {
	ballastMB int
	garbageKB int
}

func newPressure(ballastMB, garbageKB int) *pressure {
	p := &pressure{}
	p.set(pressureSettings{ballastMB: ballastMB, garbageKB: garbageKB})
	return p
}

// set resizes the ballast chunk by chunk, so shrinking frees only the chunks cut off and growing
// keeps what is already built.
func (p *pressure) set(s pressureSettings) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.chunks) < s.ballastMB {
		chunk := make([]*gcObj, objsPerMB)
		for i := range chunk {
			o := &gcObj{}
			// Links to earlier objects give the marker real edges to follow, not just nil slots.
			for k := 0; k < len(o.refs) && k < i; k++ {
				o.refs[k] = chunk[i-1-k]
			}
			chunk[i] = o
		}
		p.chunks = append(p.chunks, chunk)
	}
	clear(p.chunks[s.ballastMB:])
	p.chunks = p.chunks[:s.ballastMB]
	p.garbageKB.Store(int64(s.garbageKB))
}

func (p *pressure) settings() pressureSettings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return pressureSettings{ballastMB: len(p.chunks), garbageKB: int(p.garbageKB.Load())}
}

// garbage allocates kb KiB as a linked chain that the caller keeps alive until its response is
// written, like request-scoped data, and then drops.
func garbage(kb int64) *gcObj {
	var head *gcObj
	for n := kb * 1024 / 64; n > 0; n-- {
		head = &gcObj{refs: [8]*gcObj{head}}
	}
	return head
}

func checkPressure(ballastMB, garbageKB int) *apiError {
	if ballastMB < 0 || ballastMB > maxBallastMB {
		return fieldErr(http.StatusBadRequest, "out_of_range", "ballast_mb", "ballast_mb must be 0 to "+strconv.Itoa(maxBallastMB))
	}
	if garbageKB < 0 || garbageKB > maxGarbageKB {
		return fieldErr(http.StatusBadRequest, "out_of_range", "garbage_kb", "garbage_kb must be 0 to "+strconv.Itoa(maxGarbageKB))
	}
	return nil
}

// parsePressureQuery applies ballast_mb and garbage_kb from a query to cur; a parameter left out
// keeps its current value, an unknown one is an error so a typo is not silently ignored.
func parsePressureQuery(rawQuery string, cur pressureSettings) (pressureSettings, *apiError) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return cur, fieldErr(http.StatusBadRequest, "bad_request", "", "malformed query string")
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		vals := q[name]
		var dst *int
		switch name {
		case "ballast_mb":
			dst = &cur.ballastMB
		case "garbage_kb":
			dst = &cur.garbageKB
		default:
			return cur, fieldErr(http.StatusBadRequest, "unknown_parameter", name, "unknown parameter; use ballast_mb and garbage_kb")
		}
		if len(vals) != 1 {
			return cur, fieldErr(http.StatusBadRequest, "bad_request", name, name+" must be given once")
		}
		n, err := strconv.Atoi(vals[0])
		if err != nil {
			return cur, fieldErr(http.StatusBadRequest, "invalid_type", name, name+" must be an integer")
		}
		*dst = n
	}
	if e := checkPressure(cur.ballastMB, cur.garbageKB); e != nil {
		return cur, e
	}
	return cur, nil
}

func (a *app) handlePressure(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		s, e := parsePressureQuery(r.URL.RawQuery, a.press.settings())
		if e != nil {
			writeAPIError(w, e)
			return
		}
		a.press.set(s)
	default:
		methodNotAllowed(w, "GET, POST")
		return
	}
	s := a.press.settings()
	snap := a.gc.snapshot()
	out := make([]byte, 0, 128)
	out = append(out, `{"ballast_mb":`...)
	out = strconv.AppendInt(out, int64(s.ballastMB), 10)
	out = append(out, `,"garbage_kb":`...)
	out = strconv.AppendInt(out, int64(s.garbageKB), 10)
	out = append(out, `,"heap_alloc_bytes":`...)
	out = strconv.AppendUint(out, snap.heapAlloc, 10)
	out = append(out, `,"gogc":`...)
	out = strconv.AppendInt(out, snap.gogc, 10)
	out = append(out, `,"gomemlimit_bytes":`...)
	out = strconv.AppendUint(out, snap.gomemlimit, 10)
	writeJSON(w, http.StatusOK, append(out, '}'))
}
