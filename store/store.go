// Package store is callstore's domain: the records it keeps, the rules that guard them, and the one
// engine that reads, writes and deletes them (over SQLite or PostgreSQL, see Engine). HTTP dialects
// translate to and from it.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
)

// Store is the domain over one Engine. Time comes from Now so tests can inject a clock; nothing
// below reads the wall clock directly.
type Store struct {
	eng Engine
	r   sqlcdb.Querier // reader pool; every write goes through inTx or the engine's InBulkTx
	Now func() time.Time
	// OnDelete, when set, is told what each committed deletion removed (the server counts it in
	// /metrics). It runs after the commit, on the deleting goroutine: it must be quick.
	OnDelete func(DeletionCounts)
}

func (s *Store) deleted(c DeletionCounts) {
	if c == (DeletionCounts{}) {
		return
	}
	s.eng.NoteDeletion()
	if s.OnDelete != nil {
		s.OnDelete(c)
	}
}

// New returns a Store over an opened database (a *db.DB or a *postgres.DB), using the system clock.
func New(ctx context.Context, e Engine) (*Store, error) {
	r, err := e.Reader(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return &Store{eng: e, r: r, Now: time.Now}, nil
}

// Close releases the reader's prepared statements (the database itself is closed by its owner).
func (s *Store) Close() error {
	if c, ok := s.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Ready reports whether the store can serve: its database answers, and its schema is the one
// this binary was built for.
func (s *Store) Ready(ctx context.Context) error {
	v, err := s.eng.Version(ctx)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if want := s.eng.LatestVersion(); v != want {
		return fmt.Errorf("database schema is version %d, this binary serves version %d", v, want)
	}
	return nil
}

// Engine returns the database the store runs on.
func (s *Store) Engine() Engine { return s.eng }

// DB returns the SQLite database the store runs on, or nil on another engine (for the tools and
// metrics that only SQLite has, and tests).
func (s *Store) DB() *db.DB {
	d, _ := s.eng.(*db.DB)
	return d
}

// txn is one write transaction; it carries the time it started so every row it writes agrees on "now".
type txn struct {
	Q   sqlcdb.Querier
	Now time.Time

	committed []func() // run once the transaction has committed (onCommit)
}

// onCommit defers f until the transaction has committed: what a rule remembers of its own writes
// (an audit record now exists, the counts it holds) must not outlive a transaction rolled back.
func (t *txn) onCommit(f func()) { t.committed = append(t.committed, f) }

// inTx runs fn in one write transaction, committing when fn returns nil. Now is read once the
// transaction has begun (on SQLite, once the write lock is held), so times follow commit order.
//
// An engine may run fn more than once (PostgreSQL runs a transaction again after a serialization
// failure or a connection lost before COMMIT), each time on a fresh snapshot: fn must derive
// everything it returns from what it reads in that attempt, and leave changes to state outside the
// transaction to onCommit, which runs for the attempt that committed only.
func (s *Store) inTx(ctx context.Context, fn func(*txn) error) error {
	var last *txn
	err := s.eng.InTx(ctx, func(q sqlcdb.Querier) error {
		last = &txn{Q: q, Now: s.now()}
		return fn(last)
	})
	if err != nil {
		return err
	}
	for _, f := range last.committed {
		f()
	}
	return nil
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
