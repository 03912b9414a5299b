package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/store"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

func init() {
	// The export's body is NDJSON, which kin-openapi does not decode: it is checked here as the
	// string the document declares, and each of its lines against CallExportLine by the tests.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}

// newFileEnv is newEnv over a database of its own readers (dbtest.OpenFile): an export reads one
// snapshot on a reader while the writer goes on.
func newFileEnv(tb testing.TB) *testEnv {
	tb.Helper()
	return newEnvOn(tb, dbtest.OpenFile(tb), nil)
}

// exported is what GET /v1/call/export answered, read to its end.
type exported struct {
	*response
	Trailer http.Header
	ReadErr error // set when the body was cut off
}

// export requests GET /v1/call/export?query with key and reads the whole answer.
func (e *testEnv) export(key, query string) exported {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.Server.URL+"/v1/call/export"+query, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(resp.Body)
	out := exported{response: &response{Status: resp.StatusCode, Header: resp.Header, Body: body}, Trailer: resp.Trailer, ReadErr: readErr}
	if readErr == nil {
		validateResponse(e.t, req, out.response)
	}
	return out
}

// wantComplete checks a whole export: 200, NDJSON, the trailers of a complete export with the
// count of its lines, and every line valid against the document's CallExportLine. It returns the
// ids of the lines' calls.
func wantComplete(t *testing.T, x exported) []string {
	t.Helper()
	if x.ReadErr != nil {
		t.Fatalf("the export was cut off: %v", x.ReadErr)
	}
	wantStatus(t, x.response, http.StatusOK)
	if ct := x.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type = %q", ct)
	}
	lines := strings.Split(strings.TrimSuffix(string(x.Body), "\n"), "\n")
	if len(x.Body) == 0 {
		lines = nil
	}
	if x.Trailer.Get("X-Export-Complete") != "true" || x.Trailer.Get("X-Export-Calls") != fmt.Sprint(len(lines)) {
		t.Fatalf("trailers = %v for %d lines", x.Trailer, len(lines))
	}
	schema := servedDoc(t).Doc.Components.Schemas["CallExportLine"]
	if schema == nil {
		t.Fatal("the served document has no CallExportLine schema")
	}
	ids := make([]string, len(lines))
	values := make([]any, len(lines))
	for i, line := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", i+1, err)
		}
		ids[i], _ = v["id"].(string)
		values[i] = v
	}
	// All lines at once (the validator is compiled per call): an error names the line's index.
	all := openapi3.NewArraySchema()
	all.Items = schema
	if err := all.VisitJSON(values, append(formatChecks, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())...); err != nil {
		t.Fatalf("lines do not validate against CallExportLine: %v", err)
	}
	return ids
}

