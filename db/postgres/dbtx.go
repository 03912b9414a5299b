package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/callstore/callstore/db/postgres/pgdb"
)

// dbtx runs the generated queries over a pool or a transaction. It turns PostgreSQL's refusal of a
// text value (refusedText) into the domain's invalid input wherever it surfaces: a write, or a
// read looking a value up. Every other error passes unchanged.
//
// With reads set (the store's reader, which only reads), a query whose connection is lost, or that
// finds no primary to connect to, runs again until the pool reaches the new primary after a
// failover, for up to retryFor: a read is always safe to repeat. Rows already being read when the
// connection breaks are not repeated (the error reaches the caller).
type dbtx struct {
	db    pgdb.DBTX
	reads bool
}

func (d dbtx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := d.db.Exec(ctx, sql, args...)
	return tag, refusedText(err)
}

func (d dbtx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	var deadline time.Time
	for attempt := 0; ; attempt++ {
		rows, err := d.db.Query(ctx, sql, args...)
		if err == nil {
			return refusedRows{rows}, nil
		}
		if !d.reads || !lostConnection(err) || !again(ctx, &deadline, attempt) {
			return rows, refusedText(err)
		}
	}
}

func (d dbtx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return &refusedRow{d: d, ctx: ctx, sql: sql, args: args}
}

type refusedRows struct{ pgx.Rows }

func (r refusedRows) Err() error { return refusedText(r.Rows.Err()) }

// refusedRow runs its query when scanned, so that a read can run it again.
type refusedRow struct {
	d    dbtx
	ctx  context.Context
	sql  string
	args []any
}

func (r *refusedRow) Scan(dest ...any) error {
	var deadline time.Time
	for attempt := 0; ; attempt++ {
		err := r.d.db.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
		if err == nil || !r.d.reads || !lostConnection(err) || !again(r.ctx, &deadline, attempt) {
			return refusedText(err)
		}
	}
}

// again waits before the next attempt of something that failed for want of a connection (more
// each time, with jitter, up to half a second) and reports whether to make it: not once ctx is
// done or retryFor has passed since the first failure (*deadline, set on the first call).
func again(ctx context.Context, deadline *time.Time, attempt int) bool {
	if deadline.IsZero() {
		*deadline = time.Now().Add(retryFor)
	}
	if ctx.Err() != nil || time.Now().After(*deadline) {
		return false
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(backoff(attempt)):
		return true
	}
}
