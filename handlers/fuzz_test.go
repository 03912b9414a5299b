package handlers

// Fuzz targets for every request decoder: the query string (parseQuery and the call list's reads),
// the JSON bodies of each dialect (pure functions), the NDJSON import, and the full HTTP path of
// the bodies that reach the database. Each target checks its input against an independent model
// of what the decoder must accept (a strict JSON parse plus the contract's field rules), so a
// decoder that accepts what it should refuse, refuses what it should accept, or returns something
// other than what was sent fails, not only one that panics.
//
// Run one: go test -run '^$' -fuzz '^FuzzParseQuery$' -fuzztime 30s ./handlers
// Every target: scripts/fuzz.sh 30s

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Decoder bugs these targets found, each fixed and guarded by the targets since (2026-11-30):
// a JSON value followed by a stray '}' or ']' and then anything was read as that value (json.Decoder
// More is false before a closing bracket); the Kore.ai and GenLogs bodies were trimmed with
// bytes.TrimSpace, which also removes \v, \f, U+0085 and U+00A0, so "\v{...}" was accepted; a null
// item of Kore.ai's "ids" was read as the id ""; and parseQuery read a query of more than 10000
// parameters, which url.ParseQuery refuses whole.

// ---- The model: a strict JSON parse and the contract's field rules ----

// strictValue decodes b as exactly one JSON value, numbers kept as text: what a strict JSON
// parser (pydantic's) accepts.
func strictValue(b []byte) (any, bool) {
	if !json.Valid(b) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	return v, dec.Decode(&v) == nil
}

// strictObject decodes b as exactly one JSON object.
func strictObject(b []byte) (map[string]any, bool) {
	v, ok := strictValue(b)
	m, isObj := v.(map[string]any)
	return m, ok && isObj
}

type kind int

const (
	kString kind = iota
	kEnum
	kUUID
	kTime
	kObject
	kBool
	kInt
)

// spec is one field rule: its name, kind, whether it is required, and an enum's values.
type spec struct {
	name     string
	kind     kind
	required bool
	values   []string
}

func opt(name string, k kind, values ...string) spec {
	return spec{name: name, kind: k, values: values}
}
func req(name string, k kind, values ...string) spec {
	return spec{name: name, kind: k, required: true, values: values}
}

// valueOK reports whether v (decoded with UseNumber, not null) is a value of kind k.
func valueOK(v any, k kind, values []string) bool {
	switch k {
	case kString:
		_, ok := v.(string)
		return ok
	case kEnum:
		s, ok := v.(string)
		return ok && slices.Contains(values, s)
	case kUUID:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := uuid.Parse(s)
		return err == nil
	case kTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, good := parseTime(s)
		return good
	case kObject:
		_, ok := v.(map[string]any)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	case kInt:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	}
	panic("unknown kind")
}

// fieldsOK reports whether m satisfies every spec: a missing or null field is fine unless required.
func fieldsOK(m map[string]any, specs ...spec) bool {
	for _, s := range specs {
		v := m[s.name]
		if v == nil {
			if s.required {
				return false
			}
			continue
		}
		if !valueOK(v, s.kind, s.values) {
			return false
		}
	}
	return true
}

func has(m map[string]any, name string) bool { _, ok := m[name]; return ok }

// The contract's enums of a tool call (FunctionSchema, CallToolSchema), written out here rather
// than taken from the code under test.
var (
	modelToolStatuses = []string{"error", "success", "cancelled"}
	modelToolNames    = []string{"transfer", "hangup", "detect_answering_machine", "add_participant"}
)

// callSpecs are the optional fields every call body may carry.
var callSpecs = []spec{
	opt("dynamic_variables", kObject), opt("agent_version_id", kUUID), opt("type", kEnum, store.CallTypes...),
	opt("status", kEnum, store.CallStatuses...), opt("agent_id", kUUID), opt("phone_register_id", kUUID),
	opt("contact_type", kEnum, store.ContactTypes...), opt("start_time", kTime), opt("end_time", kTime),
	opt("end_reason", kString), opt("recording_url", kString),
}

// callModelOK: a CallRequest (from_number and to_number required) or, imported, a call record
// that may give a contact object instead of the numbers, plus id, duration and created_date.
func callModelOK(m map[string]any, imported bool) bool {
	ok := fieldsOK(m, callSpecs...)
	numbersRequired := true
	if imported {
		ok = ok && fieldsOK(m, opt("id", kUUID), opt("duration", kInt), opt("created_date", kTime))
		if c := m["contact"]; c != nil {
			numbersRequired = false
			cm, isObj := c.(map[string]any)
			ok = ok && isObj && fieldsOK(cm, req("identifier", kString), opt("contact_type", kEnum, store.ContactTypes...))
		} else if !has(m, "from_number") && !has(m, "to_number") {
			return false
		}
	}
	return ok && fieldsOK(m, spec{name: "from_number", kind: kString, required: numbersRequired},
		spec{name: "to_number", kind: kString, required: numbersRequired})
}

func messageModelOK(m map[string]any, imported bool) bool {
	ok := fieldsOK(m, req("role", kEnum, store.MessageRoles...), opt("content", kString), opt("created_date", kTime))
	if imported {
		ok = ok && fieldsOK(m, opt("id", kUUID))
	}
	if tc := m["tool_call"]; tc != nil {
		t, isObj := tc.(map[string]any)
		ok = ok && isObj && toolCallModelOK(t)
	}
	return ok
}

func toolCallModelOK(t map[string]any) bool {
	switch {
	case has(t, "function_name"):
		return fieldsOK(t, req("function_name", kString), req("payload", kObject), req("status", kEnum, modelToolStatuses...), opt("type", kEnum, "function"))
	case has(t, "tool_name"):
		return fieldsOK(t, req("tool_name", kEnum, modelToolNames...), req("payload", kObject), req("status", kEnum, modelToolStatuses...), opt("type", kEnum, "call_tool"))
	}
	return false
}

func logModelOK(m map[string]any, imported bool) bool {
	ok := fieldsOK(m, req("level", kEnum, store.LogLevels...), req("category", kEnum, store.LogCategories...), req("event", kString),
		opt("timestamp", kTime), opt("trace_id", kString), opt("data", kObject))
	if imported {
		ok = ok && fieldsOK(m, opt("id", kUUID))
	}
	return ok
}

// objectListModelOK: an optional list (null is fine) of objects each of which item accepts.
func objectListModelOK(m map[string]any, name string, item func(map[string]any, bool) bool) bool {
	v := m[name]
	if v == nil {
		return true
	}
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, it := range list {
		o, isObj := it.(map[string]any)
		if !isObj || !item(o, true) {
			return false
		}
	}
	return true
}

func importModelOK(m map[string]any) bool {
	return callModelOK(m, true) && objectListModelOK(m, "messages", messageModelOK) && objectListModelOK(m, "logs", logModelOK)
}

// uuidListModel reads a list of 1..max UUID strings as canonical ids, de-duplicated in first-seen
// order.
func uuidListModel(v any, max int) ([]string, bool) {
	list, ok := v.([]any)
	if !ok || len(list) < 1 || len(list) > max {
		return nil, false
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range list {
		s, ok := it.(string)
		if !ok {
			return nil, false
		}
		u, err := uuid.Parse(s)
		if err != nil {
			return nil, false
		}
		if c := u.String(); !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, true
}

// ---- Checks of what a decoder returned ----

// checkErrs checks the shape of validation errors: a location under root made of names and
// indexes, a message and a type.
func checkErrs(t *testing.T, errs []ValidationError, root string) {
	t.Helper()
	for _, e := range errs {
		if len(e.Loc) == 0 || e.Loc[0] != root || e.Msg == "" || e.Type == "" {
			t.Fatalf("malformed validation error %+v (want loc under %q, a msg and a type)", e, root)
		}
		for _, l := range e.Loc {
			switch l.(type) {
			case string, int, int64:
			default:
				t.Fatalf("location %v of %+v holds a %T", e.Loc, e, l)
			}
		}
	}
}

// canonicalID is a UUID as the decoders must return it.
func canonicalID(s string) string { return uuid.MustParse(s).String() }

func checkOptString(t *testing.T, what string, got *string, m map[string]any, name string) {
	t.Helper()
	want, _ := m[name].(string)
	if m[name] == nil {
		if got != nil {
			t.Fatalf("%s.%s: got %q for an absent field", what, name, *got)
		}
		return
	}
	if got == nil || *got != want {
		t.Fatalf("%s.%s: got %v, want %q", what, name, got, want)
	}
}

func checkOptUUID(t *testing.T, what string, got *string, m map[string]any, name string) {
	t.Helper()
	if m[name] == nil {
		if got != nil {
			t.Fatalf("%s.%s: got %q for an absent field", what, name, *got)
		}
		return
	}
	if want := canonicalID(m[name].(string)); got == nil || *got != want {
		t.Fatalf("%s.%s: got %v, want the canonical %q", what, name, got, want)
	}
}

func checkOptTime(t *testing.T, what string, got *time.Time, m map[string]any, name string) {
	t.Helper()
	if m[name] == nil {
		if got != nil {
			t.Fatalf("%s.%s: got %v for an absent field", what, name, got)
		}
		return
	}
	want, _ := parseTime(m[name].(string))
	if got == nil || !got.Equal(want) || got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Fatalf("%s.%s: got %v, want %v in UTC to the microsecond", what, name, got, want)
	}
}

// checkObjectValue: an object field comes back compact and equal to what was sent.
func checkObjectValue(t *testing.T, what string, got json.RawMessage, want any) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Fatalf("%s: got %s for an absent field", what, got)
		}
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, got); err != nil || !bytes.Equal(buf.Bytes(), got) {
		t.Fatalf("%s: %q is not compact JSON (%v)", what, got, err)
	}
	v, _ := strictValue(got)
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("%s: got %s, want %v", what, got, want)
	}
}

