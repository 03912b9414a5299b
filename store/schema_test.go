package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"
)

// TestDeleteCallRow proves the schema's own behaviour, with no store rule in between: deleting a
// call row cascades to its messages and keeps its call_log rows with call_id NULL.
func TestDeleteCallRow(t *testing.T) {
	e := newIngestEnv(t)
	c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
	keep := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
	for _, id := range []string{c.ID, keep.ID} {
		if _, err := e.S.AppendMessages(e.ctx, e.P, id, []store.MessageInput{{Role: "user", Content: ptrOf("hi")}, {Role: "assistant"}}); err != nil {
			t.Fatal(err)
		}
	}
	logs, err := e.S.AppendLogs(e.ctx, e.P, c.ID, []store.LogInput{{Level: "INFO", Category: "USER", Event: "e"}})
	if err != nil {
		t.Fatal(err)
	}

	n, err := e.testQueries().DeleteCallRow(e.ctx, c.ID)
	if err != nil || n != 1 {
		t.Fatalf("DeleteCallRow = %d, %v", n, err)
	}
	if n, _ := e.queries().CountMessages(e.ctx, c.ID); n != 0 {
		t.Fatalf("%d messages survived their call", n)
	}
	if n, _ := e.queries().CountMessages(e.ctx, keep.ID); n != 2 {
		t.Fatalf("the other call has %d messages, want 2", n)
	}
	row, err := e.testQueries().GetCallLogRow(e.ctx, logs[0].ID)
	if err != nil {
		t.Fatalf("the log entry was deleted with its call: %v", err)
	}
	if row.CallID != nil || row.CompanyID != e.P.CompanyID || row.Event != "e" {
		t.Fatalf("log row = %+v, want call_id NULL and the rest kept", row)
	}
	if _, err := e.S.GetCall(e.ctx, e.P, c.ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Fatalf("GetCall after delete: %v", err)
	}
}

// TestForeignKeysOnEveryConnection holds several reader connections at once (so they are distinct)
// and the writer's, and checks the pragma on each: a pragma run once through *sql.DB would reach
// one pooled connection only.
func TestForeignKeysOnEveryConnection(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's pragmas and its reader and writer pools")
	e := newIngestEnvAt(t, filepath.Join(t.TempDir(), "fk.db"))
	ctx := context.Background()
	d := e.S.DB()
	if d.Read == d.Write {
		t.Fatal("a file database must have a separate reader pool")
	}
	readers := d.Read.Stats().MaxOpenConnections // every connection of the pool, held at once
	check := func(name string, q func(ctx context.Context, query string, args ...any) rowScanner) {
		t.Helper()
		var on int
		// sqlc cannot express PRAGMA statements, so this test (only) runs them as strings.
		if err := q(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
			t.Fatalf("%s: foreign_keys = %d, %v; want 1", name, on, err)
		}
		var mode string
		if err := q(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("%s: journal_mode = %q, %v; want wal", name, mode, err)
		}
	}
	if readers < 2 {
		t.Fatalf("reader pool of %d connections", readers)
	}
	for i := 0; i < readers; i++ {
		conn, err := d.Read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close() // held until the end, so the next Conn is a new connection
		check("reader", func(ctx context.Context, query string, args ...any) rowScanner {
			return conn.QueryRowContext(ctx, query, args...)
		})
	}
	w, err := d.Write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check("writer", func(ctx context.Context, query string, args ...any) rowScanner {
		return w.QueryRowContext(ctx, query, args...)
	})
	w.Close()
	if s := d.Read.Stats(); s.OpenConnections < readers {
		t.Fatalf("the reader pool opened %d connections, want %d distinct ones", s.OpenConnections, readers)
	}
}

// TestWriterVisibleToReaders checks that a committed write through the single writer is seen by
// the reader pool (WAL), on a file database where the two are separate pools.
func TestWriterVisibleToReaders(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's WAL and its read-only reader pool")
	e := newIngestEnvAt(t, filepath.Join(t.TempDir(), "wal.db"))
	ctx := context.Background()
	// Open a reader connection first, so the read below is not on a connection created after the write.
	conn, err := e.S.DB().Read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close() // back to the pool, idle
	c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
	got, err := e.S.GetCall(ctx, e.P, c.ID) // GetCall reads through the reader pool
	if err != nil || got.ID != c.ID {
		t.Fatalf("reader does not see the write: %+v %v", got, err)
	}
	if _, err := sqlctest.New(e.S.DB().Read).DeleteCallRow(ctx, c.ID); err == nil {
		t.Fatal("the reader pool accepted a write; it must be read-only")
	}
}

type rowScanner interface{ Scan(dest ...any) error }
