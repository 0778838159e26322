package main

import (
	"net/http"
	"strconv"
)

// apiError is every error this service answers: {"error":{"code":..,"field":..,"message":..}},
// the shape the spec fixes for /bench/json, used for all routes so clients parse one shape.
type apiError struct {
	status  int
	code    string
	field   string // "" is written as null
	message string
}

func fieldErr(status int, code, field, msg string) *apiError {
	return &apiError{status: status, code: code, field: field, message: msg}
}

var (
	jsonContentType = []string{"application/json"}
	connClose       = []string{"close"}
)

func appendErrorBody(out []byte, e *apiError) []byte {
	out = append(out, `{"error":{"code":`...)
	out = appendJSONString(out, []byte(e.code))
	out = append(out, `,"field":`...)
	if e.field == "" {
		out = append(out, "null"...)
	} else {
		out = appendJSONString(out, []byte(e.field))
	}
	out = append(out, `,"message":`...)
	out = appendJSONString(out, []byte(e.message))
	return append(out, "}}"...)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	body := appendErrorBody(make([]byte, 0, 96+len(e.message)), e)
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	if e.status == http.StatusRequestEntityTooLarge {
		// The rest of an oversized body is never read, so the connection cannot be reused.
		h["Connection"] = connClose
	}
	w.WriteHeader(e.status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, field, msg string) {
	writeAPIError(w, fieldErr(status, code, field, msg))
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}
