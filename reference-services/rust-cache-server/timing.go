package main

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// timingWriter adds the Server-Timing header at the last moment it can: when the response head
// is written, since the header must precede the body and its duration ends at that moment.
// It also records the status for the request counters.
type timingWriter struct {
	http.ResponseWriter
	start    time.Time
	hop      string // "NAME;dur=", built once at start-up
	upstream string // Server-Timing entries of the upstream that answered, passed through after ours
	// waited is the time spent on the upstream call (origin read-through or forward), written as an
	// up= parameter so a client can tell this hop's own work from waiting on the next one, even when
	// the next hop never read the request (frozen) and so has no dur to show for it. 0: no call.
	waited time.Duration
	status int
}

func (t *timingWriter) WriteHeader(code int) {
	if t.status != 0 {
		return
	}
	t.status = code
	buf := make([]byte, 0, len(t.hop)+32+len(t.upstream))
	buf = append(buf, t.hop...)
	buf = appendMillis(buf, time.Since(t.start))
	if t.waited > 0 {
		buf = append(buf, ";up="...)
		buf = appendMillis(buf, t.waited)
	}
	if t.upstream != "" {
		buf = append(buf, ", "...)
		buf = append(buf, t.upstream...)
	}
	t.ResponseWriter.Header()["Server-Timing"] = []string{string(buf)}
	t.ResponseWriter.WriteHeader(code)
}

func (t *timingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	return t.ResponseWriter.Write(b)
}

// appendMillis writes d in milliseconds with exactly three decimals, rounded to the microsecond,
// without going through floating point formatting.
func appendMillis(buf []byte, d time.Duration) []byte {
	if d < 0 {
		d = 0
	}
	us := (int64(d) + 500) / 1000
	buf = strconv.AppendInt(buf, us/1000, 10)
	frac := us % 1000
	return append(buf, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// upstreamTiming joins an upstream response's Server-Timing lines into one list, order kept.
func upstreamTiming(h http.Header) string {
	return strings.Join(h.Values("Server-Timing"), ", ")
}
