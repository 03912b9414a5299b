package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

// importResponse is the body of POST /v1/call/import.
type importResponse struct {
	Imported int64 `json:"imported"`
	Failed   []struct {
		Line      int    `json:"line"`
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	} `json:"failed"`
	FailedCount int64 `json:"failed_count"`
}

func (e *testEnv) importNDJSON(key string, body []byte) importResponse {
	e.t.Helper()
	r := e.doHeaders("POST", "/v1/call/import", http.Header{"Authorization": {"Bearer " + key}, "Content-Type": {"application/x-ndjson"}}, body)
	wantStatus(e.t, r, 200)
	var res importResponse
	r.JSON(e.t, &res)
	if res.Failed == nil {
		e.t.Fatalf("failed must be a list, got %s", r.Body)
	}
	return res
}

func readImportFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestImportGood(t *testing.T) {
	e := newEnv(t)
	res := e.importNDJSON(e.Key, readImportFixture(t, "import_good.ndjson"))
	if res.Imported != 6 || len(res.Failed) != 0 || res.FailedCount != 0 {
		t.Fatalf("result = %+v", res)
	}
	ctx := context.Background()
	p := store.Principal{CompanyID: e.Company.ID}

	t.Run("FullRecordKept", func(t *testing.T) {
		r := e.do("PATCH", "/v1/call/0190a1b2-0000-7000-8000-000000000001", e.Key, map[string]any{})
		wantStatus(t, r, 200)
		m := r.Map(t)
		c := m["contact"].(map[string]any)
		if m["status"] != "completed" || m["duration"] != float64(200) || m["created_date"] != "2025-03-01T08:59:58Z" ||
			m["agent_id"] != "0190a1b2-0000-7000-8000-0000000000a1" || m["phone_register_id"] != "0190a1b2-0000-7000-8000-0000000000a3" ||
			m["recording_url"] != "https://rec.example/1.wav" || m["end_reason"] != "user_hangup" || m["end_time"] != "2025-03-01T09:03:20.75Z" ||
			c["identifier"] != "+34600000001" || c["created_date"] != "2025-03-01T08:59:58Z" || c["id"] == "ignored" {
			t.Fatalf("imported call = %s", r.Body)
		}
		if n := e.countMessages("0190a1b2-0000-7000-8000-000000000001"); n != 3 {
			t.Fatalf("messages = %d", n)
		}
		lg, err := e.testQueries().GetCallLogRow(ctx, "0190a1b2-0000-7000-8000-0000000000c1")
		if err != nil || *lg.CallID != "0190a1b2-0000-7000-8000-000000000001" || *lg.TraceID != "4bf92f3577b34da6" || *lg.Data != `{"sip":"ok"}` {
			t.Fatalf("log = %+v %v", lg, err)
		}
	})
	t.Run("DefaultsAndContacts", func(t *testing.T) {
		failed, err := e.Store.GetCall(ctx, p, "0190a1b2-0000-7000-8000-000000000004")
		if err != nil || failed.Duration == nil || *failed.Duration != 12 || failed.Status != "failed" || !failed.CreatedDate.Equal(e.Clock.Now()) {
			t.Fatalf("line 5 = %+v %v", failed, err)
		}
		first, _ := e.Store.GetCall(ctx, p, "0190a1b2-0000-7000-8000-000000000001")
		if failed.Contact.ID != first.Contact.ID {
			t.Fatalf("the same identifier made two contacts: %s, %s", failed.Contact.ID, first.Contact.ID)
		}
		phone, _ := e.Store.GetCall(ctx, p, "0190a1b2-0000-7000-8000-000000000005")
		if phone.Contact.Identifier != "+34600000005" || phone.PhoneRegisterID == nil || *phone.PhoneRegisterID != "0190a1b2-0000-7000-8000-0000000000a3" || phone.Type != "outbound" {
			t.Fatalf("line 6 = %+v", phone)
		}
	})
	t.Run("TenantIsolation", func(t *testing.T) {
		_, otherKey := e.newCompany("other")
		wantError(t, e.do("PATCH", "/v1/call/0190a1b2-0000-7000-8000-000000000001", otherKey, map[string]any{}), 404, "CALL_NOT_FOUND")
		// Ids are global: the other company cannot import over them, and is not told whose they are.
		res := e.importNDJSON(otherKey, readImportFixture(t, "import_good.ndjson"))
		if res.Imported != 3 || res.FailedCount != 3 {
			t.Fatalf("second import = %+v", res)
		}
		for _, f := range res.Failed {
			if f.ErrorCode != "CALL_ALREADY_EXISTS" || strings.Contains(f.Message, e.Company.ID) {
				t.Fatalf("failure = %+v", f)
			}
		}
	})
}

