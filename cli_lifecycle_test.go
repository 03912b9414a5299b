package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"
)

// The data lifecycle's commands (issue #14): company set -retention, purge, serve -retention-interval.

// lcFile is a database file the test writes through the store directly, then hands to commands.
type lcFile struct {
	t    *testing.T
	path string
}

// withStore opens the file, runs fn with its store, and closes it again (so that the commands
// find the file as an operator would).
func (f lcFile) withStore(fn func(ctx context.Context, s *store.Store)) {
	f.t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer d.Close()
	s, err := store.New(ctx, d)
	if err != nil {
		f.t.Fatal(err)
	}
	defer s.Close()
	fn(ctx, s)
}

// lcSeed is one company's rows written straight through the generated queries.
type lcSeed struct {
	t       *testing.T
	q       *sqlcdb.Queries
	company string
	contact sqlctest.Contact
}

func newLCSeed(t *testing.T, ctx context.Context, s *store.Store, company, identifier string) *lcSeed {
	t.Helper()
	c, err := sqlctest.New(s.DB().Write).CreateContact(ctx, sqlctest.CreateContactParams{
		ID: store.NewID(), CompanyID: company, Identifier: identifier, ContactType: "call", CreatedDate: time.Now().Add(-365 * 24 * time.Hour).UnixMicro(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &lcSeed{t: t, q: sqlcdb.New(s.DB().Write), company: company, contact: c}
}

// call creates a call created at `at` with n messages and one log entry, and returns its id.
func (s *lcSeed) call(ctx context.Context, status string, at time.Time, messages int) (id, logID string) {
	s.t.Helper()
	id, logID = store.NewID(), store.NewID()
	if err := s.q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: s.company, ContactID: s.contact.ID, ContactIdentifier: s.contact.Identifier,
		ContactType: s.contact.ContactType, ContactCreatedDate: s.contact.CreatedDate, Status: status, Type: "inbound", CreatedDate: at.UnixMicro()}); err != nil {
		s.t.Fatal(err)
	}
	text := "hello"
	for i := range messages {
		if err := s.q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: at.UnixMicro() + int64(i), ID: store.NewID(), Role: "user", Content: &text}); err != nil {
			s.t.Fatal(err)
		}
	}
	trace, data := "trace-1", `{"k":"v"}`
	if err := s.q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: logID, CompanyID: s.company, CallID: &id, Timestamp: at.UnixMicro(), Level: "INFO",
		Category: "CALL_LIFECYCLE", Event: "call.ended", TraceID: &trace, Data: &data}); err != nil {
		s.t.Fatal(err)
	}
	return id, logID
}

