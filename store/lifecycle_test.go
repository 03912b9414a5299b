package store_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/store"
)

// importCalls imports n finished calls (msgs messages and logs log entries each) created a minute
// apart from 2025-06-01 09:00, of contacts +3460000000{i%7}; every status(i) call gets that status.
func importCalls(tb testing.TB, e *ingestEnv, p store.Principal, n, msgs, logs int, status func(i int) string) []string {
	tb.Helper()
	var lines []store.ImportLine
	for i := 1; i <= n; i++ {
		l := goodImportLine(i, fmt.Sprintf("+3460000000%d", i%7), msgs, logs)
		l.Call.Call.ID = store.NewID()
		if st := status(i); st != "completed" {
			l.Call.Call.Status = st
			if !store.IsTerminal(st) {
				l.Call.Call.EndTime = nil
			}
		}
		lines = append(lines, l)
	}
	res, err := e.S.Import(e.ctx, p, lineSeq(lines...))
	if err != nil || res.FailedCount > 0 {
		tb.Fatalf("import: %v %+v", err, res.Failed)
	}
	ids := make([]string, n)
	for i, l := range lines {
		ids[i] = l.Call.Call.ID
	}
	return ids
}

func completed(int) string { return "completed" }

func deletions(tb testing.TB, e *ingestEnv, p store.Principal) []store.Deletion {
	tb.Helper()
	page, err := e.S.ListDeletions(e.ctx, p, store.DateRange{}, store.PageRequest{Limit: 1000, Desc: true})
	if err != nil {
		tb.Fatal(err)
	}
	return page.Data
}

// TestBulkDeleteCallsAudit: the bulk delete writes one record with what went with the calls; a
// delete that removed nothing writes none; records are the company's alone.
func TestBulkDeleteCallsAudit(t *testing.T) {
	e := newIngestEnv(t)
	e.P.Credential, e.P.Dialect, e.P.Route = store.CredentialAPIKey, "calls", "POST /v1/call/bulk-delete"
	ids := importCalls(t, e, e.P, 4, 2, 1, func(i int) string { return map[bool]string{true: "in_progress", false: "completed"}[i == 4] })
	asked := []string{ids[0], ids[1], ids[3], store.NewID()}
	n, err := e.S.BulkDeleteCalls(e.ctx, e.P, asked)
	if err != nil || n != 2 {
		t.Fatalf("BulkDeleteCalls = %d, %v; want 2", n, err)
	}
	if n, err := e.S.BulkDeleteCalls(e.ctx, e.P, []string{store.NewID()}); err != nil || n != 0 {
		t.Fatalf("BulkDeleteCalls(unknown) = %d, %v", n, err)
	}
	got := deletions(t, e, e.P)
	if len(got) != 1 {
		t.Fatalf("records = %+v, want 1 (a delete of nothing leaves none)", got)
	}
	d := got[0]
	want := store.DeletionCounts{Calls: 2, Messages: 4, LogsDetached: 2}
	if d.Kind != store.DeletionCalls || d.Deleted != want || d.DryRun || d.Dialect != "calls" || d.Route != "POST /v1/call/bulk-delete" ||
		d.Credential.Type != store.CredentialAPIKey || d.Credential.ID == nil || *d.Credential.ID != e.P.KeyID ||
		d.RequestedCount != 4 || d.RequestedIDs != nil || !d.CreatedDate.Equal(e.Clock.Now()) {
		t.Fatalf("record = %+v", d)
	}
	one, err := e.S.GetDeletion(e.ctx, e.P, d.ID)
	if err != nil || !slices.Equal(one.RequestedIDs, asked) {
		t.Fatalf("GetDeletion = %+v, %v; want the ids asked for", one, err)
	}
	other := e.newPrincipal(t, "other")
	if _, err := e.S.GetDeletion(e.ctx, other, d.ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Fatalf("another company's GetDeletion: %v, want ENOTFOUND", err)
	}
	if got := deletions(t, e, other); len(got) != 0 {
		t.Fatalf("another company lists %+v", got)
	}
}

