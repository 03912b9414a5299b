package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// fields reads a JSON object field by field and collects FastAPI/pydantic-style validation errors,
// so that every bad input is reported with its location, and nothing is acted on while any is.
type fields struct {
	loc  []any // location prefix, e.g. ["body"] or ["body", 3]
	m    map[string]json.RawMessage
	errs []ValidationError
}

// parseObject parses body as a JSON object. A syntax error or a non-object gives the errors
// pydantic would give and a nil *fields.
func parseObject(body []byte, loc ...any) (*fields, []ValidationError) {
	if len(loc) == 0 {
		loc = []any{"body"}
	}
	raw, errs := decodeJSON(body, loc)
	if errs != nil {
		return nil, errs
	}
	return objectFrom(raw, loc)
}

// decodeJSON checks that body is exactly one JSON value, reporting the offset of a syntax error
// as pydantic does.
func decodeJSON(body []byte, loc []any) (json.RawMessage, []ValidationError) {
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(&raw)
	if err == nil {
		// Only JSON whitespace may follow the value. (Decoder.More is false before a stray '}' or
		// ']', so it would let `{"a":1}}garbage` through.)
		end := dec.InputOffset()
		if rest := trimJSONSpace(body[end:]); len(rest) == 0 {
			return raw, nil
		}
		pos := end + int64(len(body[end:])-len(bytes.TrimLeft(body[end:], jsonSpace)))
		return nil, []ValidationError{{Loc: append(loc, pos), Msg: "JSON decode error", Type: "json_invalid"}}
	}
	pos := int64(len(body))
	if se, ok := err.(*json.SyntaxError); ok {
		pos = se.Offset
	}
	return nil, []ValidationError{{Loc: append(loc, pos), Msg: "JSON decode error", Type: "json_invalid"}}
}

// jsonSpace is the whitespace JSON allows around values (RFC 8259): not \v, \f or Unicode spaces,
// which bytes.TrimSpace would also remove.
const jsonSpace = " \t\r\n"

// trimJSONSpace removes JSON whitespace from both ends of b.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, jsonSpace) }

// objectFrom reads raw (one JSON value) as an object; anything else is pydantic's
// model_attributes_type error at loc.
func objectFrom(raw json.RawMessage, loc []any) (*fields, []ValidationError) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, []ValidationError{{Loc: loc, Msg: "Input should be a valid dictionary or object to extract fields from", Type: "model_attributes_type"}}
	}
	return &fields{loc: loc, m: m}, nil
}

func (f *fields) fail(name any, typ, msg string) {
	loc := append(append([]any{}, f.loc...), name)
	f.errs = append(f.errs, ValidationError{Loc: loc, Msg: msg, Type: typ})
}

// has reports whether the field is present (even as null).
func (f *fields) has(name string) bool { _, ok := f.m[name]; return ok }

// get returns the raw value, or nil when absent or null; a missing required field is reported.
func (f *fields) get(name string, required bool) json.RawMessage {
	raw, ok := f.m[name]
	if !ok {
		if required {
			f.fail(name, "missing", "Field required")
		}
		return nil
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		if required {
			f.fail(name, "missing", "Field required")
		}
		return nil
	}
	return raw
}

// String reads a string field.
func (f *fields) String(name string, required bool) *string {
	raw := f.get(name, required)
	if raw == nil {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		f.fail(name, "string_type", "Input should be a valid string")
		return nil
	}
	return &s
}

// Bool reads a boolean field.
func (f *fields) Bool(name string, required bool) *bool {
	raw := f.get(name, required)
	if raw == nil {
		return nil
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		f.fail(name, "bool_type", "Input should be a valid boolean")
		return nil
	}
	return &b
}

// UUID reads a UUID string field and returns it in canonical lowercase form.
func (f *fields) UUID(name string, required bool) *string {
	s := f.String(name, required)
	if s == nil {
		return nil
	}
	id, ok := parseUUID(*s)
	if !ok {
		f.fail(name, "uuid_parsing", "Input should be a valid UUID")
		return nil
	}
	return &id
}

