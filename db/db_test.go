package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"

	"github.com/pressly/goose/v3"
)

// TestMigrateFromV1 builds a database with the first schema, fills it, then opens it with the
// current binary (which migrates in place) and checks every row survived and the call counters
// were backfilled and stay right.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, _ := openAtVersion(t, path, 1)
	q := sqlcdb.New(raw)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	seq := 0
	newID := func() string { seq++; return fmt.Sprintf("0193a000-0000-7000-8000-%012d", seq) }
	companies := []string{newID(), newID()}
	calls := map[string][]string{}
	for ci, co := range companies {
		_, err := insertOldCompany(ctx, raw, sqlcdb.CreateCompanyParams{ID: co, Name: "c", CreatedDate: 1})
		must(err)
		contact := newID()
		_, err = sqlctest.New(raw).CreateContact(ctx, sqlctest.CreateContactParams{ID: contact, CompanyID: co, Identifier: fmt.Sprintf("+3460000000%d", ci), ContactType: "call", CreatedDate: 1})
		must(err)
		for i := 0; i < 3-ci; i++ {
			id := newID()
			must(insertOldCall(ctx, raw, sqlcdb.CreateCallParams{ID: id, CompanyID: co, ContactID: contact, Status: "completed", Type: "outbound", CreatedDate: int64(10 + i)}))
			must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: 11, ID: newID(), Role: "user"}))
			must(q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: newID(), CompanyID: co, CallID: &id, Timestamp: 12, Level: "INFO", Category: "USER", Event: "e"}))
			calls[co] = append(calls[co], id)
		}
	}
	before := tableCounts(t, raw)
	must(raw.Close())

	d, err := db.Open(ctx, path)
	must(err)
	defer d.Close()
	if v, err := d.Version(ctx); err != nil || v != db.LatestVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, db.LatestVersion())
	}
	if after := tableCounts(t, d.Read); after != before {
		t.Fatalf("rows after migration = %v, before = %v", after, before)
	}
	wq := sqlcdb.New(d.Write)
	wantCount := func(co string, want int64) {
		t.Helper()
		n, err := wq.CountCompanyCalls(ctx, co)
		if err != nil || n != want {
			t.Fatalf("count of %s = %d, %v; want %d", co, n, err, want)
		}
	}
	wantCount(companies[0], 3)
	wantCount(companies[1], 2)
	got, err := wq.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: companies[0], ID: calls[companies[0]][1]})
	must(err)
	if got.CreatedDate != 11 || got.Status != "completed" || got.CompanyID != companies[0] || got.ContactIdentifier != "+34600000000" || got.ContactType != "call" || got.ContactCreatedDate != 1 {
		t.Fatalf("call after migration = %+v", got)
	}

	// The counters follow inserts, direct deletes and deletes cascaded from contacts.
	third := newID()
	_, err = wq.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: third, Name: "new", CreatedDate: 2})
	must(err)
	wantCount(third, 0)
	// Direct SQL here on purpose: the test proves what the schema does, below any query of the app.
	_, err = d.Write.ExecContext(ctx, "DELETE FROM calls WHERE id = ?", calls[companies[0]][0])
	must(err)
	wantCount(companies[0], 2)
	_, err = d.Write.ExecContext(ctx, "DELETE FROM contacts WHERE company_id = ?", companies[1])
	must(err)
	wantCount(companies[1], 0)
	wantCount(companies[0], 2)
}

// openAtVersion opens the database file at path without callstore's set-up (a plain connection
// with foreign keys on) and migrates it up to version, as a binary of that schema would have.
func openAtVersion(t *testing.T, path string, version int64) (*sql.DB, *goose.Provider) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, db.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return raw, p
}

