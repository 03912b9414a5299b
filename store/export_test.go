package store_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/store"
)

// exportFixture is a company with varied calls in a database file (dbtest.OpenFile: an export reads
// one snapshot on a reader of its own), and another company whose calls must never show up in the
// first one's export.
type exportFixture struct {
	*ingestEnv
	other store.Principal
	full  string // the id of the call with every field set
}

// exportID is a fixed UUID of kind k (1 calls, 2 messages, 3 logs) and number n.
func exportID(k, n int) string { return fmt.Sprintf("0190a1b2-0000-7000-800%d-%012d", k, n) }

func newExportFixture(t *testing.T, bulk int) *exportFixture {
	t.Helper()
	e := newIngestEnvOn(t, dbtest.OpenFile(t))
	f := &exportFixture{ingestEnv: e, other: e.newPrincipal(t, "other"), full: exportID(1, 1)}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	lines := []store.ImportLine{
		{Call: store.ImportCall{ // every field, microsecond times, JSON with characters an HTML-safe encoder escapes
			Call: store.CallInput{ID: f.full, Type: "inbound", Status: "completed",
				Contact: &store.ContactInput{Identifier: "+34600000001", ContactType: "call"},
				AgentID: ptrOf(exportID(9, 1)), AgentVersionID: ptrOf(exportID(9, 2)), PhoneRegisterID: ptrOf(exportID(9, 3)),
				RecordingURL: ptrOf("https://rec.example/1.wav?a=1&b=<2>"), EndReason: ptrOf("user_hangup"),
				StartTime: at("2025-03-01T09:00:00.123456Z"), EndTime: at("2025-03-01T09:03:20.75Z"), Duration: ptrOf(int64(201)),
				DynamicVariables: json.RawMessage(`{"name":"Zoë <&> \u2028","n":[1,2.5,null],"deep":{"x":true}}`),
				CreatedDate:      at("2025-03-01T08:59:58.000001Z")},
			Messages: []store.MessageInput{
				{ID: exportID(2, 1), Role: "assistant", Content: ptrOf("Hola, ¿en qué puedo ayudar?\n\"quoted\""), CreatedDate: at("2025-03-01T09:00:01.5Z")},
				{ID: exportID(2, 2), Role: "user", Content: ptrOf("Quiero una cita"), CreatedDate: at("2025-03-01T09:00:03.000002Z")},
				{ID: exportID(2, 3), Role: "tool", ToolCall: json.RawMessage(`{"function_name":"book","payload":{"day":"monday"},"status":"success","type":"function"}`), CreatedDate: at("2025-03-01T09:00:04Z")},
			},
			Logs: []store.LogInput{
				{ID: exportID(3, 1), Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.started", Timestamp: at("2025-03-01T09:00:00.123456Z"), TraceID: ptrOf("4bf92f3577b34da6"), Data: json.RawMessage(`{"sip":"ok"}`)},
				{ID: exportID(3, 2), Level: "ERROR", Category: "CALL_TOOLS", Event: "tool.failed", Timestamp: at("2025-03-01T09:00:04Z")},
			},
		}},
		{Call: store.ImportCall{Call: store.CallInput{ // the bare minimum: a live call in progress, no times, a web contact
			ID: exportID(1, 2), Status: "in_progress", Contact: &store.ContactInput{Identifier: "visitor-7", ContactType: "web"},
			CreatedDate: at("2025-03-02T10:00:00Z")}}},
		{Call: store.ImportCall{Call: store.CallInput{ // same created date as the next one: ordered by id
			ID: exportID(1, 4), Status: "dialing", Type: "outbound", Contact: &store.ContactInput{Identifier: "+34600000002"},
			CreatedDate: at("2025-03-03T10:00:00Z")},
			Messages: []store.MessageInput{{ID: exportID(2, 4), Role: "user", CreatedDate: at("2025-03-03T10:00:01Z")}}}},
		{Call: store.ImportCall{Call: store.CallInput{
			ID: exportID(1, 3), Status: "no_answer", Type: "outbound", Contact: &store.ContactInput{Identifier: "+34600000001"},
			CreatedDate: at("2025-03-03T10:00:00Z"), StartTime: at("2025-03-03T10:00:00Z"), EndTime: at("2025-03-03T10:00:30Z")}}},
	}
	for i := range bulk { // enough calls for several chunks
		lines = append(lines, goodImportLine(100+i, fmt.Sprintf("+3461%07d", i%37), 3, 2))
	}
	for i := range lines {
		lines[i].Line = i + 1
	}
	f.mustImport(t, f.S, f.P, lines)
	f.mustImport(t, f.S, f.other, []store.ImportLine{goodImportLine(1, "+34600000001", 2, 1)})
	// A call recorded live, through the append endpoints' store methods.
	live := e.mustCall(t, store.CallInput{FromNumber: "+34999", ToNumber: "+34600000003"})
	if _, err := e.S.AppendMessages(e.ctx, e.P, live.ID, []store.MessageInput{{Role: "assistant", Content: ptrOf("hi")}, {Role: "user"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S.AppendLogs(e.ctx, e.P, live.ID, []store.LogInput{{Level: "DEBUG", Category: "USER", Event: "e", Data: json.RawMessage(`{"k": "v"}`)}}); err != nil {
		t.Fatal(err)
	}
	// A deleted call leaves its log entries behind, with no call: they belong to no line.
	gone := e.mustCall(t, store.CallInput{FromNumber: "+34999", ToNumber: "+34600000004", Status: "completed"})
	if _, err := e.S.AppendLogs(e.ctx, e.P, gone.ID, []store.LogInput{{Level: "INFO", Category: "USER", Event: "orphan"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.S.BulkDeleteCalls(e.ctx, e.P, []string{gone.ID}); err != nil || n != 1 {
		t.Fatalf("delete = %d, %v", n, err)
	}
	return f
}

func (f *exportFixture) mustImport(t *testing.T, s *store.Store, p store.Principal, lines []store.ImportLine) {
	t.Helper()
	res, err := s.Import(f.ctx, p, func(yield func(store.ImportLine) bool) {
		for _, l := range lines {
			if !yield(l) {
				return
			}
		}
	})
	if err != nil || res.FailedCount != 0 || res.Imported != int64(len(lines)) {
		t.Fatalf("import = %+v, %v", res, err)
	}
}

// export runs an export and returns its bytes.
func export(t testing.TB, s *store.Store, p store.Principal, f store.CallFilter) []byte {
	t.Helper()
	var out bytes.Buffer
	n, err := s.Export(t.Context(), p, f, func(line []byte) error { out.Write(line); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if lines := int64(bytes.Count(out.Bytes(), []byte("\n"))); lines != n {
		t.Fatalf("Export said %d calls and wrote %d lines", n, lines)
	}
	return out.Bytes()
}

// importLines reads an export back as import lines, with the fields POST /v1/call/import reads
// (the handlers' tests import through the endpoint itself).
func importLines(t testing.TB, data []byte) iter.Seq[store.ImportLine] {
	return func(yield func(store.ImportLine) bool) {
		for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			var l store.ExportLine
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatalf("line %d is not JSON: %v", i+1, err)
			}
			ic := store.ImportCall{Call: store.CallInput{
				ID: l.ID, AgentID: l.AgentID, AgentVersionID: l.AgentVersionID, Status: l.Status, RecordingURL: l.RecordingURL,
				StartTime: l.StartTime, EndTime: l.EndTime, Duration: l.Duration, Type: l.Type, EndReason: l.EndReason,
				Contact:         &store.ContactInput{Identifier: l.Contact.Identifier, ContactType: l.Contact.ContactType},
				PhoneRegisterID: l.PhoneRegisterID, DynamicVariables: l.DynamicVariables, CreatedDate: &l.CreatedDate,
			}}
			for _, m := range l.Messages {
				ic.Messages = append(ic.Messages, store.MessageInput{ID: m.ID, Role: m.Role, Content: m.Content, ToolCall: m.ToolCall, CreatedDate: &m.CreatedDate})
			}
			for _, g := range l.Logs {
				ic.Logs = append(ic.Logs, store.LogInput{ID: g.ID, Level: g.Level, Category: g.Category, Event: g.Event, Timestamp: &g.Timestamp, TraceID: g.TraceID, Data: g.Data})
			}
			if !yield(store.ImportLine{Line: i + 1, Call: ic}) {
				return
			}
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

// TestExportRoundTrip: export a company, import the export into an empty database, export again:
// the same bytes.
func TestExportRoundTrip(t *testing.T) {
	f := newExportFixture(t, 450)
	first := export(t, f.S, f.P, store.CallFilter{})
	if n := bytes.Count(first, []byte("\n")); n != 4+450+1 {
		t.Fatalf("exported %d calls, want %d", n, 4+450+1)
	}

	t.Run("Format", func(t *testing.T) {
		lines := strings.Split(string(first), "\n")
		want := `{"id":"0190a1b2-0000-7000-8001-000000000001","agent_id":"0190a1b2-0000-7000-8009-000000000001","agent_version_id":"0190a1b2-0000-7000-8009-000000000002",` +
			`"status":"completed","recording_url":"https://rec.example/1.wav?a=1&b=<2>","start_time":"2025-03-01T09:00:00.123456Z","end_time":"2025-03-01T09:03:20.75Z",` +
			`"duration":201,"type":"inbound","end_reason":"user_hangup","contact":{"identifier":"+34600000001","contact_type":"call"},` +
			`"phone_register_id":"0190a1b2-0000-7000-8009-000000000003","dynamic_variables":{"name":"Zoë <&> \u2028","n":[1,2.5,null],"deep":{"x":true}},` +
			`"created_date":"2025-03-01T08:59:58.000001Z","messages":[` +
			`{"id":"0190a1b2-0000-7000-8002-000000000001","created_date":"2025-03-01T09:00:01.5Z","role":"assistant","content":"Hola, ¿en qué puedo ayudar?\n\"quoted\"","tool_call":null},` +
			`{"id":"0190a1b2-0000-7000-8002-000000000002","created_date":"2025-03-01T09:00:03.000002Z","role":"user","content":"Quiero una cita","tool_call":null},` +
			`{"id":"0190a1b2-0000-7000-8002-000000000003","created_date":"2025-03-01T09:00:04Z","role":"tool","content":null,"tool_call":{"function_name":"book","payload":{"day":"monday"},"status":"success","type":"function"}}],` +
			`"logs":[{"id":"0190a1b2-0000-7000-8003-000000000001","timestamp":"2025-03-01T09:00:00.123456Z","level":"INFO","category":"CALL_LIFECYCLE","event":"call.started","call_id":"0190a1b2-0000-7000-8001-000000000001","trace_id":"4bf92f3577b34da6","data":{"sip":"ok"}},` +
			`{"id":"0190a1b2-0000-7000-8003-000000000002","timestamp":"2025-03-01T09:00:04Z","level":"ERROR","category":"CALL_TOOLS","event":"tool.failed","call_id":"0190a1b2-0000-7000-8001-000000000001","trace_id":null,"data":null}]}`
		if lines[0] != want {
			t.Fatalf("first line\n got %s\nwant %s", lines[0], want)
		}
		bare := `{"id":"0190a1b2-0000-7000-8001-000000000002","agent_id":null,"agent_version_id":null,"status":"in_progress","recording_url":null,"start_time":null,"end_time":null,` +
			`"duration":null,"type":"outbound","end_reason":null,"contact":{"identifier":"visitor-7","contact_type":"web"},"phone_register_id":null,"dynamic_variables":null,` +
			`"created_date":"2025-03-02T10:00:00Z","messages":[],"logs":[]}`
		if lines[1] != bare {
			t.Fatalf("second line\n got %s\nwant %s", lines[1], bare)
		}
		// Equal created dates: by id.
		if !strings.HasPrefix(lines[2], `{"id":"`+exportID(1, 3)) || !strings.HasPrefix(lines[3], `{"id":"`+exportID(1, 4)) {
			t.Fatalf("lines 3 and 4 = %.60s, %.60s", lines[2], lines[3])
		}
		if strings.Contains(string(first), "orphan") {
			t.Fatal("a log entry of a deleted call was exported")
		}
	})

	t.Run("ImportIntoEmptyDatabaseThenExport", func(t *testing.T) {
		e2 := newIngestEnvOn(t, dbtest.OpenFile(t))
		res, err := e2.S.Import(e2.ctx, e2.P, importLines(t, first))
		if err != nil || res.FailedCount != 0 || res.Imported != 455 {
			t.Fatalf("import = %+v, %v", res, err)
		}
		// Every field of every call arrived (a field the export left out would round-trip as
		// its default, identically): the calls read the same from both databases, but for what
		// belongs to the database (the contact's id and created date, the company).
		for line := range strings.Lines(string(first)) {
			var l store.ExportLine
			if err := json.Unmarshal([]byte(line), &l); err != nil {
				t.Fatal(err)
			}
			a, err := f.S.GetCall(f.ctx, f.P, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := e2.S.GetCall(e2.ctx, e2.P, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			a.Contact.ID, a.Contact.CreatedDate, a.Contact.CompanyID, a.CompanyID = "", time.Time{}, "", ""
			b.Contact.ID, b.Contact.CreatedDate, b.Contact.CompanyID, b.CompanyID = "", time.Time{}, "", ""
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Fatalf("call %s after the round trip:\n%s\nwas\n%s", l.ID, jb, ja)
			}
		}
		pg := store.PageRequest{Limit: 1000}
		for _, s := range []*ingestEnv{f.ingestEnv, e2} {
			msgs, err := s.S.ListMessages(s.ctx, s.P, f.full, pg)
			if err != nil {
				t.Fatal(err)
			}
			logs, err := s.S.ListCallLogs(s.ctx, s.P, f.full, store.LogFilter{}, pg)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(t, msgs) + mustJSON(t, logs); !strings.Contains(string(first), strings.Trim(mustJSON(t, msgs.Data), "[]")) ||
				!strings.Contains(string(first), strings.Trim(mustJSON(t, logs.Data), "[]")) {
				t.Fatalf("the transcript and log read back differ from the export: %s", got)
			}
		}
		second := export(t, e2.S, e2.P, store.CallFilter{})
		if !bytes.Equal(first, second) {
			a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("line %d differs after the round trip:\n first %s\nsecond %s", i+1, a[i], b[i])
				}
			}
			t.Fatalf("the round trip changed the export: %d bytes, then %d", len(first), len(second))
		}
	})

	t.Run("OtherCompany", func(t *testing.T) {
		other := export(t, f.S, f.other, store.CallFilter{})
		if n := bytes.Count(other, []byte("\n")); n != 1 {
			t.Fatalf("the other company exported %d calls, want its 1", n)
		}
		var l store.ExportLine
		if err := json.Unmarshal(other, &l); err != nil || strings.Contains(string(first), l.ID) {
			t.Fatalf("the other company's call %s is in the first company's export (%v)", l.ID, err)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		lo, hi := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			name string
			f    store.CallFilter
			want []string
		}{
			{"Status", store.CallFilter{Status: ptrOf("in_progress")}, []string{exportID(1, 2)}},
			{"Type", store.CallFilter{Type: ptrOf("inbound"), Created: store.DateRange{To: &hi}}, []string{exportID(1, 1)}},
			{"Agent", store.CallFilter{AgentID: ptrOf(exportID(9, 1))}, []string{exportID(1, 1)}},
			{"Phone", store.CallFilter{PhoneID: ptrOf(exportID(9, 3))}, []string{exportID(1, 1)}},
			{"Created", store.CallFilter{Created: store.DateRange{From: &lo, To: &hi}}, []string{exportID(1, 2), exportID(1, 3), exportID(1, 4)}},
		} {
			t.Run(c.name, func(t *testing.T) {
				var got []string
				for line := range strings.Lines(string(export(t, f.S, f.P, c.f))) {
					var l store.ExportLine
					if err := json.Unmarshal([]byte(line), &l); err != nil {
						t.Fatal(err)
					}
					got = append(got, l.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("exported %v, want %v", got, c.want)
				}
			})
		}
		t.Run("Contact", func(t *testing.T) {
			c, err := f.S.GetCall(f.ctx, f.P, exportID(1, 1))
			if err != nil {
				t.Fatal(err)
			}
			out := export(t, f.S, f.P, store.CallFilter{ContactID: &c.Contact.ID})
			if n := bytes.Count(out, []byte("\n")); n != 2 || !strings.Contains(string(out), exportID(1, 3)) {
				t.Fatalf("the contact's export = %s", out)
			}
		})
	})
}

// TestExportSnapshot: an export is one snapshot. Writes committed while the consumer is slow (here:
// made by the consumer itself, after the first line) are not in it, not even in part: a new call,
// a deleted call, a message appended to a call exported later.
func TestExportSnapshot(t *testing.T) {
	f := newExportFixture(t, 450)
	before := export(t, f.S, f.P, store.CallFilter{})
	lines := strings.Split(strings.TrimSuffix(string(before), "\n"), "\n")
	var lastTwo [2]store.ExportLine
	for i := range lastTwo {
		if err := json.Unmarshal([]byte(lines[len(lines)-3+i]), &lastTwo[i]); err != nil {
			t.Fatal(err)
		}
	}
	var during bytes.Buffer
	first := true
	_, err := f.S.Export(f.ctx, f.P, store.CallFilter{}, func(line []byte) error {
		during.Write(line)
		if !first {
			return nil
		}
		first = false
		f.mustCall(t, store.CallInput{FromNumber: "+34999", ToNumber: "+34600000009", Status: "completed"})
		if n, err := f.S.BulkDeleteCalls(f.ctx, f.P, []string{lastTwo[0].ID}); err != nil || n != 1 {
			t.Fatalf("delete = %d, %v", n, err)
		}
		if _, err := f.S.AppendMessages(f.ctx, f.P, lastTwo[1].ID, []store.MessageInput{{Role: "user", Content: ptrOf("late")}}); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(during.Bytes(), before) {
		t.Fatalf("writes made during the export changed it: %d bytes before, %d during", len(before), during.Len())
	}
	after := export(t, f.S, f.P, store.CallFilter{})
	if bytes.Equal(after, before) || strings.Contains(string(after), lastTwo[0].ID) || !strings.Contains(string(after), `"late"`) {
		t.Fatal("the writes made during the export did not commit")
	}
}

// TestExportConsumerError: an error of the consumer ends the export and is returned.
func TestExportConsumerError(t *testing.T) {
	f := newExportFixture(t, 0)
	stop := fmt.Errorf("disk full")
	calls := 0
	n, err := f.S.Export(f.ctx, f.P, store.CallFilter{}, func([]byte) error { calls++; return stop })
	if err != stop || n != 0 || calls != 1 {
		t.Fatalf("Export = %d, %v after %d lines; want 0, the consumer's error, 1", n, err, calls)
	}
}

// BenchmarkExport exports companies of 1,000 and 20,000 calls (3 messages and 2 log entries each)
// and reports the bytes allocated per call and the peak of the live heap, sampled after a GC every
// 500 lines. Measured: 6,950 B/call at both sizes, and a live heap of 1.0 MB at 1,000 calls and 1.8
// MB at 20,000 (twenty times the calls; one chunk of 200 calls with its rows is what the export
// holds). The GCs make its ns/op no measure of speed: without them, 28 and 37 µs per call.
func BenchmarkExport(b *testing.B) {
	for _, calls := range []int{1000, 20000} {
		b.Run(fmt.Sprint(calls), func(b *testing.B) {
			e := newIngestEnvAt(b, filepath.Join(b.TempDir(), "bench.db"))
			batch := make([]store.ImportLine, calls)
			for i := range batch {
				batch[i] = goodImportLine(i+1, fmt.Sprintf("+3462%07d", i%500), 3, 2)
			}
			res, err := e.S.Import(e.ctx, e.P, func(yield func(store.ImportLine) bool) {
				for _, l := range batch {
					if !yield(l) {
						return
					}
				}
			})
			if err != nil || res.Imported != int64(calls) {
				b.Fatalf("import = %+v, %v", res, err)
			}
			batch = nil
			var peak uint64
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			allocated := ms.TotalAlloc
			b.ResetTimer()
			for range b.N {
				n := 0
				if _, err := e.S.Export(e.ctx, e.P, store.CallFilter{}, func([]byte) error {
					if n++; n%500 == 0 {
						runtime.GC() // what is live, not what awaits collection
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.TotalAlloc-allocated)/float64(b.N*calls), "B/call")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
