package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// The data lifecycle (issue #14) end to end: POST /v1/call/purge, POST /v1/contact/erase, the
// deletion audit trail (GET /v1/deletion/, GET /v1/deletion/{id}), GET /v1/retention and the
// deletion counters of /metrics. Every request goes through testEnv.do, so every answer is
// checked against the served OpenAPI documents.

// newLifecycleEnv is newEnv with a server configuration of the test's choosing; cfg is given the
// store (for NewMetrics) before the server starts.
func newLifecycleEnv(tb testing.TB, cfg func(*store.Store) handlers.Config) *testEnv {
	tb.Helper()
	return newEnvOn(tb, MustOpenDB(tb), cfg)
}

// lcKey creates an API key of company and returns its id and secret; perms restrict it (none:
// unrestricted).
func (e *testEnv) lcKey(companyID string, perms ...string) (id, secret string) {
	e.t.Helper()
	k, err := e.Store.CreateAPIKey(context.Background(), companyID, nil, store.APIKeyInput{Name: "lc", Restricted: len(perms) > 0, Permissions: perms})
	if err != nil {
		e.t.Fatal(err)
	}
	return k.ID, *k.Value
}

// lcContact creates a contact of company of the given type ("call" or "web").
func (e *testEnv) lcContact(companyID, identifier, contactType string, at time.Time) string {
	e.t.Helper()
	c, err := e.testQueries().CreateContact(context.Background(), sqlctest.CreateContactParams{
		ID: store.NewID(), CompanyID: companyID, Identifier: identifier, ContactType: contactType, CreatedDate: at.UnixMicro(),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// lcCallIDs returns the ids of the company's calls, sorted.
func (e *testEnv) lcCallIDs(companyID string) []string {
	e.t.Helper()
	ids, err := e.testQueries().ListCallIDsOfCompany(context.Background(), companyID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// lcMessages counts the messages stored for a call.
func (e *testEnv) lcMessages(callID string) int64 {
	e.t.Helper()
	n, err := e.queries().CountMessages(context.Background(), callID)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// lcLog reads one call_log row as stored.
func (e *testEnv) lcLog(id string) sqlctest.CallLog {
	e.t.Helper()
	l, err := e.testQueries().GetCallLogRow(context.Background(), id)
	if err != nil {
		e.t.Fatalf("call_log %s: %v", id, err)
	}
	return l
}

// lcDeletionCount is how many audit records the company has, straight from the table.
func (e *testEnv) lcDeletionCount(companyID string) int {
	e.t.Helper()
	n, err := e.testQueries().CountDeletionsOfCompany(context.Background(), companyID)
	if err != nil {
		e.t.Fatal(err)
	}
	return int(n)
}

// deletionRecord is a DeletionResponse.
type deletionRecord struct {
	ID          string `json:"id"`
	CreatedDate string `json:"created_date"`
	Kind        string `json:"kind"`
	Dialect     string `json:"dialect"`
	Route       string `json:"route"`
	Credential  struct {
		Type string  `json:"type"`
		ID   *string `json:"id"`
	} `json:"credential"`
	DryRun         bool                 `json:"dry_run"`
	RequestedCount int                  `json:"requested_count"`
	RequestedIDs   []string             `json:"requested_ids"`
	Filter         map[string]any       `json:"filter"`
	Deleted        store.DeletionCounts `json:"deleted"`
}

// getDeletion is GET /v1/deletion/{id}, which must answer 200.
func (e *testEnv) getDeletion(tb testing.TB, key, id string) (deletionRecord, *response) {
	tb.Helper()
	r := e.do("GET", "/v1/deletion/"+id, key, nil)
	wantStatus(tb, r, http.StatusOK)
	var d deletionRecord
	r.JSON(tb, &d)
	return d, r
}

// listDeletions reads the company's whole audit trail (newest first) in one page.
func (e *testEnv) listDeletions(tb testing.TB, key string) []deletionRecord {
	tb.Helper()
	r := e.do("GET", "/v1/deletion/?limit=100", key, nil)
	wantStatus(tb, r, http.StatusOK)
	var p struct {
		Data    []deletionRecord `json:"data"`
		HasMore bool             `json:"has_more"`
	}
	r.JSON(tb, &p)
	if p.HasMore {
		tb.Fatal("more than 100 deletion records: the test reads one page")
	}
	return p.Data
}

// wantBodyValidation checks a FastAPI-style 422 whose first entry is about the body (at field,
// when field is not "").
func wantBodyValidation(tb testing.TB, r *response, field string) {
	tb.Helper()
	wantStatus(tb, r, http.StatusUnprocessableEntity)
	var body struct {
		Detail []struct {
			Loc []any  `json:"loc"`
			Msg string `json:"msg"`
		} `json:"detail"`
	}
	r.JSON(tb, &body)
	if len(body.Detail) == 0 || len(body.Detail[0].Loc) == 0 || body.Detail[0].Loc[0] != "body" || body.Detail[0].Msg == "" {
		tb.Fatalf("422 body = %s, want detail about the body", r.Body)
	}
	if field != "" && (len(body.Detail[0].Loc) < 2 || body.Detail[0].Loc[1] != field) {
		tb.Fatalf("422 body = %s, want detail[0].loc = [body, %s]", r.Body, field)
	}
}

func rfc(t time.Time) string { return t.Format(time.RFC3339Nano) }

// purgeFixture: calls of the env's company around a cutoff, each terminal one with messages and
// log entries, active calls older than all of them, and another company's old call.
type purgeFixture struct {
	e                       *testEnv
	cutoff                  time.Time
	agent1, agent2          string
	contact1, contact2      string
	old1, old2, old3, edge  string // terminal, created at or before cutoff
	after                   string // terminal, one microsecond after cutoff
	inProgress, dialing     string // active, older than every other call
	otherCall, otherKey     string
	logsOf                  map[string][]string
	messagesOf              map[string]int64
	otherCompany            store.Company
	terminalOldestFirst     []string // old1, old2, old3, edge
	terminalAllOldestFirst  []string // ... and after
	activeIDs, allCompanyAs []string
}

func newPurgeFixture(t *testing.T) *purgeFixture {
	e := newEnv(t)
	f := &purgeFixture{e: e, cutoff: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), logsOf: map[string][]string{}, messagesOf: map[string]int64{},
		agent1: store.NewID(), agent2: store.NewID()}
	s := e.seed(e.Company.ID)
	f.contact1 = s.contact("+34611000001", f.cutoff.Add(-90*24*time.Hour)).ID
	f.contact2 = s.contact("+34611000002", f.cutoff.Add(-90*24*time.Hour)).ID
	day := 24 * time.Hour
	add := func(spec callSpec, messages, logs int) string {
		id := s.call(spec)
		for i := range messages {
			s.message(id, spec.At.Add(time.Duration(i)*time.Second), "user", "hello", "")
		}
		for i := range logs {
			f.logsOf[id] = append(f.logsOf[id], s.log(id, spec.At.Add(time.Duration(i)*time.Second), "INFO", "CALL_LIFECYCLE", "call.event"))
		}
		f.messagesOf[id] = int64(messages)
		return id
	}
	f.inProgress = add(callSpec{Contact: f.contact1, Agent: &f.agent1, Status: store.StatusInProgress, At: f.cutoff.Add(-30 * day)}, 2, 1)
	f.dialing = add(callSpec{Contact: f.contact2, Agent: &f.agent2, Status: store.StatusDialing, Type: "outbound", At: f.cutoff.Add(-29 * day)}, 1, 1)
	f.old1 = add(callSpec{Contact: f.contact1, Agent: &f.agent1, Status: store.StatusCompleted, At: f.cutoff.Add(-3 * day)}, 3, 2)
	f.old2 = add(callSpec{Contact: f.contact1, Agent: &f.agent2, Status: store.StatusFailed, At: f.cutoff.Add(-2 * day)}, 2, 1)
	f.old3 = add(callSpec{Contact: f.contact2, Agent: &f.agent1, Status: store.StatusNoAnswer, At: f.cutoff.Add(-1 * day)}, 1, 2)
	f.edge = add(callSpec{Contact: f.contact1, Agent: &f.agent1, Status: store.StatusTransferred, Type: "outbound", At: f.cutoff}, 2, 1)
	f.after = add(callSpec{Contact: f.contact1, Agent: &f.agent1, Status: store.StatusCompleted, At: f.cutoff.Add(time.Microsecond)}, 1, 1)
	f.terminalOldestFirst = []string{f.old1, f.old2, f.old3, f.edge}
	f.terminalAllOldestFirst = append(slices.Clone(f.terminalOldestFirst), f.after)
	f.activeIDs = []string{f.inProgress, f.dialing}

	f.otherCompany, f.otherKey = e.newCompany("other")
	os := e.seed(f.otherCompany.ID)
	f.otherCall = os.call(callSpec{Contact: os.contact("+34611000001", f.cutoff.Add(-90*day)).ID, Agent: &f.agent1, At: f.cutoff.Add(-10 * day)})
	os.message(f.otherCall, f.cutoff.Add(-10*day), "user", "hi", "")
	f.logsOf[f.otherCall] = []string{os.log(f.otherCall, f.cutoff.Add(-10*day), "INFO", "USER", "other")}
	return f
}

// wantRemaining fails unless the env's company has exactly these calls (and the other company its one).
func (f *purgeFixture) wantRemaining(t *testing.T, ids ...string) {
	t.Helper()
	want := slices.Clone(ids)
	slices.Sort(want)
	if got := f.e.lcCallIDs(f.e.Company.ID); !slices.Equal(got, want) {
		t.Fatalf("calls left = %v, want %v", got, want)
	}
	if got := f.e.lcCallIDs(f.otherCompany.ID); !slices.Equal(got, []string{f.otherCall}) {
		t.Fatalf("the other company's calls = %v, want [%s]", got, f.otherCall)
	}
	for _, id := range ids {
		if n := f.e.lcMessages(id); n != f.messagesOf[id] {
			t.Fatalf("call %s has %d messages, want %d", id, n, f.messagesOf[id])
		}
	}
}

// wantPurged checks that the calls are gone with their messages while their log entries stay,
// detached, with everything else unchanged.
func (f *purgeFixture) wantPurged(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if n := f.e.lcMessages(id); n != 0 {
			t.Fatalf("purged call %s still has %d messages", id, n)
		}
		for _, l := range f.logsOf[id] {
			row := f.e.lcLog(l)
			if row.CallID != nil || row.Data == nil || row.TraceID == nil || row.Event != "call.event" {
				t.Fatalf("log %s of purged call %s = %+v, want it kept whole with call_id null", l, id, row)
			}
		}
	}
}

// purge posts body to /v1/call/purge and decodes the 200 answer.
type purgeAnswer struct {
	Count      int64     `json:"purge_count"`
	Sample     *[]string `json:"purge_sample"`
	DeletionID *string   `json:"deletion_id"`
}

func (e *testEnv) purge(t *testing.T, key string, body any) (purgeAnswer, *response) {
	t.Helper()
	r := e.do("POST", "/v1/call/purge", key, body)
	wantStatus(t, r, http.StatusOK)
	var a purgeAnswer
	r.JSON(t, &a)
	if !strings.Contains(string(r.Body), `"deletion_id"`) {
		t.Fatalf("answer without deletion_id: %s", r.Body)
	}
	return a, r
}

func TestLifecyclePurgeDryRunByDefault(t *testing.T) {
	f := newPurgeFixture(t)
	e := f.e
	all := append(slices.Clone(f.terminalAllOldestFirst), f.activeIDs...)
	before := e.rowsOf(e.Company.ID)

	// No dry_run field: a dry run.
	a, r := e.purge(t, e.Key, map[string]any{"end_created_date": rfc(f.cutoff)})
	if a.Count != 4 || a.Sample == nil || !slices.Equal(*a.Sample, f.terminalOldestFirst) || a.DeletionID == nil {
		t.Fatalf("dry run = %s, want purge_count 4, purge_sample %v (oldest first) and a deletion_id", r.Body, f.terminalOldestFirst)
	}
	f.wantRemaining(t, all...)
	e.wantCounts(t, e.Company.ID, before)

	d, _ := e.getDeletion(t, e.Key, *a.DeletionID)
	if d.Kind != store.DeletionPurge || !d.DryRun || d.Deleted.Calls != 4 || d.Dialect != "calls" || d.Route != "POST /v1/call/purge" || d.RequestedCount != 0 {
		t.Fatalf("dry run's record = %+v", d)
	}
	if d.Filter == nil || d.Filter["end_created_date"] == nil {
		t.Fatalf("dry run's record has filter %v, want the end_created_date it applied", d.Filter)
	}

	// An explicit dry run with every filter: the same query, narrowed.
	for name, c := range map[string]struct {
		body map[string]any
		want []string
	}{
		"everything":   {map[string]any{}, f.terminalAllOldestFirst},
		"startInclude": {map[string]any{"start_created_date": rfc(f.cutoff)}, []string{f.edge, f.after}},
		"endInclusive": {map[string]any{"end_created_date": rfc(f.cutoff.Add(-time.Microsecond))}, []string{f.old1, f.old2, f.old3}},
		"status":       {map[string]any{"end_created_date": rfc(f.cutoff), "status": "completed"}, []string{f.old1}},
		"agent":        {map[string]any{"end_created_date": rfc(f.cutoff), "agent_id": f.agent2}, []string{f.old2}},
		"contact":      {map[string]any{"end_created_date": rfc(f.cutoff), "contact_id": f.contact2}, []string{f.old3}},
		"type":         {map[string]any{"type": "outbound"}, []string{f.edge}},
		"nulls":        {map[string]any{"status": nil, "agent_id": nil, "type": nil, "contact_id": nil, "start_created_date": nil, "end_created_date": nil}, f.terminalAllOldestFirst},
	} {
		t.Run(name, func(t *testing.T) {
			c.body["dry_run"] = true
			a, r := e.purge(t, e.Key, c.body)
			if a.Count != int64(len(c.want)) || a.Sample == nil || !slices.Equal(*a.Sample, c.want) || a.DeletionID == nil {
				t.Fatalf("dry run %v = %s, want %v", c.body, r.Body, c.want)
			}
		})
	}
	f.wantRemaining(t, all...)
	e.wantCounts(t, e.Company.ID, before)

	// The sample holds at most 100 ids, oldest first, while the count is exact.
	s := e.seed(e.Company.ID)
	var many []string
	for i := range 130 {
		many = append(many, s.call(callSpec{Contact: f.contact2, At: f.cutoff.Add(-200*24*time.Hour + time.Duration(i)*time.Minute)}))
	}
	a, r = e.purge(t, e.Key, map[string]any{"end_created_date": rfc(f.cutoff)})
	if a.Count != 134 || a.Sample == nil || len(*a.Sample) != 100 || !slices.Equal(*a.Sample, many[:100]) {
		t.Fatalf("dry run over 134 calls = %s, want purge_count 134 and the 100 oldest ids", r.Body)
	}
	if got := e.rowsOf(e.Company.ID); got.Calls != before.Calls+130 {
		t.Fatalf("a dry run deleted calls: %+v", got)
	}
}

func TestLifecyclePurgeDeletes(t *testing.T) {
	f := newPurgeFixture(t)
	e := f.e
	remaining := append(slices.Clone(f.terminalAllOldestFirst), f.activeIDs...)
	drop := func(ids ...string) {
		remaining = slices.DeleteFunc(remaining, func(id string) bool { return slices.Contains(ids, id) })
	}
	records := e.lcDeletionCount(e.Company.ID)
	steps := []struct {
		name string
		body map[string]any
		gone []string
	}{
		{"status", map[string]any{"end_created_date": rfc(f.cutoff), "status": "completed"}, []string{f.old1}},
		{"agent", map[string]any{"end_created_date": rfc(f.cutoff), "agent_id": f.agent2}, []string{f.old2}},
		{"contact", map[string]any{"end_created_date": rfc(f.cutoff), "contact_id": f.contact2}, []string{f.old3}},
		{"typeAndEndInclusive", map[string]any{"end_created_date": rfc(f.cutoff), "type": "outbound"}, []string{f.edge}}, // the dialing call is outbound too
		{"everythingElse", map[string]any{}, []string{f.after}},
	}
	for _, st := range steps {
		st.body["dry_run"] = false
		a, r := e.purge(t, e.Key, st.body)
		if a.Count != int64(len(st.gone)) || a.DeletionID == nil || a.Sample != nil {
			t.Fatalf("%s: purge = %s, want purge_count %d, a deletion_id and no sample", st.name, r.Body, len(st.gone))
		}
		drop(st.gone...)
		f.wantRemaining(t, remaining...)
		f.wantPurged(t, st.gone...)
		records++
		if n := e.lcDeletionCount(e.Company.ID); n != records {
			t.Fatalf("%s: %d audit records, want %d", st.name, n, records)
		}
		d, _ := e.getDeletion(t, e.Key, *a.DeletionID)
		var msgs, logs int64
		for _, id := range st.gone {
			msgs += f.messagesOf[id]
			logs += int64(len(f.logsOf[id]))
		}
		if d.Kind != store.DeletionPurge || d.DryRun || d.Deleted != (store.DeletionCounts{Calls: int64(len(st.gone)), Messages: msgs, LogsDetached: logs}) {
			t.Fatalf("%s: record = %+v, want calls %d messages %d logs_detached %d", st.name, d, len(st.gone), msgs, logs)
		}
	}
	// Only the active calls are left, and a purge never takes them.
	f.wantRemaining(t, f.activeIDs...)
	for _, id := range f.activeIDs {
		wantStatus(t, e.do("GET", "/v1/call/"+id, e.Key, nil), http.StatusOK)
	}
	// The other company's own purge takes its call, not ours.
	a, _ := e.purge(t, f.otherKey, map[string]any{"dry_run": false})
	if a.Count != 1 {
		t.Fatalf("other company's purge deleted %d, want 1", a.Count)
	}
	if got := e.lcCallIDs(e.Company.ID); len(got) != 2 {
		t.Fatalf("another company's purge changed ours: %v", got)
	}
}

func TestLifecyclePurgeMatchingNothing(t *testing.T) {
	f := newPurgeFixture(t)
	e := f.e
	before, records := e.rowsOf(e.Company.ID), e.lcDeletionCount(e.Company.ID)
	long := rfc(f.cutoff.Add(-365 * 24 * time.Hour))
	// A real run: 200 with 0, no deletion_id, no record.
	r := e.do("POST", "/v1/call/purge", e.Key, map[string]any{"dry_run": false, "end_created_date": long})
	wantStatus(t, r, http.StatusOK)
	m := r.Map(t)
	if m["purge_count"] != 0.0 || m["deletion_id"] != nil || len(m) != 2 {
		t.Fatalf("purge matching nothing = %s, want {\"purge_count\":0,\"deletion_id\":null}", r.Body)
	}
	// Only active calls match the filter: still nothing.
	r = e.do("POST", "/v1/call/purge", e.Key, map[string]any{"dry_run": false, "end_created_date": rfc(f.cutoff.Add(-20 * 24 * time.Hour))})
	wantStatus(t, r, http.StatusOK)
	if m := r.Map(t); m["purge_count"] != 0.0 || m["deletion_id"] != nil {
		t.Fatalf("purge of active calls only = %s", r.Body)
	}
	// A dry run: no record either, and (as every dry run) a purge_sample, here empty.
	a, r := e.purge(t, e.Key, map[string]any{"end_created_date": long})
	if a.Count != 0 || a.DeletionID != nil {
		t.Fatalf("dry run matching nothing = %s, want purge_count 0 and deletion_id null", r.Body)
	}
	if a.Sample == nil || len(*a.Sample) != 0 {
		t.Errorf("dry run matching nothing = %s, want purge_sample [] as in every dry run's answer", r.Body)
	}
	e.wantCounts(t, e.Company.ID, before)
	if n := e.lcDeletionCount(e.Company.ID); n != records {
		t.Fatalf("a purge that matched nothing left a record (%d, want %d)", n, records)
	}
}

func TestLifecyclePurgeRefused(t *testing.T) {
	f := newPurgeFixture(t)
	e := f.e
	before, otherBefore := e.rowsOf(e.Company.ID), e.rowsOf(f.otherCompany.ID)
	for name, c := range map[string]struct {
		body  any
		field string
	}{
		"statusDialing":    {map[string]any{"dry_run": false, "status": "dialing"}, "status"},
		"statusInProgress": {map[string]any{"dry_run": false, "status": "in_progress"}, "status"},
		"statusUnknown":    {map[string]any{"dry_run": false, "status": "done"}, "status"},
		"badEndDate":       {map[string]any{"dry_run": false, "end_created_date": "yesterday"}, "end_created_date"},
		"badStartDate":     {map[string]any{"dry_run": false, "start_created_date": "2025-13-45"}, "start_created_date"},
		"dateNotString":    {map[string]any{"dry_run": false, "end_created_date": 12}, "end_created_date"},
		"unknownType":      {map[string]any{"dry_run": false, "type": "sideways"}, "type"},
		"agentNotUUID":     {map[string]any{"dry_run": false, "agent_id": "bob"}, "agent_id"},
		"contactNotUUID":   {map[string]any{"dry_run": false, "contact_id": "x"}, "contact_id"},
		"dryRunNotBool":    {map[string]any{"dry_run": "no"}, "dry_run"},
		"malformedJSON":    {`{"dry_run": false`, ""},
		"notAnObject":      {`[{"dry_run": false}]`, ""},
		"emptyBody":        {``, ""},
	} {
		t.Run(name, func(t *testing.T) {
			wantBodyValidation(t, e.do("POST", "/v1/call/purge", e.Key, c.body), c.field)
		})
	}
	t.Run("endBeforeStart", func(t *testing.T) {
		r := e.do("POST", "/v1/call/purge", e.Key, map[string]any{"dry_run": false, "start_created_date": rfc(f.cutoff), "end_created_date": rfc(f.cutoff.Add(-time.Hour))})
		if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("inverted date range = %d %s, want it refused", r.Status, r.Body)
		}
	})
	t.Run("withoutPermission", func(t *testing.T) {
		for _, perms := range [][]string{{"calls.view"}, {"contacts.delete", "calls.update"}} {
			k := e.keyWith(perms...)
			r := e.do("POST", "/v1/call/purge", k, map[string]any{"dry_run": false})
			wantError(t, r, http.StatusForbidden, "INTERNAL_SERVER_ERROR")
			// Even a dry run needs calls.delete.
			wantError(t, e.do("POST", "/v1/call/purge", k, map[string]any{}), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		}
		// A restricted key holding calls.delete may purge (here: preview).
		wantStatus(t, e.do("POST", "/v1/call/purge", e.keyWith("calls.delete"), map[string]any{}), http.StatusOK)
	})
	t.Run("withoutKey", func(t *testing.T) {
		wantError(t, e.do("POST", "/v1/call/purge", "", map[string]any{"dry_run": false}), http.StatusUnauthorized, "INVALID_API_KEY")
		wantError(t, e.do("POST", "/v1/call/purge", "cs_nope", map[string]any{"dry_run": false}), http.StatusUnauthorized, "INVALID_API_KEY")
	})
	e.wantCounts(t, e.Company.ID, before)
	e.wantCounts(t, f.otherCompany.ID, otherBefore)
	// The refused requests left no record; the one permitted preview left one.
	if n := e.lcDeletionCount(e.Company.ID); n != 1 {
		t.Fatalf("%d audit records after refused purges and one preview, want 1", n)
	}
}

// A purge larger than a batch deletes everything and keeps one record adding up every batch.
func TestLifecyclePurgeManyBatches(t *testing.T) {
	e := newLifecycleEnv(t, func(*store.Store) handlers.Config { return handlers.Config{WriteTimeout: 30 * time.Second} })
	ctx := context.Background()
	const n = 1200
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	ct := e.seed(e.Company.ID).contact("+34699999999", t0)
	ids := make([]string, n)
	var messages, logs int64
	err := e.Store.Engine().InTx(ctx, func(q sqlcdb.Querier) error {
		// InTx may run this again (PostgreSQL, after a serialization failure): count afresh.
		messages, logs = 0, 0
		for i := range n {
			id := store.NewID()
			ids[i] = id
			at := t0.Add(time.Duration(i) * time.Second).UnixMicro()
			if err := q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: e.Company.ID, ContactID: ct.ID, ContactIdentifier: ct.Identifier, ContactType: ct.ContactType,
				ContactCreatedDate: ct.CreatedDate.UnixMicro(), Status: store.TerminalStatuses[i%len(store.TerminalStatuses)], Type: "inbound", CreatedDate: at}); err != nil {
				return err
			}
			text := "hi"
			for j := range 1 + i%2 {
				if err := q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: at + int64(j), ID: store.NewID(), Role: "user", Content: &text}); err != nil {
					return err
				}
				messages++
			}
			if i%7 == 0 {
				if err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: store.NewID(), CompanyID: e.Company.ID, CallID: &id, Timestamp: at, Level: "INFO", Category: "CALL_LIFECYCLE", Event: "ended"}); err != nil {
					return err
				}
				logs++
			}
		}
		// An active call among them stays.
		return q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: store.NewID(), CompanyID: e.Company.ID, ContactID: ct.ID, ContactIdentifier: ct.Identifier, ContactType: ct.ContactType,
			ContactCreatedDate: ct.CreatedDate.UnixMicro(), Status: store.StatusInProgress, Type: "inbound", CreatedDate: t0.Add(time.Hour).UnixMicro()})
	})
	if err != nil {
		t.Fatal(err)
	}

	a, r := e.purge(t, e.Key, map[string]any{})
	if a.Count != n || a.Sample == nil || !slices.Equal(*a.Sample, ids[:100]) {
		t.Fatalf("dry run = %.200s..., want purge_count %d and the 100 oldest", r.Body, n)
	}
	a, r = e.purge(t, e.Key, map[string]any{"dry_run": false})
	if a.Count != n || a.DeletionID == nil {
		t.Fatalf("purge = %s, want purge_count %d", r.Body, n)
	}
	e.wantCounts(t, e.Company.ID, rowCounts{Contacts: 1, Calls: 1, Messages: 0, Logs: logs, Detached: logs})
	var real []deletionRecord
	for _, d := range e.listDeletions(t, e.Key) {
		if !d.DryRun {
			real = append(real, d)
		}
	}
	want := store.DeletionCounts{Calls: n, Messages: messages, LogsDetached: logs}
	if len(real) != 1 || real[0].ID != *a.DeletionID || real[0].Deleted != want {
		t.Fatalf("records of the purge = %+v, want one, %s, counting %+v", real, *a.DeletionID, want)
	}
}

