package postgres

// Tests of the PostgreSQL schema and query set against a real server. They run when
// CALLSTORE_TEST_POSTGRES names one (a URL or keyword/value string whose user may create
// databases, e.g. postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable) and skip
// otherwise. Each test works in a database of its own, created with a random name and dropped
// when it ends. Where the server has ICU, that database's default collation is ICU en-US, which
// orders text unlike SQLite: the tests then also show that the schema's COLLATE "C" columns keep
// every order and comparison bytewise.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
)

const qtServerEnv = "CALLSTORE_TEST_POSTGRES"

// qtDatabase creates a database of its own on the test server (dropped when the test ends) and
// returns its connection configuration. It skips the test when no server is configured.
func qtDatabase(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	server := os.Getenv(qtServerEnv)
	if server == "" {
		t.Skipf("%s is not set: no PostgreSQL server to test against", qtServerEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connecting to %s: %v", qtServerEnv, err)
	}
	defer admin.Close(ctx)

	b := make([]byte, 8)
	rand.Read(b)
	name := "callstore_test_" + hex.EncodeToString(b)
	ident := pgx.Identifier{name}.Sanitize()
	// ICU en-US sorts "~" before "0" and "a" before "B": a database whose text columns kept its
	// default collation would order ids unlike SQLite. Servers without ICU get their default.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		t.Logf("no ICU database (%v); using the server's default collation", err)
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			t.Fatalf("creating the test database: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})

	cfg, err := pgx.ParseConfig(server)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = name
	return cfg
}

// qtProvider returns a goose provider of the embedded migrations over a database/sql handle of cfg.
func qtProvider(t *testing.T, cfg *pgx.ConnConfig) *goose.Provider {
	t.Helper()
	sqlDB := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { sqlDB.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// qtMigrated returns a pool on a new, fully migrated database.
func qtMigrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg := qtDatabase(t)
	if _, err := qtProvider(t, cfg).Up(context.Background()); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		t.Fatal(err)
	}
	pcfg.ConnConfig = cfg
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func qtStr(s string) *string { return &s }
func qtInt(n int64) *int64   { return &n }

func qtScalar[T any](t *testing.T, pool *pgxpool.Pool, query string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

func qtSQLState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestMigrationsUpDownUp(t *testing.T) {
	cfg := qtDatabase(t)
	ctx := context.Background()
	p := qtProvider(t, cfg)
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil || v != 1 {
		t.Fatalf("version after up = %d, %v; want 1", v, err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	objects := func() (tables, functions int) {
		t.Helper()
		err := conn.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'),
			(SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)`).Scan(&tables, &functions)
		if err != nil {
			t.Fatal(err)
		}
		return tables, functions
	}
	if tb, fn := objects(); tb != 10 || fn != 4 {
		t.Fatalf("after up: %d tables, %d functions; want 10 and 4", tb, fn)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if tb, fn := objects(); tb != 0 || fn != 0 {
		t.Fatalf("after down: %d tables, %d functions left; want none", tb, fn)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if tb, fn := objects(); tb != 10 || fn != 4 {
		t.Fatalf("after up again: %d tables, %d functions; want 10 and 4", tb, fn)
	}
}

// The schema's columns come out of sqlc as the SQLite schema's do (the adapter's struct conversions
// compile); this checks what sqlc cannot see: every text column is bytewise.
func TestTextColumnsAreBytewise(t *testing.T) {
	pool := qtMigrated(t)
	rows, err := pool.Query(context.Background(), `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'text' AND table_name <> 'goose_db_version'
		  AND coalesce(collation_name, '') <> 'C' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("text columns without COLLATE \"C\": %v", bad)
	}
	if n := qtScalar[int64](t, pool, `SELECT count(*) FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' AND data_type NOT IN ('text', 'bigint')`); n != 0 {
		t.Fatalf("%d columns are neither text nor bigint", n)
	}
}

func TestSchemaSemantics(t *testing.T) {
	pool := qtMigrated(t)
	ctx := context.Background()
	q := NewQueries(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func(company string) int64 {
		t.Helper()
		n, err := q.CountCompanyCalls(ctx, company)
		must(err)
		return n
	}
	call := func(id, company, contact string, created int64) sqlcdb.CreateCallParams {
		return sqlcdb.CreateCallParams{ID: id, CompanyID: company, ContactID: contact, ContactIdentifier: "+1" + contact,
			ContactType: "call", ContactCreatedDate: 1000, Status: "completed", Type: "inbound", CreatedDate: created}
	}

	// A company gets its counter row; calls count up.
	for _, id := range []string{"co-1", "co-2"} {
		_, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: id, Name: id, CreatedDate: 1})
		must(err)
		if n := count(id); n != 0 {
			t.Fatalf("new company %s counts %d calls", id, n)
		}
	}
	for _, c := range []string{"ct-1", "ct-2"} {
		_, err := q.UpsertContact(ctx, sqlcdb.UpsertContactParams{ID: c, CompanyID: "co-1", Identifier: "+1" + c, ContactType: "call", CreatedDate: 1000})
		must(err)
	}
	_, err := q.UpsertContact(ctx, sqlcdb.UpsertContactParams{ID: "ct-9", CompanyID: "co-2", Identifier: "+1ct-9", ContactType: "call", CreatedDate: 1000})
	must(err)
	for i, c := range []string{"ct-1", "ct-1", "ct-2", "ct-2", "ct-2"} {
		must(q.CreateCall(ctx, call(fmt.Sprintf("call-%d", i), "co-1", c, int64(2000+i))))
	}
	must(q.CreateCall(ctx, call("call-x", "co-2", "ct-9", 2000)))
	if a, b := count("co-1"), count("co-2"); a != 5 || b != 1 {
		t.Fatalf("counts after inserts: %d, %d; want 5, 1", a, b)
	}

	// A COPY (db/postgres/copy.go moves a SQLite database with one) fires the counter too.
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"calls"},
		[]string{"id", "company_id", "contact_id", "contact_identifier", "contact_type", "contact_created_date", "status", "type", "created_date"},
		pgx.CopyFromRows([][]any{{"call-c1", "co-1", "ct-1", "+1ct-1", "call", int64(1000), "failed", "outbound", int64(3000)},
			{"call-c2", "co-2", "ct-9", "+1ct-9", "call", int64(1000), "failed", "outbound", int64(3000)}}))
	must(err)
	if a, b := count("co-1"), count("co-2"); n != 2 || a != 6 || b != 2 {
		t.Fatalf("counts after a COPY of %d calls: %d, %d; want 6, 2", n, a, b)
	}

	// Messages and audit entries of call-0.
	must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: "call-0", CreatedDate: 1, ID: "m-1", Role: "user", Content: qtStr("hi")}))
	must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: "call-0", CreatedDate: 2, ID: "m-2", Role: "assistant"}))
	must(q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: "l-1", CompanyID: "co-1", CallID: qtStr("call-0"), Timestamp: 1, Level: "info", Category: "c", Event: "e", Data: qtStr(`{"a":1}`)}))

	// Deleting a call cascades to its messages, detaches its log and counts down.
	tag, err := pool.Exec(ctx, "DELETE FROM calls WHERE id = 'call-0'")
	must(err)
	if tag.RowsAffected() != 1 {
		t.Fatalf("deleted %d calls", tag.RowsAffected())
	}
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM messages WHERE call_id = 'call-0'"); n != 0 {
		t.Fatalf("%d messages outlived their call", n)
	}
	logCall := qtScalar[*string](t, pool, "SELECT call_id FROM call_log WHERE id = 'l-1'")
	if logCall != nil {
		t.Fatalf("the log entry of a deleted call has call_id %q, want NULL", *logCall)
	}
	if n := count("co-1"); n != 5 {
		t.Fatalf("count after deleting a call: %d, want 5", n)
	}

	// An older call of a contact moves its created date, and the copy in its calls with it; a newer
	// one moves nothing.
	c, err := q.UpsertContact(ctx, sqlcdb.UpsertContactParams{ID: "ignored", CompanyID: "co-1", Identifier: "+1ct-2", ContactType: "call", CreatedDate: 500})
	must(err)
	if c.ID != "ct-2" || c.CreatedDate != 500 {
		t.Fatalf("upsert returned %+v, want ct-2 created at 500", c)
	}
	c, err = q.UpsertContact(ctx, sqlcdb.UpsertContactParams{ID: "ignored", CompanyID: "co-1", Identifier: "+1ct-2", ContactType: "call", CreatedDate: 900})
	must(err)
	if c.ID != "ct-2" || c.CreatedDate != 500 {
		t.Fatalf("upsert returned %+v, want ct-2 still created at 500", c)
	}
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM calls WHERE contact_id = 'ct-2' AND contact_created_date = 500"); n != 3 {
		t.Fatalf("%d of ct-2's 3 calls carry its new created date", n)
	}
	_, err = pool.Exec(ctx, "UPDATE contacts SET created_date = 400 WHERE id = 'ct-2'")
	must(err)
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM calls WHERE contact_id = 'ct-2' AND contact_created_date = 400"); n != 3 {
		t.Fatalf("%d of ct-2's 3 calls carry its updated created date", n)
	}
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM calls WHERE contact_id = 'ct-1' AND contact_created_date = 1000"); n != 2 {
		t.Fatalf("ct-1's calls changed with ct-2: %d of 2 unchanged", n)
	}

	// Deleting contacts cascades to their calls (each cascade a DELETE statement of its own, which
	// fires the counter's statement trigger).
	rows, err := q.DeleteContacts(ctx, sqlcdb.DeleteContactsParams{CompanyID: "co-1", Ids: []string{"ct-1", "ct-2", "ct-9"}})
	must(err)
	if rows != 2 {
		t.Fatalf("deleted %d contacts, want 2 (ct-9 is another company's)", rows)
	}
	if a, b := count("co-1"), count("co-2"); a != 0 || b != 2 {
		t.Fatalf("counts after deleting co-1's contacts: %d, %d; want 0, 2", a, b)
	}
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM calls WHERE company_id = 'co-1'"); n != 0 {
		t.Fatalf("%d calls outlived their contacts", n)
	}

	// Constraints: the checks, the unique keys and the foreign keys are the SQLite schema's.
	for _, tc := range []struct {
		query, state string
	}{
		{"INSERT INTO messages (call_id, created_date, id, role) VALUES ('nope', 1, 'm', 'user')", "23503"},
		{"INSERT INTO messages (call_id, created_date, id, role) VALUES ('call-x', 1, 'm', 'robot')", "23514"},
		{"UPDATE companies SET retention_days = 0 WHERE id = 'co-2'", "23514"},
		{"INSERT INTO calls (id, company_id, contact_id, contact_identifier, contact_type, contact_created_date, status, type, created_date) VALUES ('call-x', 'co-2', 'ct-9', 'i', 'call', 1, 'failed', 'inbound', 99)", "23505"},
		{"INSERT INTO contacts (id, company_id, identifier, contact_type, created_date) VALUES ('ct-99', 'co-2', '+1ct-9', 'call', 1)", "23505"},
		{"INSERT INTO api_keys (id, company_id, name, key_hash, last_four, restricted, creator_id, created_date) VALUES ('k', 'co-2', 'n', 'h', '1234', 2, 'u', 1)", "23514"},
		{"INSERT INTO deletions (company_id, created_date, id, kind, dialect, route, credential_type, dry_run, requested_ids) VALUES ('co-2', 1, 'd', 'calls', 'calls', 'r', 'cli', 2, '[]')", "23514"},
	} {
		_, err := pool.Exec(ctx, tc.query)
		if got := qtSQLState(err); got != tc.state {
			t.Errorf("%s: error %v (SQLSTATE %q), want SQLSTATE %s", tc.query, err, got, tc.state)
		}
	}

	// Deleting a company takes everything of it.
	_, err = pool.Exec(ctx, "DELETE FROM companies WHERE id = 'co-2'")
	must(err)
	for _, table := range []string{"calls", "contacts", "company_call_counts", "call_log", "deletions"} {
		if n := qtScalar[int64](t, pool, "SELECT count(*) FROM "+table+" WHERE company_id = 'co-2'"); n != 0 {
			t.Errorf("%d rows of %s outlived their company", n, table)
		}
	}
	if n := qtScalar[int64](t, pool, "SELECT count(*) FROM messages"); n != 0 {
		t.Errorf("%d messages outlived their company", n)
	}
}