// TestContactDeleteAudit: dry runs are recorded as such; a refused all-or-none request is not.
func TestContactDeleteAudit(t *testing.T) {
	e := newIngestEnv(t)
	ids := importCalls(t, e, e.P, 3, 2, 1, completed)
	c, err := e.S.GetCall(e.ctx, e.P, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.S.DeleteContacts(e.ctx, e.P, []string{c.Contact.ID, store.NewID()}, store.DeleteAllOrNone, false); err != nil {
		t.Fatal(err)
	}
	if got := deletions(t, e, e.P); len(got) != 0 {
		t.Fatalf("a refused all-or-none request left %+v", got)
	}
	if _, err := e.S.DeleteContacts(e.ctx, e.P, []string{c.Contact.ID}, store.DeletePartial, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S.DeleteContacts(e.ctx, e.P, []string{c.Contact.ID}, store.DeletePartial, false); err != nil {
		t.Fatal(err)
	}
	got := deletions(t, e, e.P)
	want := store.DeletionCounts{Contacts: 1, Calls: 1, Messages: 2, LogsDetached: 1}
	if len(got) != 2 || got[0].DryRun || !got[1].DryRun || got[0].Deleted != want || got[1].Deleted != want || got[0].Kind != store.DeletionContacts {
		t.Fatalf("records = %+v, want the real delete then its dry run, both counting %+v", got, want)
	}
}

// TestPurge: the dry run counts and samples exactly what the real run then deletes, oldest first,
// terminal calls only, in one audit record; nothing else changes.
func TestPurge(t *testing.T) {
	e := newIngestEnv(t)
	other := e.newPrincipal(t, "other")
	status := func(i int) string {
		switch {
		case i%10 == 0:
			return "in_progress"
		case i%3 == 0:
			return "failed"
		}
		return "completed"
	}
	ids := importCalls(t, e, e.P, 250, 2, 1, status)
	importCalls(t, e, other, 50, 1, 0, completed)
	end := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC).Add(200 * time.Minute) // call 200's created date, inclusive
	var doomed []string
	for i, id := range ids {
		if i+1 <= 200 && store.IsTerminal(status(i+1)) {
			doomed = append(doomed, id)
		}
	}
	f := store.PurgeFilter{Created: store.DateRange{To: &end}}

	if _, err := e.S.Purge(e.ctx, e.P, store.PurgeFilter{Status: ptrOf("dialing")}, true, nil); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("status dialing: %v, want EINVALID", err)
	}
	dry, err := e.S.Purge(e.ctx, e.P, f, true, nil)
	if err != nil || dry.Count != int64(len(doomed)) || !slices.Equal(dry.Sample, doomed[:store.PurgeSampleSize]) || dry.DeletionID == nil {
		t.Fatalf("dry run = %+v, %v; want %d and the oldest %d", dry, err, len(doomed), store.PurgeSampleSize)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, e.P.CompanyID); n != 250 {
		t.Fatalf("the dry run deleted: %d calls left", n)
	}

	failed := ptrOf("failed")
	byStatus, err := e.S.Purge(e.ctx, e.P, store.PurgeFilter{Created: f.Created, Status: failed}, true, nil)
	if err != nil || byStatus.Count == 0 || byStatus.Count >= dry.Count {
		t.Fatalf("status filter: %+v, %v", byStatus, err)
	}

	var progress []int64
	res, err := e.S.Purge(e.ctx, e.P, f, false, func(n int64) { progress = append(progress, n) })
	if err != nil || res.Count != dry.Count || res.Sample != nil || res.DeletionID == nil || len(progress) == 0 || progress[len(progress)-1] != res.Count {
		t.Fatalf("purge = %+v, %v (progress %v); want %d deleted", res, err, progress, dry.Count)
	}
	for i, id := range ids {
		_, err := e.S.GetCall(e.ctx, e.P, id)
		if gone := store.ErrorCode(err) == store.ENOTFOUND; gone != slices.Contains(doomed, id) {
			t.Fatalf("call %d (%s): gone = %v", i+1, status(i+1), gone)
		}
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, other.CompanyID); n != 50 {
		t.Fatalf("the other company has %d calls left, want 50", n)
	}
	logs, _ := e.testQueries().CountLogsOfCompany(e.ctx, e.P.CompanyID)
	if logs.Total != 250 || logs.Detached != int64(len(doomed)) {
		t.Fatalf("logs = %+v; want all 250 kept, %d detached", logs, len(doomed))
	}
	rec, err := e.S.GetDeletion(e.ctx, e.P, *res.DeletionID)
	want := store.DeletionCounts{Calls: res.Count, Messages: 2 * res.Count, LogsDetached: res.Count}
	if err != nil || rec.Kind != store.DeletionPurge || rec.DryRun || rec.Deleted != want || !strings.Contains(string(rec.Filter), `"end_created_date":"2025-06-01T12:20:00Z"`) {
		t.Fatalf("record = %+v (filter %s), %v; want %+v", rec, rec.Filter, err, want)
	}

	again, err := e.S.Purge(e.ctx, e.P, f, false, nil)
	if err != nil || again.Count != 0 || again.DeletionID != nil {
		t.Fatalf("purging again = %+v, %v; want 0 and no record", again, err)
	}
	if got := deletions(t, e, e.P); len(got) != 3 { // dry run, status dry run, purge
		t.Fatalf("records = %d, want 3", len(got))
	}
}

