package seed_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/seed"
	"github.com/callstore/callstore/store"
)

func openTemp(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	end := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var progress []int64
	// 13 messages a call: one insert of ten and three single ones. 3 log rows a call and 998 calls
	// a transaction (499 slots of 2 companies): 299 inserts of ten log rows and 4 single ones.
	opt := seed.Options{Companies: 2, Calls: 1500, MessagesPerCall: 13, LogsPerCall: 3, Days: 30, Seed: 42, End: end,
		CallsPerTx: 999, Progress: func(n int64) { progress = append(progress, n) }}
	res, err := seed.Run(ctx, d, opt)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Counts", func(t *testing.T) {
		got, err := sqlctest.New(d.Read).SeedCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A contact exists once it has a call: almost all of the 150 a company may call have one.
		want := sqlctest.SeedCountsRow{Contacts: res.Contacts, Calls: 3000, Messages: 3000 * 13, Logs: 3000 * 3, ActiveCalls: res.ActiveCalls}
		if got != want || got.Contacts > 2*150 || got.Contacts < 2*140 {
			t.Fatalf("rows in the database = %+v, want %+v with 280 to 300 contacts", got, want)
		}
		if res.Contacts != want.Contacts || res.Calls != want.Calls || res.Messages != want.Messages || res.Logs != want.Logs {
			t.Fatalf("result = %+v, want the counts %+v", res, want)
		}
		if res.Rows() != want.Contacts+want.Calls+want.Messages+want.Logs {
			t.Fatalf("Rows() = %d", res.Rows())
		}
		// The per-company call counter that page mode reads is kept by triggers on calls.
		for _, c := range res.Companies {
			if n, err := sqlcdb.New(d.Read).CountCompanyCalls(ctx, c.ID); err != nil || n != 1500 {
				t.Fatalf("call counter of %s = %d, %v; want 1500", c.Name, n, err)
			}
		}
		// About 5% active: 150 expected, binomial standard deviation ~12.
		if res.ActiveCalls < 100 || res.ActiveCalls > 200 {
			t.Fatalf("%d of 3000 calls active, want about 5%%", res.ActiveCalls)
		}
	})

	t.Run("Progress", func(t *testing.T) {
		if !slices.Equal(progress, []int64{998, 1996, 2994, 3000}) {
			t.Fatalf("progress reports = %v, want [998 1996 2994 3000]", progress)
		}
	})

	t.Run("ForeignKeys", func(t *testing.T) {
		o, err := sqlctest.New(d.Read).SeedOrphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if o != (sqlctest.SeedOrphansRow{}) {
			t.Fatalf("rows with dangling references: %+v", o)
		}
	})

	t.Run("APIKeysWork", func(t *testing.T) {
		s, err := store.New(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if len(res.Companies) != 2 || res.Companies[0].Name != "seed-1" || res.Companies[1].Name != "seed-2" {
			t.Fatalf("companies = %+v", res.Companies)
		}
		for _, c := range res.Companies {
			p, err := s.Authenticate(ctx, c.APIKey)
			if err != nil {
				t.Fatalf("key of %s: %v", c.Name, err)
			}
			if p.CompanyID != c.ID || p.Restricted {
				t.Fatalf("key of %s authenticates as %+v, want unrestricted for %s", c.Name, p, c.ID)
			}
			// The company's own calls are readable through the store.
			calls, err := sqlctest.New(d.Read).SeedSampleCalls(ctx, c.ID)
			if err != nil || len(calls) == 0 {
				t.Fatalf("sample calls of %s: %v, %d", c.Name, err, len(calls))
			}
			if _, err := s.GetCall(ctx, p, calls[0].ID); err != nil {
				t.Fatalf("GetCall with the seeded key: %v", err)
			}
		}
	})

	t.Run("Realism", func(t *testing.T) {
		q := sqlctest.New(d.Read)
		calls, err := q.SeedSampleCalls(ctx, res.Companies[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := end.Add(-30*24*time.Hour).UnixMicro(), end.UnixMicro()
		statuses, types, contacts := map[string]int{}, map[string]int{}, map[string]int{}
		prev := sqlctest.Call{}
		for _, c := range calls {
			statuses[c.Status]++
			types[c.Type]++
			contacts[c.ContactID]++
			if c.CreatedDate < lo || c.CreatedDate > hi {
				t.Fatalf("call %s created at %d, outside the 30 days before %v", c.ID, c.CreatedDate, end)
			}
			// Ids sort like created dates (v7 with the created date in them).
			if prev.ID != "" && (c.ID < prev.ID) != (c.CreatedDate < prev.CreatedDate) && c.CreatedDate != prev.CreatedDate {
				t.Fatalf("id order differs from created order: %s@%d then %s@%d", prev.ID, prev.CreatedDate, c.ID, c.CreatedDate)
			}
			prev = c
			checkTimes(t, c)
			if c.DynamicVariables != nil && !json.Valid([]byte(*c.DynamicVariables)) {
				t.Fatalf("dynamic_variables of %s is not JSON: %s", c.ID, *c.DynamicVariables)
			}
		}
		for _, st := range store.CallStatuses {
			if statuses[st] == 0 {
				t.Errorf("no call with status %s in %v", st, statuses)
			}
		}
		if types["inbound"] == 0 || types["outbound"] == 0 {
			t.Errorf("call types = %v, want both", types)
		}
		if len(contacts) >= len(calls) || len(contacts) > 150 {
			t.Errorf("%d calls use %d contacts: contacts are not reused", len(calls), len(contacts))
		}

		msgs, err := q.ListMessageRowsOfCall(ctx, calls[0].ID)
		if err != nil || len(msgs) != 13 {
			t.Fatalf("messages of %s: %v, %d, want 13", calls[0].ID, err, len(msgs))
		}
		roles := map[string]int{}
		for _, c := range calls[:200] {
			msgs, err := q.ListMessageRowsOfCall(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				roles[m.Role]++
				if m.Role == "tool" {
					var tc map[string]any
					if m.ToolCall == nil || json.Unmarshal([]byte(*m.ToolCall), &tc) != nil {
						t.Fatalf("tool message %s without a tool_call object", m.ID)
					}
					if tc["type"] != "function" && tc["type"] != "call_tool" || tc["payload"] == nil || tc["status"] == nil {
						t.Fatalf("tool_call %s is neither a FunctionSchema nor a CallToolSchema", *m.ToolCall)
					}
				} else if m.Content == nil || len(*m.Content) < 20 || len(*m.Content) > 300 {
					t.Fatalf("%s message content %v, want 20-300 characters", m.Role, m.Content)
				}
				if m.CreatedDate < c.CreatedDate {
					t.Fatalf("message %s before its call", m.ID)
				}
			}
		}
		if roles["user"] == 0 || roles["assistant"] == 0 || roles["tool"] == 0 {
			t.Errorf("message roles = %v, want user, assistant and tool", roles)
		}

		logs, err := q.SeedSampleLogs(ctx, &calls[0].ID)
		if err != nil || len(logs) != 3 {
			t.Fatalf("logs of %s: %v, %d, want 3", calls[0].ID, err, len(logs))
		}
		for _, l := range logs {
			if !contains(store.LogLevels, l.Level) || !contains(store.LogCategories, l.Category) {
				t.Errorf("log %s has level %s, category %s: not the contract's enums", l.ID, l.Level, l.Category)
			}
			if l.Data == nil || !json.Valid([]byte(*l.Data)) {
				t.Errorf("log %s data is not a JSON object", l.ID)
			}
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		d2 := openTemp(t)
		opt2 := opt
		opt2.Progress = nil
		res2, err := seed.Run(ctx, d2, opt2)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := sqlctest.New(d.Read).SeedSampleCalls(ctx, res.Companies[1].ID)
		b, _ := sqlctest.New(d2.Read).SeedSampleCalls(ctx, res2.Companies[1].ID)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%d and %d calls", len(a), len(b))
		}
		for i := range a {
			a[i].CompanyID, b[i].CompanyID = "", "" // companies are created with random ids
			a[i].ContactID, b[i].ContactID = "", ""
			if a[i].ID != b[i].ID || a[i].Status != b[i].Status || a[i].CreatedDate != b[i].CreatedDate || *a[i].AgentID != *b[i].AgentID {
				t.Fatalf("call %d differs between two runs with the same seed: %+v / %+v", i, a[i], b[i])
			}
		}
	})
}

// checkTimes checks that a call's times agree with its status.
func checkTimes(t *testing.T, c sqlctest.Call) {
	t.Helper()
	active := c.Status == store.StatusDialing || c.Status == store.StatusInProgress
	switch {
	case active && (c.EndTime != nil || c.Duration != nil || c.EndReason != nil):
		t.Fatalf("active call %s has an end: %+v", c.ID, c)
	case !active && (c.EndTime == nil || c.Duration == nil || c.EndReason == nil):
		t.Fatalf("terminal call %s has no end: %+v", c.ID, c)
	case (c.Status == store.StatusDialing || c.Status == store.StatusNoAnswer) != (c.StartTime == nil):
		t.Fatalf("call %s (%s) start_time %v", c.ID, c.Status, c.StartTime)
	case c.StartTime != nil && *c.StartTime < c.CreatedDate:
		t.Fatalf("call %s starts before it was created", c.ID)
	case c.EndTime != nil && c.StartTime != nil && *c.Duration != (*c.EndTime-*c.StartTime)/1e6:
		t.Fatalf("call %s duration %d, want end-start", c.ID, *c.Duration)
	case c.AgentID == nil || c.AgentVersionID == nil || c.PhoneRegisterID == nil:
		t.Fatalf("call %s without agent or phone", c.ID)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// The seed checkpoints every CheckpointTx transactions, so its WAL restarts from the beginning
// instead of growing for the whole load: after 40 transactions with a checkpoint every 4, the WAL
// is about half the size of the database (measured: 8 MB against 16 MB). Without those
// checkpoints it is several times the database (68 MB against 15 MB).
func TestRunKeepsTheWALShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	opt := seed.Options{Calls: 4000, MessagesPerCall: 5, LogsPerCall: 2, Seed: 7, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		CallsPerTx: 100, CheckpointTx: 4}
	if _, err := seed.Run(ctx, d, opt); err != nil {
		t.Fatal(err)
	}
	st := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if w, f := st(path+"-wal"), st(path); w > f {
		t.Fatalf("WAL is %d bytes after the seed, the database %d: the seed's checkpoints did not restart it", w, f)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	d := openTemp(t)
	for name, opt := range map[string]seed.Options{
		"NoCalls":             {Calls: 0},
		"NegativeMessages":    {Calls: 10, MessagesPerCall: -1},
		"NegativeDays":        {Calls: 10, Days: -3},
		"NegativeCheckpoints": {Calls: 10, CheckpointTx: -1},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := seed.Run(context.Background(), d, opt); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

// The store checks every generated call as it checks a line of an import, and a call it refuses
// fails the run: seeding a file again with the same seed generates the same call ids, now taken.
func TestRunFailsOnARefusedCall(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	opt := seed.Options{Calls: 50, MessagesPerCall: 2, LogsPerCall: 1, Seed: 3, End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := seed.Run(ctx, d, opt); err != nil {
		t.Fatal(err)
	}
	_, err := seed.Run(ctx, d, opt)
	if err == nil || !strings.Contains(err.Error(), "refused 50 generated calls") || !strings.Contains(err.Error(), "CALL_ALREADY_EXISTS") {
		t.Fatalf("second run with the same seed: %v, want the store's refusal of the 50 taken call ids", err)
	}
}

func BenchmarkRun(b *testing.B) {
	for b.Loop() {
		d := openTemp(b)
		if _, err := seed.Run(context.Background(), d, seed.Options{Calls: 5000, MessagesPerCall: 20, LogsPerCall: 5}); err != nil {
			b.Fatal(err)
		}
	}
}
