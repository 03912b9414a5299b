// Package store is callstore's domain: the records it keeps, the rules that guard them, and the one
// engine that reads, writes and deletes them in SQLite. HTTP dialects translate to and from it.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
)

// Store is the SQLite-backed implementation of the domain. Time comes from Now so tests can
// inject a clock; nothing below reads the wall clock directly.
type Store struct {
	db  *db.DB
	r   *sqlcdb.Queries // reader pool
	w   *sqlcdb.Queries // writer, for a write that is one statement (its own implicit transaction)
	Now func() time.Time
	// OnDelete, when set, is told what each committed deletion removed (the server counts it in
	// /metrics). It runs after the commit, on the deleting goroutine: it must be quick.
	OnDelete func(DeletionCounts)
}

func (s *Store) deleted(c DeletionCounts) {
	if c == (DeletionCounts{}) {
		return
	}
	s.db.NoteDeletion() // the next checkpoint truncates the WAL, which still holds the deleted rows
	if s.OnDelete != nil {
		s.OnDelete(c)
	}
}

// New returns a Store over an opened database, using the system clock. Over a file, the reader
// pool's queries are prepared once here (database/sql re-prepares them per pooled connection as
// needed), so a list page does not pay SQLite's statement compilation on every request. An
// in-memory database usually lives for one test, where preparing every query up front would cost
// more than it saves (most of a new test server's start-up time, as measured by
// callstoretest.BenchmarkNew): its queries are compiled as they run.
func New(ctx context.Context, d *db.DB) (*Store, error) {
	r := sqlcdb.New(d.Read)
	if !d.InMemory() {
		var err error
		if r, err = sqlcdb.Prepare(ctx, d.Read); err != nil {
			return nil, fmt.Errorf("store: prepare queries: %w", err)
		}
	}
	return &Store{db: d, r: r, w: sqlcdb.New(d.Write), Now: time.Now}, nil
}

// Close releases the prepared statements (the database itself is closed by its owner).
func (s *Store) Close() error { return s.r.Close() }

// Ready reports whether the store can serve: its database answers, and its schema is the one
// this binary was built for.
func (s *Store) Ready(ctx context.Context) error {
	v, err := s.db.Version(ctx)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if want := db.LatestVersion(); v != want {
		return fmt.Errorf("database schema is version %d, this binary serves version %d", v, want)
	}
	return nil
}

// DB returns the underlying database (for tools and tests).
func (s *Store) DB() *db.DB { return s.db }

// txn is one write transaction; it carries the time it started so every row it writes agrees on "now".
type txn struct {
	Q   *sqlcdb.Queries
	Now time.Time
}

// inTx runs fn in one BEGIN IMMEDIATE transaction on the writer, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&txn{Q: sqlcdb.New(tx), Now: s.now()}); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// isNoRows reports whether err means "no such row".
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// micros converts a time to the stored representation (unix microseconds, UTC).
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func microsPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := micros(*t)
	return &v
}

func fromMicrosPtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// boolInt is the stored form of a boolean (SQLite has no boolean type).
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// rawJSON reads an optional stored JSON value back (nil for NULL).
func rawJSON(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// jsonText is the stored form of an optional JSON value (NULL for absent or JSON null).
func jsonText(r json.RawMessage) *string {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	s := string(r)
	return &s
}
