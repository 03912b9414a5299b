package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/callstore/callstore/db/sqlcdb"
)

// The methods of this file make *DB a store.Engine: the query sets and transactions the store's
// rules run on.

// Reader returns a query set over the reader pool, for one Store (which closes it). Over a file,
// every query is prepared here (database/sql re-prepares them per pooled connection as needed), so
// a list page does not pay SQLite's statement compilation on every request. An in-memory database
// usually lives for one test, where preparing every query up front would cost more than it saves
// (most of a new test server's start-up time, callstoretest.BenchmarkNew): its queries are compiled
// as they run.
func (d *DB) Reader(ctx context.Context) (sqlcdb.Querier, error) {
	if d.InMemory() {
		return sqlcdb.New(d.Read), nil
	}
	q, err := sqlcdb.Prepare(ctx, d.Read)
	if err != nil {
		return nil, fmt.Errorf("prepare queries: %w", err)
	}
	return q, nil
}

// Writer returns the writer's query set, for a write that is one statement.
func (d *DB) Writer() sqlcdb.Querier { return sqlcdb.New(d.Write) }

// InTx runs fn in one BEGIN IMMEDIATE transaction on the writer, committing when fn returns nil.
func (d *DB) InTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(sqlcdb.New(tx)); err != nil {
		return err
	}
	return tx.Commit()
}

// InBulkTx runs fn in one write transaction on the writer (BEGIN IMMEDIATE) with every generated
// query prepared, for work that runs the same statements many times in one transaction (the seed,
// bulk import). It commits when fn returns nil and rolls back otherwise.
//
// The statements are prepared on the writer once, the first time, and every later transaction
// runs them there again (database/sql finds them prepared on the writer's connection): an import
// writes in many short transactions, and preparing every query for each cost more than some of
// them took to run.
func (d *DB) InBulkTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	prepared, err := d.preparedQueries(ctx)
	if err != nil {
		return err
	}
	tx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(prepared.WithTx(tx)); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) preparedQueries(ctx context.Context) (*sqlcdb.Queries, error) {
	d.prepMu.Lock()
	defer d.prepMu.Unlock()
	if d.prepared == nil {
		q, err := sqlcdb.Prepare(ctx, d.Write)
		if err != nil {
			return nil, err
		}
		d.prepared = q
	}
	return d.prepared, nil
}

// InReadTx runs fn in one read-only transaction of the reader pool: in WAL mode, every query in it
// reads the snapshot of its first read. Its statements are compiled as they run: the one user, an
// export, runs a few per chunk of calls.
func (d *DB) InReadTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	tx, err := d.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(sqlcdb.New(tx))
}

// LatestVersion is the schema version the embedded migrations lead to (the package function).
func (d *DB) LatestVersion() int64 { return LatestVersion() }
