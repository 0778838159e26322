package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestOrderAnswersJSONWithServerTiming(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(1).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/42", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var o order
	if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil || o.ID != 42 {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	if got := serverTimingName(rec.Header().Get("Server-Timing")); got != "orders" {
		t.Fatalf("Server-Timing entry %q, want orders", got)
	}
}

func TestBadIDIs400(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(1).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/x", nil))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", rec.Code)
	}
}

func TestHealthz(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler(1).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
}
