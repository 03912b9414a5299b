package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyTables are the tables a copy moves, parents before children (the foreign keys hold at every
// row), each with the key that orders it and identifies a row. company_call_counts is not copied:
// PostgreSQL's triggers count the calls as they arrive.
var copyTables = []struct{ name, key string }{
	{"companies", "id"},
	{"api_keys", "id"},
	{"apps", "id"},
	{"access_tokens", "token_hash"},
	{"contacts", "id"},
	{"calls", "id"},
	{"messages", "call_id, created_date, id"},
	{"call_log", "id"},
	{"deletions", "id"},
}

// CopyProgress is told, as a copy goes, which table it is copying and how many rows of it are done.
type CopyProgress func(table string, rows int64)

// CopyFromSQLite copies every row of a callstore SQLite database (src, read in one read
// transaction, so a copy of a live file is consistent) into d, which must have no company yet, in
// one PostgreSQL transaction: the copy lands whole or not at all. Ids, times and every stored value
// move unchanged, column by column by name (both schemas have the same tables and columns). It
// returns the rows copied per table.
//
// This is the package's only SQL outside the generated queries: it moves rows of any table
// generically, which sqlc cannot express.
func (d *DB) CopyFromSQLite(ctx context.Context, src *sql.DB, progress CopyProgress) (map[string]int64, error) {
	var companies int64
	if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM companies").Scan(&companies); err != nil {
		return nil, err
	}
	if companies > 0 {
		return nil, fmt.Errorf("%s already holds %d companies: copy into an empty database", d.URL, companies)
	}
	rtx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer rtx.Rollback()
	wtx, err := d.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer wtx.Rollback(context.WithoutCancel(ctx))
	counts := map[string]int64{}
	for _, t := range copyTables {
		n, err := copyTable(ctx, rtx, wtx, t.name, t.key, progress)
		if err != nil {
			return nil, fmt.Errorf("copying %s: %w", t.name, err)
		}
		counts[t.name] = n
	}
	if err := wtx.Commit(ctx); err != nil {
		return nil, err
	}
	return counts, nil
}

func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, table, key string, progress CopyProgress) (int64, error) {
	rows, err := src.QueryContext(ctx, fmt.Sprintf("SELECT * FROM %s ORDER BY %s", table, key))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	r := &rowSource{rows: rows, vals: make([]any, len(cols)), ptrs: make([]any, len(cols)), table: table, progress: progress}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{table}, cols, r)
	if err != nil {
		return n, err
	}
	if progress != nil {
		progress(table, n)
	}
	return n, rows.Err()
}

// rowSource feeds pgx's COPY from a SQLite result set, one row at a time.
type rowSource struct {
	rows     *sql.Rows
	vals     []any
	ptrs     []any
	err      error
	n        int64
	table    string
	progress CopyProgress
}

func (r *rowSource) Next() bool {
	if !r.rows.Next() {
		return false
	}
	if r.err = r.rows.Scan(r.ptrs...); r.err != nil {
		return false
	}
	for i, v := range r.vals {
		if b, ok := v.([]byte); ok { // a TEXT value SQLite returned as bytes
			r.vals[i] = string(b)
		}
	}
	r.n++
	if r.progress != nil && r.n%10000 == 0 {
		r.progress(r.table, r.n)
	}
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }
func (r *rowSource) Err() error             { return r.err }

// VerifyCopy compares a copy with its source: the row count of every table, and every column of
// up to sample rows of each table, spread evenly over its key order. It returns the differences
// found (none means the copy matches).
func (d *DB) VerifyCopy(ctx context.Context, src *sql.DB, sample int) ([]string, error) {
	var diffs []string
	for _, t := range copyTables {
		var ns, nd int64
		if err := src.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&ns); err != nil {
			return nil, err
		}
		if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM "+t.name).Scan(&nd); err != nil {
			return nil, err
		}
		if ns != nd {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows in the source, %d in the copy", t.name, ns, nd))
			continue
		}
		if ns == 0 || sample <= 0 {
			continue
		}
		step := max(1, ns/int64(sample))
		keys := strings.Split(t.key, ", ")
		q := fmt.Sprintf("SELECT * FROM (SELECT *, row_number() OVER (ORDER BY %s) - 1 AS rn__ FROM %s) WHERE rn__ %% %d = 0", t.key, t.name, step)
		rows, err := src.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		cols = cols[:len(cols)-1]
		var checked int
		for rows.Next() && checked < sample {
			vals := make([]any, len(cols)+1)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			vals = vals[:len(cols)]
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			where := make([]string, len(keys))
			args := make([]any, len(keys))
			for i, k := range keys {
				where[i] = fmt.Sprintf("%s = $%d", k, i+1)
				args[i] = vals[indexOf(cols, k)]
			}
			got := make([]any, len(cols))
			gptrs := make([]any, len(cols))
			for i := range got {
				gptrs[i] = &got[i]
			}
			err := d.Pool.QueryRow(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(cols, ", "), t.name, strings.Join(where, " AND ")), args...).Scan(gptrs...)
			if err != nil {
				diffs = append(diffs, fmt.Sprintf("%s %v: not in the copy (%v)", t.name, args, err))
			} else if !reflect.DeepEqual(vals, got) {
				diffs = append(diffs, fmt.Sprintf("%s %v: source %v, copy %v", t.name, args, vals, got))
			}
			checked++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return diffs, nil
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