// Time reads an RFC 3339 date-time field.
func (f *fields) Time(name string, required bool) *time.Time {
	s := f.String(name, required)
	if s == nil {
		return nil
	}
	t, ok := parseTime(*s)
	if !ok {
		f.fail(name, "datetime_from_date_parsing", "Input should be a valid datetime")
		return nil
	}
	return &t
}

// Enum reads a string field that must be one of values.
func (f *fields) Enum(name string, required bool, values ...string) *string {
	s := f.String(name, required)
	if s == nil {
		return nil
	}
	for _, v := range values {
		if *s == v {
			return s
		}
	}
	f.fail(name, "enum", enumMsg(values))
	return nil
}

// Object reads a field that must be a JSON object (or null); it returns the compact object.
func (f *fields) Object(name string, required bool) json.RawMessage {
	raw := f.get(name, required)
	if raw == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		f.fail(name, "dict_type", "Input should be a valid dictionary")
		return nil
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	return buf.Bytes()
}

// UUIDList reads a list of UUIDs with min..max items, de-duplicated in first-seen order.
func (f *fields) UUIDList(name string, required bool, minItems, maxItems int) []string {
	raw := f.get(name, required)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		f.fail(name, "list_type", "Input should be a valid list")
		return nil
	}
	if len(items) < minItems {
		f.fail(name, "too_short", fmt.Sprintf("List should have at least %d item%s after validation, not %d", minItems, plural(minItems), len(items)))
		return nil
	}
	if maxItems > 0 && len(items) > maxItems {
		f.fail(name, "too_long", fmt.Sprintf("List should have at most %d item%s after validation, not %d", maxItems, plural(maxItems), len(items)))
		return nil
	}
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	bad := false
	for i, it := range items {
		var s string
		if json.Unmarshal(it, &s) != nil {
			f.errs = append(f.errs, ValidationError{Loc: append(append([]any{}, f.loc...), name, i), Msg: "UUID input should be a string, bytes or UUID object", Type: "uuid_type"})
			bad = true
			continue
		}
		id, ok := parseUUID(s)
		if !ok {
			f.errs = append(f.errs, ValidationError{Loc: append(append([]any{}, f.loc...), name, i), Msg: "Input should be a valid UUID", Type: "uuid_parsing"})
			bad = true
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if bad {
		return nil
	}
	return out
}

// Errs returns the collected errors.
func (f *fields) Errs() []ValidationError { return f.errs }

// parseUUID accepts the forms pydantic accepts for a UUID (canonical, braces, urn, no hyphens)
// and returns the canonical lowercase text.
func parseUUID(s string) (string, bool) {
	id, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return id.String(), true
}

// parseTime accepts RFC 3339 date-times; a value without a zone is taken as UTC (as pydantic does
// for naive datetimes the API then treats as UTC).
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Microsecond), true
		}
	}
	return time.Time{}, false
}

func enumMsg(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "'" + v + "'"
	}
	if len(q) == 1 {
		return "Input should be " + q[0]
	}
	return "Input should be " + strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// maxQueryValue is the longest value, in bytes, that a query parameter may have.
const maxQueryValue = 1024

// maxQueryParams is the most '&'-separated pairs a query string may hold (empty ones included):
// url.ParseQuery's own limit, so that parseQuery is never less strict than the standard library.
const maxQueryParams = 10000

// query reads URL query parameters the same way fields reads a body, with loc ["query", name].
// It is built by parseQuery, so a malformed query string is already reported in errs.
type query struct {
	v    url.Values
	errs []ValidationError
}

