package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/callstore/callstore/db/postgres/pgdb"
)

// dbtx runs the generated queries over a pool or a transaction and turns PostgreSQL's refusal of
// a text value (refusedText) into the domain's invalid input wherever it surfaces: a write, or a
// read looking a value up. Every other error passes unchanged.
type dbtx struct{ db pgdb.DBTX }

func (d dbtx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := d.db.Exec(ctx, sql, args...)
	return tag, refusedText(err)
}

func (d dbtx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := d.db.Query(ctx, sql, args...)
	if err != nil {
		return rows, refusedText(err)
	}
	return refusedRows{rows}, nil
}

func (d dbtx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return refusedRow{d.db.QueryRow(ctx, sql, args...)}
}

type refusedRows struct{ pgx.Rows }

func (r refusedRows) Err() error { return refusedText(r.Rows.Err()) }

type refusedRow struct{ pgx.Row }

func (r refusedRow) Scan(dest ...any) error { return refusedText(r.Row.Scan(dest...)) }