// eraseFixture: a person known to the company as a phone contact and as a web contact, another
// contact of the company, and another company's contact with the same identifier.
type eraseFixture struct {
	e                       *testEnv
	identifier              string
	callContact, webContact string
	personCalls             []string
	personLogs              []string
	keepContact             string
	keepCalls, keepLogs     []string
	other                   store.Company
	otherKey                string
	otherContact            string
	otherLogs               []string
	companyLog              string // a log entry of no call
	otherRows               rowCounts
	logBefore               map[string]sqlctest.CallLog
}

func newEraseFixture(t *testing.T) *eraseFixture {
	e := newEnv(t)
	f := &eraseFixture{e: e, identifier: "+34612345678", logBefore: map[string]sqlctest.CallLog{}}
	t0 := time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)
	f.callContact = e.lcContact(e.Company.ID, f.identifier, "call", t0)
	f.webContact = e.lcContact(e.Company.ID, f.identifier, "web", t0)
	f.keepContact = e.lcContact(e.Company.ID, "+34687654321", "call", t0)
	s := e.seed(e.Company.ID)
	mk := func(s *seeder, contact string, status string, at time.Time) (string, []string) {
		id := s.call(callSpec{Contact: contact, Status: status, At: at})
		s.message(id, at, "user", "my name is Ana, call me on "+f.identifier, "")
		s.message(id, at.Add(time.Second), "assistant", "ok", "")
		var logs []string
		for i, ev := range []string{"call.started", "call.ended"} {
			logs = append(logs, s.log(id, at.Add(time.Duration(i)*time.Second), []string{"INFO", "WARNING"}[i], "CALL_LIFECYCLE", ev))
		}
		return id, logs
	}
	for i, c := range []string{f.callContact, f.callContact, f.webContact} {
		id, logs := mk(s, c, []string{"completed", "failed", "no_answer"}[i], t0.Add(time.Duration(i)*time.Hour))
		f.personCalls = append(f.personCalls, id)
		f.personLogs = append(f.personLogs, logs...)
	}
	id, logs := mk(s, f.keepContact, "completed", t0)
	f.keepCalls, f.keepLogs = []string{id}, logs
	f.companyLog = s.log("", t0, "INFO", "SYSTEM", "boot")

	f.other, f.otherKey = e.newCompany("other")
	os := e.seed(f.other.ID)
	f.otherContact = e.lcContact(f.other.ID, f.identifier, "call", t0)
	_, f.otherLogs = mk(os, f.otherContact, "completed", t0)
	for _, l := range append(append(append(slices.Clone(f.personLogs), f.keepLogs...), f.otherLogs...), f.companyLog) {
		f.logBefore[l] = e.lcLog(l)
	}
	f.otherRows = e.rowsOf(f.other.ID)
	return f
}

