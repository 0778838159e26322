package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

const vectorDir = "../spec/vectors"

type vectorMeta struct {
	Status int     `json:"status"`
	Code   *string `json:"code"`
	Field  *string `json:"field"`
}

type errorBody struct {
	Error struct {
		Code    string  `json:"code"`
		Field   *string `json:"field"`
		Message string  `json:"message"`
	} `json:"error"`
}

func TestBenchVectors(t *testing.T) {
	a := startApp(t, testConfig(t))
	reqs, err := filepath.Glob(filepath.Join(vectorDir, "*.request.json"))
	if err != nil || len(reqs) == 0 {
		t.Fatalf("no vectors in %s: %v", vectorDir, err)
	}
	for _, path := range reqs {
		name := strings.TrimSuffix(filepath.Base(path), ".request.json")
		t.Run(name, func(t *testing.T) {
			body := mustRead(t, path)
			var meta vectorMeta
			if err := json.Unmarshal(mustRead(t, filepath.Join(vectorDir, name+".meta.json")), &meta); err != nil {
				t.Fatal(err)
			}
			w := call(a, "POST", "/bench/json", body)
			if w.Code != meta.Status {
				t.Fatalf("status %d, want %d: %s", w.Code, meta.Status, w.Body)
			}
			checkOwnTiming(t, w.Header())
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if meta.Status == 200 {
				want := mustRead(t, filepath.Join(vectorDir, name+".response.json"))
				if !bytes.Equal(w.Body.Bytes(), want) {
					t.Fatalf("body\n got %s\nwant %s", w.Body, want)
				}
				return
			}
			checkError(t, w.Body.Bytes(), *meta.Code, meta.Field)
		})
	}
}

func checkError(t *testing.T, body []byte, code string, field *string) {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if e.Error.Code != code || (field == nil) != (e.Error.Field == nil) || (field != nil && *field != *e.Error.Field) {
		t.Fatalf("error %s, want code %s field %v", body, code, ptrStr(field))
	}
}

func ptrStr(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBenchEdgeCases(t *testing.T) {
	field := func(s string) *string { return &s }
	cases := []struct {
		name, body, code string
		field            *string
	}{
		{"lone surrogate", `{"id":"\ud800","items":[]}`, "malformed_json", nil},
		{"deep nesting", `{"x":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + `,"id":"a"}`, "missing_field", field("items")},
		{"unclosed nesting", `{"x":` + strings.Repeat("[", 1000), "malformed_json", nil},
		{"leading zero", `{"id":"a","items":[],"n":01}`, "malformed_json", nil},
		{"raw control char", "{\"id\":\"a\x01\",\"items\":[]}", "malformed_json", nil},
		{"empty body", ``, "malformed_json", nil},
		{"id null", `{"id":null,"items":[]}`, "invalid_type", field("id")},
		{"id too long", `{"id":"` + strings.Repeat("x", 129) + `","items":[]}`, "out_of_range", field("id")},
		{"missing id after bad items", `{"items":7}`, "missing_field", field("id")},
		{"item not object", `{"id":"a","items":[1]}`, "invalid_type", field("items[0]")},
		{"missing name", `{"id":"a","items":[{"qty":1,"price_cents":1,"tags":[]}]}`, "missing_field", field("items[0].name")},
		{"qty string", `{"id":"a","items":[{"name":"n","qty":"1","price_cents":1,"tags":[]}]}`, "invalid_type", field("items[0].qty")},
		{"qty huge", `{"id":"a","items":[{"name":"n","qty":123456789012345678901234567890,"price_cents":1,"tags":[]}]}`, "out_of_range", field("items[0].qty")},
		{"tag not string", `{"id":"a","items":[{"name":"n","qty":1,"price_cents":1,"tags":["a",2]}]}`, "invalid_type", field("items[0].tags[1]")},
		{"empty tag", `{"id":"a","items":[{"name":"n","qty":1,"price_cents":1,"tags":[""]}]}`, "out_of_range", field("items[0].tags[0]")},
		{"too many items", `{"id":"a","items":[` + strings.Repeat(`{},`, 1000) + `{}]}`, "out_of_range", field("items")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := benchTransform([]byte(c.body), nil)
			if e == nil {
				t.Fatal("accepted")
			}
			checkError(t, appendErrorBody(nil, e), c.code, c.field)
		})
	}
}

func TestBenchAcceptsEdgeValues(t *testing.T) {
	// -0 is an integer, escapes decode (including a surrogate pair), the last duplicate key wins.
	body := `{"id":"x","id":"\u00e9\ud83d\ude00\/","items":[{"name":"n","qty":-0,"price_cents":3,"tags":["t","t"]}]}`
	out, e := benchTransform([]byte(body), nil)
	if e != nil {
		t.Fatal(e.message)
	}
	want := `{"id":"é😀/","item_count":1,"total_qty":0,"total_cents":0,"tags":["t"],"by_tag":{"t":{"count":1,"cents":0}},"max_item":{"name":"n","cents":0}}`
	if string(out) != want {
		t.Fatalf("got %s", out)
	}
}

func TestBenchBodyLimit(t *testing.T) {
	a := startApp(t, testConfig(t))
	big := append([]byte(`{"id":"a","items":[],"pad":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	big = append(big, `"}`...)
	w := call(a, "POST", "/bench/json", big)
	if w.Code != 413 {
		t.Fatalf("status %d", w.Code)
	}
	checkError(t, w.Body.Bytes(), "body_too_large", nil)
	checkOwnTiming(t, w.Header())
	if w := call(a, "GET", "/bench/json", nil); w.Code != 405 {
		t.Fatalf("GET status %d", w.Code)
	}
}

func FuzzBenchJSON(f *testing.F) {
	reqs, _ := filepath.Glob(filepath.Join(vectorDir, "*.request.json"))
	for _, p := range reqs {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"\ud83d\ude00","items":[{"name":"\u0000","qty":0,"price_cents":0,"tags":["\\"]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, e := benchTransform(body, nil)
		if e != nil {
			if e.status != 400 {
				t.Fatalf("status %d for %q", e.status, body)
			}
			// Whatever encoding/json finds well-formed must not be called malformed, except for
			// lone surrogates, which encoding/json accepts and this parser rejects on purpose.
			var top map[string]any
			if e.code == "malformed_json" && !strings.Contains(e.message, "surrogate") &&
				utf8.Valid(body) && json.Unmarshal(body, &top) == nil && top != nil {
				t.Fatalf("malformed (%s) but encoding/json accepts %q", e.message, body)
			}
			return
		}
		if !json.Valid(body) || !utf8.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("invalid output %q", out)
		}
	})
}
