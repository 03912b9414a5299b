package store_test

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
)

// planRecorder is a sqlcdb.DBTX that asks SQLite for the plan of every statement run through it
// (EXPLAIN QUERY PLAN of the generated query text, with the same arguments) before running it.
// It lets a test check the plans of the queries exactly as sqlc generated them.
type planRecorder struct {
	tb    testing.TB
	db    *sql.DB
	plans map[string][]string // query name -> plan lines
}

func (p *planRecorder) explain(ctx context.Context, query string, args ...any) {
	p.tb.Helper()
	name, _, _ := strings.Cut(strings.TrimPrefix(query, "-- name: "), " ")
	rows, err := p.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		p.tb.Fatalf("explain %s: %v", name, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			p.tb.Fatal(err)
		}
		lines = append(lines, detail)
	}
	p.plans[name] = lines
}

func (p *planRecorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.explain(ctx, q, args...)
	return p.db.ExecContext(ctx, q, args...)
}

func (p *planRecorder) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, q)
}

func (p *planRecorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.explain(ctx, q, args...)
	return p.db.QueryContext(ctx, q, args...)
}

func (p *planRecorder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.explain(ctx, q, args...)
	return p.db.QueryRowContext(ctx, q, args...)
}

// TestQueryPlans checks the plan of every read query of the lists and of the bulk delete: each
// must seek the index it was written for (so a page deep in a million calls costs what the first
// page costs), never scan a table, and never sort in a temporary b-tree.
func TestQueryPlans(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's query plans (EXPLAIN QUERY PLAN)")
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rec := &planRecorder{tb: t, db: d.Write, plans: map[string][]string{}}
	q := sqlcdb.New(rec)
	s := func(v string) *string { return &v }
	lp := sqlcdb.ListCallsAscParams{CompanyID: "c", ContactID: s("x"), AgentID: s("a"), PhoneID: s("p"), Status: s("completed"), Type: s("inbound"),
		Lo: math.MinInt64, Hi: math.MaxInt64, CursorID: "", Lim: 50}
	cp := sqlcdb.CountCallsParams{CompanyID: "c", ContactID: s("x"), AgentID: s("a"), PhoneID: s("p"), Status: s("completed"), Type: s("inbound"), Lo: math.MinInt64, Hi: math.MaxInt64}
	gp := sqlcdb.ListLogsAscParams{CompanyID: "c", CallID: s("x"), Category: s("USER"), Level: s("INFO"), Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 50}
	gc := sqlcdb.CountLogsParams{CompanyID: "c", CallID: s("x"), Category: s("USER"), Level: s("INFO"), Lo: math.MinInt64, Hi: math.MaxInt64}
	mp := sqlcdb.ListMessagesAscParams{CallID: "x", Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 100}
	runs := []error{
		second(q.ListCallsAsc(ctx, lp)), second(q.ListCallsDesc(ctx, sqlcdb.ListCallsDescParams(lp))), second(q.CountCalls(ctx, cp)),
		second(q.ListCallsByContactAsc(ctx, sqlcdb.ListCallsByContactAscParams(lp))), second(q.ListCallsByContactDesc(ctx, sqlcdb.ListCallsByContactDescParams(lp))), second(q.CountCallsByContact(ctx, sqlcdb.CountCallsByContactParams(cp))),
		second(q.ListCallsByAgentAsc(ctx, sqlcdb.ListCallsByAgentAscParams(lp))), second(q.ListCallsByAgentDesc(ctx, sqlcdb.ListCallsByAgentDescParams(lp))), second(q.CountCallsByAgent(ctx, sqlcdb.CountCallsByAgentParams(cp))),
		second(q.ListCallsByPhoneAsc(ctx, sqlcdb.ListCallsByPhoneAscParams(lp))), second(q.ListCallsByPhoneDesc(ctx, sqlcdb.ListCallsByPhoneDescParams(lp))), second(q.CountCallsByPhone(ctx, sqlcdb.CountCallsByPhoneParams(cp))),
		second(q.ListCallsByStatusAsc(ctx, sqlcdb.ListCallsByStatusAscParams(lp))), second(q.ListCallsByStatusDesc(ctx, sqlcdb.ListCallsByStatusDescParams(lp))), second(q.CountCallsByStatus(ctx, sqlcdb.CountCallsByStatusParams(cp))),
		noRows(q.GetCallKey(ctx, sqlcdb.GetCallKeyParams{CompanyID: "c", ID: "x"})),
		noRows(q.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: "c", ID: "x"})), second(q.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: "c", ID: "x"})),
		q.UpdateCall(ctx, sqlcdb.UpdateCallParams{Status: "completed", CompanyID: "c", ID: "x"}),
		second(q.ListLogsAsc(ctx, gp)), second(q.ListLogsDesc(ctx, sqlcdb.ListLogsDescParams(gp))), second(q.CountLogs(ctx, gc)),
		second(q.ListLogsByCallAsc(ctx, sqlcdb.ListLogsByCallAscParams(gp))), second(q.ListLogsByCallDesc(ctx, sqlcdb.ListLogsByCallDescParams(gp))), second(q.CountLogsByCall(ctx, sqlcdb.CountLogsByCallParams(gc))),
		noRows(q.GetLogKey(ctx, sqlcdb.GetLogKeyParams{CompanyID: "c", ID: "x", CallID: s("x")})),
		second(q.ListMessagesAsc(ctx, mp)), second(q.ListMessagesDesc(ctx, sqlcdb.ListMessagesDescParams(mp))), second(q.CountMessages(ctx, "x")),
		second(q.HasMessages(ctx, "x")), noRows(q.GetMessageKey(ctx, sqlcdb.GetMessageKeyParams{CallID: "x", ID: "y"})),
		second(q.DeleteTerminalCalls(ctx, sqlcdb.DeleteTerminalCallsParams{CompanyID: "c", Ids: []string{"a", "b", "c"}})),
	}
	for _, err := range runs {
		if err != nil {
			t.Fatal(err)
		}
	}
	callsBy := func(index, eq string) string {
		using := "INDEX " + index
		if index == "" {
			using = "PRIMARY KEY" // calls is clustered on (company_id, created_date, id)
		}
		return `^SEARCH calls USING ` + using + ` \(` + eq + ` AND created_date>\? AND created_date<\?\)$`
	}
	// calls_contact_created carries every column of the call: a contact's calls never touch the table.
	byContact := strings.Replace(callsBy("calls_contact_created", `contact_id=\? AND company_id=\?`), "USING INDEX", "USING COVERING INDEX", 1)
	// A list query looks the cursor's key up itself: two scalar subqueries (the range bound and
	// the tie-break), each run once per statement, each one seek of the unique index on id.
	cursorKey := `^SEARCH k USING COVERING INDEX calls_id \(id=\?\)$`
	list := func(seek string) []string {
		return []string{seek, `^SCALAR SUBQUERY \d+$`, cursorKey, `^SCALAR SUBQUERY \d+$`, cursorKey}
	}
	logsBy := func(index, eq string) string {
		return `^SEARCH call_log USING INDEX ` + index + ` \(` + eq + ` AND timestamp>\? AND timestamp<\?\)$`
	}
	want := map[string][]string{
		"ListCallsAsc":           list(callsBy("", `company_id=\?`)),
		"ListCallsDesc":          list(callsBy("", `company_id=\?`)),
		"CountCalls":             {callsBy("", `company_id=\?`)},
		"ListCallsByContactAsc":  list(byContact),
		"ListCallsByContactDesc": list(byContact),
		"CountCallsByContact":    {byContact},
		"ListCallsByAgentAsc":    list(callsBy("calls_agent_created", `company_id=\? AND agent_id=\?`)),
		"ListCallsByAgentDesc":   list(callsBy("calls_agent_created", `company_id=\? AND agent_id=\?`)),
		"CountCallsByAgent":      {callsBy("calls_agent_created", `company_id=\? AND agent_id=\?`)},
		"ListCallsByPhoneAsc":    list(callsBy("calls_phone_created", `company_id=\? AND phone_register_id=\?`)),
		"ListCallsByPhoneDesc":   list(callsBy("calls_phone_created", `company_id=\? AND phone_register_id=\?`)),
		"CountCallsByPhone":      {callsBy("calls_phone_created", `company_id=\? AND phone_register_id=\?`)},
		"ListCallsByStatusAsc":   list(callsBy("calls_status_created", `company_id=\? AND status=\?`)),
		"ListCallsByStatusDesc":  list(callsBy("calls_status_created", `company_id=\? AND status=\?`)),
		"CountCallsByStatus":     {callsBy("calls_status_created", `company_id=\? AND status=\?`)},
		"GetCallKey":             {`^SEARCH calls USING COVERING INDEX calls_id \(id=\?\)$`},
		"GetCall":                {`^SEARCH calls USING INDEX calls_id \(id=\?\)$`},
		"CallExists":             {`^SEARCH calls USING COVERING INDEX calls_id \(id=\?\)$`},
		"UpdateCall":             {`^SEARCH calls USING COVERING INDEX calls_id \(id=\?\)$`},
		"ListLogsAsc":            {logsBy("call_log_company_ts", `company_id=\?`)},
		"ListLogsDesc":           {logsBy("call_log_company_ts", `company_id=\?`)},
		"CountLogs":              {logsBy("call_log_company_ts", `company_id=\?`)},
		"ListLogsByCallAsc":      {logsBy("call_log_call_ts", `call_id=\?`)},
		"ListLogsByCallDesc":     {logsBy("call_log_call_ts", `call_id=\?`)},
		"CountLogsByCall":        {logsBy("call_log_call_ts", `call_id=\?`)},
		"GetLogKey":              {`^SEARCH call_log USING INDEX sqlite_autoindex_call_log_1 \(id=\?\)$`},
		"ListMessagesAsc":        {`^SEARCH messages USING PRIMARY KEY \(call_id=\? AND created_date>\? AND created_date<\?\)$`},
		"ListMessagesDesc":       {`^SEARCH messages USING PRIMARY KEY \(call_id=\? AND created_date>\? AND created_date<\?\)$`},
		"CountMessages":          {`^SEARCH messages USING PRIMARY KEY \(call_id=\?\)$`},
		"HasMessages":            {`^SCAN CONSTANT ROW$`, `^SCALAR SUBQUERY`, `^SEARCH messages USING PRIMARY KEY \(call_id=\?\)$`},
		"GetMessageKey":          {`^SEARCH messages USING PRIMARY KEY \(call_id=\?\)$`},
		// The delete looks the ids up by the unique index on id; the plan also shows the foreign-key actions,
		// each served by an index: the cascade to messages and the SET NULL on call_log.
		"DeleteTerminalCalls": {`^SEARCH calls USING INDEX calls_id \(id=\? AND company_id=\?\)$`,
			`^SEARCH call_log USING COVERING INDEX call_log_call_ts \(call_id=\?\)$`,
			`^SEARCH messages USING PRIMARY KEY \(call_id=\?\)$`},
	}
	for name, patterns := range want {
		plan, ok := rec.plans[name]
		if !ok {
			t.Errorf("%s: not run", name)
			continue
		}
		if len(plan) != len(patterns) {
			t.Errorf("%s: plan %q, want %d steps %q", name, plan, len(patterns), patterns)
			continue
		}
		for i, p := range patterns {
			if !regexp.MustCompile(p).MatchString(plan[i]) {
				t.Errorf("%s: step %d is %q, want %s", name, i, plan[i], p)
			}
		}
		for _, step := range plan {
			if strings.Contains(step, "TEMP B-TREE") || (strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW") {
				t.Errorf("%s: %q", name, step)
			}
		}
	}
	for name := range rec.plans {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: ran but has no expected plan", name)
		}
	}
}

// second returns the error of a (value, error) pair.
func second[T any](_ T, err error) error { return err }

// noRows returns the error of a (value, error) pair, nil for "no rows".
func noRows[T any](_ T, err error) error {
	if err == sql.ErrNoRows {
		return nil
	}
	return err
}