// unchanged fails unless every row but the person's is as it was.
func (f *eraseFixture) othersUntouched(t *testing.T) {
	t.Helper()
	e := f.e
	if !e.contactExists(e.Company.ID, f.keepContact) || !e.contactExists(f.other.ID, f.otherContact) {
		t.Fatal("a contact that is not the person's was deleted")
	}
	for _, id := range f.keepCalls {
		if e.lcMessages(id) != 2 {
			t.Fatalf("call %s of another contact lost messages", id)
		}
	}
	if got := e.rowsOf(f.other.ID); got != f.otherRows {
		t.Fatalf("the other company's rows = %+v", got)
	}
	for _, l := range append(append(slices.Clone(f.keepLogs), f.otherLogs...), f.companyLog) {
		if got := e.lcLog(l); !logEqual(got, f.logBefore[l]) {
			t.Fatalf("log %s changed: %+v, was %+v", l, got, f.logBefore[l])
		}
	}
}

func logEqual(a, b sqlctest.CallLog) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.ID == b.ID && a.CompanyID == b.CompanyID && eq(a.CallID, b.CallID) && a.Timestamp == b.Timestamp && a.Level == b.Level &&
		a.Category == b.Category && a.Event == b.Event && eq(a.TraceID, b.TraceID) && eq(a.Data, b.Data)
}

