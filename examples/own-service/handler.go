package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type order struct {
	ID    int      `json:"id"`
	Items []string `json:"items"`
	Total int      `json:"totalCents"`
}

// newHandler serves /healthz and /orders/{id}. Each order allocates garbageKB of short-lived memory, as a
// real service's decoding and formatting would, so that the collector has work to do under load.
func newHandler(garbageKB int) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || id < 0 {
			http.Error(w, `{"error":"id must be a non-negative integer"}`, http.StatusBadRequest)
			return
		}
		garbage := make([]byte, garbageKB*1024)
		for i := range garbage {
			garbage[i] = byte(i + id)
		}
		o := order{ID: id, Items: []string{"widget", "gadget"}, Total: int(garbage[len(garbage)/2]) + 100}
		body, _ := json.Marshal(o)
		// Server-Timing names this hop, so that hopscope attributes the time spent here to "orders".
		w.Header().Set("Server-Timing", fmt.Sprintf("orders;dur=%.3f", float64(time.Since(start).Microseconds())/1000))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	return mux
}

// serverTimingName is the first entry's name in a Server-Timing header value, for tests.
func serverTimingName(value string) string {
	name, _, _ := strings.Cut(value, ";")
	return name
}