func checkCallInput(t *testing.T, in store.CallInput, m map[string]any, imported bool) {
	t.Helper()
	for _, c := range []struct{ got, name string }{
		{in.FromNumber, "from_number"}, {in.ToNumber, "to_number"}, {in.Type, "type"}, {in.Status, "status"}, {in.ContactType, "contact_type"},
	} {
		if want, _ := m[c.name].(string); c.got != want {
			t.Fatalf("call.%s = %q, want %q", c.name, c.got, want)
		}
	}
	checkOptUUID(t, "call", in.AgentID, m, "agent_id")
	checkOptUUID(t, "call", in.AgentVersionID, m, "agent_version_id")
	checkOptUUID(t, "call", in.PhoneRegisterID, m, "phone_register_id")
	checkOptTime(t, "call", in.StartTime, m, "start_time")
	checkOptTime(t, "call", in.EndTime, m, "end_time")
	checkOptString(t, "call", in.EndReason, m, "end_reason")
	checkOptString(t, "call", in.RecordingURL, m, "recording_url")
	checkObjectValue(t, "call.dynamic_variables", in.DynamicVariables, m["dynamic_variables"])
	if !imported {
		if in.ID != "" || in.Duration != nil || in.CreatedDate != nil || in.Contact != nil {
			t.Fatalf("a live call took import-only fields: %+v", in)
		}
		return
	}
	if id, _ := m["id"].(string); id != "" && in.ID != canonicalID(id) || id == "" && in.ID != "" {
		t.Fatalf("call.id = %q for %v", in.ID, m["id"])
	}
	if n, ok := m["duration"].(json.Number); ok {
		if want, _ := n.Int64(); in.Duration == nil || *in.Duration != want {
			t.Fatalf("call.duration = %v, want %s", in.Duration, n)
		}
	} else if in.Duration != nil {
		t.Fatalf("call.duration = %d for an absent field", *in.Duration)
	}
	checkOptTime(t, "call", in.CreatedDate, m, "created_date")
	if c, ok := m["contact"].(map[string]any); ok {
		if in.Contact == nil || in.Contact.Identifier != c["identifier"] || in.Contact.ContactType != strOr(c["contact_type"]) {
			t.Fatalf("call.contact = %+v, want %v", in.Contact, c)
		}
	} else if in.Contact != nil {
		t.Fatalf("call.contact = %+v for an absent field", in.Contact)
	}
}

func strOr(v any) string { s, _ := v.(string); return s }

func checkMessageInput(t *testing.T, got store.MessageInput, m map[string]any, imported bool) {
	t.Helper()
	if got.Role != m["role"] {
		t.Fatalf("message.role = %q, want %v", got.Role, m["role"])
	}
	checkOptString(t, "message", got.Content, m, "content")
	checkOptTime(t, "message", got.CreatedDate, m, "created_date")
	if imported && m["id"] != nil {
		if got.ID != canonicalID(m["id"].(string)) {
			t.Fatalf("message.id = %q, want %v canonical", got.ID, m["id"])
		}
	} else if got.ID != "" {
		t.Fatalf("message.id = %q for an absent field", got.ID)
	}
	tc, _ := m["tool_call"].(map[string]any)
	if tc == nil {
		if got.ToolCall != nil {
			t.Fatalf("message.tool_call = %s for an absent field", got.ToolCall)
		}
		return
	}
	// The tool call comes back with exactly its schema's fields, its type filled in.
	want := map[string]any{"payload": tc["payload"], "status": tc["status"]}
	if has(tc, "function_name") {
		want["function_name"], want["type"] = tc["function_name"], "function"
	} else {
		want["tool_name"], want["type"] = tc["tool_name"], "call_tool"
	}
	v, _ := strictValue(got.ToolCall)
	if !reflect.DeepEqual(v, any(want)) {
		t.Fatalf("message.tool_call = %s, want %v", got.ToolCall, want)
	}
}

func checkLogInput(t *testing.T, got store.LogInput, m map[string]any, imported bool) {
	t.Helper()
	if got.Level != m["level"] || got.Category != m["category"] || got.Event != m["event"] {
		t.Fatalf("log = %+v, want level %v category %v event %v", got, m["level"], m["category"], m["event"])
	}
	checkOptTime(t, "log", got.Timestamp, m, "timestamp")
	checkOptString(t, "log", got.TraceID, m, "trace_id")
	checkObjectValue(t, "log.data", got.Data, m["data"])
	if imported && m["id"] != nil {
		if got.ID != canonicalID(m["id"].(string)) {
			t.Fatalf("log.id = %q, want %v canonical", got.ID, m["id"])
		}
	} else if got.ID != "" {
		t.Fatalf("log.id = %q for an absent field", got.ID)
	}
}

// ---- The query string ----

// FuzzParseQuery: parseQuery against url.ParseQuery. Where the standard library reads the query
// without error, parseQuery gives the same values and no error; where it reports an error (a ';',
// a bad %-escape), parseQuery reports one too and keeps the same good pairs; every non-empty
// segment is exactly one value or one error (nothing dropped).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=1", "a=1&b=2", "a=1&a=2", "a", "a=", "=1", "&&", "a=1&&b=2&", ";", "a=1;b=2", "a;b=1&c=2",
		"a=%zz", "%zz=1", "a=%", "a=%4", "%41=%42", "a+b=c+d", "a=%20%2B%3B", "a==b", "a=1&b", "\xff=\xfe", "%ff=%c3%28",
		"contact_id=11111111-1111-4111-8111-111111111101&limit=10&order=asc", "limit=1&limit=2", strings.Repeat("a=1&", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, errs := parseQuery(raw)
		for _, e := range errs {
			if len(e.Loc) != 2 || e.Loc[0] != "query" || e.Msg == "" || e.Type == "" {
				t.Fatalf("malformed error %+v", e)
			}
			if _, ok := e.Loc[1].(string); !ok {
				t.Fatalf("error %+v does not name a parameter", e)
			}
		}
		segments, values := 0, 0
		for s := range strings.SplitSeq(raw, "&") {
			if s != "" {
				segments++
			}
		}
		for _, v := range got {
			values += len(v)
		}
		if values+len(errs) != segments {
			t.Fatalf("%d segments gave %d values and %d errors: %v %+v", segments, values, len(errs), got, errs)
		}
		again, errs2 := parseQuery(raw)
		if !reflect.DeepEqual(got, again) || !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("two parses differ: %v %v / %v %v", got, errs, again, errs2)
		}
		want, werr := url.ParseQuery(raw)
		if strings.Count(raw, "&") >= 10000 { // url.ParseQuery refuses it whole
			if len(errs) == 0 {
				t.Fatalf("url.ParseQuery refuses a query of more than 10000 parameters (%v), parseQuery reports nothing", werr)
			}
			return
		}
		if (werr != nil) != (len(errs) > 0) {
			t.Fatalf("url.ParseQuery error %v, parseQuery errors %+v", werr, errs)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseQuery = %v, url.ParseQuery = %v", got, want)
		}
	})
}

// callListParams are the query parameters GET /v1/call/ reads.
var callListParams = []string{"after", "before", "page", "limit", "order", "agent_id", "status", "type",
	"start_created_date", "end_created_date", "contact_id", "phone_id"}

// listParamOK is the model of one call list parameter's value.
func listParamOK(name, v string) bool {
	if len(v) > maxQueryValue {
		return false
	}
	switch name {
	case "after", "before", "agent_id", "contact_id", "phone_id":
		return valueOK(v, kUUID, nil)
	case "page", "limit":
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= 1 && (name == "page" && n <= 1<<40 || name == "limit" && n <= 1000)
	case "order":
		return v == "asc" || v == "desc"
	case "status":
		return slices.Contains(store.CallStatuses, v)
	case "type":
		return slices.Contains(store.CallTypes, v)
	case "start_created_date", "end_created_date":
		return valueOK(v, kTime, nil)
	}
	panic(name)
}