type erasureAnswer struct {
	ContactIDs []string             `json:"contact_ids"`
	DryRun     bool                 `json:"dry_run"`
	Erased     store.DeletionCounts `json:"erased"`
	DeletionID string               `json:"deletion_id"`
}

func TestLifecycleErase(t *testing.T) {
	f := newEraseFixture(t)
	e := f.e
	before := e.rowsOf(e.Company.ID)
	wantContacts := []string{f.callContact, f.webContact}
	slices.Sort(wantContacts)
	wantErased := store.DeletionCounts{Contacts: 2, Calls: 3, Messages: 6, LogsDetached: 6, LogsRedacted: 6}

	// The default is a dry run: the same answer, nothing changed.
	r := e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": f.identifier})
	wantStatus(t, r, http.StatusOK)
	var dry erasureAnswer
	r.JSON(t, &dry)
	got := slices.Clone(dry.ContactIDs)
	slices.Sort(got)
	if !dry.DryRun || !slices.Equal(got, wantContacts) || dry.Erased != wantErased || dry.DeletionID == "" {
		t.Fatalf("dry run = %s, want contacts %v, erased %+v", r.Body, wantContacts, wantErased)
	}
	e.wantCounts(t, e.Company.ID, before)
	for _, l := range f.personLogs {
		if !logEqual(e.lcLog(l), f.logBefore[l]) {
			t.Fatalf("a dry run changed log %s", l)
		}
	}
	f.othersUntouched(t)
	if d, _ := e.getDeletion(t, e.Key, dry.DeletionID); d.Kind != store.DeletionErasure || !d.DryRun || d.Deleted != wantErased {
		t.Fatalf("dry run's record = %+v", d)
	}

	// The erasure.
	r = e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": f.identifier, "dry_run": false})
	wantStatus(t, r, http.StatusOK)
	var done erasureAnswer
	r.JSON(t, &done)
	got = slices.Clone(done.ContactIDs)
	slices.Sort(got)
	if done.DryRun || !slices.Equal(got, wantContacts) || done.Erased != wantErased || done.DeletionID == "" || done.DeletionID == dry.DeletionID {
		t.Fatalf("erasure = %s, want contacts %v, erased %+v", r.Body, wantContacts, wantErased)
	}
	if e.contactExists(e.Company.ID, f.callContact) || e.contactExists(e.Company.ID, f.webContact) {
		t.Fatal("the person's contacts survived")
	}
	for _, id := range f.personCalls {
		wantError(t, e.do("GET", "/v1/call/"+id, e.Key, nil), http.StatusNotFound, "CALL_NOT_FOUND")
		if n := e.lcMessages(id); n != 0 {
			t.Fatalf("erased call %s kept %d messages", id, n)
		}
	}
	for _, l := range f.personLogs {
		was, now := f.logBefore[l], e.lcLog(l)
		if now.CallID != nil || now.Data != nil || now.TraceID != nil {
			t.Fatalf("log %s of an erased call = call_id %v data %v trace_id %v, want all null", l, now.CallID, now.Data, now.TraceID)
		}
		if now.Level != was.Level || now.Category != was.Category || now.Event != was.Event || now.Timestamp != was.Timestamp || now.CompanyID != was.CompanyID {
			t.Fatalf("log %s = %+v, want level/category/event/timestamp of %+v", l, now, was)
		}
	}
	e.wantCounts(t, e.Company.ID, rowCounts{Contacts: before.Contacts - 2, Calls: before.Calls - 3, Messages: before.Messages - 6, Logs: before.Logs, Detached: before.Detached + 6})
	f.othersUntouched(t)
	// The company's log list shows the surviving entries without the person's data.
	logs := e.getPage(t, "/v1/log/?limit=100", e.Key)
	if len(logs.Data) != len(f.personLogs)+len(f.keepLogs)+1 {
		t.Fatalf("log list has %d entries, want %d", len(logs.Data), len(f.personLogs)+len(f.keepLogs)+1)
	}

	// The record names the contacts, never the identifier.
	d, rec := e.getDeletion(t, e.Key, done.DeletionID)
	ids := slices.Clone(d.RequestedIDs)
	slices.Sort(ids)
	if d.Kind != store.DeletionErasure || d.DryRun || !slices.Equal(ids, wantContacts) || d.RequestedCount != 2 || d.Deleted != wantErased ||
		d.Dialect != "calls" || d.Route != "POST /v1/contact/erase" || d.Credential.Type != "api_key" || d.Credential.ID == nil {
		t.Fatalf("erasure's record = %s", rec.Body)
	}
	list := e.do("GET", "/v1/deletion/", e.Key, nil)
	wantStatus(t, list, http.StatusOK)
	digits := strings.TrimPrefix(f.identifier, "+")
	for _, body := range [][]byte{rec.Body, list.Body} {
		if strings.Contains(string(body), digits) {
			t.Fatalf("the audit trail holds the identifier: %s", body)
		}
	}
	if raw := e.rawDeletionRow(done.DeletionID); strings.Contains(raw, digits) {
		t.Fatalf("the deletions table holds the identifier: %s", raw)
	}

	// Erased already: 404 now.
	wantError(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": f.identifier, "dry_run": false}), http.StatusNotFound, "CONTACT_NOT_FOUND")
}

// rawDeletionRow is every column of one deletions row, as text.
func (e *testEnv) rawDeletionRow(id string) string {
	e.t.Helper()
	d, err := e.testQueries().GetDeletionRow(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	orEmpty := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return strings.Join([]string{d.CompanyID, d.Kind, d.Dialect, d.Route, d.CredentialType, orEmpty(d.CredentialID), d.RequestedIds, orEmpty(d.Filter)}, "|")
}

func TestLifecycleEraseRefused(t *testing.T) {
	f := newEraseFixture(t)
	e := f.e
	// A person with an active call, on either of their contacts: 409 naming the call, nothing changed.
	busy := "+34600111222"
	phone := e.lcContact(e.Company.ID, busy, "call", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	web := e.lcContact(e.Company.ID, busy, "web", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	s := e.seed(e.Company.ID)
	done := s.call(callSpec{Contact: phone, At: time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)})
	s.message(done, time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC), "user", "hi", "")
	doneLog := s.log(done, time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC), "INFO", "CALL_LIFECYCLE", "call.ended")
	live := s.call(callSpec{Contact: web, Status: store.StatusInProgress, At: time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC)})
	dialing := s.call(callSpec{Contact: phone, Status: store.StatusDialing, At: time.Date(2025, 9, 4, 0, 0, 0, 0, time.UTC)})
	before, records := e.rowsOf(e.Company.ID), e.lcDeletionCount(e.Company.ID)
	doneLogBefore := e.lcLog(doneLog)
	for _, dry := range []any{false, true, nil} {
		body := map[string]any{"identifier": busy}
		if dry != nil {
			body["dry_run"] = dry
		}
		r := e.do("POST", "/v1/contact/erase", e.Key, body)
		wantError(t, r, http.StatusConflict, "CONTACT_HAS_ACTIVE_CALLS")
		msg, _ := r.Map(t)["message"].(string)
		if !strings.Contains(msg, live) || !strings.Contains(msg, dialing) {
			t.Fatalf("409 message %q does not name the active calls %s and %s", msg, live, dialing)
		}
	}
	e.wantCounts(t, e.Company.ID, before)
	if !e.contactExists(e.Company.ID, phone) || !e.contactExists(e.Company.ID, web) || e.lcMessages(done) != 1 || !logEqual(e.lcLog(doneLog), doneLogBefore) {
		t.Fatal("a refused erasure changed something")
	}

	// Unknown identifier, or one only another company knows: 404.
	wantError(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "+10000000000", "dry_run": false}), http.StatusNotFound, "CONTACT_NOT_FOUND")
	e.lcContact(f.other.ID, "+34699000000", "call", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	f.otherRows.Contacts++
	wantError(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "+34699000000", "dry_run": false}), http.StatusNotFound, "CONTACT_NOT_FOUND")

	// A malformed request: 422.
	for name, c := range map[string]struct {
		body  any
		field string
	}{
		"missing":       {map[string]any{"dry_run": false}, "identifier"},
		"null":          {map[string]any{"identifier": nil, "dry_run": false}, "identifier"},
		"notString":     {map[string]any{"identifier": 34612345678, "dry_run": false}, "identifier"},
		"dryRunNotBool": {map[string]any{"identifier": f.identifier, "dry_run": "false"}, "dry_run"},
		"malformedJSON": {`{"identifier": "` + f.identifier + `"`, ""},
		"notAnObject":   {`"` + f.identifier + `"`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			wantBodyValidation(t, e.do("POST", "/v1/contact/erase", e.Key, c.body), c.field)
		})
	}
	t.Run("empty", func(t *testing.T) {
		// The document's EraseRequest has identifier minLength 1: an empty one is a 422 like
		// every other malformed field.
		wantBodyValidation(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "", "dry_run": false}), "identifier")
	})
	t.Run("blank", func(t *testing.T) {
		wantBodyValidation(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "   ", "dry_run": false}), "identifier")
	})
	t.Run("withoutPermission", func(t *testing.T) {
		k := e.keyWith("contacts.view", "calls.delete")
		wantError(t, e.do("POST", "/v1/contact/erase", k, map[string]any{"identifier": f.identifier, "dry_run": false}), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		wantError(t, e.do("POST", "/v1/contact/erase", "", map[string]any{"identifier": f.identifier, "dry_run": false}), http.StatusUnauthorized, "INVALID_API_KEY")
	})
	// Nothing of the person changed, and no refused request left a record.
	if !e.contactExists(e.Company.ID, f.callContact) || !e.contactExists(e.Company.ID, f.webContact) {
		t.Fatal("a refused erasure deleted the person")
	}
	e.wantCounts(t, e.Company.ID, before)
	f.othersUntouched(t)
	if n := e.lcDeletionCount(e.Company.ID); n != records {
		t.Fatalf("%d audit records after refused erasures, want %d", n, records)
	}
}

