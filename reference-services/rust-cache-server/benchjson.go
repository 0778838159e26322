package main

import (
	"bytes"
	"slices"
	"strconv"
	"unicode/utf8"
)

// POST /bench/json, byte-exact to reference-services/spec/README.md.
//
// The parser is hand-written rather than encoding/json for three reasons the contract forces:
// integers must be told apart from `1.0`/`1e2` (json.Number would allow it, but reflection
// also costs most of the request time this endpoint exists to compare), validation must report
// the first fault in the contract's check order (id before items, even when items come first in
// the document), and the output escaping differs from encoding/json's (<, >, &, U+2028 literal).

const (
	benchMaxBody   = 1 << 20
	benchMaxID     = 128
	benchMaxItems  = 1000
	benchMaxName   = 128
	benchMaxQty    = 1_000_000
	benchMaxPrice  = 1_000_000_000
	benchMaxTags   = 16
	benchMaxTagLen = 64
)

type jsonKind uint8

const (
	kindMissing jsonKind = iota
	kindNull
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// jval keeps only what validation needs of a field: its kind and, for strings and integers,
// the value. Strings point into the request body (or a scratch arena when they had escapes),
// so parsing allocates nothing per string.
type jval struct {
	kind     jsonKind
	str      []byte
	isInt    bool  // a number without fraction or exponent
	neg      bool  // a negative non-zero integer
	overflow bool  // more digits than any bound allows
	n        int64 // magnitude of the integer
}

type benchItem struct {
	kind                   jsonKind // the element's own kind: only objects carry fields
	name, qty, price, tags jval
	tagCount               int
	tagStart, tagEnd       int // the item's kept tag values in benchDoc.tagVals
}

// benchDoc keeps at most one element more than a bound allows (items, tags per item): past a
// bound only the count matters, since the count is checked before the elements, and keeping
// them all would let a 1 MiB body of `[]` elements cost hundreds of MB of item structs.
type benchDoc struct {
	id, items jval
	itemCount int
	list      []benchItem
	tagVals   []jval
}

func malformed(msg string) *apiError {
	return &apiError{status: 400, code: "malformed_json", message: msg}
}

type parser struct {
	b       []byte
	i       int
	scratch []byte // decoded strings that had escapes
	doc     *benchDoc
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) fail() *apiError {
	return malformed("invalid JSON at byte " + strconv.Itoa(p.i))
}

// parseBench parses and checks the syntax of the whole body before any field is validated,
// so a syntax error anywhere wins over a field error, as the contract's malformed_json row says.
func parseBench(body []byte, doc *benchDoc) *apiError {
	if !utf8.Valid(body) {
		return malformed("body is not valid UTF-8")
	}
	p := parser{b: body, doc: doc}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return malformed("the body is not a JSON object")
	}
	err := p.object(func(key []byte) *apiError {
		switch string(key) {
		case "id":
			return p.scalar(&doc.id)
		case "items":
			return p.itemsValue()
		}
		return p.skipValue()
	})
	if err != nil {
		return err
	}
	p.ws()
	if p.i != len(p.b) {
		return malformed("trailing bytes after the JSON value")
	}
	return nil
}

// object walks an object whose '{' is at p.i, handing each key to field, which must consume the value.
func (p *parser) object(field func(key []byte) *apiError) *apiError {
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return p.fail()
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.fail()
		}
		p.i++
		p.ws()
		if err := field(key); err != nil {
			return err
		}
		if done, err := p.separator('}'); err != nil || done {
			return err
		}
	}
}

// separator reads what follows a member or an element: ',' (more follow, done is false) or the
// container's closing byte (done is true).
func (p *parser) separator(closing byte) (done bool, err *apiError) {
	p.ws()
	if p.i >= len(p.b) {
		return false, p.fail()
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return false, nil
	case closing:
		p.i++
		return true, nil
	}
	return false, p.fail()
}

// array walks an array whose '[' is at p.i, calling elem for each element, which must consume it.
func (p *parser) array(elem func() *apiError) *apiError {
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		p.ws()
		if err := elem(); err != nil {
			return err
		}
		if done, err := p.separator(']'); err != nil || done {
			return err
		}
	}
}