// FuzzListQuery sends GET /v1/call/?<raw> to a real server over a fixed set of calls and checks the
// answer against a model of the list: a query url.ParseQuery cannot read, or a known parameter
// that is repeated, overlong or malformed, is a 422 naming it; contradictory pagination is a 422
// INVALID_PAGINATION_PARAMETERS; an after/before that is not a call of the company is a 400;
// anything else is a 200 whose page is exactly the model's (every filter applied, the order,
// limit, page and cursor honoured), so no known parameter is ever silently dropped.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"", "limit=3", "order=asc&limit=2", "contact_id=" + fxCT1, "contact_id=" + strings.ToUpper(fxCT1),
		"contact_id={" + fxCT4 + "}", "contact_id=urn:uuid:" + fxCT2, "contact_id=" + strings.ReplaceAll(fxCT1, "-", ""),
		"agent_id=" + fxAG1 + "&status=completed", "phone_id=" + fxPH1 + "&type=inbound", "status=in_progress", "type=outbound&order=asc",
		"start_created_date=2026-01-01T03:00:00Z&end_created_date=2026-01-01T06:00:00Z", "start_created_date=2026-01-01%2006:00:00",
		"end_created_date=2026-01-01T05:59:59.999999999%2B00:00", "page=1&limit=3", "page=3&limit=3&order=asc", "page=99&limit=1000",
		"after=" + fxCL(2), "before=" + fxCL(6) + "&limit=2", "after=" + fxCL(6) + "&order=asc&limit=1", "after=" + fxCLB,
		"after=" + fxCL(1) + "&before=" + fxCL(2), "page=1&after=" + fxCL(1), "contact_id=" + fxCTB, "contact_id=" + fxCT1 + ";limit=1",
		"contact_id=" + fxCT1 + "&contact_id=" + fxCT2, "contact_id=", "contact_id=%zz", "limit=0", "limit=1001", "limit=-1", "limit=1e3",
		"page=0", "page=1099511627777", "order=ASC", "status=", "status=bogus", "start_created_date=yesterday",
		"contact_id=" + strings.Repeat("a", 1025), "unknown=1&unknown=2", "%63ontact_id=" + fxCT3, "limit=%2B5", "a=%zz&limit=2",
		"agent_id=" + fxAG1 + "&contact_id=" + fxCT2 + "&status=in_progress&type=inbound&phone_id=" + fxPH1} {
		f.Add(s)
	}
	fx := newServerFixture(f)
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/call/", nil)
		req.URL.RawQuery = raw
		req.Header.Set("Authorization", "Bearer "+fx.key)
		rec := fx.serve(t, req)
		if strings.Count(raw, "&") >= 10000 { // more parameters than url.ParseQuery takes: refused whole
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("a query of %d parameters answered %d, want 422: %s", strings.Count(raw, "&")+1, rec.Code, rec.Body)
			}
			return
		}
		vals, perr := url.ParseQuery(raw)
		var bad []string
		for _, name := range callListParams {
			if v, ok := vals[name]; ok && (len(v) != 1 || !listParamOK(name, v[0])) {
				bad = append(bad, name)
			}
		}
		if perr != nil || len(bad) > 0 {
			detail := wantDetail(t, rec, "query")
			for _, name := range bad {
				if !slices.ContainsFunc(detail, func(e ValidationError) bool { return len(e.Loc) > 1 && e.Loc[1] == name }) {
					t.Fatalf("the bad parameter %s is not named in %s", name, rec.Body)
				}
			}
			return
		}
		one := func(name string) string {
			if v, ok := vals[name]; ok {
				return v[0]
			}
			return ""
		}
		canon := func(name string) string {
			if s := one(name); s != "" {
				return canonicalID(s)
			}
			return ""
		}
		after, before := canon("after"), canon("before")
		var page, limit int64 = 0, 50
		if s := one("page"); s != "" {
			page, _ = strconv.ParseInt(s, 10, 64)
		}
		if s := one("limit"); s != "" {
			limit, _ = strconv.ParseInt(s, 10, 64)
		}
		asc := one("order") == "asc"
		if after != "" && before != "" || page != 0 && (after != "" || before != "") {
			wantAPIError(t, rec, http.StatusUnprocessableEntity, "INVALID_PAGINATION_PARAMETERS")
			return
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if s := one("start_created_date"); s != "" {
			tm, _ := parseTime(s)
			lo = tm.UnixMicro()
		}
		if s := one("end_created_date"); s != "" {
			tm, _ := parseTime(s)
			hi = tm.UnixMicro()
		}
		var rows []fxCall
		for _, c := range fxCalls {
			switch {
			case c.b,
				canon("contact_id") != "" && c.contact != canon("contact_id"),
				canon("agent_id") != "" && c.agent != canon("agent_id"),
				canon("phone_id") != "" && c.phone != canon("phone_id"),
				one("status") != "" && c.status != one("status"),
				one("type") != "" && c.typ != one("type"),
				c.created().UnixMicro() < lo || c.created().UnixMicro() > hi:
				continue
			}
			rows = append(rows, c)
		}
		// precedes(a, b): a comes before b in the list's order, (created_date, id) ascending or descending.
		precedes := func(a, b fxCall) bool {
			ka, kb := a.created().UnixMicro(), b.created().UnixMicro()
			less := ka < kb || ka == kb && a.id < b.id
			if asc {
				return less
			}
			return !less && a.id != b.id
		}
		sort.Slice(rows, func(i, j int) bool { return precedes(rows[i], rows[j]) })
		var want []fxCall
		var hasMore bool
		var curPage, totalPages *int64
		switch {
		case page > 0:
			total := int64(len(rows))
			pages := (total + limit - 1) / limit
			curPage, totalPages, hasMore = &page, &pages, page < pages
			if page <= pages {
				want = rows[(page-1)*limit : min(page*limit, total)]
			}
		case after != "" || before != "":
			i := slices.IndexFunc(fxCalls, func(c fxCall) bool { return !c.b && c.id == after+before })
			if i < 0 {
				wantAPIError(t, rec, http.StatusBadRequest, "NOT_VALID_FIELD")
				return
			}
			cur := fxCalls[i]
			if after != "" {
				var rest []fxCall
				for _, r := range rows {
					if precedes(cur, r) {
						rest = append(rest, r)
					}
				}
				want, hasMore = rest[:min(int(limit), len(rest))], int64(len(rest)) > limit
			} else {
				var prior []fxCall
				for _, r := range rows {
					if precedes(r, cur) {
						prior = append(prior, r)
					}
				}
				want, hasMore = prior[max(0, len(prior)-int(limit)):], int64(len(prior)) > limit
			}
		default:
			want, hasMore = rows[:min(int(limit), len(rows))], int64(len(rows)) > limit
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /v1/call/?%s = %d, want 200: %s", raw, rec.Code, rec.Body)
		}
		var got struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			FirstID     *string `json:"first_id"`
			LastID      *string `json:"last_id"`
			HasMore     bool    `json:"has_more"`
			CurrentPage *int64  `json:"current_page"`
			TotalPages  *int64  `json:"total_pages"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		gotIDs, wantIDs := []string{}, []string{}
		for _, d := range got.Data {
			gotIDs = append(gotIDs, d.ID)
		}
		for _, c := range want {
			wantIDs = append(wantIDs, c.id)
		}
		var first, last *string
		if len(wantIDs) > 0 {
			first, last = &wantIDs[0], &wantIDs[len(wantIDs)-1]
		}
		if !slices.Equal(gotIDs, wantIDs) || got.HasMore != hasMore || !reflect.DeepEqual(got.FirstID, first) || !reflect.DeepEqual(got.LastID, last) ||
			!reflect.DeepEqual(got.CurrentPage, curPage) || !reflect.DeepEqual(got.TotalPages, totalPages) {
			t.Fatalf("GET /v1/call/?%s\n got %s\nwant ids %v has_more %v page %v/%v", raw, rec.Body, wantIDs, hasMore, ptrStr(curPage), ptrStr(totalPages))
		}
	})
}

func ptrStr(p *int64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatInt(*p, 10)
}

// ---- JSON bodies, decoder by decoder ----

// FuzzBulkDeleteBody: the native bulk deletes, POST /v1/call/bulk-delete ({"call_ids": 1..500
// UUIDs}) and, when contacts is set, POST /v1/contact/bulk-delete ({"contact_ids": 1..500 UUIDs,
// "all_or_none", "dry_run"}), read as their handlers read them.
func FuzzBulkDeleteBody(f *testing.F) {
	for _, s := range []string{`{"call_ids":["` + fxCL(1) + `"]}`, `{"call_ids":["` + strings.ToUpper(fxCL(1)) + `","{` + fxCL(1) + `}"]}`,
		`{"call_ids":[]}`, `{"call_ids":null}`, `{}`, `[]`, ``, `{"call_ids":"` + fxCL(1) + `"}`, `{"call_ids":[1]}`, `{"call_ids":[null]}`,
		`{"call_ids":["nope"]}`, `{"call_ids":["` + fxCL(1) + `"]}}`, `{"call_ids":["` + fxCL(1) + `"]} x`, "{\"call_ids\":[\"\xff\"]}",
		`{"call_ids":[` + strings.Repeat(`"`+fxCL(1)+`",`, 500) + `"` + fxCL(1) + `"]}`, `{"call_ids":` + strings.Repeat("[", 200) + `}`,
		`{"call_ids":["` + fxCL(1) + `"],"call_ids":[]}`, `{"call_ids":[1e999]}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(strings.ReplaceAll(s, "call_ids", "contact_ids")), true)
	}
	f.Add([]byte(`{"contact_ids":["`+fxCT1+`"],"all_or_none":true,"dry_run":false}`), true)
	f.Add([]byte(`{"contact_ids":["`+fxCT1+`"],"all_or_none":"yes","dry_run":1}`), true)
	f.Add([]byte(`{"contact_ids":["`+fxCT1+`"],"all_or_none":null}`), true)
	f.Fuzz(func(t *testing.T, body []byte, contacts bool) {
		name, max := "call_ids", store.MaxBulkDelete
		if contacts {
			name, max = "contact_ids", store.MaxContactDeleteIDs
		}
		decode := func() (ids []string, aon, dry *bool, errs []ValidationError) {
			f, errs := parseObject(body)
			if errs != nil {
				return nil, nil, nil, errs
			}
			ids = f.UUIDList(name, true, 1, max)
			if contacts {
				aon, dry = f.Bool("all_or_none", false), f.Bool("dry_run", false)
			}
			return ids, aon, dry, f.Errs()
		}
		ids, aon, dry, errs := decode()
		ids2, aon2, dry2, errs2 := decode()
		if !reflect.DeepEqual(ids, ids2) || !reflect.DeepEqual(aon, aon2) || !reflect.DeepEqual(dry, dry2) || !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("two decodes differ")
		}
		checkErrs(t, errs, "body")
		m, isObj := strictObject(body)
		wantIDs, listOK := uuidListModel(m[name], max)
		wantOK := isObj && listOK && (!contacts || fieldsOK(m, opt("all_or_none", kBool), opt("dry_run", kBool)))
		gotOK := len(errs) == 0
		if gotOK != wantOK {
			t.Fatalf("%s: decoder accepted=%v (errors %+v), model accepted=%v", body, gotOK, errs, wantOK)
		}
		if !gotOK {
			return
		}
		if len(ids) < 1 || len(ids) > max {
			t.Fatalf("accepted %d ids", len(ids))
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if canonicalID(id) != id || seen[id] {
				t.Fatalf("ids %v: not canonical or repeated", ids)
			}
			seen[id] = true
		}
		if !slices.Equal(ids, wantIDs) {
			t.Fatalf("ids = %v, want %v", ids, wantIDs)
		}
		if contacts && (!reflect.DeepEqual(aon, boolPtr(m["all_or_none"])) || !reflect.DeepEqual(dry, boolPtr(m["dry_run"]))) {
			t.Fatalf("all_or_none %v dry_run %v, want %v %v", aon, dry, m["all_or_none"], m["dry_run"])
		}
	})
}

func boolPtr(v any) *bool {
	if b, ok := v.(bool); ok {
		return &b
	}
	return nil
}

