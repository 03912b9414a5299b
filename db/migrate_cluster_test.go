package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
)

// TestMigrateClusterCalls fills a database built with schema 2 (calls and contacts as rowid tables),
// opens it with the current binary, which rebuilds both tables clustered (migration 3), and checks:
// every row of every table is intact, byte for byte; no foreign key dangles; calls and contacts are
// WITHOUT ROWID; the cascade, the SET NULL and the call counters work on the rebuilt tables. Then it
// migrates back down to schema 2 and finds every row intact again.
func TestMigrateClusterCalls(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	raw, _ := openAtVersion(t, path, 2)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	q := sqlcdb.New(raw)
	seq := 0
	newID := func() string { seq++; return fmt.Sprintf("0193a000-0000-7000-8000-%012d", seq) }
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	var companies, someCalls []string
	for ci := 0; ci < 3; ci++ {
		co := newID()
		companies = append(companies, co)
		_, err := insertOldCompany(ctx, raw, sqlcdb.CreateCompanyParams{ID: co, Name: fmt.Sprintf("company %d", ci), CreatedDate: int64(ci)})
		must(err)
		for k := 0; k < 4; k++ {
			contact := newID()
			_, err = sqlctest.New(raw).CreateContact(ctx, sqlctest.CreateContactParams{ID: contact, CompanyID: co, Identifier: fmt.Sprintf("+3460%d%05d", ci, k), ContactType: []string{"call", "web"}[k%2], CreatedDate: int64(100 - k)})
			must(err)
			for i := 0; i < 5; i++ {
				id := newID()
				c := sqlcdb.CreateCallParams{ID: id, CompanyID: co, ContactID: contact, Status: []string{"completed", "in_progress", "failed"}[i%3], Type: []string{"inbound", "outbound"}[i%2],
					CreatedDate: int64(1000 - 10*i - k)} // created dates out of insertion order, one shared by two calls
				if i%2 == 0 { // every nullable column set on half the calls, null on the others
					c.AgentID, c.AgentVersionID, c.PhoneRegisterID, c.RecordingUrl = s("agent"), s("v1"), s("phone"), s("https://r/x.wav")
					c.StartTime, c.EndTime, c.Duration, c.EndReason, c.DynamicVariables = n(5), n(9), n(4), s("hangup"), s(`{"a":[1,"ü"]}`)
				}
				must(insertOldCall(ctx, raw, c))
				for m := 0; m < 3; m++ {
					must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: int64(m), ID: newID(), Role: "user", Content: s(fmt.Sprint("m", m))}))
				}
				must(q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: newID(), CompanyID: co, CallID: &id, Timestamp: 12, Level: "INFO", Category: "USER", Event: "e", Data: s(`{"k":1}`)}))
				someCalls = append(someCalls, id)
			}
		}
		// an audit row whose call was already deleted
		must(q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: newID(), CompanyID: co, Timestamp: 13, Level: "WARN", Category: "SYSTEM", Event: "orphan"}))
	}
	before := dumpTables(t, raw)
	must(raw.Close())

	d, err := db.Open(ctx, path)
	must(err)
	if v, err := d.Version(ctx); err != nil || v != db.LatestVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, db.LatestVersion())
	}
	compareDumps(t, "after migrating up", before, dumpTables(t, d.Read))
	for _, table := range []string{"calls", "contacts"} {
		var ddl string
		must(d.Read.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&ddl))
		if !strings.Contains(ddl, "WITHOUT ROWID") {
			t.Errorf("%s is not WITHOUT ROWID after the migration: %s", table, ddl)
		}
	}
	noDanglingKeys(t, d.Write)
	copiesMatch := func(when string) {
		t.Helper()
		o, err := sqlctest.New(d.Write).SeedOrphans(ctx)
		must(err)
		if o.Calls != 0 {
			t.Fatalf("%s: %d calls whose copy of their contact's fields differs from the contact", when, o.Calls)
		}
	}
	copiesMatch("after the migration")
	// An import of an older call moves a contact's created_date earlier: the trigger carries it to
	// the copies in its calls.
	var contact string
	must(d.Write.QueryRowContext(ctx, "SELECT contact_id FROM calls WHERE id = ?", someCalls[2]).Scan(&contact))
	_, err = d.Write.ExecContext(ctx, "UPDATE contacts SET created_date = created_date - 1000 WHERE id = ?", contact)
	must(err)
	copiesMatch("after a contact's created_date changed")
	var fk int
	must(d.Write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	if fk != 1 {
		t.Fatal("foreign keys are off on the writer after the migration")
	}

	// Direct SQL on purpose: the test proves what the rebuilt schema does, below any query of the app.
	wq := sqlcdb.New(d.Write)
	gone := someCalls[0]
	_, err = d.Write.ExecContext(ctx, "DELETE FROM calls WHERE id = ?", gone)
	must(err)
	var msgs, logs, nulled int
	must(d.Write.QueryRowContext(ctx, "SELECT count(*) FROM messages WHERE call_id = ?", gone).Scan(&msgs))
	must(d.Write.QueryRowContext(ctx, "SELECT count(*) FROM call_log WHERE call_id = ?", gone).Scan(&logs))
	must(d.Write.QueryRowContext(ctx, "SELECT count(*) FROM call_log WHERE call_id IS NULL").Scan(&nulled))
	if msgs != 0 || logs != 0 || nulled != len(companies)+1 {
		t.Fatalf("after deleting a call: %d messages and %d logs still point at it, %d logs detached (want 0, 0, %d)", msgs, logs, nulled, len(companies)+1)
	}
	cnt, err := wq.CountCompanyCalls(ctx, companies[0])
	must(err)
	if cnt != 19 {
		t.Fatalf("call counter of company 0 = %d after one delete, want 19", cnt)
	}
	_, err = d.Write.ExecContext(ctx, "DELETE FROM contacts WHERE company_id = ?", companies[1])
	must(err)
	var left int
	must(d.Write.QueryRowContext(ctx, "SELECT count(*) FROM calls WHERE company_id = ?", companies[1]).Scan(&left))
	cnt, err = wq.CountCompanyCalls(ctx, companies[1])
	must(err)
	if left != 0 || cnt != 0 {
		t.Fatalf("after deleting company 1's contacts: %d calls left, counter %d; want 0, 0", left, cnt)
	}
	if _, err := d.Write.ExecContext(ctx, "INSERT INTO calls (id, company_id, contact_id, status, type, created_date) VALUES (?, ?, ?, 'completed', 'inbound', 1)",
		someCalls[1], companies[2], newID()); err == nil {
		t.Fatal("a duplicate call id (and unknown contact) was accepted after the migration")
	}
	must(d.Close())

	// Down to schema 2 and back: the rows survive both ways.
	raw, p := openAtVersion(t, path, db.LatestVersion())
	mid := dumpTables(t, raw)
	_, err = p.DownTo(ctx, 2)
	must(err)
	compareDumps(t, "after migrating down", mid, dumpTables(t, raw))
	noDanglingKeys(t, raw)
	_, err = p.Up(ctx)
	must(err)
	compareDumps(t, "after migrating up again", mid, dumpTables(t, raw))
}