func TestImportMixed(t *testing.T) {
	e := newEnv(t)
	res := e.importNDJSON(e.Key, readImportFixture(t, "import_mixed.ndjson"))
	want := []string{
		"2:INVALID_JSON", "3:INVALID_JSON", "4:VALIDATION_ERROR", "5:CALL_ALREADY_EXISTS", "6:INVALID_CALL_TIMES",
		"7:VALIDATION_ERROR", "8:VALIDATION_ERROR", "9:MESSAGE_ALREADY_EXISTS", "10:VALIDATION_ERROR", "11:VALIDATION_ERROR",
		"12:INVALID_DURATION", "13:VALIDATION_ERROR", "15:LOG_ALREADY_EXISTS", "16:INVALID_CONTACT", "17:VALIDATION_ERROR",
		"18:VALIDATION_ERROR",
	}
	var got []string
	for _, f := range res.Failed {
		got = append(got, fmt.Sprintf("%d:%s", f.Line, f.ErrorCode))
	}
	if res.Imported != 2 || fmt.Sprint(got) != fmt.Sprint(want) || res.FailedCount != int64(len(want)) {
		t.Fatalf("imported %d, failed %v\nwant 2 and %v", res.Imported, got, want)
	}
	// Messages name the field that was wrong.
	msgs := map[int]string{
		4: "messages.0.role: Input should be 'user', 'assistant' or 'tool'", 7: "status: Input should be",
		8: "contact: Field required", 10: "logs.0.level:", 11: "messages.0.tool_call.tool_name:",
		13: "duration: Input should be a valid integer", 17: "contact.identifier: Field required", 18: "id: Input should be a valid UUID",
	}
	for _, f := range res.Failed {
		if want, ok := msgs[f.Line]; ok && !strings.HasPrefix(f.Message, want) {
			t.Errorf("line %d message = %q, want it to start with %q", f.Line, f.Message, want)
		}
	}
	// The good lines are there; nothing of the bad ones is.
	wantStatus(t, e.do("PATCH", "/v1/call/0190a1b2-0000-7000-8000-0000000000d2", e.Key, map[string]any{}), 200)
	if n := e.countMessages("0190a1b2-0000-7000-8000-0000000000d2"); n != 1 {
		t.Fatalf("line 14 messages = %d", n)
	}
	m := e.do("PATCH", "/v1/call/0190a1b2-0000-7000-8000-0000000000d1", e.Key, map[string]any{}).Map(t)
	if m["contact"].(map[string]any)["identifier"] != "+34600000101" {
		t.Fatalf("line 5 overwrote line 1: %v", m)
	}
	for _, line := range []string{"104", "105", "106", "115"} {
		// A contact created by a refused line would keep the refused line's time as created_date;
		// creating a call for it now must give a fresh contact.
		e.Clock.Advance(time.Second)
		c := e.createTestCall(e.Key, map[string]any{"from_number": "x", "to_number": "+34600000" + line})
		if c["contact"].(map[string]any)["created_date"] != e.Clock.Now().Format(time.RFC3339) {
			t.Fatalf("a refused line (contact +34600000%s) left its contact behind", line)
		}
	}
}