// koreaiModel: a JSON object with exactly one of "ids" and "id", an array of 1..500 strings
// (opaque ids, as given).
func koreaiModel(body []byte) ([]string, bool) {
	m, isObj := strictObject(body)
	if !isObj {
		return nil, false
	}
	v1, has1 := m["ids"]
	v2, has2 := m["id"]
	if has1 == has2 {
		return nil, false
	}
	v := v1
	if has2 {
		v = v2
	}
	list, ok := v.([]any)
	if !ok || len(list) < 1 || len(list) > store.MaxContactDeleteIDs {
		return nil, false
	}
	ids := make([]string, len(list))
	for i, it := range list {
		if ids[i], ok = it.(string); !ok {
			return nil, false
		}
	}
	return ids, true
}

// FuzzKoreaiIDs: the Kore.ai bulk delete body.
func FuzzKoreaiIDs(f *testing.F) {
	for _, s := range []string{`{"ids":["` + fxCT1 + `","x"]}`, `{"id":["` + fxCT1 + `"]}`, `{"ids":["a"],"id":["b"]}`, `{"ids":[]}`,
		`{"ids":null}`, `{"ids":"a"}`, `{"ids":[1]}`, `{"ids":[null]}`, `{}`, `[]`, ``, `null`, "\v{\"ids\":[\"a\"]}", "\u00a0{\"ids\":[\"a\"]}",
		` {"ids":["a"]} `, `{"ids":["a"]}}`, `{"IDS":["a"]}`, "{\"ids\":[\"\xff\"]}", `{"ids":[` + strings.Repeat(`"a",`, 500) + `"a"]}`,
		`{"ids":` + strings.Repeat("[", 100) + `}`, `{"ids":[1e999]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, msg := koreaiIDs(body)
		ids2, msg2 := koreaiIDs(body)
		if !reflect.DeepEqual(ids, ids2) || msg != msg2 {
			t.Fatalf("two decodes differ")
		}
		if (msg == "") == (ids == nil) {
			t.Fatalf("ids %v with message %q: exactly one of them must be set", ids, msg)
		}
		wantIDs, wantOK := koreaiModel(body)
		gotOK := msg == ""
		if gotOK != wantOK {
			t.Fatalf("%q: decoder accepted=%v (%q), model accepted=%v", body, gotOK, msg, wantOK)
		}
		if gotOK && (len(ids) < 1 || len(ids) > store.MaxContactDeleteIDs) {
			t.Fatalf("accepted %d ids", len(ids))
		}
		if gotOK && !slices.Equal(ids, wantIDs) {
			t.Fatalf("ids = %q, want %q", ids, wantIDs)
		}
	})
}

// genlogsModel: a JSON object whose contact_ids is an array of 1..500 UUID strings, returned
// canonical, in order, repeats kept.
func genlogsModel(body []byte) ([]string, bool) {
	m, isObj := strictObject(body)
	if !isObj {
		return nil, false
	}
	list, ok := m["contact_ids"].([]any)
	if !ok || len(list) < 1 || len(list) > store.MaxContactDeleteIDs {
		return nil, false
	}
	ids := make([]string, len(list))
	for i, it := range list {
		if !valueOK(it, kUUID, nil) {
			return nil, false
		}
		ids[i] = canonicalID(it.(string))
	}
	return ids, true
}

// FuzzGenlogsContactIDs: the GenLogs bulk delete body.
func FuzzGenlogsContactIDs(f *testing.F) {
	for _, s := range []string{`{"contact_ids":["` + fxCT1 + `"]}`, `{"contact_ids":["` + strings.ToUpper(fxCT1) + `","` + fxCT1 + `"]}`,
		`{"contact_ids":[]}`, `{"contact_ids":null}`, `{}`, `[]`, ``, `{"contact_ids":"x"}`, `{"contact_ids":[null]}`, `{"contact_ids":["x"]}`,
		`{"contact_ids":[1]}`, "\f{\"contact_ids\":[\"" + fxCT1 + "\"]}", `{"contact_ids":["` + fxCT1 + `"]}]`,
		`{"contact_ids":[` + strings.Repeat(`"`+fxCT1+`",`, 500) + `"` + fxCT1 + `"]}`, `{"contact_ids":` + strings.Repeat("[", 100) + `}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, msg := genlogsContactIDs(body)
		ids2, msg2 := genlogsContactIDs(body)
		if !reflect.DeepEqual(ids, ids2) || msg != msg2 {
			t.Fatalf("two decodes differ")
		}
		if (msg == "") == (ids == nil) {
			t.Fatalf("ids %v with message %q: exactly one of them must be set", ids, msg)
		}
		wantIDs, wantOK := genlogsModel(body)
		gotOK := msg == ""
		if gotOK != wantOK {
			t.Fatalf("%q: decoder accepted=%v (%q), model accepted=%v", body, gotOK, msg, wantOK)
		}
		if gotOK && !slices.Equal(ids, wantIDs) {
			t.Fatalf("ids = %q, want %q", ids, wantIDs)
		}
		for _, id := range ids {
			if canonicalID(id) != id {
				t.Fatalf("id %q is not canonical", id)
			}
		}
	})
}

// itemsModel: one JSON object, or an array of 1..max objects.
func itemsModel(body []byte, max int) (items []map[string]any, single, ok bool) {
	v, valid := strictValue(body)
	if !valid {
		return nil, false, false
	}
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}, true, true
	case []any:
		if len(x) < 1 || len(x) > max {
			return nil, false, false
		}
		for _, it := range x {
			o, isObj := it.(map[string]any)
			if !isObj {
				return nil, false, false
			}
			items = append(items, o)
		}
		return items, false, true
	}
	return nil, false, false
}

// FuzzParseItems: the bodies of POST /v1/call/{id}/message and POST /v1/log/call/{id} (one object
// or an array of 1..1000), each item read by messageFields or logFields.
func FuzzParseItems(f *testing.F) {
	msgs := []string{`{"role":"user","content":"hi"}`, `[{"role":"assistant","content":null,"created_date":"2026-01-01T00:00:00.1234567+02:00"}]`,
		`{"role":"tool","tool_call":{"function_name":"f","payload":{"a":1},"status":"success"}}`,
		`{"role":"tool","tool_call":{"tool_name":"transfer","payload":{},"status":"error","type":"call_tool"}}`,
		`{"role":"tool","tool_call":{"tool_name":"fly","payload":{},"status":"error"}}`, `{"role":"tool","tool_call":{"function_name":null}}`,
		`{"role":"tool","tool_call":{}}`, `{"role":"tool","tool_call":[]}`, `{"role":"robot"}`, `{"content":"x"}`, `{"role":"user","id":"x"}`,
		`[]`, `[1]`, `[{"role":"user"},2]`, `"x"`, ``, `{"role":"user"}}`, `[{"role":"user"}]]`, `{"role":"user","created_date":"2026-13-01"}`,
		"{\"role\":\"user\",\"content\":\"\xff\"}", `[` + strings.Repeat(`{"role":"user"},`, 1000) + `{"role":"user"}]`, strings.Repeat("[", 300)}
	logs := []string{`{"level":"INFO","category":"USER","event":"e"}`, `[{"level":"DEBUG","category":"METRICS","event":"","timestamp":"2026-01-01 00:00:00","trace_id":"t","data":{"k":[1,2]}}]`,
		`{"level":"info","category":"USER","event":"e"}`, `{"level":"INFO","category":"USER"}`, `{"level":"INFO","category":"USER","event":"e","data":[]}`,
		`{"level":"INFO","category":"USER","event":1}`, `{"level":"INFO","category":"USER","event":"e","data":{"n":1e999}}`}
	for _, s := range msgs {
		f.Add([]byte(s), false)
	}
	for _, s := range logs {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, logs bool) {
		decode := func() (any, []ValidationError) {
			items, errs := parseItems(body, store.MaxAppend)
			if errs != nil {
				return nil, errs
			}
			var out []any
			for _, f := range items {
				if logs {
					out = append(out, logFields(f, false))
				} else {
					out = append(out, messageFields(f, false))
				}
				errs = append(errs, f.Errs()...)
			}
			return out, errs
		}
		got, errs := decode()
		got2, errs2 := decode()
		if !reflect.DeepEqual(got, got2) || !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("two decodes differ")
		}
		checkErrs(t, errs, "body")
		items, single, structureOK := itemsModel(body, store.MaxAppend)
		wantOK := structureOK
		for _, m := range items {
			if logs {
				wantOK = wantOK && logModelOK(m, false)
			} else {
				wantOK = wantOK && messageModelOK(m, false)
			}
		}
		gotOK := len(errs) == 0
		if gotOK != wantOK {
			t.Fatalf("%q: decoder accepted=%v (errors %+v), model accepted=%v", body, gotOK, errs, wantOK)
		}
		if !gotOK && structureOK {
			// The errors of items are located at ["body", field] for one object, ["body", i, ...] in a list.
			for _, e := range errs {
				if len(e.Loc) < 2 {
					t.Fatalf("item error %+v has no location in the item", e)
				}
				if i, isIndex := e.Loc[1].(int); single == isIndex || isIndex && (i < 0 || i >= len(items)) {
					t.Fatalf("item error %+v is not located in the body's shape (single=%v, %d items)", e, single, len(items))
				}
			}
		}
		if !gotOK {
			return
		}
		list := got.([]any)
		if len(list) != len(items) {
			t.Fatalf("%d items decoded, %d sent", len(list), len(items))
		}
		for i, m := range items {
			if logs {
				checkLogInput(t, list[i].(store.LogInput), m, false)
			} else {
				checkMessageInput(t, list[i].(store.MessageInput), m, false)
			}
		}
	})
}