// callIDs returns the company's call ids, sorted.
func lcCallIDs(t *testing.T, s *store.Store, company string) []string {
	t.Helper()
	rows, err := s.DB().Write.Query(`SELECT id FROM calls WHERE company_id = ? ORDER BY id`, company)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// companyLine finds the company's line in `company list`.
func companyLine(t *testing.T, path, id string) map[string]any {
	t.Helper()
	stdout, _, err := cli(t, nil, "company", "list", "-db", path)
	if err != nil {
		t.Fatalf("company list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("company list printed %q: %v", stdout, err)
		}
		if m["id"] == id {
			if !strings.Contains(line, `"retention_days":`) {
				t.Fatalf("company list line %q has no retention_days", line)
			}
			return m
		}
	}
	t.Fatalf("company %s not in %q", id, stdout)
	return nil
}

func TestCLICompanySetRetention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	a, b := createCompany(t, path, "Acme"), createCompany(t, path, "Globex")
	if m := companyLine(t, path, a); m["retention_days"] != nil {
		t.Fatalf("a new company's retention = %v, want null", m["retention_days"])
	}

	stdout, _, err := cli(t, nil, "company", "set", "-db", path, "-company", a, "-retention", "90d")
	var printed map[string]any
	if err != nil || json.Unmarshal([]byte(stdout), &printed) != nil || printed["id"] != a || printed["retention_days"] != 90.0 {
		t.Fatalf("company set = %q, %v; want the company with retention_days 90", stdout, err)
	}
	stdout, _, _ = cli(t, nil, "company", "list", "-db", path)
	if !strings.Contains(stdout, `"retention_days":90`) {
		t.Fatalf("company list = %q, want \"retention_days\":90", stdout)
	}
	if m := companyLine(t, path, a); m["retention_days"] != 90.0 {
		t.Fatalf("retention of %s = %v, want 90", a, m["retention_days"])
	}
	if m := companyLine(t, path, b); m["retention_days"] != nil {
		t.Fatalf("the other company's retention = %v, want null", m["retention_days"])
	}
	// What the API shows.
	lcFile{t, path}.withStore(func(ctx context.Context, s *store.Store) {
		r, err := s.GetRetention(ctx, store.Principal{CompanyID: a})
		if err != nil || r.RetentionDays == nil || *r.RetentionDays != 90 || r.PurgesBefore == nil {
			t.Fatalf("GetRetention = %+v, %v", r, err)
		}
	})

	// Bad values fail naming the flag, before the file is touched.
	sum := fileSum(t, path)
	for _, bad := range []string{"90", "0d", "abc", "-5d", "d", "90h", "1.5d", "36501d", "ON", "none"} {
		stdout, _, err := cli(t, nil, "company", "set", "-db", path, "-company", a, "-retention", bad)
		if err == nil || !strings.Contains(err.Error(), "-retention") || stdout != "" {
			t.Errorf("-retention %q = %q, %v; want an error naming -retention", bad, stdout, err)
		}
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"-company", a}, "-retention"},
		{[]string{"-company", a, "-retention", ""}, "-retention"},
		{[]string{"-retention", "30d"}, "-company"},
	} {
		if _, _, err := cli(t, nil, append([]string{"company", "set", "-db", path}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("company set %v: %v, want an error naming %s", c.args, err, c.flag)
		}
	}
	if fileSum(t, path) != sum {
		t.Fatal("a refused company set changed the file")
	}
	if m := companyLine(t, path, a); m["retention_days"] != 90.0 {
		t.Fatalf("retention after refused sets = %v, want 90 still", m["retention_days"])
	}

	// An unknown company: an error, nothing set.
	unknown := store.NewID()
	if _, _, err := cli(t, nil, "company", "set", "-db", path, "-company", unknown, "-retention", "30d"); err == nil || !strings.Contains(err.Error(), unknown) {
		t.Fatalf("company set of an unknown company: %v", err)
	}
	// No such file: an error, and no file created.
	absent := filepath.Join(t.TempDir(), "absent.db")
	if _, _, err := cli(t, nil, "company", "set", "-db", absent, "-company", a, "-retention", "30d"); err == nil {
		t.Fatal("company set on a missing file succeeded")
	}
	if _, err := os.Stat(absent); !os.IsNotExist(err) {
		t.Fatal("company set created a database file")
	}

	// Another value, then off.
	if _, _, err := cli(t, nil, "company", "set", "-db", path, "-company", a, "-retention", "1d"); err != nil {
		t.Fatal(err)
	}
	if m := companyLine(t, path, a); m["retention_days"] != 1.0 {
		t.Fatalf("retention = %v, want 1", m["retention_days"])
	}
	stdout, _, err = cli(t, nil, "company", "set", "-db", path, "-company", a, "-retention", "off")
	printed = nil
	if err != nil || json.Unmarshal([]byte(stdout), &printed) != nil || printed["id"] != a || printed["retention_days"] != nil || !strings.Contains(stdout, `"retention_days"`) {
		t.Fatalf("company set -retention off = %q, %v", stdout, err)
	}
	if m := companyLine(t, path, a); m["retention_days"] != nil {
		t.Fatalf("retention after off = %v, want null", m["retention_days"])
	}
}

// purgeFile: a company with terminal calls on both sides of 30 days ago, an older active call,
// and another company's old call.
type purgeFile struct {
	lcFile
	company, other        string
	old1, old2            string // terminal, 60 and 31 days old
	young, recent, active string
	otherCall             string
	old1Log               string
}