// TestLifecycleDeletionTrail: every dialect's deletion leaves one record, in the company's
// newest-first list, readable and never changeable through the API.
func TestLifecycleDeletionTrail(t *testing.T) {
	e := newEnv(t)
	keyID, key := e.lcKey(e.Company.ID)
	app := e.newApp(e.Company.ID)

	// Deletions that delete nothing, or are refused, leave no record.
	_, activeCalls := e.seedContact(e.Company.ID, "in_progress", "dialing")
	busy, _ := e.seedContact(e.Company.ID, "completed", "in_progress")
	okContact, _ := e.seedContact(e.Company.ID, "completed")
	for _, c := range []struct {
		name   string
		do     func() *response
		status int
	}{
		{"callsUnknown", func() *response {
			return e.do("POST", "/v1/call/bulk-delete", key, map[string]any{"call_ids": []string{store.NewID(), store.NewID()}})
		}, 200},
		{"callsActiveOnly", func() *response {
			return e.do("POST", "/v1/call/bulk-delete", key, map[string]any{"call_ids": activeCalls})
		}, 200},
		{"contactsUnknown", func() *response {
			return e.do("POST", "/v1/contact/bulk-delete", key, map[string]any{"contact_ids": []string{store.NewID()}})
		}, 200},
		{"contactsAllOrNone", func() *response {
			return e.do("POST", "/v1/contact/bulk-delete", key, map[string]any{"contact_ids": []string{okContact, busy}, "all_or_none": true})
		}, 409},
		{"koreaiUnknown", func() *response {
			return e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID), map[string]any{"ids": []string{store.NewID(), busy}})
		}, 200},
		{"genlogsAllOrNone", func() *response {
			return e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(e.accessToken(key), key), map[string]any{"contact_ids": []string{okContact, busy}})
		}, 409},
		{"genlogsUnknown", func() *response {
			return e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(e.accessToken(key), key), map[string]any{"contact_ids": []string{okContact, store.NewID()}})
		}, 404},
	} {
		wantStatus(t, c.do(), c.status)
		if n := e.lcDeletionCount(e.Company.ID); n != 0 {
			t.Fatalf("%s: %d records after a request that deleted nothing", c.name, n)
		}
	}
	if got := e.listDeletions(t, key); len(got) != 0 {
		t.Fatalf("list = %+v, want empty", got)
	}

	// Four deletions, one per dialect and kind, a second apart.
	type want struct {
		id        string
		kind      string
		dialect   string
		route     string
		credType  string
		credID    string
		requested []string
		deleted   store.DeletionCounts
		dryRun    bool
	}
	var wants []want
	tick := func() { e.Clock.Advance(time.Second) }

	_, calls := e.seedContact(e.Company.ID, "completed", "failed", "in_progress")
	tick()
	requested := []string{calls[0], calls[1], calls[2], store.NewID()}
	wantStatus(t, e.do("POST", "/v1/call/bulk-delete", key, map[string]any{"call_ids": requested}), 200)
	wants = append(wants, want{kind: "calls", dialect: "calls", route: "POST /v1/call/bulk-delete", credType: "api_key", credID: keyID, requested: requested,
		deleted: store.DeletionCounts{Calls: 2, Messages: 4, LogsDetached: 2}})

	c1, _ := e.seedContact(e.Company.ID, "completed", "no_answer")
	tick()
	wantStatus(t, e.do("POST", "/v1/contact/bulk-delete", key, map[string]any{"contact_ids": []string{c1}, "dry_run": true}), 200)
	wants = append(wants, want{kind: "contacts", dialect: "calls", route: "POST /v1/contact/bulk-delete", credType: "api_key", credID: keyID, requested: []string{c1},
		deleted: store.DeletionCounts{Contacts: 1, Calls: 2, Messages: 4, LogsDetached: 2}, dryRun: true})
	tick()
	unknown := store.NewID()
	wantStatus(t, e.do("POST", "/v1/contact/bulk-delete", key, map[string]any{"contact_ids": []string{c1, unknown}}), 200)
	wants = append(wants, want{kind: "contacts", dialect: "calls", route: "POST /v1/contact/bulk-delete", credType: "api_key", credID: keyID, requested: []string{c1, unknown},
		deleted: store.DeletionCounts{Contacts: 1, Calls: 2, Messages: 4, LogsDetached: 2}})

	k1, _ := e.seedContact(e.Company.ID, "completed")
	k2, _ := e.seedContact(e.Company.ID, "transferred", "failed", "completed")
	tick()
	wantStatus(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID), map[string]any{"ids": []string{k1, k2}}), 200)
	wants = append(wants, want{kind: "contacts", dialect: "koreai", route: "DELETE /agentassist/api/v1/public/{streamId}/contacts/bulk-delete", credType: "app", credID: app.ClientID,
		requested: []string{k1, k2}, deleted: store.DeletionCounts{Contacts: 2, Calls: 4, Messages: 8, LogsDetached: 4}})

	g1, _ := e.seedContact(e.Company.ID, "failed")
	token := e.accessToken(key)
	tick()
	wantStatus(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(token, key), map[string]any{"contact_ids": []string{g1}}), 200)
	wants = append(wants, want{kind: "contacts", dialect: "genlogs", route: "DELETE /onboarded-carrier/bulk/contacts", credType: "access_token", credID: keyID,
		requested: []string{g1}, deleted: store.DeletionCounts{Contacts: 1, Calls: 1, Messages: 2, LogsDetached: 1}})

	// The single-contact deletes of both dialects are recorded too.
	k3, _ := e.seedContact(e.Company.ID, "completed", "failed")
	tick()
	wantStatus(t, e.doHeaders("DELETE", "/agentassist/api/v1/public/st-1234/contacts/"+k3, koreaiHeaders(e.appJWT(app), e.Company.ID), nil), 200)
	wants = append(wants, want{kind: "contacts", dialect: "koreai", route: "DELETE /agentassist/api/v1/public/{streamId}/contacts/{id}", credType: "app", credID: app.ClientID,
		requested: []string{k3}, deleted: store.DeletionCounts{Contacts: 1, Calls: 2, Messages: 4, LogsDetached: 2}})
	g2, _ := e.seedContact(e.Company.ID, "no_answer")
	tick()
	wantStatus(t, e.doHeaders("DELETE", "/onboarded-carrier/contacts/"+g2, genlogsHeaders(token, key), nil), 200)
	wants = append(wants, want{kind: "contacts", dialect: "genlogs", route: "DELETE /onboarded-carrier/contacts/{contact_id}", credType: "access_token", credID: keyID,
		requested: []string{g2}, deleted: store.DeletionCounts{Contacts: 1, Calls: 1, Messages: 2, LogsDetached: 1}})

	// The list: newest first, one record per deletion, without requested_ids.
	list := e.do("GET", "/v1/deletion/", key, nil)
	wantStatus(t, list, http.StatusOK)
	var raw struct {
		Data []map[string]any `json:"data"`
	}
	list.JSON(t, &raw)
	got := e.listDeletions(t, key)
	if len(got) != len(wants) || len(raw.Data) != len(wants) {
		t.Fatalf("%d records, want %d: %s", len(got), len(wants), list.Body)
	}
	for i, d := range got {
		w := wants[len(wants)-1-i]
		if _, has := raw.Data[i]["requested_ids"]; has {
			t.Fatalf("list entry %d has requested_ids: %v", i, raw.Data[i])
		}
		if d.Kind != w.kind || d.Dialect != w.dialect || d.Route != w.route || d.Credential.Type != w.credType || d.Credential.ID == nil ||
			*d.Credential.ID != w.credID || d.Deleted != w.deleted || d.DryRun != w.dryRun || d.RequestedCount != len(w.requested) || d.Filter != nil {
			t.Fatalf("record %d = %+v (credential id %v), want %+v", i, d, d.Credential.ID, w)
		}
		wants[len(wants)-1-i].id = d.ID
		// The single record: the same, with the ids it requested.
		one, r := e.getDeletion(t, key, d.ID)
		if !slices.Equal(one.RequestedIDs, w.requested) || one.Kind != d.Kind || one.Deleted != d.Deleted || one.CreatedDate != d.CreatedDate {
			t.Fatalf("GET /v1/deletion/%s = %s, want requested_ids %v", d.ID, r.Body, w.requested)
		}
		if created, err := time.Parse(time.RFC3339Nano, d.CreatedDate); err != nil || !created.Equal(e.Clock.Now().Add(-time.Duration(i)*time.Second)) {
			t.Fatalf("record %d created_date %s, want %s", i, d.CreatedDate, e.Clock.Now().Add(-time.Duration(i)*time.Second))
		}
	}
	newestFirst := make([]string, len(got))
	for i, d := range got {
		newestFirst[i] = d.ID
	}
	oldestFirst := slices.Clone(newestFirst)
	slices.Reverse(oldestFirst)

	t.Run("Pagination", func(t *testing.T) {
		walkCursor(t, e, "/v1/deletion/?limit=2", key, newestFirst)
		walkCursor(t, e, "/v1/deletion/?limit=2&order=asc", key, oldestFirst)
		walkPages(t, e, "/v1/deletion/", url.Values{}, "desc", 2, key, newestFirst)
		walkPages(t, e, "/v1/deletion/", url.Values{}, "asc", 3, key, oldestFirst)
		// The created date filter, inclusive at both ends.
		q := url.Values{"start_created_date": {rfc(e.Clock.Now().Add(-3 * time.Second))}, "end_created_date": {rfc(e.Clock.Now().Add(-time.Second))}}
		walkPages(t, e, "/v1/deletion/", q, "desc", 10, key, newestFirst[1:4])
		wantStatus(t, e.do("GET", "/v1/deletion/?limit=0", key, nil), http.StatusUnprocessableEntity)
		wantStatus(t, e.do("GET", "/v1/deletion/?limit=1001", key, nil), http.StatusUnprocessableEntity)
		wantStatus(t, e.do("GET", "/v1/deletion/?page=1&after="+newestFirst[0], key, nil), http.StatusUnprocessableEntity)
		wantStatus(t, e.do("GET", "/v1/deletion/?start_created_date=yesterday", key, nil), http.StatusUnprocessableEntity)
		wantStatus(t, e.do("GET", "/v1/deletion/?after="+store.NewID(), key, nil), http.StatusBadRequest)
	})

	t.Run("OtherCompany", func(t *testing.T) {
		other, otherKey := e.newCompany("other")
		for _, id := range newestFirst {
			wantError(t, e.do("GET", "/v1/deletion/"+id, otherKey, nil), http.StatusNotFound, "DELETION_NOT_FOUND")
		}
		if got := e.listDeletions(t, otherKey); len(got) != 0 {
			t.Fatalf("another company sees %d records", len(got))
		}
		// A cursor of our trail means nothing to theirs.
		wantStatus(t, e.do("GET", "/v1/deletion/?after="+newestFirst[0], otherKey, nil), http.StatusBadRequest)
		// Their deletion is theirs only.
		_, theirCalls := e.seedContact(other.ID, "completed")
		wantStatus(t, e.do("POST", "/v1/call/bulk-delete", otherKey, map[string]any{"call_ids": theirCalls}), 200)
		theirs := e.listDeletions(t, otherKey)
		if len(theirs) != 1 || theirs[0].Deleted.Calls != 1 {
			t.Fatalf("their trail = %+v", theirs)
		}
		if got := e.listDeletions(t, key); len(got) != len(newestFirst) {
			t.Fatalf("our trail has %d records after their deletion, want %d", len(got), len(newestFirst))
		}
		wantError(t, e.do("GET", "/v1/deletion/"+theirs[0].ID, key, nil), http.StatusNotFound, "DELETION_NOT_FOUND")
		wantError(t, e.do("GET", "/v1/deletion/"+store.NewID(), key, nil), http.StatusNotFound, "DELETION_NOT_FOUND")
		wantValidation(t, e.do("GET", "/v1/deletion/not-a-uuid", key, nil), "path", "id")
	})

	t.Run("ReadOnly", func(t *testing.T) {
		id := newestFirst[0]
		_, before := e.getDeletion(t, key, id)
		for _, m := range []string{"PATCH", "DELETE", "POST", "PUT"} {
			r := e.do(m, "/v1/deletion/"+id, key, map[string]any{"kind": "calls", "deleted": map[string]any{"calls": 0}})
			wantError(t, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
			if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || strings.Contains(allow, m) {
				t.Fatalf("%s: Allow = %q", m, allow)
			}
		}
		for _, m := range []string{"POST", "DELETE", "PATCH"} {
			wantStatus(t, e.do(m, "/v1/deletion/", key, map[string]any{}), http.StatusMethodNotAllowed)
		}
		if _, after := e.getDeletion(t, key, id); string(after.Body) != string(before.Body) {
			t.Fatalf("record changed: %s, was %s", after.Body, before.Body)
		}
		if n := e.lcDeletionCount(e.Company.ID); n != len(newestFirst) {
			t.Fatalf("%d records, want %d", n, len(newestFirst))
		}
	})

	t.Run("Permission", func(t *testing.T) {
		for _, perms := range [][]string{{"calls.view"}, {"calls.delete", "contacts.delete", "messages.view", "api_keys.view"}} {
			k := e.keyWith(perms...)
			wantError(t, e.do("GET", "/v1/deletion/", k, nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
			wantError(t, e.do("GET", "/v1/deletion/"+newestFirst[0], k, nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
			wantError(t, e.do("GET", "/v1/retention", k, nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		}
		wantError(t, e.do("GET", "/v1/deletion/", "", nil), http.StatusUnauthorized, "INVALID_API_KEY")
		wantError(t, e.do("GET", "/v1/deletion/"+newestFirst[0], "", nil), http.StatusUnauthorized, "INVALID_API_KEY")
		wantError(t, e.do("GET", "/v1/retention", "", nil), http.StatusUnauthorized, "INVALID_API_KEY")

		// A key holding logs.view (the trail is an audit log), created through the API, reads the
		// trail and no calls.
		r := e.do("POST", "/v1/api_key/", key, map[string]any{"name": "auditor", "restricted": true, "permissions": []string{"logs.view"}})
		if r.Status != http.StatusOK && r.Status != http.StatusCreated {
			t.Fatalf("creating a logs.view key = %d %s", r.Status, r.Body)
		}
		created := r.Map(t)
		auditor, _ := created["value"].(string)
		if auditor == "" {
			t.Fatalf("created key = %s", r.Body)
		}
		if perms, _ := created["permissions"].([]any); len(perms) != 1 || perms[0] != "logs.view" {
			t.Fatalf("created key's permissions = %v", created["permissions"])
		}
		if got := e.listDeletions(t, auditor); len(got) != len(newestFirst) {
			t.Fatalf("the auditor sees %d records, want %d", len(got), len(newestFirst))
		}
		e.getDeletion(t, auditor, newestFirst[0])
		wantStatus(t, e.do("GET", "/v1/retention", auditor, nil), http.StatusOK)
		wantError(t, e.do("GET", "/v1/call/", auditor, nil), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		wantError(t, e.do("POST", "/v1/call/purge", auditor, map[string]any{}), http.StatusForbidden, "INTERNAL_SERVER_ERROR")
		// Granted later by PATCH, too.
		k := e.keyWith("calls.view")
		var keyID string
		for _, row := range e.getPage(t, "/v1/api_key/?limit=100", key).Data {
			if row["last_four_digits"] == k[len(k)-4:] {
				keyID, _ = row["id"].(string)
			}
		}
		if keyID == "" {
			t.Fatal("the restricted key is not listed")
		}
		wantStatus(t, e.do("PATCH", "/v1/api_key/"+keyID, key, map[string]any{"permissions": []string{"calls.view", "logs.view"}}), http.StatusOK)
		wantStatus(t, e.do("GET", "/v1/deletion/", k, nil), http.StatusOK)
	})
}

// Purge and erasure records carry their kind, dialect, route and credential too.
func TestLifecycleDeletionTrailOfPurgeAndErasure(t *testing.T) {
	e := newEnv(t)
	keyID, key := e.lcKey(e.Company.ID, "calls.delete", "contacts.delete", "logs.view")
	s := e.seed(e.Company.ID)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ct := s.contact("+34600000042", at)
	call := s.call(callSpec{Contact: ct.ID, At: at})
	s.message(call, at, "user", "hi", "")
	end := at.Add(time.Hour)
	a, _ := e.purge(t, key, map[string]any{"dry_run": false, "end_created_date": rfc(end), "status": "completed"})
	if a.Count != 1 || a.DeletionID == nil {
		t.Fatalf("purge = %+v", a)
	}
	d, r := e.getDeletion(t, key, *a.DeletionID)
	if d.Kind != "purge" || d.Dialect != "calls" || d.Route != "POST /v1/call/purge" || d.Credential.Type != "api_key" || d.Credential.ID == nil || *d.Credential.ID != keyID ||
		d.RequestedCount != 0 || len(d.RequestedIDs) != 0 || d.Deleted != (store.DeletionCounts{Calls: 1, Messages: 1}) {
		t.Fatalf("purge record = %s", r.Body)
	}
	if d.Filter["status"] != "completed" || d.Filter["end_created_date"] == nil {
		t.Fatalf("purge record's filter = %v, want its status and end_created_date", d.Filter)
	}
	if fe, err := time.Parse(time.RFC3339Nano, fmt.Sprint(d.Filter["end_created_date"])); err != nil || !fe.Equal(end) {
		t.Fatalf("filter end_created_date = %v, want %s", d.Filter["end_created_date"], end)
	}
	ct2 := s.contact("+34600000043", at)
	s.call(callSpec{Contact: ct2.ID, At: at})
	r = e.do("POST", "/v1/contact/erase", key, map[string]any{"identifier": "+34600000043", "dry_run": false})
	wantStatus(t, r, http.StatusOK)
	var er erasureAnswer
	r.JSON(t, &er)
	d, r = e.getDeletion(t, key, er.DeletionID)
	if d.Kind != "erasure" || d.Route != "POST /v1/contact/erase" || d.Credential.ID == nil || *d.Credential.ID != keyID || !slices.Equal(d.RequestedIDs, []string{ct2.ID}) ||
		d.Deleted != (store.DeletionCounts{Contacts: 1, Calls: 1}) {
		t.Fatalf("erasure record = %s", r.Body)
	}
}

func TestLifecycleRetention(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	get := func(key string) map[string]any {
		t.Helper()
		r := e.do("GET", "/v1/retention", key, nil)
		wantStatus(t, r, http.StatusOK)
		return r.Map(t)
	}
	if m := get(e.Key); m["retention_days"] != nil || m["purges_before"] != nil || len(m) != 2 {
		t.Fatalf("unset retention = %v, want both null", m)
	}
	days := int64(30)
	if err := e.Store.SetRetention(ctx, e.Company.ID, &days); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		m := get(e.Key)
		before, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["purges_before"]))
		if m["retention_days"] != 30.0 || err != nil || !before.Equal(e.Clock.Now().Add(-30*24*time.Hour)) {
			t.Fatalf("retention = %v, want 30 days and purges_before %s", m, e.Clock.Now().Add(-30*24*time.Hour))
		}
	}
	check()
	e.Clock.Advance(36 * time.Hour)
	check() // purges_before follows the clock
	other, otherKey := e.newCompany("other")
	if m := get(otherKey); m["retention_days"] != nil || m["purges_before"] != nil {
		t.Fatalf("another company's retention = %v, want null", m)
	}
	if err := e.Store.SetRetention(ctx, other.ID, nil); err != nil {
		t.Fatal(err)
	}
	check()
	if err := e.Store.SetRetention(ctx, e.Company.ID, nil); err != nil {
		t.Fatal(err)
	}
	if m := get(e.Key); m["retention_days"] != nil || m["purges_before"] != nil {
		t.Fatalf("cleared retention = %v, want null", m)
	}
	for _, bad := range []int64{0, -1} {
		if err := e.Store.SetRetention(ctx, e.Company.ID, &bad); err == nil {
			t.Fatalf("SetRetention(%d) succeeded", bad)
		}
	}
	if err := e.Store.SetRetention(ctx, store.NewID(), &days); err == nil {
		t.Fatal("SetRetention of an unknown company succeeded")
	}
}

// The server's retention enforcement (what serve -retention-interval runs), seen through the API.
func TestLifecycleRetentionEnforced(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.Clock.Now()
	day := 24 * time.Hour
	s := e.seed(e.Company.ID)
	ct := s.contact("+34600000077", now.Add(-100*day))
	old := s.call(callSpec{Contact: ct.ID, At: now.Add(-31 * day)})
	s.message(old, now.Add(-31*day), "user", "hi", "")
	edge := s.call(callSpec{Contact: ct.ID, At: now.Add(-30 * day)}) // exactly at the cutoff: kept
	young := s.call(callSpec{Contact: ct.ID, At: now.Add(-day)})
	active := s.call(callSpec{Contact: ct.ID, Status: store.StatusInProgress, At: now.Add(-90 * day)})
	other, otherKey := e.newCompany("other")
	os := e.seed(other.ID)
	theirs := os.call(callSpec{Contact: os.contact("+1", now.Add(-100*day)).ID, At: now.Add(-90 * day)})
	days := int64(30)
	if err := e.Store.SetRetention(ctx, e.Company.ID, &days); err != nil {
		t.Fatal(err)
	}
	runs, err := e.Store.EnforceRetention(ctx)
	if err != nil || len(runs) != 1 || runs[0].CompanyID != e.Company.ID || runs[0].Deleted.Calls != 1 {
		t.Fatalf("EnforceRetention = %+v, %v", runs, err)
	}
	want := []string{edge, young, active}
	slices.Sort(want)
	if got := e.lcCallIDs(e.Company.ID); !slices.Equal(got, want) {
		t.Fatalf("calls left = %v, want %v", got, want)
	}
	if got := e.lcCallIDs(other.ID); !slices.Equal(got, []string{theirs}) {
		t.Fatalf("the other company's calls = %v", got)
	}
	list := e.listDeletions(t, e.Key)
	if len(list) != 1 || list[0].Kind != "retention" || list[0].Dialect != "server" || list[0].Credential.Type != "server" || list[0].Credential.ID != nil ||
		list[0].Deleted != (store.DeletionCounts{Calls: 1, Messages: 1}) {
		t.Fatalf("records = %+v", list)
	}
	// A run that deletes nothing still leaves its record.
	if _, err := e.Store.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if list := e.listDeletions(t, e.Key); len(list) != 2 || list[0].Deleted != (store.DeletionCounts{}) {
		t.Fatalf("records after an empty run = %+v", list)
	}
	if got := e.listDeletions(t, otherKey); len(got) != 0 {
		t.Fatalf("a company without retention has records: %+v", got)
	}
}

// The deletion counters of /metrics count every row a deletion takes, whatever deleted it.
func TestLifecycleDeletionMetrics(t *testing.T) {
	e := newLifecycleEnv(t, func(s *store.Store) handlers.Config {
		return handlers.Config{Metrics: handlers.NewMetrics(s), MetricsOnMux: true}
	})
	scrape := func() map[string]float64 {
		t.Helper()
		r := e.do("GET", "/metrics", "", nil)
		wantStatus(t, r, http.StatusOK)
		out := map[string]float64{}
		for _, kind := range []string{"contacts", "calls", "messages", "logs_detached", "logs_redacted"} {
			out[kind] = metricValue(t, string(r.Body), `callstore_deleted_rows_total{kind="`+kind+`"}`)
		}
		return out
	}
	wantDelta := func(what string, before, after map[string]float64, want map[string]float64) {
		t.Helper()
		for kind, b := range before {
			if d := after[kind] - b; d != want[kind] {
				t.Errorf("%s: deleted %s rose by %v, want %v (before %v, after %v)", what, kind, d, want[kind], before, after)
			}
		}
	}
	s := e.seed(e.Company.ID)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ct := s.contact("+34600000011", at)
	var calls []string
	for i := range 3 {
		id := s.call(callSpec{Contact: ct.ID, At: at.Add(time.Duration(i) * time.Minute)})
		for j := range 2 + i {
			s.message(id, at.Add(time.Duration(j)*time.Second), "user", "hi", "")
		}
		for j := range 1 + i {
			s.log(id, at.Add(time.Duration(j)*time.Second), "INFO", "USER", "x")
		}
		calls = append(calls, id)
	}
	// A calls bulk delete: 2 calls, 2+3 messages, 1+2 logs detached.
	before := scrape()
	wantStatus(t, e.do("POST", "/v1/call/bulk-delete", e.Key, map[string]any{"call_ids": calls[:2]}), 200)
	after := scrape()
	wantDelta("bulk delete", before, after, map[string]float64{"calls": 2, "messages": 5, "logs_detached": 3})

	// A dry-run purge counts nothing; a purge counts its calls, messages and logs.
	before = after
	e.purge(t, e.Key, map[string]any{})
	wantDelta("dry-run purge", before, scrape(), map[string]float64{})
	e.purge(t, e.Key, map[string]any{"dry_run": false})
	after = scrape()
	wantDelta("purge", before, after, map[string]float64{"calls": 1, "messages": 4, "logs_detached": 3})

	// An erasure counts the contact, its calls, and the logs it detached and redacted.
	s.call(callSpec{Contact: ct.ID, At: at})
	id := s.call(callSpec{Contact: ct.ID, At: at.Add(time.Hour)})
	s.message(id, at, "user", "hi", "")
	s.log(id, at, "INFO", "USER", "x")
	before = after
	r := e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "+34600000011"})
	wantStatus(t, r, http.StatusOK)
	wantDelta("dry-run erasure", before, scrape(), map[string]float64{})
	wantStatus(t, e.do("POST", "/v1/contact/erase", e.Key, map[string]any{"identifier": "+34600000011", "dry_run": false}), http.StatusOK)
	wantDelta("erasure", before, scrape(), map[string]float64{"contacts": 1, "calls": 2, "messages": 1, "logs_detached": 1, "logs_redacted": 1})
}