// TestQueriesThroughAdapter runs the queries the store leans on hardest through Queries and
// checks their answers.
func TestQueriesThroughAdapter(t *testing.T) {
	pool := qtMigrated(t)
	ctx := context.Background()
	var q sqlcdb.Querier = NewQueries(pool)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	_, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: "co", Name: "Co", CreatedDate: 1})
	must(err)
	ct, err := q.UpsertContact(ctx, sqlcdb.UpsertContactParams{ID: "ct", CompanyID: "co", Identifier: "+1", ContactType: "call", CreatedDate: 10})
	must(err)
	// Ids whose bytewise order differs from a linguistic one, several on one created date.
	ids := []string{"c-a", "c-B", "c_c", "c~d", "C-e", "c-0", "c-Z", "c.f"}
	for i, id := range ids {
		status := "completed"
		if i == 1 {
			status = "in_progress"
		}
		must(q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: id, CompanyID: "co", ContactID: ct.ID, ContactIdentifier: ct.Identifier,
			ContactType: ct.ContactType, ContactCreatedDate: ct.CreatedDate, Status: status, Type: "inbound",
			DynamicVariables: qtStr(`{ "b":2,  "a" :1 }`), CreatedDate: int64(100 + i/3)}))
	}
	type key struct {
		date int64
		id   string
	}
	var want []key
	for i, id := range ids {
		want = append(want, key{int64(100 + i/3), id})
	}
	slices.SortFunc(want, func(a, b key) int {
		if a.date != b.date {
			return int(a.date - b.date)
		}
		return strings.Compare(a.id, b.id) // bytewise, as SQLite
	})
	var wantIDs []string
	for _, k := range want {
		wantIDs = append(wantIDs, k.id)
	}

	// Pages of 3 ascending: the first from the sentinel key, the next ones from the cursor's id
	// (CursorDate NULL: the query looks the key up itself).
	var got []string
	arg := sqlcdb.ListCallsAscParams{CompanyID: "co", CursorDate: qtInt(math.MinInt64), CursorID: "", Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 3}
	for range 10 {
		page, err := q.ListCallsAsc(ctx, arg)
		must(err)
		if page == nil {
			t.Fatal("an empty page is nil, not empty")
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			got = append(got, c.ID)
		}
		arg.CursorDate, arg.CursorID = nil, page[len(page)-1].ID
	}
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("ascending pages: %v, want %v", got, wantIDs)
	}
	// Descending from the sentinel "~", which sorts after every id only bytewise.
	desc, err := q.ListCallsDesc(ctx, sqlcdb.ListCallsDescParams{CompanyID: "co", CursorDate: qtInt(math.MaxInt64), CursorID: "~", Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 100})
	must(err)
	got = got[:0]
	for _, c := range desc {
		got = append(got, c.ID)
	}
	rev := slices.Clone(wantIDs)
	slices.Reverse(rev)
	if !slices.Equal(got, rev) {
		t.Fatalf("descending: %v, want %v", got, rev)
	}
	if desc[0].DynamicVariables == nil || *desc[0].DynamicVariables != `{ "b":2,  "a" :1 }` {
		t.Fatalf("dynamic_variables came back as %v, not byte for byte", desc[0].DynamicVariables)
	}
	// From the middle, by lookup, descending.
	mid := wantIDs[4]
	desc, err = q.ListCallsDesc(ctx, sqlcdb.ListCallsDescParams{CompanyID: "co", CursorID: mid, Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 2})
	must(err)
	if len(desc) != 2 || desc[0].ID != wantIDs[3] || desc[1].ID != wantIDs[2] {
		t.Fatalf("descending after %s: %v", mid, desc)
	}
	// A cursor that is not a call of the company: an empty page (greatest() would have ignored the
	// NULL key and answered a page).
	for _, lookup := range []string{"nope", "zzz"} {
		page, err := q.ListCallsAsc(ctx, sqlcdb.ListCallsAscParams{CompanyID: "co", CursorID: lookup, Lo: math.MinInt64, Hi: math.MaxInt64, Lim: 100})
		must(err)
		if len(page) != 0 {
			t.Fatalf("a page after the unknown call %q: %d calls", lookup, len(page))
		}
	}
	// Page mode: offset; a negative limit is no limit, as in SQLite.
	page, err := q.ListCallsAsc(ctx, sqlcdb.ListCallsAscParams{CompanyID: "co", CursorDate: qtInt(math.MinInt64), Lo: math.MinInt64, Hi: math.MaxInt64, Off: 6, Lim: -1})
	must(err)
	if len(page) != 2 || page[0].ID != wantIDs[6] {
		t.Fatalf("offset 6, no limit: %v", page)
	}
	n, err := q.CountCalls(ctx, sqlcdb.CountCallsParams{CompanyID: "co", Status: qtStr("completed"), Lo: math.MinInt64, Hi: math.MaxInt64})
	must(err)
	if n != 7 {
		t.Fatalf("CountCalls(completed) = %d, want 7", n)
	}

	// Transcripts and audit entries of the first two calls.
	var m10 sqlcdb.CreateMessages10Params
	for i := 1; i <= 10; i++ {
		qtSetIndexed(&m10, "CallID", i, "c-a")
		qtSetIndexed(&m10, "CreatedDate", i, int64(i%4))
		qtSetIndexed(&m10, "ID", i, fmt.Sprintf("m-%02d", i))
		qtSetIndexed(&m10, "Role", i, "user")
	}
	must(q.CreateMessages10(ctx, m10))
	must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: "c-B", CreatedDate: 1, ID: "m-x", Role: "tool", ToolCall: qtStr(`{"x":[1]}`)}))
	var l10 sqlcdb.CreateCallLogs10Params
	for i := 1; i <= 10; i++ {
		callID := []*string{qtStr("c-a"), qtStr("c-B"), nil}[i%3]
		qtSetIndexed(&l10, "CompanyID", i, "co")
		qtSetIndexed(&l10, "ID", i, fmt.Sprintf("l-%02d", i))
		qtSetIndexed(&l10, "CallID", i, callID)
		qtSetIndexed(&l10, "Timestamp", i, int64(i))
		qtSetIndexed(&l10, "Level", i, "info")
		qtSetIndexed(&l10, "Category", i, "call")
		qtSetIndexed(&l10, "Event", i, "e")
	}
	must(q.CreateCallLogs10(ctx, l10))
	msgs, err := q.ListMessagesOfCalls(ctx, []string{"c-a", "c-B"})
	must(err)
	if len(msgs) != 11 || msgs[0].CallID != "c-B" || msgs[1].ID != "m-04" || msgs[2].ID != "m-08" || msgs[3].ID != "m-01" {
		t.Fatalf("ListMessagesOfCalls order: %v", msgs[:4])
	}
	logs, err := q.ListCallLogsOfCalls(ctx, sqlcdb.ListCallLogsOfCallsParams{CompanyID: "co", CallIds: []*string{qtStr("c-a"), nil, qtStr("c-B")}})
	must(err)
	if len(logs) != 7 || *logs[0].CallID != "c-B" || *logs[6].CallID != "c-a" {
		t.Fatalf("ListCallLogsOfCalls: %d entries, first of %v", len(logs), logs[0].CallID)
	}

	// Bulk delete of terminal calls: what it takes, then the delete (c-B is in progress, "nobody"
	// is no call).
	del := []string{"c-a", "c-B", "c-Z", "nobody"}
	eff, err := q.CountCallDeletionEffects(ctx, sqlcdb.CountCallDeletionEffectsParams{CompanyID: "co", Ids: del})
	must(err)
	if eff != (sqlcdb.CountCallDeletionEffectsRow{Calls: 2, Messages: 10, Logs: 3}) {
		t.Fatalf("CountCallDeletionEffects = %+v, want 2 calls, 10 messages, 3 logs", eff)
	}
	rows, err := q.DeleteTerminalCalls(ctx, sqlcdb.DeleteTerminalCallsParams{CompanyID: "co", Ids: del})
	must(err)
	if rows != 2 {
		t.Fatalf("DeleteTerminalCalls deleted %d, want 2", rows)
	}
	if n, err := q.CountCompanyCalls(ctx, "co"); err != nil || n != 6 {
		t.Fatalf("CountCompanyCalls = %d, %v; want 6", n, err)
	}
	if has, err := q.HasMessages(ctx, "c-a"); err != nil || has {
		t.Fatalf("HasMessages(c-a) = %v, %v after its delete", has, err)
	}
	detached, err := q.CountLogs(ctx, sqlcdb.CountLogsParams{CompanyID: "co", Lo: math.MinInt64, Hi: math.MaxInt64})
	must(err)
	if detached != 10 {
		t.Fatalf("%d audit entries left, want all 10", detached)
	}
	taken, err := q.ListTakenCallIDs(ctx, del)
	must(err)
	if !slices.Equal(taken, []string{"c-B"}) {
		t.Fatalf("ListTakenCallIDs after the delete = %v", taken)
	}
	for _, ids := range [][]string{nil, {}} {
		taken, err := q.ListTakenCallIDs(ctx, ids)
		must(err)
		if taken == nil || len(taken) != 0 {
			t.Fatalf("ListTakenCallIDs(%#v) = %#v, want an empty slice", ids, taken)
		}
	}

	// The deletion audit trail.
	for i, id := range []string{"d-b", "d-A", "d-a"} {
		must(q.CreateDeletion(ctx, sqlcdb.CreateDeletionParams{CompanyID: "co", CreatedDate: int64(50 + i/2), ID: id, Kind: "calls",
			Dialect: "calls", Route: "DELETE /v1/calls", CredentialType: "api_key", CredentialID: qtStr("k"), RequestedIds: `["c-a"]`, Calls: 1}))
	}
	if n, err := q.AddDeletionCounts(ctx, sqlcdb.AddDeletionCountsParams{Calls: 2, Messages: 10, LogsDetached: 3, CompanyID: "co", ID: "d-a"}); err != nil || n != 1 {
		t.Fatalf("AddDeletionCounts = %d, %v", n, err)
	}
	d, err := q.GetDeletion(ctx, sqlcdb.GetDeletionParams{CompanyID: "co", ID: "d-a"})
	must(err)
	if d.Calls != 3 || d.Messages != 10 || d.LogsDetached != 3 || d.Contacts != 0 || *d.CredentialID != "k" {
		t.Fatalf("GetDeletion after AddDeletionCounts: %+v", d)
	}
	dl, err := q.ListDeletionsAsc(ctx, sqlcdb.ListDeletionsAscParams{CompanyID: "co", Lo: math.MinInt64, Hi: math.MaxInt64, CursorDate: math.MinInt64, Lim: 10})
	must(err)
	if len(dl) != 3 || dl[0].ID != "d-A" || dl[1].ID != "d-b" || dl[2].ID != "d-a" {
		t.Fatalf("ListDeletionsAsc order: %v", dl)
	}
	if _, err := q.GetDeletion(ctx, sqlcdb.GetDeletionParams{CompanyID: "co", ID: "nope"}); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("GetDeletion of an unknown id: %v, want an error that is sql.ErrNoRows", err)
	}
}