// dumpTables renders every row of every table of the schema as text, sorted, per table.
func dumpTables(t *testing.T, q *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"companies", "api_keys", "contacts", "calls", "messages", "call_log", "apps", "access_tokens", "company_call_counts"} {
		cols := "*"
		switch table { // the columns every schema has
		case "calls": // migration 3 adds copies of contact fields
			cols = "id, company_id, contact_id, agent_id, agent_version_id, phone_register_id, status, type, recording_url, start_time, end_time, duration, end_reason, dynamic_variables, created_date"
		case "companies": // migration 4 adds retention_days
			cols = "id, name, created_date"
		}
		rows, err := q.Query("SELECT " + cols + " FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		names, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				fmt.Fprintf(&b, "%s=%T:%v;", names[i], v, v)
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

func compareDumps(t *testing.T, when string, want, got map[string][]string) {
	t.Helper()
	for table, rows := range want {
		if len(rows) == 0 && table != "api_keys" && table != "apps" && table != "access_tokens" {
			t.Fatalf("%s: the fixture has no %s rows", when, table)
		}
		if !slices.Equal(rows, got[table]) {
			t.Errorf("%s: %s has %d rows, want %d, or their contents differ", when, table, len(got[table]), len(rows))
		}
	}
}

func noDanglingKeys(t *testing.T, q *sql.DB) {
	t.Helper()
	rows, err := q.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("PRAGMA foreign_key_check reports a dangling foreign key")
	}
}
