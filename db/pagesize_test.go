package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
)

func pragmaInt(t *testing.T, q *sql.DB, name string) any {
	t.Helper()
	var v any
	if err := q.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPageSizeAndCompact: a new file gets 8 KiB pages; a file created with SQLite's default 4 KiB
// pages keeps them when callstore opens (and migrates) it; Compact copies such a file, every row,
// into a new file with 8 KiB pages that opens like any other.
func TestPageSizeAndCompact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	fresh, err := db.Open(ctx, filepath.Join(dir, "new.db"))
	must(err)
	if got := pragmaInt(t, fresh.Read, "page_size"); got != int64(8192) {
		t.Fatalf("new file: page_size %v, want 8192", got)
	}
	must(fresh.Close())

	// A file of the first schema, created with the default page size, with rows in every table
	// the migrations carry.
	old := filepath.Join(dir, "old.db")
	raw, _ := openAtVersion(t, old, 1)
	if got := pragmaInt(t, raw, "page_size"); got != int64(4096) {
		t.Fatalf("old file: page_size %v, want SQLite's default 4096", got)
	}
	q := sqlcdb.New(raw)
	for c := range 2 {
		co := fmt.Sprintf("0193b000-0000-7000-8000-%012d", c)
		contact := fmt.Sprintf("0193b000-0000-7000-8001-%012d", c)
		_, err := insertOldCompany(ctx, raw, sqlcdb.CreateCompanyParams{ID: co, Name: "c", CreatedDate: 1})
		must(err)
		_, err = sqlctest.New(raw).CreateContact(ctx, sqlctest.CreateContactParams{ID: contact, CompanyID: co, Identifier: fmt.Sprintf("+3460000001%d", c), ContactType: "call", CreatedDate: 1})
		must(err)
		for i := range 300 { // enough rows for a b-tree of several levels
			id := fmt.Sprintf("0193b000-0000-7000-8002-%06d%06d", c, i)
			msg, entry := fmt.Sprintf("0193b000-0000-7000-8003-%06d%06d", c, i), fmt.Sprintf("0193b000-0000-7000-8004-%06d%06d", c, i)
			dv := `{"k":"` + strings.Repeat("v", i%200) + `"}`
			must(insertOldCall(ctx, raw, sqlcdb.CreateCallParams{ID: id, CompanyID: co, ContactID: contact, Status: "completed", Type: "inbound", DynamicVariables: &dv, CreatedDate: int64(100 + i)}))
			must(q.CreateMessage(ctx, sqlcdb.CreateMessageParams{CallID: id, CreatedDate: int64(101 + i), ID: msg, Role: "user"}))
			must(q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{ID: entry, CompanyID: co, CallID: &id, Timestamp: 12, Level: "INFO", Category: "USER", Event: "e"}))
		}
	}
	must(raw.Close())

	d, err := db.Open(ctx, old)
	must(err)
	defer d.Close()
	if got := pragmaInt(t, d.Read, "page_size"); got != int64(4096) {
		t.Fatalf("old file after Open: page_size %v, want 4096 kept", got)
	}
	want := dumpTables(t, d.Read)

	copyPath := filepath.Join(dir, "copy.db")
	must(d.Compact(ctx, copyPath))
	if err := d.Compact(ctx, copyPath); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("compact onto an existing file: %v, want an error", err)
	}
	if got := pragmaInt(t, d.Read, "page_size"); got != int64(4096) {
		t.Fatalf("source after Compact: page_size %v, want 4096", got)
	}

	c, err := db.Open(ctx, copyPath)
	must(err)
	defer c.Close()
	if got := pragmaInt(t, c.Read, "page_size"); got != int64(8192) {
		t.Fatalf("copy: page_size %v, want 8192", got)
	}
	if got := pragmaInt(t, c.Read, "journal_mode"); got != "wal" {
		t.Fatalf("copy: journal_mode %v, want wal", got)
	}
	if v, err := c.Version(ctx); err != nil || v != db.LatestVersion() {
		t.Fatalf("copy: version %d, %v", v, err)
	}
	compareDumps(t, "in the compacted copy", want, dumpTables(t, c.Read))
	noDanglingKeys(t, c.Read)
	if got := pragmaInt(t, c.Read, "integrity_check"); got != "ok" {
		t.Fatalf("copy: integrity_check %v", got)
	}

	mem, err := db.Open(ctx, ":memory:")
	must(err)
	defer mem.Close()
	if err := mem.Compact(ctx, filepath.Join(dir, "mem.db")); err == nil {
		t.Fatal("compacting :memory: succeeded, want an error")
	}
}

// Checkpoint copies the WAL into the file and reports that it finished; for ":memory:" there is
// nothing to do. (seed.TestRunKeepsTheWALShort checks that the WAL then restarts.)
func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	q := sqlcdb.New(d.Write)
	for i := range 50 {
		if _, err := q.CreateCompany(ctx, sqlcdb.CreateCompanyParams{ID: fmt.Sprintf("0193c000-0000-7000-8000-%012d", i), Name: "c", CreatedDate: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := d.Checkpoint(ctx); err != nil || !ok {
		t.Fatalf("Checkpoint = %v, %v; want finished", ok, err)
	}
	var busy, frames, copied int64
	if err := d.Write.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil || frames != copied {
		t.Fatalf("after Checkpoint: %d of %d frames copied (%v)", copied, frames, err)
	}
	mem, err := db.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if ok, err := mem.Checkpoint(ctx); err != nil || !ok {
		t.Fatalf(":memory: Checkpoint = %v, %v", ok, err)
	}
}