// TestPurgeKilled kills a process in the middle of a purge (SIGKILL, at a random moment) and
// reopens the file: whole calls only (no message without its call, no call without its
// messages), the oldest first, and the audit record counting exactly what is gone. Running the
// purge again finishes it.
func TestPurgeKilled(t *testing.T) {
	dbtest.SkipOnPostgres(t, "kills a process that writes a SQLite file, then checks the file")
	if spec := os.Getenv("CALLSTORE_PURGE_CHILD"); spec != "" {
		purgeChild(spec)
		return
	}
	if testing.Short() {
		t.Skip("builds a file of 4,000 calls")
	}
	path := filepath.Join(t.TempDir(), "purge.db")
	e := newIngestEnvAt(t, path)
	const n, msgs, logs = 4000, 5, 2
	ids := importCalls(t, e, e.P, n, msgs, logs, completed)
	if err := e.S.DB().Close(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	left := n
	for round := 0; round < 3 && left > 0; round++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPurgeKilled$")
		cmd.Env = append(os.Environ(), "CALLSTORE_PURGE_CHILD="+path+","+e.P.CompanyID)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || !strings.HasPrefix(sc.Text(), "batch") {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child purged no batch: %q %v", sc.Text(), sc.Err())
		}
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no deferred code, no rollback, no checkpoint
		cmd.Wait()

		e2 := newIngestEnvReopen(t, path)
		left = checkWholeBatches(t, e2, e.P, ids, msgs, logs)
		e2.S.DB().Close()
		t.Logf("round %d: %d calls left", round, left)
	}
	e3 := newIngestEnvReopen(t, path)
	if _, err := e3.S.Purge(e3.ctx, e.P, store.PurgeFilter{}, false, nil); err != nil {
		t.Fatal(err)
	}
	if left := checkWholeBatches(t, e3, e.P, ids, msgs, logs); left != 0 {
		t.Fatalf("%d calls left after running the purge again", left)
	}
	if problems, err := db.Check(e3.ctx, path); err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", problems, err)
	}
}

// purgeChild runs a purge of a whole company, saying "batch" after each batch (it is killed).
func purgeChild(spec string) {
	path, company, _ := strings.Cut(spec, ",")
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	s, err := store.New(ctx, d)
	if err != nil {
		fmt.Println("store:", err)
		os.Exit(1)
	}
	p := store.Principal{CompanyID: company, Credential: store.CredentialCLI, Dialect: "cli", Route: "test"}
	_, err = s.Purge(ctx, p, store.PurgeFilter{}, false, func(int64) { fmt.Println("batch") })
	fmt.Println("done", err)
	os.Exit(0)
}

func newIngestEnvReopen(tb testing.TB, path string) *ingestEnv {
	tb.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	s, err := store.New(context.Background(), d)
	if err != nil {
		tb.Fatal(err)
	}
	return &ingestEnv{S: s, ctx: context.Background(), Clock: &ingestClock{t: time.Now()}}
}