// qtSetIndexed sets the field of row index (1-based) of a ten-row insert's parameters, *p: name for
// the first row, name_2 to name_10 for the others (CreateMessages10's ID, ID_2, ...).
func qtSetIndexed(p any, name string, index int, v any) {
	if index > 1 {
		name = fmt.Sprintf("%s_%d", name, index)
	}
	reflect.ValueOf(p).Elem().FieldByName(name).Set(reflect.ValueOf(v))
}

// TestQueriesMatchSQLite runs one scenario, which calls every query of the interface, on SQLite
// (db/migrations, sqlcdb) and on PostgreSQL (this package's migrations, through Queries), and
// compares every answer: the rows, their order, the counts, and which calls fail.
func TestQueriesMatchSQLite(t *testing.T) {
	pool := qtMigrated(t)
	ctx := context.Background()

	path := filepath.Join(t.TempDir(), "callstore.db")
	lite, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	lite.SetMaxOpenConns(1) // migration 3 runs its own transaction around PRAGMA foreign_keys
	p, err := goose.NewProvider(goose.DialectSQLite3, lite, os.DirFS("../migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("migrating SQLite: %v", err)
	}

	sqlite := qtScenario(ctx, sqlcdb.New(lite))
	postgres := qtScenario(ctx, NewQueries(pool))
	if len(sqlite) != len(postgres) {
		t.Fatalf("SQLite answered %d calls, PostgreSQL %d", len(sqlite), len(postgres))
	}
	called := map[string]bool{}
	for i := range sqlite {
		called[strings.SplitN(sqlite[i], " ", 2)[0]] = true
		if sqlite[i] != postgres[i] {
			call, lite, _ := strings.Cut(sqlite[i], " -> ")
			pgCall, pg, _ := strings.Cut(postgres[i], " -> ")
			if call != pgCall {
				t.Fatalf("the scenarios diverged at answer %d:\n  sqlite:   %s\n  postgres: %s", i, call, pgCall)
			}
			t.Errorf("%s\n  sqlite:   %s\n  postgres: %s", call, lite, pg)
		}
	}
	// Every query of the interface is in the scenario.
	for _, m := range qtQuerierMethods() {
		if !called[m] {
			t.Errorf("the scenario never calls %s", m)
		}
	}
	if testing.Verbose() {
		t.Logf("%d answers agree, e.g.\n%s", len(sqlite), strings.Join(sqlite[:min(10, len(sqlite))], "\n"))
	}
}

// qtScenario calls every query of the interface on a fresh database and records each answer as a
// line "Method args -> result": JSON of the result, or the class of the error (no rows, or error:
// the two engines' messages differ). Queries without ORDER BY have their rows sorted, since their
// order is unspecified in both engines.
func qtScenario(ctx context.Context, q sqlcdb.Querier) []string {
	var out []string
	rec := func(name string, args, v any, err error) {
		a, _ := json.Marshal(args)
		line := name + " " + string(a) + " -> "
		switch {
		case errors.Is(err, sql.ErrNoRows):
			line += "no rows"
		case err != nil:
			line += "error"
		default:
			b, _ := json.Marshal(v)
			line += string(b)
		}
		out = append(out, line)
	}
	sorted := func(s []string) []string { slices.Sort(s); return s }
	s, i64 := qtStr, qtInt
	const lo, hi = math.MinInt64, math.MaxInt64

	// Companies. "co-B" sorts before "co-a" bytewise, after it linguistically.
	for _, c := range []sqlcdb.CreateCompanyParams{{ID: "co-a", Name: "A", CreatedDate: 100}, {ID: "co-B", Name: "B", CreatedDate: 100}, {ID: "Co-c", Name: "C", CreatedDate: 50}} {
		r, err := q.CreateCompany(ctx, c)
		rec("CreateCompany", c, r, err)
	}
	{
		r, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: "co-a", Name: "dup", CreatedDate: 1})
		rec("CreateCompany", "dup", r, err)
	}
	for _, a := range []sqlcdb.SetCompanyRetentionParams{{RetentionDays: i64(30), ID: "co-a"}, {RetentionDays: i64(7), ID: "Co-c"}, {RetentionDays: i64(7), ID: "nope"}, {RetentionDays: i64(0), ID: "co-B"}, {RetentionDays: nil, ID: "Co-c"}} {
		r, err := q.SetCompanyRetention(ctx, a)
		rec("SetCompanyRetention", a, r, err)
	}
	{
		r, err := q.ListCompanies(ctx)
		rec("ListCompanies", nil, r, err)
		r, err = q.ListCompaniesWithRetention(ctx)
		rec("ListCompaniesWithRetention", nil, r, err)
		n, err := q.CountCompanies(ctx)
		rec("CountCompanies", nil, n, err)
		c, err := q.GetCompany(ctx, "co-B")
		rec("GetCompany", "co-B", c, err)
		c, err = q.GetCompany(ctx, "CO-B")
		rec("GetCompany", "CO-B", c, err)
	}

	// API keys, access tokens, apps.
	for i, id := range []string{"k-a", "k-B", "k_c", "k-0"} {
		a := sqlcdb.CreateAPIKeyParams{ID: id, CompanyID: "co-a", Name: "key " + id, KeyHash: "hash-" + id, LastFour: "abcd",
			Restricted: int64(i % 2), Permissions: `["calls.view" ]`, CreatorID: "u", CreatedDate: int64(10 + i/2)}
		if i == 3 {
			a.ExpiresAt = i64(99)
		}
		r, err := q.CreateAPIKey(ctx, a)
		rec("CreateAPIKey", a, r, err)
	}
	{
		a := sqlcdb.CreateAPIKeyParams{ID: "k-dup", CompanyID: "co-a", Name: "x", KeyHash: "hash-k-a", LastFour: "x", Permissions: "[]", CreatorID: "u", CreatedDate: 1}
		r, err := q.CreateAPIKey(ctx, a)
		rec("CreateAPIKey", a, r, err)
		a = sqlcdb.CreateAPIKeyParams{ID: "k-bad", CompanyID: "co-a", Name: "x", KeyHash: "hash-bad", LastFour: "x", Restricted: 2, Permissions: "[]", CreatorID: "u", CreatedDate: 1}
		r, err = q.CreateAPIKey(ctx, a)
		rec("CreateAPIKey", a, r, err)
	}
	{
		r, err := q.GetAPIKeyByHash(ctx, "hash-k-B")
		rec("GetAPIKeyByHash", "hash-k-B", r, err)
		r, err = q.GetAPIKeyByHash(ctx, "nope")
		rec("GetAPIKeyByHash", "nope", r, err)
		r, err = q.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: "co-a", ID: "k_c"})
		rec("GetAPIKey", "k_c", r, err)
		r, err = q.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: "co-B", ID: "k_c"})
		rec("GetAPIKey", "k_c of co-B", r, err)
		u := sqlcdb.UpdateAPIKeyParams{Name: "renamed", Restricted: 1, Permissions: `[]`, CompanyID: "co-a", ID: "k-a"}
		r, err = q.UpdateAPIKey(ctx, u)
		rec("UpdateAPIKey", u, r, err)
		u.ID = "nope"
		r, err = q.UpdateAPIKey(ctx, u)
		rec("UpdateAPIKey", u, r, err)
		ro := sqlcdb.RotateAPIKeyParams{KeyHash: "hash-k-B-2", LastFour: "wxyz", CompanyID: "co-a", ID: "k-B"}
		r, err = q.RotateAPIKey(ctx, ro)
		rec("RotateAPIKey", ro, r, err)
		n, err := q.CountAPIKeys(ctx, "co-a")
		rec("CountAPIKeys", "co-a", n, err)
		ks, err := q.ListCompanyAPIKeys(ctx, "co-a")
		rec("ListCompanyAPIKeys", "co-a", ks, err)
		for _, a := range []sqlcdb.ListAPIKeysAscParams{
			{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, CursorID: "", Lim: 2},
			{CompanyID: "co-a", Lo: 10, Hi: 11, CursorDate: 10, CursorID: "k-B", Lim: 10},
			{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, Off: 1, Lim: -1},
		} {
			r, err := q.ListAPIKeysAsc(ctx, a)
			rec("ListAPIKeysAsc", a, r, err)
			d := sqlcdb.ListAPIKeysDescParams(a)
			if d.CursorDate == lo {
				d.CursorDate, d.CursorID = hi, "~"
			}
			r, err = q.ListAPIKeysDesc(ctx, d)
			rec("ListAPIKeysDesc", d, r, err)
		}
		for _, tok := range []sqlcdb.CreateAccessTokenParams{
			{TokenHash: "t-1", ApiKeyID: "k-a", Kind: "access", ExpiresAt: 100, CreatedDate: 1},
			{TokenHash: "t-2", ApiKeyID: "k-a", Kind: "refresh", ExpiresAt: 200, CreatedDate: 1},
			{TokenHash: "t-3", ApiKeyID: "k-B", Kind: "access", ExpiresAt: 100, CreatedDate: 1},
			{TokenHash: "t-4", ApiKeyID: "k-B", Kind: "bogus", ExpiresAt: 100, CreatedDate: 1},
			{TokenHash: "t-5", ApiKeyID: "nope", Kind: "access", ExpiresAt: 100, CreatedDate: 1},
		} {
			rec("CreateAccessToken", tok, nil, q.CreateAccessToken(ctx, tok))
		}
		tk, err := q.GetAccessToken(ctx, "t-2")
		rec("GetAccessToken", "t-2", tk, err)
		de := sqlcdb.DeleteExpiredAccessTokensParams{ApiKeyID: "k-a", Now: 100}
		n, err = q.DeleteExpiredAccessTokens(ctx, de)
		rec("DeleteExpiredAccessTokens", de, n, err)
		n, err = q.DeleteAPIKeyTokens(ctx, "k-B")
		rec("DeleteAPIKeyTokens", "k-B", n, err)
		dk := sqlcdb.DeleteAPIKeyParams{CompanyID: "co-a", ID: "k-a"}
		n, err = q.DeleteAPIKey(ctx, dk)
		rec("DeleteAPIKey", dk, n, err)
		tk, err = q.GetAccessToken(ctx, "t-2")
		rec("GetAccessToken", "t-2 after its key's delete", tk, err)
		app := sqlcdb.CreateAppParams{ID: "app-1", CompanyID: "co-a", Name: "App", ClientSecret: "s3cret", Restricted: 1, Permissions: `["a"]`, CreatedDate: 5}
		ar, err := q.CreateApp(ctx, app)
		rec("CreateApp", app, ar, err)
		ar, err = q.GetApp(ctx, "app-1")
		rec("GetApp", "app-1", ar, err)
		ar, err = q.GetApp(ctx, "APP-1")
		rec("GetApp", "APP-1", ar, err)
	}

	// Contacts. An import's upsert of an older call moves created_date earlier (and the calls'
	// copies with it, checked through the calls below).
	for _, c := range []sqlcdb.UpsertContactParams{
		{ID: "ct-1", CompanyID: "co-a", Identifier: "+100", ContactType: "call", CreatedDate: 1000},
		{ID: "ct-2", CompanyID: "co-a", Identifier: "+100", ContactType: "web", CreatedDate: 1000},
		{ID: "ct-3", CompanyID: "co-a", Identifier: "+200", ContactType: "call", CreatedDate: 2000},
		{ID: "ct-X", CompanyID: "co-a", Identifier: "x@Y", ContactType: "web", CreatedDate: 1500},
		{ID: "ct-b", CompanyID: "co-B", Identifier: "+100", ContactType: "call", CreatedDate: 1000},
		{ID: "ct-bad", CompanyID: "co-a", Identifier: "+1", ContactType: "fax", CreatedDate: 1},
	} {
		r, err := q.UpsertContact(ctx, c)
		rec("UpsertContact", c, r, err)
	}

	// Calls: ids whose bytewise order is not a linguistic one, three to a created date.
	callIDs := []string{"c-a", "c-B", "c_c", "c~d", "C-e", "c-0", "c-Z", "c.f", "c-g", "c-H", "c-i", "c-J"}
	statuses := []string{"completed", "in_progress", "failed", "dialing", "no_answer", "transferred"}
	for i, id := range callIDs {
		contact, ident := "ct-1", "+100"
		if i%2 == 1 {
			contact, ident = "ct-3", "+200"
		}
		c := sqlcdb.CreateCallParams{ID: id, CompanyID: "co-a", ContactID: contact, ContactIdentifier: ident, ContactType: "call",
			ContactCreatedDate: map[string]int64{"ct-1": 1000, "ct-3": 2000}[contact],
			Status:             statuses[i%len(statuses)], Type: []string{"inbound", "outbound"}[i%2 /* same as contact */ ^(i/6)],
			StartTime: i64(int64(i)), DynamicVariables: s(fmt.Sprintf(`{ "n" : %d }`, i)), CreatedDate: int64(10000 + 10*(i/3))}
		if i%2 == 0 {
			c.AgentID, c.AgentVersionID = s("ag-1"), s("v1")
		}
		if i%3 == 0 {
			c.PhoneRegisterID = s("ph-1")
		}
		if i%4 == 0 {
			c.RecordingUrl, c.EndTime, c.Duration, c.EndReason = s("https://r/"+id), i64(int64(i+5)), i64(5), s("hangup")
		}
		rec("CreateCall", c, nil, q.CreateCall(ctx, c))
	}
	{
		other := sqlcdb.CreateCallParams{ID: "b-1", CompanyID: "co-B", ContactID: "ct-b", ContactIdentifier: "+100", ContactType: "call",
			ContactCreatedDate: 1000, Status: "completed", Type: "inbound", CreatedDate: 10000}
		rec("CreateCall", other, nil, q.CreateCall(ctx, other))
		dup := other
		dup.CompanyID, dup.ContactID, dup.CreatedDate = "co-a", "ct-1", 1
		rec("CreateCall", dup, nil, q.CreateCall(ctx, dup))
		bad := other
		bad.ID, bad.Status = "b-2", "ringing"
		rec("CreateCall", bad, nil, q.CreateCall(ctx, bad))
		older := sqlcdb.UpsertContactParams{ID: "ct-new", CompanyID: "co-a", Identifier: "+200", ContactType: "call", CreatedDate: 500}
		r, err := q.UpsertContact(ctx, older)
		rec("UpsertContact", older, r, err)
	}
	{
		u := sqlcdb.UpdateCallParams{Status: "completed", StartTime: i64(1), EndTime: i64(9), Duration: i64(8), EndReason: s("done"),
			RecordingUrl: nil, DynamicVariables: s(`{"x": "ü"}`), CompanyID: "co-a", ID: "c~d"}
		rec("UpdateCall", u, nil, q.UpdateCall(ctx, u))
		u.CompanyID = "co-B"
		rec("UpdateCall", u, nil, q.UpdateCall(ctx, u))
		c, err := q.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: "co-a", ID: "c~d"})
		rec("GetCall", "c~d", c, err)
		c, err = q.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: "co-a", ID: "c-b"})
		rec("GetCall", "c-b", c, err)
		n, err := q.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: "co-B", ID: "c-a"})
		rec("CallExists", "c-a of co-B", n, err)
		n, err = q.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: "co-a", ID: "c-a"})
		rec("CallExists", "c-a", n, err)
		n, err = q.CallIDTaken(ctx, "b-1")
		rec("CallIDTaken", "b-1", n, err)
		ids, err := q.ListTakenCallIDs(ctx, []string{"b-1", "c-B", "c-b", "zzz", "C-e"})
		rec("ListTakenCallIDs", nil, sorted(ids), err)
		ids, err = q.ListTakenCallIDs(ctx, []string{})
		rec("ListTakenCallIDs", "empty", ids, err)
		k, err := q.GetCallKey(ctx, sqlcdb.GetCallKeyParams{CompanyID: "co-a", ID: "c-H"})
		rec("GetCallKey", "c-H", k, err)
		k, err = q.GetCallKey(ctx, sqlcdb.GetCallKeyParams{CompanyID: "co-a", ID: "b-1"})
		rec("GetCallKey", "b-1", k, err)
		cnt, err := q.CountCompanyCalls(ctx, "co-a")
		rec("CountCompanyCalls", "co-a", cnt, err)
		cnt, err = q.CountCompanyCalls(ctx, "nope")
		rec("CountCompanyCalls", "nope", cnt, err)
	}

	// The call lists: every variant, both directions, first pages from the sentinel keys, later
	// pages by cursor lookup, pages of an unknown or foreign cursor, page mode, and each filter.
	type lister func(context.Context, sqlcdb.ListCallsAscParams) ([]sqlcdb.Call, error)
	type counter func(context.Context, sqlcdb.CountCallsParams) (int64, error)
	type filter = sqlcdb.ListCallsAscParams // the filter fields only
	type A = sqlcdb.ListCallsAscParams
	type C = sqlcdb.CountCallsParams
	variants := []struct {
		name      string
		asc, desc lister
		count     counter
		filters   []filter
	}{
		{"ListCalls", q.ListCallsAsc,
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsDesc(ctx, sqlcdb.ListCallsDescParams(a))
			},
			q.CountCalls,
			[]filter{{}, {Type: s("outbound")}, {Status: s("failed"), AgentID: s("ag-1")}}},
		{"ListCallsByContact",
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByContactAsc(ctx, sqlcdb.ListCallsByContactAscParams(a))
			},
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByContactDesc(ctx, sqlcdb.ListCallsByContactDescParams(a))
			},
			func(ctx context.Context, c C) (int64, error) {
				return q.CountCallsByContact(ctx, sqlcdb.CountCallsByContactParams(c))
			},
			[]filter{{ContactID: s("ct-1")}, {ContactID: s("ct-3"), Type: s("inbound")}, {ContactID: s("ct-b")}}},
		{"ListCallsByAgent",
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByAgentAsc(ctx, sqlcdb.ListCallsByAgentAscParams(a))
			},
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByAgentDesc(ctx, sqlcdb.ListCallsByAgentDescParams(a))
			},
			func(ctx context.Context, c C) (int64, error) {
				return q.CountCallsByAgent(ctx, sqlcdb.CountCallsByAgentParams(c))
			},
			[]filter{{AgentID: s("ag-1")}, {AgentID: s("ag-1"), PhoneID: s("ph-1")}}},
		{"ListCallsByPhone",
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByPhoneAsc(ctx, sqlcdb.ListCallsByPhoneAscParams(a))
			},
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByPhoneDesc(ctx, sqlcdb.ListCallsByPhoneDescParams(a))
			},
			func(ctx context.Context, c C) (int64, error) {
				return q.CountCallsByPhone(ctx, sqlcdb.CountCallsByPhoneParams(c))
			},
			[]filter{{PhoneID: s("ph-1")}, {PhoneID: s("ph-1"), Status: s("completed")}}},
		{"ListCallsByStatus",
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByStatusAsc(ctx, sqlcdb.ListCallsByStatusAscParams(a))
			},
			func(ctx context.Context, a A) ([]sqlcdb.Call, error) {
				return q.ListCallsByStatusDesc(ctx, sqlcdb.ListCallsByStatusDescParams(a))
			},
			func(ctx context.Context, c C) (int64, error) {
				return q.CountCallsByStatus(ctx, sqlcdb.CountCallsByStatusParams(c))
			},
			[]filter{{Status: s("completed")}, {Status: s("in_progress"), ContactID: s("ct-3")}, {Status: s("dialing"), Type: s("inbound")}}},
	}
	for _, v := range variants {
		for _, f := range v.filters {
			f.CompanyID = "co-a"
			for _, rng := range [][2]int64{{lo, hi}, {10010, 10030}} {
				c := sqlcdb.CountCallsParams{CompanyID: f.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID,
					Status: f.Status, Type: f.Type, Lo: rng[0], Hi: rng[1]}
				n, err := v.count(ctx, c)
				rec("Count"+strings.TrimPrefix(v.name, "List"), c, n, err)
				for _, asc := range []bool{true, false} {
					list, name, start := v.asc, v.name+"Asc", sqlcdb.ListCallsAscParams{CursorDate: i64(lo), CursorID: ""}
					if !asc {
						list, name, start = v.desc, v.name+"Desc", sqlcdb.ListCallsAscParams{CursorDate: i64(hi), CursorID: "~"}
					}
					a := f
					a.Lo, a.Hi, a.CursorDate, a.CursorID, a.Lim = rng[0], rng[1], start.CursorDate, start.CursorID, 2
					for page := 0; page < 10; page++ { // cursor mode to the end
						r, err := list(ctx, a)
						rec(name, a, r, err)
						if err != nil || len(r) == 0 {
							break
						}
						a.CursorDate, a.CursorID = nil, r[len(r)-1].ID
					}
					for _, cur := range []string{"nope", "b-1", callIDs[5]} { // unknown, another company's, a known one
						a := f
						a.Lo, a.Hi, a.CursorID, a.Lim = rng[0], rng[1], cur, 3
						r, err := list(ctx, a)
						rec(name, a, r, err)
					}
					a = f
					a.Lo, a.Hi, a.CursorDate, a.CursorID, a.Off, a.Lim = rng[0], rng[1], start.CursorDate, start.CursorID, 2, 3 // page mode
					r, err := list(ctx, a)
					rec(name, a, r, err)
					a.Off, a.Lim = -1, -1
					r, err = list(ctx, a)
					rec(name, a, r, err)
				}
			}
		}
	}

	// Transcripts.
	{
		var m10 sqlcdb.CreateMessages10Params
		for i := 1; i <= 10; i++ {
			qtSetIndexed(&m10, "CallID", i, "c-a")
			qtSetIndexed(&m10, "CreatedDate", i, int64(i%4))
			qtSetIndexed(&m10, "ID", i, []string{"m-a", "m-B", "m_c", "m~d", "M-e", "m-0", "m-Z", "m.f", "m-g", "m-H"}[i-1])
			qtSetIndexed(&m10, "Role", i, []string{"user", "assistant", "tool"}[i%3])
			if i%2 == 0 {
				qtSetIndexed(&m10, "Content", i, s(fmt.Sprintf("text %d\n\t\"quoted\" ü", i)))
			}
			if i%3 == 0 {
				qtSetIndexed(&m10, "ToolCall", i, s(`{"name":"f", "args" : {}}`))
			}
		}
		rec("CreateMessages10", m10, nil, q.CreateMessages10(ctx, m10))
		rec("CreateMessages10", "again", nil, q.CreateMessages10(ctx, m10))
		for _, m := range []sqlcdb.CreateMessageParams{
			{CallID: "c-B", CreatedDate: 5, ID: "m-1", Role: "user", Content: s("hello")},
			{CallID: "c-B", CreatedDate: 5, ID: "m-2", Role: "assistant"},
			{CallID: "nope", CreatedDate: 5, ID: "m-1", Role: "user"},
			{CallID: "c-B", CreatedDate: 6, ID: "m-3", Role: "system"},
		} {
			rec("CreateMessage", m, nil, q.CreateMessage(ctx, m))
		}
		for _, id := range []string{"c-a", "c-B", "c_c"} {
			h, err := q.HasMessages(ctx, id)
			rec("HasMessages", id, h, err)
			n, err := q.CountMessages(ctx, id)
			rec("CountMessages", id, n, err)
		}
		k, err := q.GetMessageKey(ctx, sqlcdb.GetMessageKeyParams{CallID: "c-a", ID: "m-H"})
		rec("GetMessageKey", "m-H", k, err)
		k, err = q.GetMessageKey(ctx, sqlcdb.GetMessageKeyParams{CallID: "c-B", ID: "m-H"})
		rec("GetMessageKey", "m-H of c-B", k, err)
		for _, a := range []sqlcdb.ListMessagesAscParams{
			{CallID: "c-a", Lo: lo, Hi: hi, CursorDate: lo, CursorID: "", Lim: 4},
			{CallID: "c-a", Lo: 1, Hi: 2, CursorDate: 1, CursorID: "m-H", Lim: 10},
			{CallID: "c-a", Lo: lo, Hi: hi, CursorDate: lo, CursorID: "", Off: 3, Lim: 4},
			{CallID: "c-a", Lo: lo, Hi: hi, CursorDate: lo, CursorID: "", Off: -5, Lim: -1},
		} {
			r, err := q.ListMessagesAsc(ctx, a)
			rec("ListMessagesAsc", a, r, err)
			d := sqlcdb.ListMessagesDescParams(a)
			if d.CursorDate == lo {
				d.CursorDate, d.CursorID = hi, "~"
			} else {
				d.CursorDate, d.CursorID = 2, "m-H"
			}
			r, err = q.ListMessagesDesc(ctx, d)
			rec("ListMessagesDesc", d, r, err)
		}
		r, err := q.ListMessagesOfCalls(ctx, []string{"c-B", "c-a", "nope"})
		rec("ListMessagesOfCalls", nil, r, err)
		r, err = q.ListMessagesOfCalls(ctx, nil)
		rec("ListMessagesOfCalls", "nil", r, err)
	}

	// The audit log.
	{
		var l10 sqlcdb.CreateCallLogs10Params
		for i := 1; i <= 10; i++ {
			qtSetIndexed(&l10, "CompanyID", i, "co-a")
			qtSetIndexed(&l10, "ID", i, []string{"l-a", "l-B", "l_c", "l~d", "L-e", "l-0", "l-Z", "l.f", "l-g", "l-H"}[i-1])
			qtSetIndexed(&l10, "CallID", i, []*string{s("c-a"), s("c-B"), nil, s("c-H")}[i%4])
			qtSetIndexed(&l10, "Timestamp", i, int64(i/2))
			qtSetIndexed(&l10, "Level", i, []string{"info", "error"}[i%2])
			qtSetIndexed(&l10, "Category", i, []string{"call", "llm", "tool"}[i%3])
			qtSetIndexed(&l10, "Event", i, fmt.Sprintf("event %d", i))
			if i%2 == 0 {
				qtSetIndexed(&l10, "TraceID", i, s(fmt.Sprintf("trace-%d", i)))
				qtSetIndexed(&l10, "Data", i, s(fmt.Sprintf(`{"i": %d}`, i)))
			}
		}
		rec("CreateCallLogs10", l10, nil, q.CreateCallLogs10(ctx, l10))
		for _, l := range []sqlcdb.CreateCallLogParams{
			{ID: "l-x", CompanyID: "co-a", CallID: s("c-a"), Timestamp: 3, Level: "info", Category: "call", Event: "e", Data: s("{}")},
			{ID: "l-y", CompanyID: "co-B", CallID: s("b-1"), Timestamp: 3, Level: "info", Category: "call", Event: "e"},
			{ID: "l-z", CompanyID: "co-a", CallID: s("nope"), Timestamp: 3, Level: "info", Category: "call", Event: "e"},
			{ID: "l-x", CompanyID: "co-a", Timestamp: 3, Level: "info", Category: "call", Event: "dup"},
		} {
			rec("CreateCallLog", l, nil, q.CreateCallLog(ctx, l))
		}
		ids, err := q.ListTakenCallLogIDs(ctx, []string{"l-a", "L-A", "l-y", "l~d", "zz"})
		rec("ListTakenCallLogIDs", nil, sorted(ids), err)
		for _, a := range []sqlcdb.GetLogKeyParams{{CompanyID: "co-a", ID: "l-H"}, {CompanyID: "co-a", ID: "l-H", CallID: s("c-H")},
			{CompanyID: "co-a", ID: "l-H", CallID: s("c-a")}, {CompanyID: "co-B", ID: "l-H"}} {
			k, err := q.GetLogKey(ctx, a)
			rec("GetLogKey", a, k, err)
		}
		for _, f := range []sqlcdb.ListLogsAscParams{{}, {CallID: s("c-a")}, {Category: s("llm")}, {Level: s("error"), CallID: s("c-B")}} {
			f.CompanyID = "co-a"
			for _, rng := range [][2]int64{{lo, hi}, {1, 3}} {
				f.Lo, f.Hi = rng[0], rng[1]
				c := sqlcdb.CountLogsParams{CompanyID: f.CompanyID, CallID: f.CallID, Category: f.Category, Level: f.Level, Lo: f.Lo, Hi: f.Hi}
				n, err := q.CountLogs(ctx, c)
				rec("CountLogs", c, n, err)
				if f.CallID != nil {
					n, err := q.CountLogsByCall(ctx, sqlcdb.CountLogsByCallParams(c))
					rec("CountLogsByCall", c, n, err)
				}
				for _, page := range []struct{ date, off, lim int64 }{{0, 0, 3}, {2, 0, 3}, {0, 2, -1}} {
					a := f
					a.Off, a.Lim = page.off, page.lim
					a.CursorDate, a.CursorID = lo, ""
					if page.date != 0 {
						a.CursorDate, a.CursorID = page.date, "l-0"
					}
					r, err := q.ListLogsAsc(ctx, a)
					rec("ListLogsAsc", a, r, err)
					if f.CallID != nil {
						r, err := q.ListLogsByCallAsc(ctx, sqlcdb.ListLogsByCallAscParams(a))
						rec("ListLogsByCallAsc", a, r, err)
					}
					if page.date == 0 {
						a.CursorDate, a.CursorID = hi, "~"
					}
					r, err = q.ListLogsDesc(ctx, sqlcdb.ListLogsDescParams(a))
					rec("ListLogsDesc", a, r, err)
					if f.CallID != nil {
						r, err := q.ListLogsByCallDesc(ctx, sqlcdb.ListLogsByCallDescParams(a))
						rec("ListLogsByCallDesc", a, r, err)
					}
				}
			}
		}
		for _, a := range []sqlcdb.ListCallLogsOfCallsParams{
			{CompanyID: "co-a", CallIds: []*string{s("c-H"), nil, s("c-a"), s("b-1")}},
			{CompanyID: "co-B", CallIds: []*string{s("b-1")}},
			{CompanyID: "co-a", CallIds: nil},
		} {
			r, err := q.ListCallLogsOfCalls(ctx, a)
			rec("ListCallLogsOfCalls", a, r, err)
		}
	}

	// Contacts' lists and lookups.
	{
		for _, a := range []sqlcdb.GetContactParams{{CompanyID: "co-a", ID: "ct-3"}, {CompanyID: "co-B", ID: "ct-3"}} {
			r, err := q.GetContact(ctx, a)
			rec("GetContact", a, r, err)
		}
		for _, a := range []sqlcdb.GetContactByIdentifierParams{{CompanyID: "co-a", ContactType: "web", Identifier: "+100"}, {CompanyID: "co-a", ContactType: "web", Identifier: "x@y"}} {
			r, err := q.GetContactByIdentifier(ctx, a)
			rec("GetContactByIdentifier", a, r, err)
		}
		lc, err := q.ListContactsByIdentifiers(ctx, sqlcdb.ListContactsByIdentifiersParams{CompanyID: "co-a", Identifiers: []string{"+100", "x@Y", "+300"}})
		slices.SortFunc(lc, func(a, b sqlcdb.Contact) int { return strings.Compare(a.ID, b.ID) })
		rec("ListContactsByIdentifiers", nil, lc, err)
		ids, err := q.ListContactIDsByIdentifier(ctx, sqlcdb.ListContactIDsByIdentifierParams{CompanyID: "co-a", Identifier: "+100"})
		rec("ListContactIDsByIdentifier", "+100", ids, err)
		for _, f := range []sqlcdb.ListContactsAscParams{{}, {ContactType: s("call")}, {Identifier: s("+100")}, {ContactType: s("web"), Identifier: s("x@Y")}} {
			f.CompanyID = "co-a"
			c := sqlcdb.CountContactsParams{CompanyID: "co-a", ContactType: f.ContactType, Identifier: f.Identifier}
			n, err := q.CountContacts(ctx, c)
			rec("CountContacts", c, n, err)
			for _, page := range []struct{ lo, hi, date int64 }{{lo, hi, 0}, {500, 1000, 500}} {
				a := f
				a.Lo, a.Hi, a.CursorDate, a.CursorID, a.Lim = page.lo, page.hi, page.lo, "", 2
				if page.date != 0 {
					a.CursorDate, a.CursorID = page.date, "ct-3"
				}
				r, err := q.ListContactsAsc(ctx, a)
				rec("ListContactsAsc", a, r, err)
				if page.date == 0 {
					a.CursorDate, a.CursorID = page.hi, "~"
				}
				r, err = q.ListContactsDesc(ctx, sqlcdb.ListContactsDescParams(a))
				rec("ListContactsDesc", a, r, err)
			}
		}
	}

	// Purge.
	{
		for _, f := range []sqlcdb.ListPurgeableCallsParams{{}, {Status: s("failed")}, {ContactID: s("ct-1"), AgentID: s("ag-1")}, {Type: s("inbound")}, {Status: s("dialing")}} {
			f.CompanyID, f.Lo, f.Hi = "co-a", lo, hi
			c := sqlcdb.CountPurgeableCallsParams{CompanyID: f.CompanyID, Status: f.Status, ContactID: f.ContactID, AgentID: f.AgentID, Type: f.Type, Lo: f.Lo, Hi: f.Hi}
			n, err := q.CountPurgeableCalls(ctx, c)
			rec("CountPurgeableCalls", c, n, err)
			f.CursorDate, f.CursorID, f.Lim = lo, "", 2
			for range 10 {
				r, err := q.ListPurgeableCalls(ctx, f)
				rec("ListPurgeableCalls", f, r, err)
				if err != nil || len(r) == 0 {
					break
				}
				f.CursorDate, f.CursorID = r[len(r)-1].CreatedDate, r[len(r)-1].ID
			}
		}
	}

	// Deletions: the audit trail, a bulk delete of calls, an erasure of contacts.
	{
		for i, id := range []string{"d-b", "d-A", "d-a", "d_c"} {
			d := sqlcdb.CreateDeletionParams{CompanyID: "co-a", CreatedDate: int64(50 + i/2), ID: id, Kind: []string{"calls", "contacts", "purge", "erasure"}[i],
				Dialect: "calls", Route: "DELETE /v1/calls", CredentialType: "api_key", CredentialID: s("k-B"), DryRun: int64(i % 2),
				RequestedIds: `["c-a", "c-B"]`, Calls: int64(i)}
			if i == 2 {
				d.Filter, d.CredentialID = s(`{"status": "failed"}`), nil
			}
			rec("CreateDeletion", d, nil, q.CreateDeletion(ctx, d))
		}
		bad := sqlcdb.CreateDeletionParams{CompanyID: "co-a", CreatedDate: 1, ID: "d-bad", Kind: "everything", Dialect: "x", Route: "x", CredentialType: "x", RequestedIds: "[]"}
		rec("CreateDeletion", bad, nil, q.CreateDeletion(ctx, bad))
		for _, a := range []sqlcdb.AddDeletionCountsParams{{Calls: 2, Messages: 3, Contacts: 4, LogsDetached: 5, LogsRedacted: 6, CompanyID: "co-a", ID: "d-a"},
			{Calls: 1, CompanyID: "co-B", ID: "d-a"}} {
			n, err := q.AddDeletionCounts(ctx, a)
			rec("AddDeletionCounts", a, n, err)
		}
		for _, a := range []sqlcdb.GetDeletionParams{{CompanyID: "co-a", ID: "d-a"}, {CompanyID: "co-a", ID: "D-A"}} {
			r, err := q.GetDeletion(ctx, a)
			rec("GetDeletion", a, r, err)
			k, err := q.GetDeletionKey(ctx, sqlcdb.GetDeletionKeyParams(a))
			rec("GetDeletionKey", a, k, err)
		}
		for _, a := range []sqlcdb.ListDeletionsAscParams{
			{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, Lim: 3},
			{CompanyID: "co-a", Lo: 50, Hi: 51, CursorDate: 50, CursorID: "d-b", Lim: 3},
			{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, Off: 1, Lim: 2},
		} {
			r, err := q.ListDeletionsAsc(ctx, a)
			rec("ListDeletionsAsc", a, r, err)
			d := sqlcdb.ListDeletionsDescParams(a)
			if d.CursorDate == lo {
				d.CursorDate, d.CursorID = hi, "~"
			}
			r, err = q.ListDeletionsDesc(ctx, d)
			rec("ListDeletionsDesc", d, r, err)
			n, err := q.CountDeletions(ctx, sqlcdb.CountDeletionsParams{CompanyID: a.CompanyID, Lo: a.Lo, Hi: a.Hi})
			rec("CountDeletions", a, n, err)
		}

		del := []string{"c-a", "c-B", "c_c", "c~d", "c-J", "b-1", "nope"}
		eff, err := q.CountCallDeletionEffects(ctx, sqlcdb.CountCallDeletionEffectsParams{CompanyID: "co-a", Ids: del})
		rec("CountCallDeletionEffects", del, eff, err)
		n, err := q.DeleteTerminalCalls(ctx, sqlcdb.DeleteTerminalCallsParams{CompanyID: "co-a", Ids: del})
		rec("DeleteTerminalCalls", del, n, err)
		n, err = q.DeleteTerminalCalls(ctx, sqlcdb.DeleteTerminalCallsParams{CompanyID: "co-a", Ids: nil})
		rec("DeleteTerminalCalls", "nil", n, err)
		n, err = q.CountCompanyCalls(ctx, "co-a")
		rec("CountCompanyCalls", "co-a", n, err)
		logs, err := q.ListLogsAsc(ctx, sqlcdb.ListLogsAscParams{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, Lim: -1})
		rec("ListLogsAsc", "after the delete", logs, err)

		contacts := []string{"ct-1", "ct-3", "ct-X", "ct-b", "nope"}
		owned, err := q.ListOwnedContactIDs(ctx, sqlcdb.ListOwnedContactIDsParams{CompanyID: "co-a", Ids: contacts})
		rec("ListOwnedContactIDs", contacts, sorted(owned), err)
		active, err := q.ListContactsWithActiveCalls(ctx, sqlcdb.ListContactsWithActiveCallsParams{CompanyID: "co-a", Ids: contacts})
		rec("ListContactsWithActiveCalls", contacts, sorted(active), err)
		activeCalls, err := q.ListActiveCallsOfContacts(ctx, sqlcdb.ListActiveCallsOfContactsParams{CompanyID: "co-a", Ids: contacts})
		rec("ListActiveCallsOfContacts", contacts, activeCalls, err)
		ceff, err := q.CountContactDeletionEffects(ctx, sqlcdb.CountContactDeletionEffectsParams{CompanyID: "co-a", Ids: contacts})
		rec("CountContactDeletionEffects", contacts, ceff, err)
		n, err = q.RedactLogsOfContacts(ctx, sqlcdb.RedactLogsOfContactsParams{CompanyID: "co-a", Ids: contacts})
		rec("RedactLogsOfContacts", contacts, n, err)
		n, err = q.DeleteContacts(ctx, sqlcdb.DeleteContactsParams{CompanyID: "co-a", Ids: contacts})
		rec("DeleteContacts", contacts, n, err)
		for _, c := range []string{"co-a", "co-B"} {
			n, err = q.CountCompanyCalls(ctx, c)
			rec("CountCompanyCalls", c, n, err)
			n, err := q.CountCalls(ctx, sqlcdb.CountCallsParams{CompanyID: c, Lo: lo, Hi: hi})
			rec("CountCalls", c, n, err)
		}
		logs, err = q.ListLogsAsc(ctx, sqlcdb.ListLogsAscParams{CompanyID: "co-a", Lo: lo, Hi: hi, CursorDate: lo, Lim: -1})
		rec("ListLogsAsc", "after the erasure", logs, err)
		r, err := q.ListCallsAsc(ctx, sqlcdb.ListCallsAscParams{CompanyID: "co-a", CursorDate: i64(lo), Lo: lo, Hi: hi, Lim: -1})
		rec("ListCallsAsc", "after the erasure", r, err)
	}
	return out
}

