package main

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

const (
	maxKeyBytes = 250
	maxTTL      = 365 * 24 * time.Hour
)

var (
	xCacheHit  = []string{"hit"}
	xCacheMiss = []string{"miss"}
)

// checkKey requires valid UTF-8 so that a key survives the JSON of invalidation requests intact.
func checkKey(key string) *apiError {
	if len(key) == 0 || len(key) > maxKeyBytes {
		return fieldErr(http.StatusBadRequest, "bad_key", "key", "key must be 1 to 250 bytes")
	}
	if !utf8.ValidString(key) {
		return fieldErr(http.StatusBadRequest, "bad_key", "key", "key must be valid UTF-8")
	}
	return nil
}

func writeEntry(w http.ResponseWriter, e *entry, xcache []string) {
	h := w.Header()
	h["Content-Type"] = e.ctype
	h["Content-Length"] = e.clen
	h["X-Cache"] = xcache
	w.WriteHeader(http.StatusOK)
	w.Write(e.val)
}

func notFound(w http.ResponseWriter) {
	w.Header()["X-Cache"] = xCacheMiss
	writeError(w, http.StatusNotFound, "not_found", "", "key not found")
}

func (a *app) cacheGet(w *timingWriter, r *http.Request, key string) {
	if e := checkKey(key); e != nil {
		writeAPIError(w, e)
		return
	}
	h := keyHash(key)
	now := time.Now().UnixNano()
	if owner, mine := a.cluster.owner(h); !mine && r.Header[hdrForwarded] == nil {
		if e := a.near.get(key, h, now); e != nil {
			a.m.nearHits.Add(1)
			writeEntry(w, e, xCacheHit)
			return
		}
		a.forward(w, r, owner, key, h, nil)
		return
	}
	if e := a.cache.get(key, h, now); e != nil {
		a.m.hits.Add(1)
		writeEntry(w, e, xCacheHit)
		return
	}
	a.m.misses.Add(1)
	if a.origin == nil {
		notFound(w)
		return
	}
	asked := time.Now()
	res := a.origin.fetch(key, func(e *entry) { a.cache.set(h, e, true) })
	w.waited = time.Since(asked)
	w.upstream = res.timing
	w.Header()["X-Cache"] = xCacheMiss
	switch {
	case res.timeout:
		writeError(w, http.StatusGatewayTimeout, "origin_timeout", "", "origin timed out after "+a.cfg.originTimeout.String())
	case res.err != nil:
		writeError(w, http.StatusBadGateway, "origin_error", "", "origin: "+res.err.Error())
	case res.status == http.StatusNotFound:
		notFound(w)
	case res.status != http.StatusOK:
		writeError(w, http.StatusBadGateway, "origin_error", "", "origin answered "+strconv.Itoa(res.status))
	default:
		writeEntry(w, res.e, xCacheMiss)
	}
}

// parseTTL reads ?ttl_ms=N, else the X-TTL-Ms header, else the default; 0 means no expiry.
func (a *app) parseTTL(r *http.Request) (time.Duration, *apiError) {
	v, field := "", ""
	if r.URL.RawQuery != "" {
		v, field = r.URL.Query().Get("ttl_ms"), "ttl_ms"
	}
	if v == "" {
		v, field = r.Header.Get("X-TTL-Ms"), "X-TTL-Ms"
	}
	if v == "" {
		return a.cfg.defaultTTL, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > maxTTL.Milliseconds() {
		return 0, fieldErr(http.StatusBadRequest, "bad_ttl", field, "ttl must be an integer of 0 to "+strconv.FormatInt(maxTTL.Milliseconds(), 10)+" ms")
	}
	return time.Duration(n) * time.Millisecond, nil
}

func (a *app) cachePut(w *timingWriter, r *http.Request, key string) {
	if e := checkKey(key); e != nil {
		writeAPIError(w, e)
		return
	}
	ttl, e := a.parseTTL(r)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	body, err := readLimited(r.Body, int64(a.cfg.maxValueBytes), nil, r.ContentLength)
	if err != nil {
		writeBodyError(w, err, "value_too_large", "value exceeds --max-value-bytes ("+strconv.Itoa(a.cfg.maxValueBytes)+")")
		return
	}
	h := keyHash(key)
	if owner, mine := a.cluster.owner(h); !mine && r.Header[hdrForwarded] == nil {
		// Dropped here at once so this node reads its own write; the owner's invalidation
		// would clear it only after a round trip.
		a.near.del(key, h)
		a.forward(w, r, owner, key, h, body)
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = defaultContentType
	}
	if !a.cache.set(h, newEntry(key, body, ct, ttl, time.Now()), false) {
		writeError(w, http.StatusRequestEntityTooLarge, "value_too_large", "", "value does not fit in the memory budget of its cache shard")
		return
	}
	a.cluster.invalidate(key)
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) cacheDelete(w *timingWriter, r *http.Request, key string) {
	if e := checkKey(key); e != nil {
		writeAPIError(w, e)
		return
	}
	h := keyHash(key)
	if owner, mine := a.cluster.owner(h); !mine && r.Header[hdrForwarded] == nil {
		a.near.del(key, h)
		a.forward(w, r, owner, key, h, nil)
		return
	}
	a.cache.del(key, h)
	a.cluster.invalidate(key)
	w.WriteHeader(http.StatusNoContent)
}

// writeBodyError answers a request body that could not be read: too large, or cut off/too slow.
func writeBodyError(w http.ResponseWriter, err error, code, tooLarge string) {
	if err == errTooLarge {
		writeError(w, http.StatusRequestEntityTooLarge, code, "", tooLarge)
		return
	}
	writeError(w, http.StatusBadRequest, "bad_request", "", "reading the body failed: "+err.Error())
}