// checkWholeBatches checks a partly purged company and returns how many calls it has left.
func checkWholeBatches(tb testing.TB, e *ingestEnv, p store.Principal, ids []string, msgs, logs int) int {
	tb.Helper()
	q := dbtest.TestQueries(e.S.Engine())
	calls, _ := q.CountCallsOfCompany(e.ctx, p.CompanyID)
	messages, _ := q.CountMessagesOfCompany(e.ctx, p.CompanyID)
	l, _ := q.CountLogsOfCompany(e.ctx, p.CompanyID)
	gone := int64(len(ids)) - calls
	if messages != calls*int64(msgs) || l.Total != int64(len(ids)*logs) || l.Detached != gone*int64(logs) {
		tb.Fatalf("%d calls, %d messages, logs %+v: not whole calls", calls, messages, l)
	}
	// Oldest first: the calls left are the newest ones.
	for i, id := range ids {
		_, err := e.S.GetCall(e.ctx, p, id)
		if present := err == nil; present != (int64(i) >= gone) {
			tb.Fatalf("call %d present = %v with %d gone: not the oldest first", i, present, gone)
		}
	}
	var sum store.DeletionCounts
	for _, d := range deletions(tb, e, p) {
		if d.Kind == store.DeletionPurge && !d.DryRun {
			sum.Calls += d.Deleted.Calls
			sum.Messages += d.Deleted.Messages
			sum.LogsDetached += d.Deleted.LogsDetached
		}
	}
	if sum != (store.DeletionCounts{Calls: gone, Messages: gone * int64(msgs), LogsDetached: gone * int64(logs)}) {
		tb.Fatalf("audit records count %+v, but %d calls are gone", sum, gone)
	}
	return int(calls)
}

// TestEraseContact: the person's contacts, calls and transcripts go; their calls' log rows stay,
// without data and trace_id; the audit record names contact ids, never the identifier.
func TestEraseContact(t *testing.T) {
	e := newIngestEnv(t)
	other := e.newPrincipal(t, "other")
	const who = "+34600111222"
	line := func(n int, identifier, ctype string) store.ImportLine {
		l := goodImportLine(n, identifier, 2, 1)
		l.Call.Call.Contact.ContactType = ctype
		l.Call.Logs[0].TraceID = ptrOf("trace-" + who)
		l.Call.Logs[0].Data = []byte(`{"caller":"` + who + `"}`)
		return l
	}
	for _, p := range []store.Principal{e.P, other} {
		res, err := e.S.Import(e.ctx, p, lineSeq(line(1, who, "call"), line(2, who, "web"), line(3, "+34600999999", "call")))
		if err != nil || res.Imported != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
	}
	if _, err := e.S.EraseContact(e.ctx, e.P, "nobody", true); store.ErrorCode(err) != store.ENOTFOUND {
		t.Fatalf("unknown identifier: %v", err)
	}
	dry, err := e.S.EraseContact(e.ctx, e.P, who, true)
	want := store.DeletionCounts{Contacts: 2, Calls: 2, Messages: 4, LogsDetached: 2, LogsRedacted: 2}
	if err != nil || !dry.DryRun || len(dry.ContactIDs) != 2 || dry.Erased != want {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, e.P.CompanyID); n != 3 {
		t.Fatalf("the dry run deleted calls: %d left", n)
	}

	// An active call of the person blocks it, naming the call.
	active := e.mustCall(t, store.CallInput{FromNumber: who, ToNumber: "+34900000000", Type: "inbound"})
	_, err = e.S.EraseContact(e.ctx, e.P, who, false)
	wantErrCode(t, err, store.ECONFLICT, "CONTACT_HAS_ACTIVE_CALLS")
	if !strings.Contains(store.ErrorMessage(err), active.ID) {
		t.Fatalf("the refusal does not name the active call: %v", err)
	}
	status := "completed"
	if _, err := e.S.UpdateCall(e.ctx, e.P, active.ID, store.CallUpdate{Status: &status}); err != nil {
		t.Fatal(err)
	}

	res, err := e.S.EraseContact(e.ctx, e.P, who, false)
	want = store.DeletionCounts{Contacts: 2, Calls: 3, Messages: 4, LogsDetached: 2, LogsRedacted: 2}
	if err != nil || res.DryRun || res.Erased != want {
		t.Fatalf("erase = %+v, %v; want %+v", res, err, want)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, e.P.CompanyID); n != 1 {
		t.Fatalf("%d calls left, want the other person's 1", n)
	}
	page, err := e.S.ListLogs(e.ctx, e.P, store.LogFilter{}, store.PageRequest{Limit: 100})
	if err != nil || len(page.Data) != 3 {
		t.Fatalf("logs = %+v, %v; want all 3 kept", page.Data, err)
	}
	redacted := 0
	for _, l := range page.Data {
		if l.CallID == nil {
			redacted++
			if l.Data != nil || l.TraceID != nil || l.Event == "" || l.Level == "" || l.Category == "" || l.Timestamp.IsZero() {
				t.Fatalf("erased call's log = %+v; want level, category, event, time only", l)
			}
		} else if l.TraceID == nil {
			t.Fatalf("the other person's log lost its trace: %+v", l)
		}
	}
	if redacted != 2 {
		t.Fatalf("%d logs redacted, want 2", redacted)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, other.CompanyID); n != 3 {
		t.Fatalf("the other company's calls: %d, want 3", n)
	}
	if rows, err := e.testQueries().CountDeletionsHolding(e.ctx, who); err != nil || rows != 0 {
		t.Fatalf("%d audit rows hold the identifier (%v)", rows, err)
	}
	rec, err := e.S.GetDeletion(e.ctx, e.P, res.DeletionID)
	if err != nil || rec.Kind != store.DeletionErasure || !slices.Equal(rec.RequestedIDs, res.ContactIDs) || rec.Deleted != want {
		t.Fatalf("record = %+v, %v", rec, err)
	}
}