// exportLines is an import body of n calls of varied shape: statuses, types, agents, contacts of
// both types, microsecond times, a tool call, logs with and without data and trace id.
func exportLines(n int) []byte {
	var b bytes.Buffer
	base := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		at := base.Add(time.Duration(i)*time.Minute + time.Duration(i)*time.Microsecond)
		line := map[string]any{
			"id":           fmt.Sprintf("0190a1b2-0000-7000-8100-%012d", i),
			"status":       store.CallStatuses[i%len(store.CallStatuses)],
			"type":         store.CallTypes[i%2],
			"created_date": at.Format(time.RFC3339Nano),
			"contact":      map[string]any{"identifier": fmt.Sprintf("+3460%07d", i%23), "contact_type": "call"},
			"messages": []any{
				map[string]any{"role": "assistant", "content": fmt.Sprintf("Hola <%d> & bienvenida", i), "created_date": at.Add(time.Second).Format(time.RFC3339Nano)},
				map[string]any{"role": "user", "content": nil},
				map[string]any{"role": "tool", "tool_call": map[string]any{"function_name": "book", "payload": map[string]any{"day": "lunes", "n": i}, "status": "success"}},
			},
			"logs": []any{
				map[string]any{"level": "INFO", "category": "CALL_LIFECYCLE", "event": "call.started", "trace_id": fmt.Sprintf("trace-%d", i), "data": map[string]any{"sip": 200}},
				map[string]any{"level": "WARNING", "category": "AGENT", "event": "agent.slow"},
			},
		}
		if i%3 == 0 {
			line["contact"] = map[string]any{"identifier": fmt.Sprintf("visitor-%d", i%5), "contact_type": "web"}
		}
		if i%4 == 0 {
			line["agent_id"] = fmt.Sprintf("0190a1b2-0000-7000-8200-%012d", i%8)
			line["dynamic_variables"] = map[string]any{"customer": "Zoë", "tags": []any{"a", "b"}}
		}
		if store.IsTerminal(line["status"].(string)) {
			line["start_time"] = at.Format(time.RFC3339Nano)
			line["end_time"] = at.Add(95*time.Second + 250*time.Millisecond).Format(time.RFC3339Nano)
			line["recording_url"] = fmt.Sprintf("https://rec.example/%d.wav?x=1&y=2", i)
			line["end_reason"] = "user_hangup"
		}
		enc, _ := json.Marshal(line)
		b.Write(enc)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestCallExport: the export of a company is its calls that match the list's filters, oldest
// first, in the import's format, and nothing of another company; importing it into an empty
// database file and exporting again gives the same bytes.
func TestCallExport(t *testing.T) {
	e := newFileEnv(t)
	if res := e.importNDJSON(e.Key, append(exportLines(300), readImportFixture(t, "import_good.ndjson")...)); res.Imported != 306 || res.FailedCount != 0 {
		t.Fatalf("import = %+v", res)
	}
	_, otherKey := e.newCompany("other")
	if res := e.importNDJSON(otherKey, []byte(`{"contact":{"identifier":"+34600000001"},"status":"completed","messages":[{"role":"user","content":"other"}]}`+"\n")); res.Imported != 1 {
		t.Fatalf("import = %+v", res)
	}
	all := e.export(e.Key, "")
	ids := wantComplete(t, all)
	if len(ids) != 306 {
		t.Fatalf("exported %d calls, want 306", len(ids))
	}

	t.Run("RoundTrip", func(t *testing.T) {
		e2 := newFileEnv(t)
		if res := e2.importNDJSON(e2.Key, all.Body); res.Imported != 306 || res.FailedCount != 0 {
			t.Fatalf("import of the export = %+v", res)
		}
		again := e2.export(e2.Key, "")
		wantComplete(t, again)
		if !bytes.Equal(again.Body, all.Body) {
			a, b := strings.Split(string(all.Body), "\n"), strings.Split(string(again.Body), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("line %d changed in the round trip:\n first %s\nsecond %s", i+1, a[i], b[i])
				}
			}
			t.Fatalf("the round trip changed the export: %d bytes, then %d", len(all.Body), len(again.Body))
		}
	})

	t.Run("SameCallsAsTheList", func(t *testing.T) {
		contact, err := e.Store.GetCall(context.Background(), store.Principal{CompanyID: e.Company.ID}, "0190a1b2-0000-7000-8000-000000000001")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []url.Values{
			{},
			{"status": {"completed"}},
			{"type": {"inbound"}, "status": {"in_progress"}},
			{"agent_id": {"0190a1b2-0000-7000-8200-000000000004"}},
			{"contact_id": {contact.Contact.ID}},
			{"phone_id": {"0190a1b2-0000-7000-8000-0000000000a3"}},
			{"start_created_date": {"2025-05-01T09:00:00.000060Z"}, "end_created_date": {"2025-05-01T10:00:00Z"}},
			{"status": {"no_answer"}, "type": {"outbound"}},
		} {
			var want []string
			lq := url.Values{"order": {"asc"}, "limit": {"1000"}}
			for k, v := range q {
				lq[k] = v
			}
			for _, c := range e.getPage(t, "/v1/call/?"+lq.Encode(), e.Key).Data {
				want = append(want, c["id"].(string))
			}
			got := wantComplete(t, e.export(e.Key, "?"+q.Encode()))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("export?%s = %d calls %v\nthe list has %d: %v", q.Encode(), len(got), got, len(want), want)
			}
			if len(q) > 0 && (len(got) == 0 || len(got) == len(ids)) {
				t.Fatalf("the filter %s selects %d of %d calls: it tests nothing", q.Encode(), len(got), len(ids))
			}
		}
	})

	t.Run("OtherCompany", func(t *testing.T) {
		if bytes.Contains(all.Body, []byte(`"other"`)) {
			t.Fatal("another company's call is in the export")
		}
		theirs := wantComplete(t, e.export(otherKey, ""))
		if len(theirs) != 1 || strings.Contains(string(all.Body), theirs[0]) {
			t.Fatalf("the other company exported %v", theirs)
		}
		_, empty := e.newCompany("empty")
		if got := wantComplete(t, e.export(empty, "")); len(got) != 0 {
			t.Fatalf("an empty company exported %v", got)
		}
	})

	t.Run("Permissions", func(t *testing.T) {
		wantError(t, e.export("", "").response, http.StatusUnauthorized, "INVALID_API_KEY")
		for _, c := range []struct {
			perms []string
			msg   string
		}{
			{[]string{"messages.view", "logs.view"}, "Missing required permissions to view calls"},
			{[]string{"calls.view", "logs.view"}, "Missing required permissions to view messages"},
			{[]string{"calls.view", "messages.view"}, "Missing required permissions to view logs"},
		} {
			r := e.export(e.keyWith(c.perms...), "?status=bogus")
			wantError(t, r.response, http.StatusForbidden, "INTERNAL_SERVER_ERROR")
			if m := r.Map(t); m["message"] != c.msg {
				t.Fatalf("%v: message = %v, want %q", c.perms, m["message"], c.msg)
			}
		}
		if got := wantComplete(t, e.export(e.keyWith("calls.view", "messages.view", "logs.view"), "")); len(got) != len(ids) {
			t.Fatalf("a key with the three permissions exported %d calls", len(got))
		}
	})

	t.Run("BadQuery", func(t *testing.T) {
		wantValidation(t, e.export(e.Key, "?status=bogus").response, "query", "status")
		wantValidation(t, e.export(e.Key, "?contact_id=nope").response, "query", "contact_id")
		wantValidation(t, e.export(e.Key, "?start_created_date=yesterday").response, "query", "start_created_date")
		wantValidation(t, e.export(e.Key, "?status=completed&status=failed").response, "query", "status")
		wantValidation(t, e.export(e.Key, "?status=completed;type=inbound").response, "query", "status")
		for _, p := range []string{"limit=10", "page=1", "order=desc", "after=" + ids[0], "before=" + ids[1]} {
			name, _, _ := strings.Cut(p, "=")
			wantValidation(t, e.export(e.Key, "?"+p).response, "query", name)
		}
		// Unknown parameters are ignored, as everywhere in the API.
		if got := wantComplete(t, e.export(e.Key, "?utm_source=x")); len(got) != len(ids) {
			t.Fatalf("exported %d calls", len(got))
		}
	})
}

