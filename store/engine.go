package store

import (
	"context"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Engine is the database a Store runs on: SQLite (package db), the embedded default, or a
// PostgreSQL cluster (package db/postgres). The store's rules are written once, against the
// generated interface sqlcdb.Querier; an engine brings a query set that implements it (SQLite's
// own, or PostgreSQL's behind a generated adapter) and the transactions the rules run in.
type Engine interface {
	// Reader returns the query set for reads outside a transaction. The store closes it (when it
	// is an io.Closer) in Close.
	Reader(ctx context.Context) (sqlcdb.Querier, error)
	// Writer returns the query set for a write that is one statement, its own transaction.
	Writer() sqlcdb.Querier
	// InTx runs fn in one read-write transaction, committed when fn returns nil and rolled back
	// otherwise.
	InTx(ctx context.Context, fn func(sqlcdb.Querier) error) error
	// InBulkTx is InTx for a transaction that runs the same statements many times (import, seed).
	InBulkTx(ctx context.Context, fn func(sqlcdb.Querier) error) error
	// InReadTx runs fn in one read-only transaction: every query in it sees the same snapshot.
	InReadTx(ctx context.Context, fn func(sqlcdb.Querier) error) error
	// IsConstraint reports whether err is the database refusing a row (a key, unique, foreign key
	// or check constraint), as opposed to the database failing.
	IsConstraint(err error) bool
	// NoteDeletion is told after a committed deletion (SQLite then truncates its WAL, which still
	// holds the deleted rows).
	NoteDeletion()
	// Version is the schema version of the database; LatestVersion the one this binary's
	// migrations lead to.
	Version(ctx context.Context) (int64, error)
	LatestVersion() int64
}