func newPurgeFile(t *testing.T) purgeFile {
	f := purgeFile{lcFile: lcFile{t, filepath.Join(t.TempDir(), "p.db")}}
	now := time.Now().UTC()
	day := 24 * time.Hour
	f.withStore(func(ctx context.Context, s *store.Store) {
		a, err := s.CreateCompany(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateCompany(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		f.company, f.other = a.ID, b.ID
		sa := newLCSeed(t, ctx, s, a.ID, "+34600000001")
		f.active, _ = sa.call(ctx, store.StatusInProgress, now.Add(-90*day), 1)
		f.old1, f.old1Log = sa.call(ctx, store.StatusCompleted, now.Add(-60*day), 2)
		f.old2, _ = sa.call(ctx, store.StatusFailed, now.Add(-31*day), 1)
		f.young, _ = sa.call(ctx, store.StatusCompleted, now.Add(-29*day), 1)
		f.recent, _ = sa.call(ctx, store.StatusNoAnswer, now.Add(-time.Hour), 0)
		sb := newLCSeed(t, ctx, s, b.ID, "+34600000001")
		f.otherCall, _ = sb.call(ctx, store.StatusCompleted, now.Add(-90*day), 1)
	})
	return f
}

type purgePrinted struct {
	Count      int64     `json:"purge_count"`
	Sample     *[]string `json:"purge_sample"`
	DeletionID *string   `json:"deletion_id"`
}

func (f purgeFile) purge(args ...string) (purgePrinted, string) {
	f.t.Helper()
	stdout, stderr, err := cli(f.t, nil, append([]string{"purge", "-db", f.path}, args...)...)
	if err != nil {
		f.t.Fatalf("purge %v: %v; stderr %q", args, err, stderr)
	}
	var p purgePrinted
	if err := json.Unmarshal([]byte(stdout), &p); err != nil || !strings.Contains(stdout, `"purge_count"`) {
		f.t.Fatalf("purge %v printed %q, want JSON with purge_count", args, stdout)
	}
	return p, stdout
}

func (f purgeFile) wantCalls(company string, ids ...string) {
	f.t.Helper()
	f.withStore(func(ctx context.Context, s *store.Store) {
		if got, want := lcCallIDs(f.t, s, company), sortedIDs(ids...); !slices.Equal(got, want) {
			f.t.Fatalf("calls of %s = %v, want %v", company, got, want)
		}
	})
}

func TestCLIPurge(t *testing.T) {
	f := newPurgeFile(t)
	all := []string{f.active, f.old1, f.old2, f.young, f.recent}

	// -dry-run: the count and the sample, oldest first; nothing deleted.
	p, stdout := f.purge("-company", f.company, "-older-than", "30d", "-dry-run")
	if p.Count != 2 || p.Sample == nil || !slices.Equal(*p.Sample, []string{f.old1, f.old2}) || p.DeletionID == nil {
		t.Fatalf("dry run printed %q, want purge_count 2 and purge_sample [%s %s]", stdout, f.old1, f.old2)
	}
	dryID := *p.DeletionID
	f.wantCalls(f.company, all...)
	f.wantCalls(f.other, f.otherCall)
	p, stdout = f.purge("-company", f.company, "-older-than", "30d", "-status", "failed", "-dry-run")
	if p.Count != 1 || p.Sample == nil || !slices.Equal(*p.Sample, []string{f.old2}) {
		t.Fatalf("dry run -status failed printed %q", stdout)
	}
	p, stdout = f.purge("-company", f.company, "-older-than", "45d", "-dry-run")
	if p.Count != 1 || p.Sample == nil || !slices.Equal(*p.Sample, []string{f.old1}) {
		t.Fatalf("dry run -older-than 45d printed %q", stdout)
	}
	f.wantCalls(f.company, all...)

	// The purge: exactly the terminal calls older than 30 days, of this company.
	p, stdout = f.purge("-company", f.company, "-older-than", "30d")
	if p.Count != 2 || p.DeletionID == nil || p.Sample != nil {
		t.Fatalf("purge printed %q, want purge_count 2, a deletion_id and no sample", stdout)
	}
	purgeID := *p.DeletionID
	f.wantCalls(f.company, f.active, f.young, f.recent)
	f.wantCalls(f.other, f.otherCall)
	f.withStore(func(ctx context.Context, s *store.Store) {
		for _, id := range []string{f.old1, f.old2} {
			if n, err := sqlcdb.New(s.DB().Read).CountMessages(ctx, id); err != nil || n != 0 {
				t.Fatalf("purged call %s has %d messages (%v)", id, n, err)
			}
		}
		l, err := sqlctest.New(s.DB().Read).GetCallLogRow(ctx, f.old1Log)
		if err != nil || l.CallID != nil || l.Data == nil || l.TraceID == nil {
			t.Fatalf("log of a purged call = %+v, %v; want it kept, detached", l, err)
		}
		p := store.Principal{CompanyID: f.company}
		d, err := s.GetDeletion(ctx, p, purgeID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != store.DeletionPurge || d.Dialect != "cli" || d.Route != "callstore purge" || d.Credential.Type != "cli" || d.Credential.ID != nil || d.DryRun ||
			d.Deleted != (store.DeletionCounts{Calls: 2, Messages: 3, LogsDetached: 2}) {
			t.Fatalf("purge's record = %+v", d)
		}
		var filter map[string]any
		if err := json.Unmarshal(d.Filter, &filter); err != nil || filter["end_created_date"] == nil {
			t.Fatalf("purge's filter = %s, want its end_created_date", d.Filter)
		}
		dry, err := s.GetDeletion(ctx, p, dryID)
		if err != nil || !dry.DryRun || dry.Dialect != "cli" || dry.Route != "callstore purge" || dry.Credential.Type != "cli" || dry.Deleted.Calls != 2 {
			t.Fatalf("dry run's record = %+v, %v", dry, err)
		}
		// The other company's trail is empty.
		page, err := s.ListDeletions(ctx, store.Principal{CompanyID: f.other}, store.DateRange{}, store.PageRequest{Limit: 100, Desc: true})
		if err != nil || len(page.Data) != 0 {
			t.Fatalf("the other company's trail = %+v, %v", page.Data, err)
		}
	})

	// Again: nothing left to purge.
	p, stdout = f.purge("-company", f.company, "-older-than", "30d")
	if p.Count != 0 || p.DeletionID != nil {
		t.Fatalf("second purge printed %q, want purge_count 0 and deletion_id null", stdout)
	}
	f.wantCalls(f.company, f.active, f.young, f.recent)
}

func TestCLIPurgeErrors(t *testing.T) {
	f := newPurgeFile(t)
	all := []string{f.active, f.old1, f.old2, f.young, f.recent}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"noCompany", []string{"-older-than", "30d"}, "-company"},
		{"noOlderThan", []string{"-company", f.company}, "-older-than"},
		{"noUnit", []string{"-company", f.company, "-older-than", "30"}, "-older-than"},
		{"zero", []string{"-company", f.company, "-older-than", "0d"}, "-older-than"},
		{"words", []string{"-company", f.company, "-older-than", "a month"}, "-older-than"},
		{"unknownCompany", []string{"-company", store.NewID(), "-older-than", "30d"}, "not found"},
		{"activeStatus", []string{"-company", f.company, "-older-than", "30d", "-status", "in_progress"}, "status"},
		{"unknownFlag", []string{"-company", f.company, "-older-than", "30d", "-force"}, "force"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, _, err := cli(t, nil, append([]string{"purge", "-db", f.path}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("purge %v = %q, %v; want an error mentioning %q", c.args, stdout, err, c.want)
			}
		})
	}
	absent := filepath.Join(t.TempDir(), "absent.db")
	if _, _, err := cli(t, nil, "purge", "-db", absent, "-company", f.company, "-older-than", "30d"); err == nil {
		t.Fatal("purge of a missing file succeeded")
	}
	if _, err := os.Stat(absent); !os.IsNotExist(err) {
		t.Fatal("purge created a database file")
	}
	f.wantCalls(f.company, all...)
	f.withStore(func(ctx context.Context, s *store.Store) {
		page, err := s.ListDeletions(ctx, store.Principal{CompanyID: f.company}, store.DateRange{}, store.PageRequest{Limit: 100, Desc: true})
		if err != nil || len(page.Data) != 0 {
			t.Fatalf("refused purges left records: %+v, %v", page.Data, err)
		}
	})
	// -h explains the command.
	if _, stderr, err := cli(t, nil, "purge", "-h"); err != nil || !strings.Contains(stderr, "-older-than") || !strings.Contains(stderr, "-dry-run") {
		t.Fatalf("purge -h = %q, %v", stderr, err)
	}
}

func TestCLIServeRetentionInterval(t *testing.T) {
	t.Run("Negative", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "n.db")
		// serve must refuse at once; should it start serving instead, the context ends it.
		serve := func(interval string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			return run(ctx, []string{"serve", "-db", path, "-addr", "127.0.0.1:0", "-retention-interval", interval}, func(string) string { return "" }, &stdout, &stderr)
		}
		if err := serve("-1s"); err == nil || !strings.Contains(err.Error(), "-retention-interval") {
			t.Fatalf("serve -retention-interval -1s: %v, want an error naming the flag", err)
		}
		if err := serve("soon"); err == nil || !strings.Contains(err.Error(), "retention-interval") {
			t.Fatalf("serve -retention-interval soon: %v, want an error naming the flag", err)
		}
	})
	t.Run("Enforced", func(t *testing.T) {
		f := lcFile{t, filepath.Join(t.TempDir(), "s.db")}
		now := time.Now().UTC()
		day := 24 * time.Hour
		var key, otherKey, company string
		var young, active, otherOld string
		f.withStore(func(ctx context.Context, s *store.Store) {
			a, err := s.CreateCompany(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.CreateCompany(ctx, "other")
			if err != nil {
				t.Fatal(err)
			}
			company = a.ID
			days := int64(30)
			if err := s.SetRetention(ctx, a.ID, &days); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				id  string
				out *string
			}{{a.ID, &key}, {b.ID, &otherKey}} {
				k, err := s.CreateAPIKey(ctx, c.id, nil, store.APIKeyInput{Name: "root"})
				if err != nil {
					t.Fatal(err)
				}
				*c.out = *k.Value
			}
			sa := newLCSeed(t, ctx, s, a.ID, "+34600000009")
			sa.call(ctx, store.StatusCompleted, now.Add(-40*day), 2)
			sa.call(ctx, store.StatusTransferred, now.Add(-31*day), 1)
			young, _ = sa.call(ctx, store.StatusCompleted, now.Add(-10*day), 1)
			active, _ = sa.call(ctx, store.StatusInProgress, now.Add(-60*day), 1)
			sb := newLCSeed(t, ctx, s, b.ID, "+34600000009")
			otherOld, _ = sb.call(ctx, store.StatusCompleted, now.Add(-40*day), 1)
		})

		srv := startServe(t, "-db", f.path, "-retention-interval", "50ms")
		getJSON := func(path, key string, v any) {
			t.Helper()
			req, _ := http.NewRequest("GET", srv.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s = %d", path, resp.StatusCode)
			}
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatal(err)
			}
		}
		type listed struct {
			Data []struct {
				ID         string `json:"id"`
				Kind       string `json:"kind"`
				Dialect    string `json:"dialect"`
				Route      string `json:"route"`
				Credential struct {
					Type string  `json:"type"`
					ID   *string `json:"id"`
				} `json:"credential"`
				DryRun  bool                 `json:"dry_run"`
				Deleted store.DeletionCounts `json:"deleted"`
			} `json:"data"`
		}
		var calls listed
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(25 * time.Millisecond) {
			getJSON("/v1/call/?limit=100", key, &calls)
			if len(calls.Data) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 5s of -retention-interval 50ms the company has %d calls, want 2; stderr %s", len(calls.Data), srv.stderr.String())
			}
		}
		var ids []string
		for _, c := range calls.Data {
			ids = append(ids, c.ID)
		}
		if got, want := sortedIDs(ids...), sortedIDs(young, active); !slices.Equal(got, want) {
			t.Fatalf("calls left = %v, want %v", got, want)
		}
		var trail listed
		getJSON("/v1/deletion/?limit=1000", key, &trail)
		var deleted store.DeletionCounts
		for _, d := range trail.Data {
			if d.Kind != "retention" || d.Dialect != "server" || d.Credential.Type != "server" || d.Credential.ID != nil || d.DryRun {
				t.Fatalf("record %+v, want kind retention by the server", d)
			}
			deleted.Calls += d.Deleted.Calls
			deleted.Messages += d.Deleted.Messages
			deleted.LogsDetached += d.Deleted.LogsDetached
		}
		if len(trail.Data) == 0 || deleted != (store.DeletionCounts{Calls: 2, Messages: 3, LogsDetached: 2}) {
			t.Fatalf("retention records = %+v, want them to count 2 calls, 3 messages, 2 logs in all", trail.Data)
		}
		// The company without retention keeps its old call and has no record.
		var theirCalls, theirTrail listed
		getJSON("/v1/call/?limit=100", otherKey, &theirCalls)
		getJSON("/v1/deletion/?limit=100", otherKey, &theirTrail)
		if len(theirCalls.Data) != 1 || theirCalls.Data[0].ID != otherOld || len(theirTrail.Data) != 0 {
			t.Fatalf("the other company: calls %+v, trail %+v", theirCalls.Data, theirTrail.Data)
		}
		if !strings.Contains(srv.stderr.String(), company) {
			t.Errorf("serve logged no retention run of %s: %s", company, srv.stderr.String())
		}
		if err, _ := srv.stop(t); err != nil {
			t.Fatalf("serve returned %v", err)
		}
	})
}