func TestImportLimitsAndEdges(t *testing.T) {
	e := newEnv(t)
	t.Run("Empty", func(t *testing.T) {
		res := e.importNDJSON(e.Key, []byte("\n  \n"))
		if res.Imported != 0 || len(res.Failed) != 0 {
			t.Fatalf("result = %+v", res)
		}
	})
	t.Run("LineTooLong", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString(`{"contact":{"identifier":"+34600000201"}}` + "\n")
		fmt.Fprintf(&b, `{"contact":{"identifier":"+34600000202"},"end_reason":"%s"}`+"\n", strings.Repeat("x", 16<<20))
		b.WriteString(`{"contact":{"identifier":"+34600000203"}}` + "\r\n")
		res := e.importNDJSON(e.Key, b.Bytes())
		if res.Imported != 2 || len(res.Failed) != 1 || res.Failed[0].Line != 2 || res.Failed[0].ErrorCode != "LINE_TOO_LONG" {
			t.Fatalf("result = %+v", res)
		}
	})
	t.Run("ByteOrderMark", func(t *testing.T) {
		res := e.importNDJSON(e.Key, []byte("\xef\xbb\xbf"+`{"contact":{"identifier":"+34600000401"}}`+"\n"))
		if res.Imported != 1 || len(res.Failed) != 0 {
			t.Fatalf("result = %+v", res)
		}
	})
	t.Run("CreatedAtStart", func(t *testing.T) {
		res := e.importNDJSON(e.Key, []byte(`{"id":"0190a1b2-0000-7000-8000-000000000501","contact":{"identifier":"+34600000501"},"start_time":"2024-02-02T10:00:00Z"}`))
		if res.Imported != 1 {
			t.Fatalf("result = %+v", res)
		}
		if m := e.do("PATCH", "/v1/call/0190a1b2-0000-7000-8000-000000000501", e.Key, map[string]any{}).Map(t); m["created_date"] != "2024-02-02T10:00:00Z" {
			t.Fatalf("created_date = %v, want the start_time", m["created_date"])
		}
	})
	t.Run("AnyContentType", func(t *testing.T) {
		r := e.doHeaders("POST", "/v1/call/import", http.Header{"Authorization": {"Bearer " + e.Key}, "Content-Type": {"text/plain"}}, `{"contact":{"identifier":"+34600000301"}}`)
		wantStatus(t, r, 200)
		if m := r.Map(t); m["imported"] != float64(1) {
			t.Fatalf("result = %s", r.Body)
		}
	})
}

// BenchmarkImportHTTP imports b.N calls of 20 messages and 5 logs each as one NDJSON request over
// real HTTP into a temp-file database: parsing, validation and writes together.
//
//	go test ./handlers/ -run '^$' -bench BenchmarkImportHTTP -benchtime=2000x
func BenchmarkImportHTTP(b *testing.B) {
	e := newFileTestEnv(b, filepath.Join(b.TempDir(), "bench.db"))
	var body bytes.Buffer
	for i := 0; i < b.N; i++ {
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&body, `{"contact":{"identifier":"+3460%07d"},"status":"completed","type":"outbound","start_time":%q,"end_time":%q,"dynamic_variables":{"customer":"x"},"messages":[`,
			i%5000, start.Format(time.RFC3339), start.Add(3*time.Minute).Format(time.RFC3339))
		for j := 0; j < 20; j++ {
			if j > 0 {
				body.WriteByte(',')
			}
			fmt.Fprintf(&body, `{"role":%q,"content":"turn %d of the conversation, some words to make it realistic","created_date":%q}`,
				[]string{"assistant", "user"}[j%2], j, start.Add(time.Duration(j)*time.Second).Format(time.RFC3339))
		}
		body.WriteString(`],"logs":[`)
		for j := 0; j < 5; j++ {
			if j > 0 {
				body.WriteByte(',')
			}
			body.WriteString(`{"level":"INFO","category":"CALL_LIFECYCLE","event":"call.event","trace_id":"trace","data":{"i":1}}`)
		}
		body.WriteString("]}\n")
	}
	b.SetBytes(int64(body.Len() / b.N))
	b.ResetTimer()
	begin := time.Now()
	res := e.importNDJSON(e.Key, body.Bytes())
	elapsed := time.Since(begin)
	if res.Imported != int64(b.N) {
		b.Fatalf("imported %d of %d: %+v", res.Imported, b.N, res.Failed)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
}

// newFileTestEnv is newEnv over a SQLite database file at path (separate writer and reader pools,
// WAL), as served: for benchmarks.
func newFileTestEnv(tb testing.TB, path string) *testEnv {
	tb.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return newEnvOn(tb, d, nil)
}