// qtQuerierMethods lists the methods of sqlcdb.Querier.
func qtQuerierMethods() []string {
	t := reflect.TypeFor[sqlcdb.Querier]()
	var names []string
	for i := range t.NumMethod() {
		names = append(names, t.Method(i).Name)
	}
	return names
}

// TestTestQueriesMatchSQLite is TestQueriesMatchSQLite for the queries only tests use
// (queries/testing and queries/postgres/testing, behind sqlctest.Querier): the behaviour suite
// reads and writes rows around the store's rules with them on both engines (db/dbtest), so they
// must answer alike too.
func TestTestQueriesMatchSQLite(t *testing.T) {
	pool := qtMigrated(t)
	ctx := context.Background()

	path := filepath.Join(t.TempDir(), "callstore.db")
	lite, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	lite.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, lite, os.DirFS("../migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("migrating SQLite: %v", err)
	}

	sqlite := qtTestScenario(ctx, t, sqlcdb.New(lite), sqlctest.New(lite))
	postgres := qtTestScenario(ctx, t, NewQueries(pool), NewTestQueries(pool))
	if len(sqlite) != len(postgres) {
		t.Fatalf("SQLite answered %d calls, PostgreSQL %d", len(sqlite), len(postgres))
	}
	called := map[string]bool{}
	for i := range sqlite {
		called[strings.SplitN(sqlite[i], " ", 2)[0]] = true
		if sqlite[i] != postgres[i] {
			call, lite, _ := strings.Cut(sqlite[i], " -> ")
			_, pg, _ := strings.Cut(postgres[i], " -> ")
			t.Errorf("%s\n  sqlite:   %s\n  postgres: %s", call, lite, pg)
		}
	}
	tq := reflect.TypeFor[sqlctest.Querier]()
	for i := range tq.NumMethod() {
		if m := tq.Method(i).Name; !called[m] {
			t.Errorf("the scenario never calls %s", m)
		}
	}
	if testing.Verbose() {
		t.Logf("%d answers agree, e.g.\n%s", len(sqlite), strings.Join(sqlite[:min(10, len(sqlite))], "\n"))
	}
}

