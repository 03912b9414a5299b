package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/callstore/callstore/db/postgres"
	"golang.org/x/term"
)

// runCopy moves a whole SQLite database into an empty PostgreSQL one (docs/scale-out.md): every
// id, time and value unchanged, in one transaction, then compares the two.
func runCopy(ctx context.Context, args []string, e env) error {
	fs := newFlags("copy", e)
	from := fs.String("from", "", "the SQLite database file to copy (required; a server may be writing it)")
	to := fs.String("to", "", "the postgres:// URL of the database to copy into (required; migrated here, and holding no company)")
	sample := fs.Int("verify-sample", 1000, "after the copy, compare every column of this many rows of each table (0: counts only)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "from", "to"); err != nil {
		return err
	}
	if !postgres.IsURL(*to) {
		return fmt.Errorf("-to must be a postgres:// URL, not %q", *to)
	}
	if *sample < 0 {
		return fmt.Errorf("-verify-sample must not be negative, got %d", *sample)
	}
	src, err := openDB(ctx, e, *from, cliLogger(e))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to, postgres.WithLogger(cliLogger(e)))
	if err != nil {
		return err
	}
	defer dst.Close()
	began := time.Now()
	// On a terminal, a line that counts the rows of the table being copied.
	var progress postgres.CopyProgress
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(table string, n int64) { fmt.Fprintf(e.stderr, "\r%-14s %d rows", table, n) }
		defer fmt.Fprintln(e.stderr)
	}
	counts, err := dst.CopyFromSQLite(ctx, src.Read, progress)
	if err != nil {
		return fmt.Errorf("nothing was copied: %w", err)
	}
	tables := make([]string, 0, len(counts))
	var total int64
	for t, n := range counts {
		tables = append(tables, t)
		total += n
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(e.stdout, "%-14s %d rows\n", t, counts[t])
	}
	fmt.Fprintf(e.stdout, "copied %d rows from %s into %s in %s\n", total, *from, dst.URL, time.Since(began).Round(100*time.Millisecond))
	diffs, err := dst.VerifyCopy(ctx, src.Read, *sample)
	if err != nil {
		return fmt.Errorf("verifying the copy: %w", err)
	}
	for _, d := range diffs {
		fmt.Fprintln(e.stdout, d)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("the copy in %s differs from %s in %d way(s), listed above", dst.URL, *from, len(diffs))
	}
	fmt.Fprintf(e.stdout, "verified: every table has the same number of rows, and up to %d sampled rows of each are identical\n", *sample)
	return nil
}