// FuzzCallFields: the body of POST /v1/call/ (imported=false) and a call record of the import
// (imported=true), read by parseObject and callFields.
func FuzzCallFields(f *testing.F) {
	for _, s := range []string{`{"from_number":"+34600000001","to_number":"+34600000002"}`,
		`{"from_number":"a","to_number":"b","type":"inbound","status":"completed","agent_id":"` + strings.ToUpper(fxAG1) + `","phone_register_id":"{` + fxPH1 + `}","agent_version_id":"urn:uuid:` + fxAG2 + `","contact_type":"web","start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T00:01:00.123456789-01:00","end_reason":"hangup","recording_url":"https://r/1","dynamic_variables":{"lang": "en", "n": [1, 2.5e3]}}`,
		`{"from_number":"a"}`, `{"from_number":1,"to_number":"b"}`, `{"from_number":null,"to_number":"b"}`, `{"from_number":"a","to_number":"b","type":"sideways"}`,
		`{"from_number":"a","to_number":"b","agent_id":"x"}`, `{"from_number":"a","to_number":"b","dynamic_variables":[]}`, `{"from_number":"a","to_number":"b","start_time":"now"}`,
		`{"id":"` + fxCL(9) + `","contact":{"identifier":"x","contact_type":"web"},"duration":90,"created_date":"2026-01-01T00:00:00Z","status":"completed"}`,
		`{"contact":{"identifier":1}}`, `{"contact":null}`, `{"contact":[]}`, `{}`, `{"duration":1.5,"from_number":"a","to_number":"b"}`, `{"duration":99999999999999999999,"from_number":"a","to_number":"b"}`,
		`{"from_number":"a","to_number":"b"}}`, `{"from_number":"a","to_number":"b"} x`, `[]`, ``, "{\"from_number\":\"\xff\",\"to_number\":\"b\"}",
		`{"from_number":"a","to_number":"b","dynamic_variables":` + strings.Repeat(`{"a":`, 500) + `1` + strings.Repeat("}", 500) + `}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, imported bool) {
		decode := func() (store.CallInput, []ValidationError) {
			f, errs := parseObject(body)
			if errs != nil {
				return store.CallInput{}, errs
			}
			in := callFields(f, imported)
			return in, f.Errs()
		}
		in, errs := decode()
		in2, errs2 := decode()
		if !reflect.DeepEqual(in, in2) || !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("two decodes differ")
		}
		checkErrs(t, errs, "body")
		m, isObj := strictObject(body)
		wantOK := isObj && callModelOK(m, imported)
		gotOK := len(errs) == 0
		if gotOK != wantOK {
			t.Fatalf("%q (imported=%v): decoder accepted=%v (errors %+v), model accepted=%v", body, imported, gotOK, errs, wantOK)
		}
		if gotOK {
			checkCallInput(t, in, m, imported)
		}
	})
}

// FuzzImportLine: the NDJSON body of POST /v1/call/import, read by importLines. Every non-blank
// line (the first without its BOM) gives exactly one ImportLine, in order, numbered as the body's
// lines; each is what parseImportLine gives for that line alone; a line that is not one JSON object
// is an INVALID_JSON error; any other line is a VALIDATION_ERROR exactly when the model refuses
// it, and otherwise a call holding what the line says.
func FuzzImportLine(f *testing.F) {
	good := `{"contact":{"identifier":"+34600000009"},"status":"completed","start_time":"2026-01-01T00:00:00Z","messages":[{"role":"user","content":"hi","id":"` + fxCL(9) + `"}],"logs":[{"level":"INFO","category":"USER","event":"e"}]}`
	for _, s := range []string{good, good + "\n" + good, "\xef\xbb\xbf" + good + "\r\n\r\n" + good, "\n\n" + good + "\n   \n" + good + "\n",
		`{"from_number":"a","to_number":"b"}` + "\nnot json\n[]\n\"x\"\n" + good, good + "\n" + "\xef\xbb\xbf" + good, "{\n" + good, good + "}",
		`{"messages":{}}`, `{"contact":{"identifier":"x"},"messages":[1]}`, `{"contact":{"identifier":"x"},"logs":[{"level":"INFO"}]}`,
		`{"contact":{"identifier":"x"},"messages":null,"logs":null}`, `{"contact":{"identifier":"x"},"messages":[{"role":"user","id":"bad"}]}`,
		"\x00\n\xff\n", "", "\n", "\u00a0\n" + good, strings.Repeat(good+"\n", 20), `{"contact":` + strings.Repeat("[", 300) + "}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []store.ImportLine
		for l := range importLines(bytes.NewReader(body)) {
			got = append(got, l)
		}
		type modelLine struct {
			n    int
			text []byte
		}
		var want []modelLine
		for i, line := range bytes.SplitAfter(body, []byte("\n")) {
			if i == 0 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			if len(bytes.TrimSpace(line)) > 0 {
				want = append(want, modelLine{i + 1, line})
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d lines read, %d non-blank lines in the body", len(got), len(want))
		}
		prev := 0
		for i, l := range got {
			if l.Line != want[i].n || l.Line <= prev {
				t.Fatalf("line %d numbered %d (previous %d), want %d", i, l.Line, prev, want[i].n)
			}
			prev = l.Line
			if alone := parseImportLine(l.Line, want[i].text); !reflect.DeepEqual(alone, l) {
				t.Fatalf("line %d read in the body %+v, alone %+v", l.Line, l, alone)
			}
			m, isObj := strictObject(want[i].text)
			if l.Err != nil {
				reason := store.ErrorReason(l.Err)
				if store.ErrorCode(l.Err) != store.EINVALID || store.ErrorMessage(l.Err) == "" || reason != "INVALID_JSON" && reason != "VALIDATION_ERROR" {
					t.Fatalf("line %d: error %v (%s %q)", l.Line, l.Err, store.ErrorCode(l.Err), reason)
				}
				if !isObj && reason != "INVALID_JSON" {
					t.Fatalf("line %d is not a JSON object, error %v", l.Line, l.Err)
				}
				if isObj && (reason == "INVALID_JSON" || importModelOK(m)) {
					t.Fatalf("line %d %q refused: %v", l.Line, want[i].text, l.Err)
				}
				continue
			}
			if !isObj {
				t.Fatalf("line %d %q is not a JSON object, yet taken as a call", l.Line, want[i].text)
			}
			if !importModelOK(m) {
				t.Fatalf("line %d %q accepted, the model refuses it", l.Line, want[i].text)
			}
			checkCallInput(t, l.Call.Call, m, true)
			msgs, _ := m["messages"].([]any)
			logs, _ := m["logs"].([]any)
			if len(l.Call.Messages) != len(msgs) || len(l.Call.Logs) != len(logs) {
				t.Fatalf("line %d: %d messages and %d logs read, %d and %d sent", l.Line, len(l.Call.Messages), len(l.Call.Logs), len(msgs), len(logs))
			}
			for j, mm := range msgs {
				checkMessageInput(t, l.Call.Messages[j], mm.(map[string]any), true)
			}
			for j, lm := range logs {
				checkLogInput(t, l.Call.Logs[j], lm.(map[string]any), true)
			}
		}
	})
}

// ---- The HTTP path over a real store ----

// The fixture's rows have fixed ids, so seeds can name them.
const (
	fxCT1 = "11111111-1111-4111-8111-111111111101" // 3 terminal calls: deletable
	fxCT2 = "11111111-1111-4111-8111-111111111102" // an in_progress call: not deletable
	fxCT3 = "11111111-1111-4111-8111-111111111103" // no calls: deletable
	fxCT4 = "11111111-1111-4111-8111-111111111104" // web, a dialing call: not deletable
	fxCTB = "22222222-2222-4222-8222-222222222201" // company B's
	fxCLB = "44444444-4444-4444-8444-444444444401" // company B's call
	fxAG1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa01"
	fxAG2 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa02"
	fxPH1 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbb01"
)

// fxCL is the id of company A's call n (1..8; 9 is no call).
func fxCL(n int) string { return fmt.Sprintf("33333333-3333-4333-8333-3333333333%02d", n) }

var (
	fxBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fxNow  = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

type fxContact struct {
	id, identifier, ctype string
	b                     bool // of company B
}

var fxContacts = []fxContact{
	{fxCT1, "+34600000001", "call", false}, {fxCT2, "+34600000002", "call", false}, {fxCT3, "+34600000003", "call", false},
	{fxCT4, "visitor-4", "web", false}, {fxCTB, "+34600000001", "call", true},
}

type fxCall struct {
	id, contact, agent, phone, status, typ string
	hour                                   int
	b                                      bool
}

func (c fxCall) created() time.Time { return fxBase.Add(time.Duration(c.hour) * time.Hour) }

var fxCalls = []fxCall{
	{fxCL(1), fxCT1, fxAG1, fxPH1, "completed", "inbound", 1, false},
	{fxCL(2), fxCT1, fxAG2, "", "failed", "outbound", 2, false},
	{fxCL(3), fxCT1, "", "", "no_answer", "inbound", 3, false},
	{fxCL(4), fxCT2, fxAG1, "", "in_progress", "inbound", 4, false},
	{fxCL(5), fxCT2, "", fxPH1, "completed", "outbound", 5, false},
	{fxCL(6), fxCT4, fxAG2, "", "transferred", "inbound", 6, false},
	{fxCL(7), fxCT4, "", "", "dialing", "outbound", 7, false},
	{fxCL(8), fxCT4, "", fxPH1, "completed", "inbound", 6, false}, // same created_date as call 6
	{fxCLB, fxCTB, fxAG1, fxPH1, "completed", "inbound", 1, true},
}

// fxMessagesPerCall and fxLogsPerCall are the rows seeded for every call (plus one log of no call
// per company).
const (
	fxMessagesPerCall = 2
	fxLogsPerCall     = 1
)

// serverFixture is one real server over one in-memory store holding companies A and B, the rows
// above, and the credentials of every dialect for A.
type serverFixture struct {
	s        *store.Store
	d        *db.DB
	h        http.Handler
	logBuf   *bytes.Buffer
	coA, coB string
	key      string // unrestricted API key of A: Bearer and X-Api-Key
	access   string // GenLogs access token of key
	jwt      string // Kore.ai JWT of an unrestricted app of A
	victim   string // id of a restricted key of A that FuzzWriteHTTP may PATCH
	snap     *snapshotter
	q        *sqlcdb.Queries // prepared, for seeding
	resets   int
	image    []byte // the database once the fixture was written (db.Snapshot), for reset
	base     snapshot
	changes  int64 // SQLite's total_changes() when the rows were last known to be base
}

func newServerFixture(tb testing.TB) *serverFixture {
	tb.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	s, err := store.New(ctx, d)
	if err != nil {
		tb.Fatal(err)
	}
	s.Now = func() time.Time { return fxNow }
	fx := &serverFixture{s: s, d: d, logBuf: &bytes.Buffer{}}
	fx.h = NewServer(s, slog.New(slog.NewTextHandler(fx.logBuf, nil)), Config{})
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	a, err := s.CreateCompany(ctx, "acme")
	must(err)
	b, err := s.CreateCompany(ctx, "globex")
	must(err)
	fx.coA, fx.coB = a.ID, b.ID
	k, err := s.CreateAPIKey(ctx, fx.coA, nil, store.APIKeyInput{Name: "fuzz"})
	must(err)
	fx.key = *k.Value
	v, err := s.CreateAPIKey(ctx, fx.coA, nil, store.APIKeyInput{Name: "victim", Restricted: true, Permissions: []string{"calls.view"}})
	must(err)
	fx.victim = v.ID
	pair, err := s.IssueTokens(ctx, fx.key, 24*time.Hour)
	must(err)
	fx.access = pair.Access.Token
	app, err := s.CreateApp(ctx, fx.coA, store.AppInput{Name: "fuzz"})
	must(err)
	fx.jwt, err = jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"appId": app.ClientID, "exp": fxNow.Add(time.Hour).Unix()}).SignedString([]byte(app.ClientSecret))
	must(err)
	fx.snap = newSnapshotter(tb, d.Write, fx.coB)
	fx.q, err = sqlcdb.Prepare(ctx, d.Write)
	must(err)
	must(fx.seed(ctx))
	fx.image, err = d.Snapshot(ctx)
	must(err)
	fx.base = fx.snapshot(tb)
	fx.changes = fx.totalChanges(tb)
	return fx
}

// totalChanges is the number of rows the database's one connection has inserted, updated or
// deleted so far. While it stays the same no row changed, which spares a snapshot per request.
func (fx *serverFixture) totalChanges(tb testing.TB) int64 {
	tb.Helper()
	var n int64
	if err := fx.d.Write.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// rows returns the rows as they are after a request: base unless a statement changed some.
func (fx *serverFixture) rows(t *testing.T) snapshot {
	t.Helper()
	if fx.totalChanges(t) == fx.changes {
		return fx.base
	}
	after := fx.snapshot(t)
	if after == fx.base { // written back as it was, or rolled back
		fx.changes = fx.totalChanges(t)
	}
	return after
}

// seed writes the fixture's contacts, calls, messages and logs.
func (fx *serverFixture) seed(ctx context.Context) error {
	q := fx.q
	co := func(b bool) string {
		if b {
			return fx.coB
		}
		return fx.coA
	}
	ptr := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	contacts := map[string]sqlctest.Contact{}
	for i, c := range fxContacts {
		row, err := sqlctest.New(fx.d.Write).CreateContact(ctx, sqlctest.CreateContactParams{ID: c.id, CompanyID: co(c.b), Identifier: c.identifier, ContactType: c.ctype,
			CreatedDate: fxBase.Add(time.Duration(i-10) * time.Minute).UnixMicro()})
		if err != nil {
			return err
		}
		contacts[c.id] = row
	}
	for _, c := range fxCalls {
		ct := contacts[c.contact]
		at := c.created().UnixMicro()
		p := sqlcdb.CreateCallParams{ID: c.id, CompanyID: co(c.b), ContactID: c.contact, ContactIdentifier: ct.Identifier, ContactType: ct.ContactType,
			ContactCreatedDate: ct.CreatedDate, AgentID: ptr(c.agent), PhoneRegisterID: ptr(c.phone), Status: c.status, Type: c.typ, CreatedDate: at}
		if store.IsTerminal(c.status) {
			end, dur := at+90e6, int64(90)
			p.StartTime, p.EndTime, p.Duration = &at, &end, &dur
		}
		if err := q.CreateCall(ctx, p); err != nil {
			return err
		}
		for i := range fxMessagesPerCall {
			text := "hello"
			if err := q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: c.id, CreatedDate: at + int64(i), ID: fmt.Sprintf("55555555-5555-4555-8555-%s%02d", c.id[24:34], i), Role: "user", Content: &text}); err != nil {
				return err
			}
		}
		if err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: "66666666-6666-4666-8666-" + c.id[24:], CompanyID: co(c.b), CallID: ptr(c.id), Timestamp: at, Level: "INFO", Category: "CALL_LIFECYCLE", Event: "started"}); err != nil {
			return err
		}
	}
	for i, b := range []bool{false, true} {
		if err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: fmt.Sprintf("66666666-6666-4666-8666-0000000000%02d", i), CompanyID: co(b), Timestamp: fxBase.UnixMicro(), Level: "INFO", Category: "SECURITY", Event: "login"}); err != nil {
			return err
		}
	}
	return nil
}

// snapshot is every row of every table, and the row counts the targets do arithmetic on.
type snapshot struct {
	contacts, calls, messages, logs, detached, keys int
	bRows                                           int // rows of company B in contacts and calls
	rows                                            string
}

// snapshotter reads a snapshot: one statement for the counts, one per table for its rows.
type snapshotter struct {
	counts *sql.Stmt
	tables []*sql.Stmt
}

func newSnapshotter(tb testing.TB, d *sql.DB, companyB string) *snapshotter {
	tb.Helper()
	tables, err := queryStrings(d, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	sn := &snapshotter{}
	prepare := func(q string) *sql.Stmt {
		st, err := d.Prepare(q)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	sn.counts = prepare(`SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM calls), (SELECT count(*) FROM messages),
		(SELECT count(*) FROM call_log), (SELECT count(*) FROM call_log WHERE call_id IS NULL), (SELECT count(*) FROM api_keys),
		(SELECT count(*) FROM contacts WHERE company_id = '` + companyB + `') + (SELECT count(*) FROM calls WHERE company_id = '` + companyB + `')`)
	for _, t := range tables {
		sn.tables = append(sn.tables, prepare(`SELECT '`+t+`', * FROM "`+t+`"`))
	}
	return sn
}

// take reads the counts, and every row when full is set.
func (sn *snapshotter) take(tb testing.TB, full bool) snapshot {
	tb.Helper()
	var s snapshot
	if err := sn.counts.QueryRow().Scan(&s.contacts, &s.calls, &s.messages, &s.logs, &s.detached, &s.keys, &s.bRows); err != nil {
		tb.Fatal(err)
	}
	if !full {
		return s
	}
	var lines []string
	for _, st := range sn.tables {
		rows, err := st.Query()
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%#v", vals))
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
	sort.Strings(lines)
	s.rows = strings.Join(lines, "\n")
	return s
}

func queryStrings(d *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := d.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (fx *serverFixture) snapshot(tb testing.TB) snapshot { return fx.snap.take(tb, true) }

// reset puts the database back to the fixture's rows after a request changed them: a copy of the
// database taken once the fixture was written (db.Restore, a memcpy), checked against the
// fixture's rows.
func (fx *serverFixture) reset(t *testing.T) {
	t.Helper()
	if err := fx.d.Restore(context.Background(), fx.image); err != nil {
		t.Fatal(err)
	}
	// The first resets compare every row; later ones (the same image) the counts.
	fx.resets++
	full := fx.resets <= 3
	want := fx.base
	if !full {
		want.rows = ""
	}
	if now := fx.snap.take(t, full); now != want {
		t.Fatalf("reset did not restore the fixture: %+v\nwant %+v", now, want)
	}
	fx.changes = fx.totalChanges(t)
}

// serve runs one request and checks what every answer must be: not a 5xx, and a JSON body.
func (fx *serverFixture) serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	fx.logBuf.Reset()
	rec := httptest.NewRecorder()
	fx.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s = %d: %s\nserver log: %s", req.Method, req.URL, rec.Code, rec.Body, fx.logBuf)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s = %d with %q: %q is not a JSON answer", req.Method, req.URL, rec.Code, ct, rec.Body)
	}
	return rec
}

// send sends body with the credentials of the route's dialect.
func (fx *serverFixture) send(t *testing.T, method, path, dialect string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	switch dialect {
	case "calls":
		req.Header.Set("Authorization", "Bearer "+fx.key)
	case "genlogs":
		req.Header.Set("Access-Token", fx.access)
		req.Header.Set("X-Api-Key", fx.key)
	case "koreai":
		req.Header.Set("auth", fx.jwt)
		req.Header.Set("accountId", fx.coA)
		req.Header.Set("Content-Type", "application/json")
	}
	return fx.serve(t, req)
}

// wantDetail checks a FastAPI 422 whose every entry is located under root, and returns them.
func wantDetail(t *testing.T, rec *httptest.ResponseRecorder, root string) []ValidationError {
	t.Helper()
	var body struct {
		Detail []ValidationError `json:"detail"`
	}
	if rec.Code != http.StatusUnprocessableEntity || json.Unmarshal(rec.Body.Bytes(), &body) != nil || len(body.Detail) == 0 {
		t.Fatalf("got %d %s, want a 422 {\"detail\": [...]}", rec.Code, rec.Body)
	}
	for _, e := range body.Detail {
		if len(e.Loc) == 0 || e.Loc[0] != root || e.Msg == "" || e.Type == "" {
			t.Fatalf("malformed detail entry %+v in %s", e, rec.Body)
		}
	}
	return body.Detail
}

// wantAPIError checks the calls API's error envelope.
func wantAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var e apiError
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Status != "error" || e.ErrorCode != code || e.Message == "" {
		t.Fatalf("got %d %s, want %d with error_code %s", rec.Code, rec.Body, status, code)
	}
}

// contactModel is what the store's deletion engine knows of an id: A's contact or not, with an
// active call or not, and how many calls it has.
func contactModel(id string) (owned, active bool, calls int) {
	for _, c := range fxContacts {
		if c.id == id && !c.b {
			owned = true
		}
	}
	for _, c := range fxCalls {
		if c.contact == id && !c.b {
			calls++
			active = active || !store.IsTerminal(c.status)
		}
	}
	return owned, owned && active, calls
}

// distinctIDs is the store's view of requested ids: canonical when a UUID, distinct, in order.
func distinctIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			id = u.String()
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func decodeJSONBody(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
}

// FuzzBulkDeleteHTTP sends a fuzzed body to each bulk delete on a real server (route%4: the calls
// API's call and contact bulk deletes, GenLogs's, Kore.ai's) with valid credentials. No answer is
// a 5xx; an answer that is not 2xx changed no row; a 2xx deleted exactly what it reports (the row
// counts before and after agree with its numbers) and company B's rows never go; and the status
// and numbers are the model's: the decoder's verdict on the body, then the deletion engine's
// verdict on each id (unknown, other company's, active call, deletable).
func FuzzBulkDeleteHTTP(f *testing.F) {
	ids := func(name string, ids ...string) []byte {
		b, _ := json.Marshal(map[string][]string{name: ids})
		return b
	}
	seeds := []struct {
		route uint8
		body  []byte
	}{
		{0, ids("call_ids", fxCL(1), fxCL(4), fxCLB, fxCL(9))}, {0, ids("call_ids", strings.ToUpper(fxCL(2)), fxCL(2))}, {0, ids("call_ids")},
		{0, []byte(`{"call_ids":["` + fxCL(1) + `"]}}`)}, {0, []byte(`{"call_ids":[null]}`)}, {0, []byte(``)},
		{1, ids("contact_ids", fxCT1, fxCT3)}, {1, ids("contact_ids", fxCT1, fxCT2, fxCTB, "x")}, {1, []byte(`{"contact_ids":["` + fxCT1 + `","` + fxCT2 + `"],"all_or_none":true}`)},
		{1, []byte(`{"contact_ids":["` + fxCT1 + `"],"dry_run":true}`)}, {1, []byte(`{"contact_ids":["` + fxCT1 + `"],"dry_run":"yes"}`)}, {1, []byte(`{"contact_ids":[]}`)},
		{2, ids("contact_ids", fxCT1, fxCT3)}, {2, ids("contact_ids", fxCT1, fxCT2)}, {2, ids("contact_ids", fxCT1, fxCTB)}, {2, ids("contact_ids", "nope")},
		{2, []byte("\v" + string(ids("contact_ids", fxCT3)))}, {2, []byte(`{}`)},
		{3, ids("ids", fxCT1, fxCT2, fxCTB, "nope", strings.ToUpper(fxCT1))}, {3, ids("id", fxCT3)}, {3, []byte(`{"ids":[null]}`)}, {3, []byte(`{"ids":["a"],"id":["b"]}`)},
		{3, []byte(`[]`)}, {3, []byte(`{"ids":` + strings.Repeat("[", 100) + `}`)},
	}
	for _, s := range seeds {
		f.Add(s.route, s.body)
	}
	fx := newServerFixture(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		before := fx.base
		var rec *httptest.ResponseRecorder
		switch route % 4 {
		case 0:
			rec = fx.send(t, http.MethodPost, "/v1/call/bulk-delete", "calls", body)
		case 1:
			rec = fx.send(t, http.MethodPost, "/v1/contact/bulk-delete", "calls", body)
		case 2:
			rec = fx.send(t, http.MethodDelete, "/onboarded-carrier/bulk/contacts", "genlogs", body)
		case 3:
			rec = fx.send(t, http.MethodDelete, "/agentassist/api/v1/public/st-1/contacts/bulk-delete", "koreai", body)
		}
		after := fx.rows(t)
		if after != before {
			defer fx.reset(t)
		}
		ok := rec.Code/100 == 2
		if !ok && after != before {
			t.Fatalf("route %d answered %d %s, yet rows changed:\n%s\nwere\n%s", route%4, rec.Code, rec.Body, after.rows, before.rows)
		}
		if after.bRows != before.bRows {
			t.Fatalf("company B's rows changed: %s", rec.Body)
		}
		gone := func(calls, contacts int) {
			t.Helper()
			if before.calls-after.calls != calls || before.contacts-after.contacts != contacts ||
				before.messages-after.messages != calls*fxMessagesPerCall || after.logs != before.logs || after.detached-before.detached != calls*fxLogsPerCall {
				t.Fatalf("answer %s reports %d calls of %d contacts deleted; rows before %+v after %+v", rec.Body, calls, contacts, before, after)
			}
		}
		switch route % 4 {
		case 0: // POST /v1/call/bulk-delete
			m, isObj := strictObject(body)
			ids, valid := uuidListModel(m["call_ids"], store.MaxBulkDelete)
			valid = valid && isObj
			if ok {
				var res struct{ Deleted *int }
				decodeJSONBody(t, rec, &res)
				if res.Deleted == nil {
					t.Fatalf("200 without deleted: %s", rec.Body)
				}
				gone(*res.Deleted, 0)
			}
			if !valid {
				wantDetail(t, rec, "body")
				return
			}
			want := 0 // A's terminal calls among the ids
			for _, c := range fxCalls {
				if !c.b && store.IsTerminal(c.status) && slices.Contains(ids, c.id) {
					want++
				}
			}
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"deleted":%d}`, want)) {
				t.Fatalf("%s: got %d %s, want 200 deleted %d", body, rec.Code, rec.Body, want)
			}
		case 1: // POST /v1/contact/bulk-delete
			m, isObj := strictObject(body)
			ids, valid := uuidListModel(m["contact_ids"], store.MaxContactDeleteIDs)
			valid = valid && isObj && fieldsOK(m, opt("all_or_none", kBool), opt("dry_run", kBool))
			var res contactBulkDeleteResponse
			if ok {
				decodeJSONBody(t, rec, &res)
				if res.DryRun {
					gone(0, 0)
				} else {
					gone(int(res.CallsDeleted), res.Deleted)
				}
				if res.MessagesDeleted != res.CallsDeleted*fxMessagesPerCall || res.LogsDetached != res.CallsDeleted*fxLogsPerCall {
					t.Fatalf("effects do not add up: %s", rec.Body)
				}
			}
			if !valid {
				wantDetail(t, rec, "body")
				return
			}
			aon, _ := m["all_or_none"].(bool)
			dry, _ := m["dry_run"].(bool)
			var wantResults []store.ContactOutcome
			deleted, failed, calls := 0, 0, 0
			for _, id := range ids {
				owned, active, n := contactModel(id)
				o := store.OutcomeDeleted
				switch {
				case !owned:
					o, failed = store.OutcomeNotFound, failed+1
				case active:
					o, failed = store.OutcomeHasActiveCall, failed+1
				default:
					deleted, calls = deleted+1, calls+n
				}
				wantResults = append(wantResults, store.ContactOutcome{ID: id, Outcome: o})
			}
			if aon && failed > 0 {
				for i := range wantResults {
					if wantResults[i].Outcome == store.OutcomeDeleted {
						wantResults[i].Outcome = store.OutcomeSkipped
					}
				}
				var c contactBulkDeleteConflict
				if rec.Code != http.StatusConflict || json.Unmarshal(rec.Body.Bytes(), &c) != nil || !reflect.DeepEqual(c.Results, wantResults) || c.DryRun != dry {
					t.Fatalf("%s: got %d %s, want 409 with %v", body, rec.Code, rec.Body, wantResults)
				}
				return
			}
			want := contactBulkDeleteResponse{Deleted: deleted, CallsDeleted: int64(calls), MessagesDeleted: int64(calls * fxMessagesPerCall),
				LogsDetached: int64(calls * fxLogsPerCall), DryRun: dry, Results: wantResults}
			if rec.Code != http.StatusOK || !reflect.DeepEqual(res, want) {
				t.Fatalf("%s: got %d %s, want 200 %+v", body, rec.Code, rec.Body, want)
			}
		case 2: // DELETE /onboarded-carrier/bulk/contacts
			ids, valid := genlogsModel(body)
			if ok {
				var res struct{ Contacts []deletedContact }
				decodeJSONBody(t, rec, &res)
				calls := 0
				for _, c := range res.Contacts {
					_, _, n := contactModel(c.ID)
					calls += n
					if !c.Deleted {
						t.Fatalf("not deleted in a 200: %s", rec.Body)
					}
				}
				gone(calls, len(res.Contacts))
			}
			if !valid {
				var d struct{ Detail string }
				if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &d) != nil || d.Detail == "" {
					t.Fatalf("%q: got %d %s, want 400 with a detail", body, rec.Code, rec.Body)
				}
				return
			}
			wantStatus, notFound, busy := http.StatusOK, false, false
			for _, id := range ids {
				owned, active, _ := contactModel(id)
				notFound, busy = notFound || !owned, busy || active
			}
			if notFound {
				wantStatus = http.StatusNotFound
			} else if busy {
				wantStatus = http.StatusConflict
			}
			if rec.Code != wantStatus {
				t.Fatalf("%q: got %d %s, want %d", body, rec.Code, rec.Body, wantStatus)
			}
			if ok {
				var res struct{ Contacts []deletedContact }
				decodeJSONBody(t, rec, &res)
				if len(res.Contacts) != len(distinctIDs(ids)) {
					t.Fatalf("%q: %d contacts reported, %d distinct ids sent", body, len(res.Contacts), len(distinctIDs(ids)))
				}
			}
		case 3: // DELETE /agentassist/api/v1/public/{streamId}/contacts/bulk-delete
			ids, valid := koreaiModel(body)
			var res koreaiBulkDeleteResponse
			if ok {
				decodeJSONBody(t, rec, &res)
				calls := 0
				for _, r := range res.SuccessfulRecords {
					_, _, n := contactModel(r.ID)
					calls += n
				}
				gone(calls, res.Successful)
				if res.Successful != len(res.SuccessfulRecords) || res.Failed != len(res.FailedRecords) || res.TotalRequested != res.Successful+res.Failed {
					t.Fatalf("counts do not add up: %s", rec.Body)
				}
			}
			if !valid {
				var e struct{ Errors []koreaiErrorItem }
				if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &e) != nil || len(e.Errors) != 1 || e.Errors[0].Code != "INVALID_BODY" || e.Errors[0].Msg == "" {
					t.Fatalf("%q: got %d %s, want 400 INVALID_BODY", body, rec.Code, rec.Body)
				}
				return
			}
			want := koreaiBulkDeleteResponse{SuccessfulRecords: []koreaiRecord{}, FailedRecords: []koreaiFailedRecord{}}
			for _, id := range distinctIDs(ids) {
				owned, active, _ := contactModel(id)
				switch {
				case !owned:
					want.FailedRecords = append(want.FailedRecords, koreaiFailedRecord{ID: id, Reason: store.OutcomeNotFound})
				case active:
					want.FailedRecords = append(want.FailedRecords, koreaiFailedRecord{ID: id, Reason: store.OutcomeHasActiveCall})
				default:
					want.SuccessfulRecords = append(want.SuccessfulRecords, koreaiRecord{ID: id})
				}
			}
			want.Successful, want.Failed = len(want.SuccessfulRecords), len(want.FailedRecords)
			want.TotalRequested = want.Successful + want.Failed
			if rec.Code != http.StatusOK || !reflect.DeepEqual(res, want) {
				t.Fatalf("%q: got %d %s, want 200 %+v", body, rec.Code, rec.Body, want)
			}
		}
	})
}