// qtTestScenario writes two companies' rows (through the production queries q, and tq's
// CreateContact) and records every answer of the test queries tq, as qtScenario does.
func qtTestScenario(ctx context.Context, t *testing.T, q sqlcdb.Querier, tq sqlctest.Querier) []string {
	t.Helper()
	var out []string
	rec := func(name string, args, v any, err error) {
		a, _ := json.Marshal(args)
		line := name + " " + string(a) + " -> "
		switch {
		case errors.Is(err, sql.ErrNoRows):
			line += "no rows"
		case err != nil:
			line += "error"
		default:
			b, _ := json.Marshal(v)
			line += string(b)
		}
		out = append(out, line)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s, i64 := qtStr, qtInt

	// "co-B" sorts before "co-a" bytewise, after it linguistically.
	for _, c := range []string{"co-a", "co-B"} {
		_, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: c, Name: c, CreatedDate: 1})
		must(err)
	}
	contacts := map[string]sqlctest.Contact{}
	for _, c := range []sqlctest.CreateContactParams{
		{ID: "ct-1", CompanyID: "co-a", Identifier: "+1", ContactType: "call", CreatedDate: 10},
		{ID: "ct-X", CompanyID: "co-a", Identifier: "+2", ContactType: "web", CreatedDate: 20},
		{ID: "ct-b", CompanyID: "co-B", Identifier: "+1", ContactType: "call", CreatedDate: 5},
		{ID: "ct-dup", CompanyID: "co-a", Identifier: "+1", ContactType: "call", CreatedDate: 1}, // the same key as ct-1
	} {
		r, err := tq.CreateContact(ctx, c)
		rec("CreateContact", c, r, err)
		if err == nil {
			contacts[r.ID] = r
		}
	}
	for _, c := range []struct {
		id, company, contact, status string
		created                      int64
	}{{"c-a", "co-a", "ct-1", "completed", 100}, {"c-B", "co-a", "ct-1", "in_progress", 100}, {"c~c", "co-a", "ct-X", "dialing", 50}, {"c-d", "co-B", "ct-b", "completed", 70}} {
		ct := contacts[c.contact]
		must(q.CreateCall(ctx, sqlcdb.CreateCallParams{ID: c.id, CompanyID: c.company, ContactID: ct.ID, ContactIdentifier: ct.Identifier,
			ContactType: ct.ContactType, ContactCreatedDate: ct.CreatedDate, AgentID: s("agent-" + c.id), Status: c.status, Type: "inbound",
			RecordingUrl: s("https://rec/" + c.id), StartTime: i64(c.created), DynamicVariables: s(`{"k": "v"}`), CreatedDate: c.created}))
	}
	for _, m := range []sqlcdb.CreateMessageParams{
		{CallID: "c-a", CreatedDate: 2, ID: "m-a", Role: "user", Content: s("hi")},
		{CallID: "c-a", CreatedDate: 1, ID: "m-B", Role: "assistant", ToolCall: s(`{"x":1}`)},
		{CallID: "c-a", CreatedDate: 2, ID: "m-C", Role: "tool"},
		{CallID: "c-B", CreatedDate: 1, ID: "m-d", Role: "user"},
		{CallID: "c-d", CreatedDate: 1, ID: "m-e", Role: "user"},
	} {
		must(q.CreateMessage(ctx, m))
	}
	for _, l := range []sqlcdb.CreateCallLogParams{
		{ID: "l-a", CompanyID: "co-a", CallID: s("c-a"), Timestamp: 5, Level: "INFO", Category: "USER", Event: "e", TraceID: s("tr"), Data: s(`{"d":1}`)},
		{ID: "l-B", CompanyID: "co-a", CallID: s("c-a"), Timestamp: 5, Level: "INFO", Category: "USER", Event: "f"},
		{ID: "l-c", CompanyID: "co-a", Timestamp: 1, Level: "ERROR", Category: "USER", Event: "detached"},
		{ID: "l-d", CompanyID: "co-B", CallID: s("c-d"), Timestamp: 1, Level: "INFO", Category: "USER", Event: "g"},
	} {
		must(q.CreateCallLog(ctx, l))
	}
	for _, k := range []sqlcdb.CreateAPIKeyParams{
		{ID: "k-a", CompanyID: "co-a", Name: "a", KeyHash: "h-a", LastFour: "aaaa", Permissions: "[]", CreatorID: "cli", CreatedDate: 2},
		{ID: "k-B", CompanyID: "co-a", Name: "b", KeyHash: "h-b", LastFour: "bbbb", Restricted: 1, Permissions: `["calls.read"]`, CreatorID: "k-a", ExpiresAt: i64(99), CreatedDate: 1},
		{ID: "k-c", CompanyID: "co-B", Name: "c", KeyHash: "h-c", LastFour: "cccc", Permissions: "[]", CreatorID: "cli", CreatedDate: 1},
	} {
		_, err := q.CreateAPIKey(ctx, k)
		must(err)
	}
	must(q.CreateAccessToken(ctx, sqlcdb.CreateAccessTokenParams{TokenHash: "t-2", ApiKeyID: "k-a", Kind: "access", ExpiresAt: 9, CreatedDate: 1}))
	must(q.CreateAccessToken(ctx, sqlcdb.CreateAccessTokenParams{TokenHash: "t-1", ApiKeyID: "k-B", Kind: "refresh", ExpiresAt: 9, CreatedDate: 1}))
	for _, a := range []sqlcdb.CreateAppParams{
		{ID: "app-a", CompanyID: "co-a", Name: "a", ClientSecret: "s", Permissions: "[]", CreatedDate: 1},
		{ID: "app-B", CompanyID: "co-a", Name: "b", ClientSecret: "s", Restricted: 1, Permissions: `["calls.read"]`, CreatedDate: 1},
	} {
		_, err := q.CreateApp(ctx, a)
		must(err)
	}
	must(q.CreateDeletion(ctx, sqlcdb.CreateDeletionParams{CompanyID: "co-a", CreatedDate: 1, ID: "d-1", Kind: "erasure", Dialect: "calls",
		Route: "POST /v1/contact/erase", CredentialType: "api_key", CredentialID: s("k-a"), RequestedIds: `["ct-1"]`, Calls: 2}))
	must(q.CreateDeletion(ctx, sqlcdb.CreateDeletionParams{CompanyID: "co-a", CreatedDate: 2, ID: "d-2", Kind: "purge", Dialect: "cli",
		Route: "purge", CredentialType: "cli", DryRun: 1, RequestedIds: `[]`, Filter: s(`{"before":"+1"}`)}))

	read := func() {
		for _, c := range []string{"co-a", "co-B", "nope"} {
			n, err := tq.CountCallsOfCompany(ctx, c)
			rec("CountCallsOfCompany", c, n, err)
			n, err = tq.CountMessagesOfCompany(ctx, c)
			rec("CountMessagesOfCompany", c, n, err)
			l, err := tq.CountLogsOfCompany(ctx, c)
			rec("CountLogsOfCompany", c, l, err)
			ids, err := tq.ListCallIDsOfCompany(ctx, c)
			rec("ListCallIDsOfCompany", c, ids, err)
			n, err = tq.CountDeletionsOfCompany(ctx, c)
			rec("CountDeletionsOfCompany", c, n, err)
			calls, err := tq.SeedSampleCalls(ctx, c)
			rec("SeedSampleCalls", c, calls, err)

			ic, err := tq.IsoContactsOfCompany(ctx, c)
			rec("IsoContactsOfCompany", c, ic, err)
			icl, err := tq.IsoCallsOfCompany(ctx, c)
			rec("IsoCallsOfCompany", c, icl, err)
			im, err := tq.IsoMessagesOfCompany(ctx, c)
			rec("IsoMessagesOfCompany", c, im, err)
			il, err := tq.IsoLogsOfCompany(ctx, c)
			rec("IsoLogsOfCompany", c, il, err)
			ik, err := tq.IsoAPIKeysOfCompany(ctx, c)
			rec("IsoAPIKeysOfCompany", c, ik, err)
			ia, err := tq.IsoAppsOfCompany(ctx, c)
			rec("IsoAppsOfCompany", c, ia, err)

			sc, err := tq.SnapshotCompany(ctx, c)
			rec("SnapshotCompany", c, sc, err)
			scc, err := tq.SnapshotCompanyCallCounts(ctx, c)
			rec("SnapshotCompanyCallCounts", c, scc, err)
			sk, err := tq.SnapshotAPIKeys(ctx, c)
			rec("SnapshotAPIKeys", c, sk, err)
			st, err := tq.SnapshotAccessTokens(ctx, c)
			rec("SnapshotAccessTokens", c, st, err)
			sa, err := tq.SnapshotApps(ctx, c)
			rec("SnapshotApps", c, sa, err)
			sct, err := tq.SnapshotContacts(ctx, c)
			rec("SnapshotContacts", c, sct, err)
			scl, err := tq.SnapshotCalls(ctx, c)
			rec("SnapshotCalls", c, scl, err)
			sm, err := tq.SnapshotMessages(ctx, c)
			rec("SnapshotMessages", c, sm, err)
			sl, err := tq.SnapshotCallLogs(ctx, c)
			rec("SnapshotCallLogs", c, sl, err)
		}
		for _, id := range []string{"c-a", "c-B", "nope"} {
			m, err := tq.ListMessageRowsOfCall(ctx, id)
			rec("ListMessageRowsOfCall", id, m, err)
			l, err := tq.SeedSampleLogs(ctx, &id)
			rec("SeedSampleLogs", id, l, err)
		}
		for _, id := range []string{"l-a", "l-c", "nope"} {
			l, err := tq.GetCallLogRow(ctx, id)
			rec("GetCallLogRow", id, l, err)
		}
		for _, id := range []string{"d-1", "d-2", "nope"} {
			d, err := tq.GetDeletionRow(ctx, id)
			rec("GetDeletionRow", id, d, err)
		}
		for _, needle := range []string{"ct-1", "+1", "contact/erase", "cli", "", "nope"} {
			n, err := tq.CountDeletionsHolding(ctx, needle)
			rec("CountDeletionsHolding", needle, n, err)
		}
		for _, ident := range []string{"+1", "+2", "nope"} {
			n, err := tq.CountContactsWithIdentifier(ctx, ident)
			rec("CountContactsWithIdentifier", ident, n, err)
		}
		c, err := tq.SeedCounts(ctx)
		rec("SeedCounts", nil, c, err)
		o, err := tq.SeedOrphans(ctx)
		rec("SeedOrphans", nil, o, err)
	}
	read()

	// The straight deletes, and what the schema's cascades make of them.
	for _, id := range []string{"c-a", "c-a", "nope"} {
		n, err := tq.DeleteCallRow(ctx, id)
		rec("DeleteCallRow", id, n, err)
	}
	for _, a := range []sqlctest.DeleteContactRowParams{{CompanyID: "co-B", ID: "ct-X"}, {CompanyID: "co-a", ID: "ct-X"}} {
		n, err := tq.DeleteContactRow(ctx, a)
		rec("DeleteContactRow", a, n, err)
	}
	read()
	for _, c := range []string{"co-a", "co-a", "co-B"} {
		n, err := tq.DeleteDetachedLogRows(ctx, c)
		rec("DeleteDetachedLogRows", c, n, err)
	}
	read()
	return out
}
