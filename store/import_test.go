package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

func lineSeq(lines ...store.ImportLine) iter.Seq[store.ImportLine] { return slices.Values(lines) }

// goodLine is a complete finished call with n messages and m logs and no ids.
func goodImportLine(line int, contact string, n, m int) store.ImportLine {
	start := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(line) * time.Minute)
	end := start.Add(3*time.Minute + 20*time.Second)
	ic := store.ImportCall{Call: store.CallInput{
		Contact: &store.ContactInput{Identifier: contact}, Status: "completed", StartTime: &start, EndTime: &end,
		CreatedDate: &start, DynamicVariables: json.RawMessage(`{"customer":"x"}`),
	}}
	for i := 0; i < n; i++ {
		role := []string{"assistant", "user"}[i%2]
		ic.Messages = append(ic.Messages, store.MessageInput{Role: role, Content: ptrOf(fmt.Sprintf("turn %d of the conversation, some words to make it realistic", i))})
	}
	for i := 0; i < m; i++ {
		ic.Logs = append(ic.Logs, store.LogInput{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.event", TraceID: ptrOf("trace"), Data: json.RawMessage(`{"i":1}`)})
	}
	return store.ImportLine{Line: line, Call: ic}
}

func wantFailures(t *testing.T, res store.ImportResult, want ...string) {
	t.Helper()
	var got []string
	for _, f := range res.Failed {
		got = append(got, fmt.Sprintf("%d:%s", f.Line, f.ErrorCode))
		if f.Message == "" {
			t.Errorf("line %d failed without a message", f.Line)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || res.FailedCount != int64(len(want)) {
		t.Fatalf("failed = %v (count %d), want %v", got, res.FailedCount, want)
	}
}

func TestImport(t *testing.T) {
	e := newIngestEnv(t)
	other := e.newPrincipal(t, "other")
	taken, err := e.S.CreateCall(e.ctx, other, store.CallInput{FromNumber: "a", ToNumber: "b"})
	if err != nil {
		t.Fatal(err)
	}
	takenLog, err := e.S.AppendLogs(e.ctx, other, taken.ID, []store.LogInput{{Level: "INFO", Category: "USER", Event: "e"}})
	if err != nil {
		t.Fatal(err)
	}

	callID, msgID, logID := store.NewID(), store.NewID(), store.NewID()
	withIDs := goodImportLine(1, "+34600000001", 2, 1)
	withIDs.Call.Call.ID = callID
	withIDs.Call.Messages[0].ID = msgID
	withIDs.Call.Logs[0].ID = logID
	at := time.Date(2025, 6, 1, 9, 1, 5, 0, time.UTC)
	withIDs.Call.Messages[1].CreatedDate = &at

	dupCall := goodImportLine(3, "+34600000003", 1, 0)
	dupCall.Call.Call.ID = callID
	foreignID := goodImportLine(4, "+34600000004", 0, 0)
	foreignID.Call.Call.ID = taken.ID
	dupMsg := goodImportLine(5, "+34600000005", 2, 0)
	dupMsg.Call.Messages[0].ID, dupMsg.Call.Messages[1].ID = msgID, msgID
	foreignLog := goodImportLine(6, "+34600000006", 0, 1)
	foreignLog.Call.Logs[0].ID = takenLog[0].ID
	badTimes := goodImportLine(7, "+34600000007", 0, 0)
	badTimes.Call.Call.EndTime = ptrOf(badTimes.Call.Call.StartTime.Add(-time.Second))
	badRole := goodImportLine(8, "+34600000008", 3, 0)
	badRole.Call.Messages[2].Role = "narrator"
	earlier := goodImportLine(10, "+34600000001", 0, 0) // same contact as line 1, called earlier
	earlier.Call.Call.CreatedDate = ptrOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))

	res, err := e.S.Import(e.ctx, e.P, lineSeq(
		withIDs,
		goodImportLine(2, "+34600000002", 0, 0),
		dupCall, foreignID, dupMsg, foreignLog, badTimes, badRole,
		store.ImportLine{Line: 9, Err: store.Errorf(store.EINVALID, "INVALID_JSON", "the line is not valid JSON")},
		earlier,
	))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 3 {
		t.Fatalf("imported = %d, want 3", res.Imported)
	}
	wantFailures(t, res, "3:CALL_ALREADY_EXISTS", "4:CALL_ALREADY_EXISTS", "5:MESSAGE_ALREADY_EXISTS",
		"6:LOG_ALREADY_EXISTS", "7:INVALID_CALL_TIMES", "8:INVALID_MESSAGE_ROLE", "9:INVALID_JSON")

	t.Run("KeepsIDsAndDerives", func(t *testing.T) {
		c, err := e.S.GetCall(e.ctx, e.P, callID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != "completed" || c.Duration == nil || *c.Duration != 200 || !c.CreatedDate.Equal(*withIDs.Call.Call.StartTime) || string(c.DynamicVariables) != `{"customer":"x"}` {
			t.Fatalf("call = %+v", c)
		}
		// The contact's created_date is its earliest call's, though that call came later in the file.
		if !c.Contact.CreatedDate.Equal(*earlier.Call.Call.CreatedDate) {
			t.Fatalf("contact created_date = %v, want %v", c.Contact.CreatedDate, earlier.Call.Call.CreatedDate)
		}
		if n, _ := e.queries().CountMessages(e.ctx, callID); n != 2 {
			t.Fatalf("messages = %d, want 2", n)
		}
		row, err := e.testQueries().GetCallLogRow(e.ctx, logID)
		if err != nil || row.CallID == nil || *row.CallID != callID || row.CompanyID != e.P.CompanyID || row.Timestamp != c.StartTime.UnixMicro() {
			t.Fatalf("log = %+v, %v", row, err)
		}
	})
	t.Run("BadLinesLeftNothing", func(t *testing.T) {
		// line 3 reused callID: the call kept line 1's contact and messages only.
		c, _ := e.S.GetCall(e.ctx, e.P, callID)
		if c.Contact.Identifier != "+34600000001" {
			t.Fatalf("line 3 overwrote the call: %+v", c)
		}
		if got, _ := e.S.GetCall(e.ctx, other, taken.ID); got.Contact.Identifier != "b" {
			t.Fatalf("line 4 touched the other company's call: %+v", got)
		}
		row, _ := e.testQueries().GetCallLogRow(e.ctx, takenLog[0].ID)
		if row.CompanyID != other.CompanyID || *row.CallID != taken.ID {
			t.Fatalf("line 6 touched the other company's log: %+v", row)
		}
	})
}

// A batch looks its ids up all at once: a log id taken in the database, among more ids than one
// lookup takes, or by an earlier line of the same batch fails its line, naming the entry.
func TestImportLogIDsOfABatch(t *testing.T) {
	e := newIngestEnv(t)
	other := e.newPrincipal(t, "other")
	taken, err := e.S.CreateCall(e.ctx, other, store.CallInput{FromNumber: "a", ToNumber: "b"})
	if err != nil {
		t.Fatal(err)
	}
	takenLog, err := e.S.AppendLogs(e.ctx, other, taken.ID, []store.LogInput{{Level: "INFO", Category: "USER", Event: "e"}})
	if err != nil {
		t.Fatal(err)
	}
	withIDs := func(l store.ImportLine) store.ImportLine {
		for i := range l.Call.Logs {
			l.Call.Logs[i].ID = store.NewID()
		}
		return l
	}
	many := withIDs(goodImportLine(1, "+34600000001", 0, 2500))
	many.Call.Logs[2345].ID = takenLog[0].ID
	first := withIDs(goodImportLine(2, "+34600000002", 0, 3))
	second := withIDs(goodImportLine(3, "+34600000003", 0, 2))
	second.Call.Logs[1].ID = first.Call.Logs[2].ID
	res, err := e.S.Import(e.ctx, e.P, lineSeq(many, first, second))
	if err != nil {
		t.Fatal(err)
	}
	wantFailures(t, res, "1:LOG_ALREADY_EXISTS", "3:LOG_ALREADY_EXISTS")
	if !strings.Contains(res.Failed[0].Message, "logs.2345.id") || !strings.Contains(res.Failed[1].Message, "logs.1.id") {
		t.Fatalf("failures = %+v, want them to name logs.2345.id and logs.1.id", res.Failed)
	}
	if res.Imported != 1 {
		t.Fatalf("imported = %d, want 1 (line 2)", res.Imported)
	}
}

func TestImportAcrossBatches(t *testing.T) {
	e := newIngestEnv(t)
	var lines []store.ImportLine
	var want []string
	for i := 1; i <= 1234; i++ {
		l := goodImportLine(i, fmt.Sprintf("+3460%07d", i%50), 2, 1)
		if i%100 == 0 {
			l.Call.Call.Status = "unknown"
			want = append(want, fmt.Sprintf("%d:INVALID_CALL_STATUS", i))
		}
		lines = append(lines, l)
	}
	res, err := e.S.Import(e.ctx, e.P, lineSeq(lines...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != int64(1234-len(want)) {
		t.Fatalf("imported = %d", res.Imported)
	}
	wantFailures(t, res, want...)
}

// TestImportBatchSize writes 600 lines in one transaction (store.ImportBatchSize, as the seed
// does): bad lines still fail alone, including ids repeated within a call, whether the call has a
// few dozen (compared pairwise) or many (a map).
func TestImportBatchSize(t *testing.T) {
	e := newIngestEnv(t)
	var lines []store.ImportLine
	for i := 1; i <= 600; i++ {
		lines = append(lines, goodImportLine(i, fmt.Sprintf("+3460%07d", i%40), 5, 2))
	}
	manyLogs := goodImportLine(300, "+34600000300", 0, 70)
	for k := range manyLogs.Call.Logs {
		manyLogs.Call.Logs[k].ID = store.NewID()
	}
	manyLogs.Call.Logs[69].ID = manyLogs.Call.Logs[3].ID
	lines[299] = manyLogs
	lines[449].Call.Messages[1].ID = store.NewID()
	lines[449].Call.Messages[4].ID = lines[449].Call.Messages[1].ID
	res, err := e.S.Import(e.ctx, e.P, lineSeq(lines...), store.ImportBatchSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 598 {
		t.Fatalf("imported = %d, want 598", res.Imported)
	}
	wantFailures(t, res, "300:LOG_ALREADY_EXISTS", "450:MESSAGE_ALREADY_EXISTS")
	if !strings.Contains(res.Failed[0].Message, "logs.69.id") || !strings.Contains(res.Failed[1].Message, "messages.4.id") {
		t.Fatalf("failures name the wrong entries: %+v", res.Failed)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, e.P.CompanyID); n != 598 {
		t.Fatalf("calls = %d, want 598", n)
	}
}

// TestImportWriteFailureRedone makes every write fail inside the database (the company does not
// exist, so the foreign key refuses the rows): each batch is rolled back and redone line by line,
// and every line is reported on its own, with the lines that were bad anyway keeping their reason.
func TestImportWriteFailureRedone(t *testing.T) {
	e := newIngestEnv(t)
	ghost := store.Principal{CompanyID: store.NewID()}
	var lines []store.ImportLine
	for i := 1; i <= 3; i++ {
		lines = append(lines, goodImportLine(i, "+34600000001", 1, 1))
	}
	lines[1] = store.ImportLine{Line: 2, Err: store.Errorf(store.EINVALID, "VALIDATION_ERROR", "role: Field required")}
	res, err := e.S.Import(e.ctx, ghost, lineSeq(lines...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 0 {
		t.Fatalf("imported = %d", res.Imported)
	}
	wantFailures(t, res, "1:WRITE_FAILED", "2:VALIDATION_ERROR", "3:WRITE_FAILED")
}

func TestImportFailureListCapped(t *testing.T) {
	e := newIngestEnv(t)
	n := store.MaxImportFailures + 5
	bad := func(yield func(store.ImportLine) bool) {
		for i := 1; i <= n; i++ {
			if !yield(store.ImportLine{Line: i, Err: store.Errorf(store.EINVALID, "INVALID_JSON", "bad")}) {
				return
			}
		}
	}
	res, err := e.S.Import(e.ctx, e.P, bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != store.MaxImportFailures || res.FailedCount != int64(n) || res.Failed[0].Line != 1 {
		t.Fatalf("failed listed %d, counted %d", len(res.Failed), res.FailedCount)
	}
}

func TestImportEmpty(t *testing.T) {
	e := newIngestEnv(t)
	res, err := e.S.Import(e.ctx, e.P, lineSeq())
	if err != nil || res.Imported != 0 || res.Failed == nil || len(res.Failed) != 0 {
		t.Fatalf("empty import = %+v, %v (failed must be [] not null)", res, err)
	}
}

// BenchmarkImport writes b.N calls, each with 20 messages and 5 logs, into a temp-file database
// through Store.Import (the lines are built in memory first, so the JSON parsing of the HTTP
// layer is not included: see handlers' BenchmarkImportHTTP).
//
//	go test ./store/ -run '^$' -bench BenchmarkImport -benchtime=2000x
func BenchmarkImport(b *testing.B) {
	e := newIngestEnvAt(b, filepath.Join(b.TempDir(), "bench.db"))
	lines := make([]store.ImportLine, b.N)
	for i := range lines {
		lines[i] = goodImportLine(i+1, fmt.Sprintf("+3460%07d", i%5000), 20, 5)
	}
	b.ResetTimer()
	start := time.Now()
	res, err := e.S.Import(e.ctx, e.P, lineSeq(lines...))
	elapsed := time.Since(start)
	if err != nil || res.Imported != int64(b.N) {
		b.Fatalf("imported %d of %d: %v %v", res.Imported, b.N, res.Failed, err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "calls/s")
}

// TestImportCancelled: an import cut short by its caller's context reports the context's error,
// never a complete-looking result that silently dropped the lines it had not written yet.
func TestImportCancelled(t *testing.T) {
	e := newIngestEnv(t)
	p := e.newPrincipal(t, "acme")
	ctx, cancel := context.WithCancel(context.Background())
	lines := func(yield func(store.ImportLine) bool) {
		for i := 1; i <= 5; i++ {
			if i == 3 {
				cancel() // the client went away after two lines
			}
			if !yield(goodImportLine(i, fmt.Sprintf("+3460000%04d", i), 2, 1)) {
				return
			}
		}
	}
	res, err := e.S.Import(ctx, p, lines)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v (imported %d, failed %d): a cut-short import must say so", err, res.Imported, res.FailedCount)
	}
	if res.Imported > 2 {
		t.Fatalf("imported %d lines, but only 2 were read before the cancel", res.Imported)
	}
}

// TestCanonicalIDs: imported ids are stored in the canonical form, whatever form uuid.Parse took
// them in; an id already canonical is kept as it is; anything else fails its line.
func TestCanonicalIDs(t *testing.T) {
	e := newIngestEnv(t)
	const canon = "0190a1b2-0000-7000-8000-00000000abcd"
	l := goodImportLine(1, "+34600000001", 1, 1)
	l.Call.Call.ID = "{0190A1B2-0000-7000-8000-00000000ABCD}"
	l.Call.Messages[0].ID = "urn:uuid:0190a1b2-0000-7000-8000-00000000abce"
	l.Call.Logs[0].ID = "0190a1b200007000800000000000abcf"
	bad := goodImportLine(2, "+34600000002", 1, 0)
	bad.Call.Messages[0].ID = "0190a1b2-0000-7000-8000-00000000abcg" // canonical shape, not hex
	res, err := e.S.Import(e.ctx, e.P, lineSeq(l, bad))
	if err != nil || res.Imported != 1 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	wantFailures(t, res, "2:INVALID_MESSAGE_ID")
	if _, err := e.S.GetCall(e.ctx, e.P, canon); err != nil {
		t.Fatalf("the call is not stored under %s: %v", canon, err)
	}
	rows, _ := e.testQueries().ListMessageRowsOfCall(e.ctx, canon)
	if len(rows) != 1 || rows[0].ID != "0190a1b2-0000-7000-8000-00000000abce" {
		t.Fatalf("message rows = %+v", rows)
	}
	if row, err := e.testQueries().GetCallLogRow(e.ctx, "0190a1b2-0000-7000-8000-00000000abcf"); err != nil || row.CallID == nil || *row.CallID != canon {
		t.Fatalf("log row = %+v, %v", row, err)
	}
}