// FuzzWriteHTTP sends a fuzzed body to each endpoint that writes from a JSON body (route%7: create
// a call, patch a call, append messages, append logs, import NDJSON, create an API key, patch an API
// key) on a real server. No answer is a 5xx; an answer that is not 2xx changed no row; a body the
// model refuses is a 422 located in the body (the import reports it as a failed line instead),
// one it accepts is never a 422; a 2xx wrote what it says (rows added match the answer).
func FuzzWriteHTTP(f *testing.F) {
	seeds := []struct {
		route uint8
		body  string
	}{
		{0, `{"from_number":"+34600000001","to_number":"+34600000099","type":"inbound"}`}, {0, `{"from_number":"a","to_number":"b","start_time":"2026-01-02T00:00:00Z","end_time":"2026-01-01T00:00:00Z"}`},
		{0, `{"from_number":" ","to_number":" "}`}, {0, `{"from_number":"a"}`}, {0, `{"from_number":"a","to_number":"b"}}`},
		{1, `{"status":"completed","end_time":"2026-01-01T05:00:00Z","end_reason":"hangup"}`}, {1, `{"status":null}`}, {1, `{"dynamic_variables":{"a":1}}`},
		{1, `{"start_time":"2026-01-01T06:00:00Z","end_time":"2026-01-01T05:00:00Z"}`}, {1, `{}`},
		{2, `{"role":"user","content":"hi"}`}, {2, `[{"role":"tool","tool_call":{"tool_name":"hangup","payload":{},"status":"success"}},{"role":"assistant"}]`}, {2, `[]`},
		{3, `{"level":"INFO","category":"USER","event":"e"}`}, {3, `{"level":"INFO","category":"USER","event":""}`}, {3, `[{"level":"ERROR","category":"AGENT","event":"x","data":{}}]`},
		{4, `{"contact":{"identifier":"+34600000077"},"status":"completed","messages":[{"role":"user"}],"logs":[{"level":"INFO","category":"USER","event":"e"}]}` + "\n" + `{"id":"` + fxCL(1) + `","from_number":"a","to_number":"b"}` + "\nnope\n"},
		{4, `{"contact":{"identifier":"x"},"duration":-1}`}, {4, ""},
		{5, `{"name":"k","restricted":true,"permissions":["calls.view","calls.view"]}`}, {5, `{"name":"k","restricted":false,"permissions":["calls.view"]}`},
		{5, `{"name":"k","restricted":true,"permissions":["nope"],"expiry_date":"2020-01-01T00:00:00Z"}`}, {5, `{"name":" ","restricted":false}`},
		{6, `{"name":"renamed","restricted":true,"permissions":["contacts.view"]}`}, {6, `{"permissions":null}`}, {6, `{"restricted":"no"}`},
	}
	for _, s := range seeds {
		f.Add(s.route, []byte(s.body))
	}
	fx := newServerFixture(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		before := fx.base
		routes := []struct{ method, path string }{
			{http.MethodPost, "/v1/call/"}, {http.MethodPatch, "/v1/call/" + fxCL(4)}, {http.MethodPost, "/v1/call/" + fxCL(4) + "/message"},
			{http.MethodPost, "/v1/log/call/" + fxCL(4)}, {http.MethodPost, "/v1/call/import"}, {http.MethodPost, "/v1/api_key/"},
			{http.MethodPatch, "/v1/api_key/" + fx.victim},
		}
		r := int(route) % len(routes)
		rec := fx.send(t, routes[r].method, routes[r].path, "calls", body)
		after := fx.rows(t)
		if after != before {
			defer fx.reset(t)
		}
		ok := rec.Code/100 == 2
		if !ok && after != before {
			t.Fatalf("%s %s answered %d %s, yet rows changed:\n%s\nwere\n%s", routes[r].method, routes[r].path, rec.Code, rec.Body, after.rows, before.rows)
		}
		if r == 4 { // the import answers 200 and reports bad lines
			checkImport(t, rec, body, before, after)
			return
		}
		m, isObj := strictObject(body)
		var valid bool
		var added func() bool // what a 2xx must have written
		switch r {
		case 0:
			valid = isObj && callModelOK(m, false)
			added = func() bool {
				return after.calls == before.calls+1 && after.messages == before.messages && after.logs == before.logs
			}
		case 1:
			valid = isObj && fieldsOK(m, opt("start_time", kTime), opt("end_time", kTime), opt("end_reason", kString), opt("recording_url", kString),
				opt("dynamic_variables", kObject)) && (!has(m, "status") || m["status"] != nil && valueOK(m["status"], kEnum, store.CallStatuses))
			added = func() bool {
				return after.calls == before.calls && after.contacts == before.contacts && after.messages == before.messages
			}
		case 2, 3:
			items, _, structureOK := itemsModel(body, store.MaxAppend)
			valid = structureOK
			for _, it := range items {
				valid = valid && (r == 2 && messageModelOK(it, false) || r == 3 && logModelOK(it, false))
			}
			added = func() bool {
				var out []json.RawMessage
				if json.Unmarshal(rec.Body.Bytes(), &out) != nil || len(out) != len(items) {
					return false
				}
				if r == 2 {
					return after.messages == before.messages+len(items) && after.logs == before.logs
				}
				return after.logs == before.logs+len(items) && after.messages == before.messages
			}
		case 5, 6:
			valid = isObj && fieldsOK(m, spec{name: "name", kind: kString, required: r == 5}, spec{name: "restricted", kind: kBool, required: r == 5}, opt("expiry_date", kTime))
			if r == 6 {
				valid = isObj && fieldsOK(m, opt("name", kString), opt("restricted", kBool))
			}
			if p := m["permissions"]; p != nil {
				list, isList := p.([]any)
				valid = valid && isList && !slices.ContainsFunc(list, func(v any) bool { s, ok := v.(string); return !ok || !store.ValidPermission(s) })
			}
			added = func() bool {
				if r == 5 { // a new key; a patch changes one
					return after.keys == before.keys+1
				}
				return after.keys == before.keys
			}
		}
		if !valid {
			wantDetail(t, rec, "body")
			return
		}
		if rec.Code == http.StatusUnprocessableEntity {
			t.Fatalf("%s %s %q: the model accepts the body, the server answered %s", routes[r].method, routes[r].path, body, rec.Body)
		}
		if ok && !added() {
			t.Fatalf("%s %s %q = %d %s: rows before %+v after %+v", routes[r].method, routes[r].path, body, rec.Code, rec.Body, before, after)
		}
	})
}