func (p *parser) itemsValue() *apiError {
	doc := p.doc
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.scalar(&doc.items)
	}
	// A duplicate "items" key replaces the earlier one, as the contract allows.
	doc.items = jval{kind: kindArray}
	doc.itemCount = 0
	doc.list = doc.list[:0]
	doc.tagVals = doc.tagVals[:0]
	return p.array(func() *apiError {
		doc.itemCount++
		keep := len(doc.list) <= benchMaxItems
		if p.i >= len(p.b) || p.b[p.i] != '{' {
			var v jval
			if err := p.scalar(&v); err != nil {
				return err
			}
			if keep {
				doc.list = append(doc.list, benchItem{kind: v.kind})
			}
			return nil
		}
		it := benchItem{kind: kindObject}
		err := p.object(func(key []byte) *apiError {
			switch string(key) {
			case "name":
				return p.scalar(&it.name)
			case "qty":
				return p.scalar(&it.qty)
			case "price_cents":
				return p.scalar(&it.price)
			case "tags":
				if p.i < len(p.b) && p.b[p.i] == '[' {
					it.tags = jval{kind: kindArray}
					it.tagCount = 0
					it.tagStart = len(doc.tagVals)
					err := p.array(func() *apiError {
						var t jval
						err := p.scalar(&t)
						it.tagCount++
						if keep && it.tagCount <= benchMaxTags+1 {
							doc.tagVals = append(doc.tagVals, t)
						}
						return err
					})
					it.tagEnd = len(doc.tagVals)
					return err
				}
				return p.scalar(&it.tags)
			}
			return p.skipValue()
		})
		if keep {
			doc.list = append(doc.list, it)
		}
		return err
	})
}

// scalar reads any value into v, keeping strings and numbers and only the kind of the rest.
func (p *parser) scalar(v *jval) *apiError {
	if p.i >= len(p.b) {
		return p.fail()
	}
	switch c := p.b[p.i]; {
	case c == '"':
		s, err := p.str()
		*v = jval{kind: kindString, str: s}
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		*v = jval{kind: kindNumber}
		return p.number(v)
	case c == '{':
		*v = jval{kind: kindObject}
	case c == '[':
		*v = jval{kind: kindArray}
	case c == 't' || c == 'f':
		*v = jval{kind: kindBool}
	case c == 'n':
		*v = jval{kind: kindNull}
	}
	return p.skipValue()
}

// number reads an RFC 8259 number, recording whether it is an integer and its magnitude.
func (p *parser) number(v *jval) *apiError {
	b := p.b
	if b[p.i] == '-' {
		v.neg = true
		p.i++
	}
	if p.i >= len(b) {
		return p.fail()
	}
	switch {
	case b[p.i] == '0':
		p.i++
	case b[p.i] >= '1' && b[p.i] <= '9':
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			if v.n > 1e17 {
				v.overflow = true
			} else {
				v.n = v.n*10 + int64(b[p.i]-'0')
			}
			p.i++
		}
	default:
		return p.fail()
	}
	v.isInt = true
	if p.i < len(b) && b[p.i] == '.' {
		v.isInt = false
		p.i++
		if !p.digits() {
			return p.fail()
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		v.isInt = false
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return p.fail()
		}
	}
	if v.n == 0 && !v.overflow {
		v.neg = false // -0 is the integer zero
	}
	return nil
}