// parseQuery parses a raw query string strictly. Go's url.Values drops every pair that holds a ';'
// or a bad %-escape, which silently removes a filter and widens a list; here such a pair is a 422
// entry named after its parameter (as far as its name can be read), and nothing is dropped.
// Empty segments ("a=1&&b=2") are skipped as url.ParseQuery skips them.
func parseQuery(raw string) (url.Values, []ValidationError) {
	v := url.Values{}
	var errs []ValidationError
	if n := strings.Count(raw, "&") + 1; n > maxQueryParams {
		return v, []ValidationError{{Loc: []any{"query"}, Type: "query_parsing",
			Msg: fmt.Sprintf("A query string may hold at most %d parameters, not %d", maxQueryParams, n)}}
	}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		if strings.Contains(pair, ";") {
			// The parameter meant is what precedes the ';' when it stands in the name.
			key, _, _ = strings.Cut(key, ";")
			errs = append(errs, ValidationError{Loc: []any{"query", unescapedOr(key)}, Type: "query_parsing",
				Msg: "Query parameters are separated by '&'; a ';' must be escaped as %3B"})
			continue
		}
		name, err := url.QueryUnescape(key)
		if err != nil {
			errs = append(errs, ValidationError{Loc: []any{"query", key}, Type: "query_parsing",
				Msg: "Invalid %-escape in the parameter's name: " + err.Error()})
			continue
		}
		val, err := url.QueryUnescape(value)
		if err != nil {
			errs = append(errs, ValidationError{Loc: []any{"query", name}, Type: "query_parsing",
				Msg: "Invalid %-escape in the parameter's value: " + err.Error()})
			continue
		}
		v[name] = append(v[name], val)
	}
	return v, errs
}

// unescapedOr returns s unescaped, or s itself when it holds a bad escape.
func unescapedOr(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (q *query) fail(name, typ, msg string) {
	q.errs = append(q.errs, ValidationError{Loc: []any{"query", name}, Msg: msg, Type: typ})
}

// raw returns a parameter's one value. A parameter given more than once, or longer than
// maxQueryValue, is reported (and then treated as absent): which of two values was meant cannot be
// known, and no filter is silently dropped or chosen.
func (q *query) raw(name string) (string, bool) {
	v, ok := q.v[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	if len(v) > 1 {
		q.fail(name, "query_repeated", fmt.Sprintf("Give this parameter once; it was given %d times", len(v)))
		return "", false
	}
	if len(v[0]) > maxQueryValue {
		q.fail(name, "string_too_long", fmt.Sprintf("String should have at most %d characters", maxQueryValue))
		return "", false
	}
	return v[0], true
}

// Text reads an optional free-text parameter ("" when absent); an empty value is reported, since
// it would otherwise read as "no filter".
func (q *query) Text(name string) string {
	s, ok := q.raw(name)
	if ok && s == "" {
		q.fail(name, "string_too_short", "String should have at least 1 character")
	}
	return s
}

// UUID reads an optional UUID parameter ("" when absent).
func (q *query) UUID(name string) string {
	s, ok := q.raw(name)
	if !ok {
		return ""
	}
	id, good := parseUUID(s)
	if !good {
		q.fail(name, "uuid_parsing", "Input should be a valid UUID")
	}
	return id
}

// Int reads an optional integer parameter within [min, max]; def when absent.
func (q *query) Int(name string, def, min, max int64) int64 {
	s, ok := q.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		q.fail(name, "int_parsing", "Input should be a valid integer, unable to parse string as an integer")
		return def
	}
	if n < min {
		q.fail(name, "greater_than_equal", fmt.Sprintf("Input should be greater than or equal to %d", min))
		return def
	}
	if n > max {
		q.fail(name, "less_than_equal", fmt.Sprintf("Input should be less than or equal to %d", max))
		return def
	}
	return n
}

// Enum reads an optional parameter that must be one of values ("" when absent).
func (q *query) Enum(name string, values ...string) string {
	s, ok := q.raw(name)
	if !ok {
		return ""
	}
	for _, v := range values {
		if s == v {
			return s
		}
	}
	q.fail(name, "enum", enumMsg(values))
	return ""
}

// Time reads an optional date-time parameter.
func (q *query) Time(name string) *time.Time {
	s, ok := q.raw(name)
	if !ok {
		return nil
	}
	t, good := parseTime(s)
	if !good {
		q.fail(name, "datetime_from_date_parsing", "Input should be a valid datetime")
		return nil
	}
	return &t
}

// list decodes raw as a JSON list of arbitrary values, reporting list_type otherwise.
func (f *fields) list(name string, raw json.RawMessage) ([]any, bool) {
	var items []any
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		f.fail(name, "list_type", "Input should be a valid list")
		return nil, false
	}
	return items, true
}