// TestCallExportCutOff: when the export fails after the 200 is sent, the body is cut off (the
// client's read fails) and the trailers of a complete export are missing.
func TestCallExportCutOff(t *testing.T) {
	e := newFileEnv(t)
	if res := e.importNDJSON(e.Key, exportLines(300)); res.Imported != 300 {
		t.Fatalf("import = %+v", res)
	}
	// A row written around the store's rules, with dynamic_variables that are not JSON: the
	// export cannot write it, long after its first lines are out (it is the newest call).
	q := e.queries()
	good, err := q.GetCall(context.Background(), sqlcdb.GetCallParams{CompanyID: e.Company.ID, ID: "0190a1b2-0000-7000-8100-000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	bad := sqlcdb.CreateCallParams(good)
	bad.ID, bad.CreatedDate, bad.DynamicVariables = store.NewID(), time.Now().UnixMicro(), ptr(`{"broken":`)
	if err := q.CreateCall(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	x := e.export(e.Key, "")
	if x.Status != http.StatusOK || x.ReadErr == nil || x.Trailer.Get("X-Export-Complete") != "" {
		t.Fatalf("status %d, read error %v, trailers %v: want 200, a cut-off body and no trailers", x.Status, x.ReadErr, x.Trailer)
	}
	if !bytes.HasPrefix(x.Body, []byte(`{"id":"0190a1b2-0000-7000-8100-000000000000"`)) || bytes.Contains(x.Body, []byte(bad.ID)) {
		t.Fatalf("the cut-off body (%d bytes) should hold the first lines and not the bad one", len(x.Body))
	}
}