func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// str reads the string whose opening quote is at p.i and returns its decoded bytes.
func (p *parser) str() ([]byte, *apiError) {
	b := p.b
	p.i++
	start := p.i
	for p.i < len(b) {
		c := b[p.i]
		if c == '"' {
			s := b[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			return p.escapedStr(start)
		}
		if c < 0x20 {
			return nil, p.fail()
		}
		p.i++
	}
	return nil, p.fail()
}

// escapedStr decodes a string with escapes into the scratch arena. Earlier results keep pointing
// at the old backing array when append grows the arena, so they stay valid.
func (p *parser) escapedStr(start int) ([]byte, *apiError) {
	b := p.b
	from := len(p.scratch)
	p.scratch = append(p.scratch, b[start:p.i]...)
	for p.i < len(b) {
		c := b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.scratch[from:len(p.scratch):len(p.scratch)], nil
		case c < 0x20:
			return nil, p.fail()
		case c != '\\':
			p.scratch = append(p.scratch, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(b) {
			return nil, p.fail()
		}
		e := b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, e)
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.fail()
			}
			if r >= 0xD800 && r <= 0xDFFF {
				// Only a high surrogate followed by an escaped low one makes a code point; a lone
				// surrogate has no UTF-8 form, so it is rejected (as serde_json does) rather
				// than silently replaced.
				if r > 0xDBFF || p.i+1 >= len(b) || b[p.i] != '\\' || b[p.i+1] != 'u' {
					return nil, malformed("lone surrogate in \\u escape")
				}
				p.i += 2
				lo, ok := p.hex4()
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return nil, malformed("lone surrogate in \\u escape")
				}
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
		default:
			return nil, p.fail()
		}
	}
	return nil, p.fail()
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// skipValue checks the syntax of one value and steps over it. Nesting is tracked in a slice, not
// the call stack, so a megabyte of '[' cannot exhaust anything.
func (p *parser) skipValue() *apiError {
	var stack []byte // the closing bracket expected at each open level
	for {
		p.ws()
		if p.i >= len(p.b) {
			return p.fail()
		}
		switch c := p.b[p.i]; {
		case c == '{':
			p.i++
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == '}' {
				p.i++
				break
			}
			stack = append(stack, '}')
			if err := p.key(); err != nil {
				return err
			}
			continue
		case c == '[':
			p.i++
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ']' {
				p.i++
				break
			}
			stack = append(stack, ']')
			continue
		case c == '"':
			if _, err := p.str(); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			var v jval
			if err := p.number(&v); err != nil {
				return err
			}
		case c == 't':
			if err := p.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := p.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := p.literal("null"); err != nil {
				return err
			}
		default:
			return p.fail()
		}
		// A value is complete: close finished containers, or step to the next element.
		for {
			if len(stack) == 0 {
				return nil
			}
			p.ws()
			if p.i >= len(p.b) {
				return p.fail()
			}
			top := stack[len(stack)-1]
			c := p.b[p.i]
			if c == top {
				p.i++
				stack = stack[:len(stack)-1]
				continue
			}
			if c != ',' {
				return p.fail()
			}
			p.i++
			if top == '}' {
				p.ws()
				if err := p.key(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// key reads an object key and its colon.
func (p *parser) key() *apiError {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return p.fail()
	}
	if _, err := p.str(); err != nil {
		return err
	}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != ':' {
		return p.fail()
	}
	p.i++
	return nil
}

func (p *parser) literal(word string) *apiError {
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return p.fail()
	}
	p.i += len(word)
	return nil
}

func checkString(v jval, field string, minLen, maxLen int) *apiError {
	switch {
	case v.kind == kindMissing:
		return fieldErr(400, "missing_field", field, field+" is required")
	case v.kind != kindString:
		return fieldErr(400, "invalid_type", field, field+" must be a string")
	case len(v.str) < minLen || len(v.str) > maxLen:
		return fieldErr(400, "out_of_range", field, field+" must be "+strconv.Itoa(minLen)+" to "+strconv.Itoa(maxLen)+" bytes")
	}
	return nil
}

func checkInt(v jval, field string, maxVal int64) *apiError {
	switch {
	case v.kind == kindMissing:
		return fieldErr(400, "missing_field", field, field+" is required")
	case v.kind != kindNumber || !v.isInt:
		return fieldErr(400, "invalid_type", field, field+" must be an integer")
	case v.neg || v.overflow || v.n > maxVal:
		return fieldErr(400, "out_of_range", field, field+" must be 0 to "+strconv.FormatInt(maxVal, 10))
	}
	return nil
}

func checkArray(v jval, field string, maxLen, n int) *apiError {
	switch {
	case v.kind == kindMissing:
		return fieldErr(400, "missing_field", field, field+" is required")
	case v.kind != kindArray:
		return fieldErr(400, "invalid_type", field, field+" must be an array")
	case n > maxLen:
		return fieldErr(400, "out_of_range", field, field+" must have at most "+strconv.Itoa(maxLen)+" elements")
	}
	return nil
}

// validate reports the first fault in the contract's order: id, items, then each item's
// name, qty, price_cents, tags and its tags in order.
func (d *benchDoc) validate() *apiError {
	if err := checkString(d.id, "id", 1, benchMaxID); err != nil {
		return err
	}
	if err := checkArray(d.items, "items", benchMaxItems, d.itemCount); err != nil {
		return err
	}
	for i := range d.list {
		it := &d.list[i]
		prefix := "items[" + strconv.Itoa(i) + "]"
		if it.kind != kindObject {
			return fieldErr(400, "invalid_type", prefix, prefix+" must be an object")
		}
		if err := checkString(it.name, prefix+".name", 1, benchMaxName); err != nil {
			return err
		}
		if err := checkInt(it.qty, prefix+".qty", benchMaxQty); err != nil {
			return err
		}
		if err := checkInt(it.price, prefix+".price_cents", benchMaxPrice); err != nil {
			return err
		}
		if err := checkArray(it.tags, prefix+".tags", benchMaxTags, it.tagCount); err != nil {
			return err
		}
		for j, t := range d.tagVals[it.tagStart:it.tagEnd] {
			if err := checkString(t, prefix+".tags["+strconv.Itoa(j)+"]", 1, benchMaxTagLen); err != nil {
				return err
			}
		}
	}
	return nil
}

type tagAgg struct {
	name     []byte
	count    int64
	cents    int64
	lastItem int // the last item counted, so a tag listed twice in one item counts once
}

// benchTransform validates body and appends the contract's response to out.
func benchTransform(body []byte, out []byte) ([]byte, *apiError) {
	var doc benchDoc
	if err := parseBench(body, &doc); err != nil {
		return out, err
	}
	if err := doc.validate(); err != nil {
		return out, err
	}
	var totalQty, totalCents int64
	var aggs []tagAgg
	index := make(map[string]int)
	best := -1
	var bestCents int64
	for i := range doc.list {
		it := &doc.list[i]
		cents := it.qty.n * it.price.n
		totalQty += it.qty.n
		totalCents += cents
		if best < 0 || cents > bestCents {
			best, bestCents = i, cents
		}
		for _, t := range doc.tagVals[it.tagStart:it.tagEnd] {
			k, ok := index[string(t.str)]
			if !ok {
				k = len(aggs)
				index[string(t.str)] = k
				aggs = append(aggs, tagAgg{name: t.str, lastItem: -1})
			}
			a := &aggs[k]
			if a.lastItem != i {
				a.lastItem = i
				a.count++
				a.cents += cents
			}
		}
	}
	slices.SortFunc(aggs, func(a, b tagAgg) int { return bytes.Compare(a.name, b.name) })

	out = append(out, `{"id":`...)
	out = appendJSONString(out, doc.id.str)
	out = append(out, `,"item_count":`...)
	out = strconv.AppendInt(out, int64(len(doc.list)), 10)
	out = append(out, `,"total_qty":`...)
	out = strconv.AppendInt(out, totalQty, 10)
	out = append(out, `,"total_cents":`...)
	out = strconv.AppendInt(out, totalCents, 10)
	out = append(out, `,"tags":[`...)
	for i := range aggs {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, aggs[i].name)
	}
	out = append(out, `],"by_tag":{`...)
	for i := range aggs {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendJSONString(out, aggs[i].name)
		out = append(out, `:{"count":`...)
		out = strconv.AppendInt(out, aggs[i].count, 10)
		out = append(out, `,"cents":`...)
		out = strconv.AppendInt(out, aggs[i].cents, 10)
		out = append(out, '}')
	}
	out = append(out, `},"max_item":`...)
	if best < 0 {
		out = append(out, "null"...)
	} else {
		out = append(out, `{"name":`...)
		out = appendJSONString(out, doc.list[best].name.str)
		out = append(out, `,"cents":`...)
		out = strconv.AppendInt(out, bestCents, 10)
		out = append(out, '}')
	}
	out = append(out, '}')
	return out, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s with the spec's escaping: only '"', '\' and code points below U+0020
// are escaped; everything else, including <, >, &, / and U+2028, is copied as UTF-8.
func appendJSONString(out []byte, s []byte) []byte {
	out = append(out, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"':
			out = append(out, '\\', '"')
		case '\\':
			out = append(out, '\\', '\\')
		case '\b':
			out = append(out, '\\', 'b')
		case '\t':
			out = append(out, '\\', 't')
		case '\n':
			out = append(out, '\\', 'n')
		case '\f':
			out = append(out, '\\', 'f')
		case '\r':
			out = append(out, '\\', 'r')
		default:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	out = append(out, s[start:]...)
	return append(out, '"')
}