// TestEnforceRetention: terminal calls older than the period go, on the injected clock; active
// and newer calls and companies without a period stay; every run leaves a record.
func TestEnforceRetention(t *testing.T) {
	e := newIngestEnv(t)
	other := e.newPrincipal(t, "other") // no retention
	e.Clock.t = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	ids := importCalls(t, e, e.P, 4, 1, 1, func(i int) string { return map[bool]string{true: "in_progress", false: "completed"}[i == 2] })
	importCalls(t, e, other, 2, 1, 1, completed)
	days := int64(20) // the calls (2025-06-01) are 30 days old
	if err := e.S.SetRetention(e.ctx, e.P.CompanyID, &days); err != nil {
		t.Fatal(err)
	}
	if err := e.S.SetRetention(e.ctx, store.NewID(), &days); store.ErrorCode(err) != store.ENOTFOUND {
		t.Fatalf("unknown company: %v", err)
	}
	if err := e.S.SetRetention(e.ctx, e.P.CompanyID, ptrOf(int64(0))); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("0 days: %v", err)
	}
	r, err := e.S.GetRetention(e.ctx, e.P)
	if err != nil || r.RetentionDays == nil || *r.RetentionDays != 20 || !r.PurgesBefore.Equal(e.Clock.t.Add(-20*24*time.Hour)) {
		t.Fatalf("retention = %+v, %v", r, err)
	}
	runs, err := e.S.EnforceRetention(e.ctx)
	if err != nil || len(runs) != 1 || runs[0].Deleted.Calls != 3 || runs[0].DeletionID == "" {
		t.Fatalf("runs = %+v, %v; want one company's, 3 calls", runs, err)
	}
	if _, err := e.S.GetCall(e.ctx, e.P, ids[1]); err != nil {
		t.Fatalf("the active call went: %v", err)
	}
	if n, _ := e.testQueries().CountCallsOfCompany(e.ctx, other.CompanyID); n != 2 {
		t.Fatalf("the company without retention lost calls: %d left", n)
	}
	runs, err = e.S.EnforceRetention(e.ctx)
	if err != nil || len(runs) != 1 || runs[0].Deleted.Calls != 0 || runs[0].DeletionID == "" {
		t.Fatalf("second run = %+v, %v; want a record of 0", runs, err)
	}
	got := deletions(t, e, e.P)
	if len(got) != 2 || got[1].Kind != store.DeletionRetention || got[1].Dialect != "server" || got[1].Credential.Type != store.CredentialServer ||
		got[1].Credential.ID != nil || got[1].Deleted.Calls != 3 || got[0].Deleted.Calls != 0 {
		t.Fatalf("records = %+v", got)
	}
	if got := deletions(t, e, other); len(got) != 0 {
		t.Fatalf("the company without retention has records: %+v", got)
	}
}