// insertOldCall writes a call with the columns of schemas 1 and 2 (before calls carried copies of
// their contact's fields), as the binaries of those schemas did.
func insertOldCall(ctx context.Context, q *sql.DB, c sqlcdb.CreateCallParams) error {
	_, err := q.ExecContext(ctx, `INSERT INTO calls (id, company_id, contact_id, agent_id, agent_version_id, phone_register_id, status, type,
		recording_url, start_time, end_time, duration, end_reason, dynamic_variables, created_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CompanyID, c.ContactID, c.AgentID, c.AgentVersionID, c.PhoneRegisterID, c.Status, c.Type,
		c.RecordingUrl, c.StartTime, c.EndTime, c.Duration, c.EndReason, c.DynamicVariables, c.CreatedDate)
	return err
}

// insertOldCompany writes a company row with the first schema's columns (the current query
// returns columns later migrations added).
func insertOldCompany(ctx context.Context, q *sql.DB, c sqlcdb.CreateCompanyParams) (struct{}, error) {
	_, err := q.ExecContext(ctx, `INSERT INTO companies (id, name, created_date) VALUES (?, ?, ?)`, c.ID, c.Name, c.CreatedDate)
	return struct{}{}, err
}

type counts struct{ companies, contacts, calls, messages, logs int }

func tableCounts(t *testing.T, q *sql.DB) counts {
	t.Helper()
	var c counts
	for _, x := range []struct {
		table string
		n     *int
	}{{"companies", &c.companies}, {"contacts", &c.contacts}, {"calls", &c.calls}, {"messages", &c.messages}, {"call_log", &c.logs}} {
		if err := q.QueryRow("SELECT count(*) FROM " + x.table).Scan(x.n); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestBackgroundCheckpoint checks that committed pages reach the database file without any
// request running a checkpoint (the writer's autocheckpoint is off), and that Close leaves an
// empty WAL.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	q := sqlcdb.New(d.Write)
	company := "0193a000-0000-7000-8000-00000000000a"
	if _, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: company, Name: "c", CreatedDate: 1}); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		_, err := sqlctest.New(tx).CreateContact(ctx, sqlctest.CreateContactParams{ID: fmt.Sprintf("0193a000-0000-7000-8000-%012d", i), CompanyID: company, Identifier: fmt.Sprintf("+34%09d", i), ContactType: "call", CreatedDate: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if fileSize(t, path+"-wal") == 0 {
		t.Fatal("the commit wrote nothing to the WAL")
	}
	deadline := time.Now().Add(5 * time.Second)
	for fileSize(t, path) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes 5 s after the commit: no background checkpoint", before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if n := fileSize(t, path+"-wal"); n != 0 {
		t.Fatalf("WAL is %d bytes after Close, want 0 (TRUNCATE checkpoint)", n)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestInMemoryFromImage: every in-memory database starts as its own copy of the migrated image:
// at the latest schema, with foreign keys on, and independent of the others.
func TestInMemoryFromImage(t *testing.T) {
	ctx := context.Background()
	open := func() *db.DB {
		d, err := db.Open(ctx, ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	a, b := open(), open()
	for _, d := range []*db.DB{a, b} {
		if v, err := d.Version(ctx); err != nil || v != db.LatestVersion() {
			t.Fatalf("version %d (%v), want %d", v, err, db.LatestVersion())
		}
		var fk int
		if err := d.Write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys = %d (%v)", fk, err)
		}
	}
	if _, err := sqlcdb.New(a.Write).CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: "c1", Name: "a", CreatedDate: 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := sqlcdb.New(b.Read).CountCompanies(ctx); err != nil || n != 0 {
		t.Fatalf("the second database sees %d companies of the first (%v)", n, err)
	}
	if n, err := sqlcdb.New(open().Read).CountCompanies(ctx); err != nil || n != 0 {
		t.Fatalf("a later database sees %d companies (%v)", n, err)
	}
	// A foreign key is enforced: a call of no company is refused.
	if _, err := a.Write.ExecContext(ctx, "INSERT INTO contacts (id, company_id, identifier, contact_type, created_date) VALUES ('x', 'nobody', '+1', 'call', 1)"); err == nil {
		t.Fatal("a contact of an unknown company was accepted: foreign keys are off")
	}
}