// checkImport checks POST /v1/call/import: a 200 that accounts for every non-blank line (imported
// or failed), lists as failed at least every line the model refuses (with the decoder's reason),
// and wrote exactly the calls it says it imported.
func checkImport(t *testing.T, rec *httptest.ResponseRecorder, body []byte, before, after snapshot) {
	t.Helper()
	var res store.ImportResult
	if rec.Code != http.StatusOK {
		t.Fatalf("import = %d %s, want 200", rec.Code, rec.Body)
	}
	decodeJSONBody(t, rec, &res)
	lines := 0
	failed := map[int]string{}
	for _, fl := range res.Failed {
		failed[fl.Line] = fl.ErrorCode
	}
	for i, line := range bytes.SplitAfter(body, []byte("\n")) {
		if i == 0 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		lines++
		if res.FailedCount > store.MaxImportFailures {
			continue // not every failure is listed
		}
		m, isObj := strictObject(line)
		code := failed[i+1]
		switch {
		case !isObj && code != "INVALID_JSON":
			t.Fatalf("line %d %q is not a JSON object; import says %q: %s", i+1, line, code, rec.Body)
		case isObj && !importModelOK(m) && code != "VALIDATION_ERROR":
			t.Fatalf("line %d %q is invalid; import says %q: %s", i+1, line, code, rec.Body)
		case isObj && importModelOK(m) && (code == "VALIDATION_ERROR" || code == "INVALID_JSON"):
			t.Fatalf("line %d %q is valid; import says %q: %s", i+1, line, code, rec.Body)
		}
	}
	if res.Imported+res.FailedCount != int64(lines) || int64(len(res.Failed)) != min(res.FailedCount, store.MaxImportFailures) {
		t.Fatalf("%d non-blank lines, import says %s", lines, rec.Body)
	}
	if after.calls != before.calls+int(res.Imported) {
		t.Fatalf("import says %d imported; calls %d -> %d", res.Imported, before.calls, after.calls)
	}
}
