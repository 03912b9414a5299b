package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/postgres"
	"github.com/callstore/callstore/handlers"
)

// newPostgresDatabase creates an empty database on the suite's PostgreSQL server, dropped when the
// test ends, and returns its URL.
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	admin := dbtest.Postgres()
	if admin == "" {
		t.Skipf("needs a PostgreSQL server: set %s (scripts/pg.sh starts one)", dbtest.Env)
	}
	ctx := context.Background()
	name := "callstore_cli_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	exec := func(sql string) {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE DATABASE " + name)
	t.Cleanup(func() { exec("DROP DATABASE " + name + " WITH (FORCE)") })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestCLICopyToPostgres: `callstore copy` moves a SQLite file with rows in every table into an
// empty PostgreSQL database, and the copy answers every API exactly as the file does: the same
// exports byte for byte (every id, time and value of every call, message and log entry), the same
// list pages, keys, apps and deletion records. A second copy into the same database is refused and
// changes nothing.
func TestCLICopyToPostgres(t *testing.T) {
	target := newPostgresDatabase(t)
	src := filepath.Join(t.TempDir(), "src.db")
	stdout, stderr, err := cli(t, nil, "seed", "-db", src, "-companies", "2", "-calls", "400", "-messages-per-call", "3", "-logs-per-call", "2",
		"-end", time.Now().AddDate(0, 0, -30).UTC().Format(time.RFC3339), "-days", "60")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr)
	}
	keys := regexp.MustCompile(`company (\S+) \((\S+)\) API key: (\S+)`).FindAllStringSubmatch(stdout, -1)
	if len(keys) != 2 {
		t.Fatalf("seed printed %q", stdout)
	}
	company, key := keys[0][2], keys[0][3]
	// Rows in the tables the seed leaves empty: an app, a deletion record (a purge of the calls of
	// the oldest ten of the seed's 60 days).
	if _, stderr, err := cli(t, nil, "app", "create", "-db", src, "-company", company, "-name", "bot"); err != nil {
		t.Fatalf("app create: %v\n%s", err, stderr)
	}
	if _, stderr, err := cli(t, nil, "purge", "-db", src, "-company", company, "-older-than", "80d"); err != nil {
		t.Fatalf("purge: %v\n%s", err, stderr)
	}

	stdout, stderr, err = cli(t, nil, "copy", "-from", src, "-to", target, "-verify-sample", "50")
	if err != nil {
		t.Fatalf("copy: %v\n%s\n%s", err, stdout, stderr)
	}
	for _, want := range []string{"companies      2 rows", "apps           1 rows", "deletions      1 rows", "verified:"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("copy printed %q, want %q in it", stdout, want)
		}
	}

	fileURL, pgURL := serveFile(t, src), serveDB(t, target)
	for _, path := range []string{
		"/v1/call/export",
		"/v1/call/?limit=100",
		"/v1/call/?limit=7&page=3",
		"/v1/call/?limit=50&status=completed",
		"/v1/deletion/",
		"/v1/api_key/",
		"/v1/retention",
	} {
		codeFile, bodyFile := httpDo(t, "GET", fileURL+path, key, "")
		codePG, bodyPG := httpDo(t, "GET", pgURL+path, key, "")
		if codeFile != 200 || codePG != codeFile || bodyPG != bodyFile {
			t.Fatalf("GET %s: the file answers %d\n%.600s\nthe copy answers %d\n%.600s", path, codeFile, bodyFile, codePG, bodyPG)
		}
	}
	if _, export := httpDo(t, "GET", pgURL+"/v1/call/export", key, ""); strings.Count(export, "\n") < 100 {
		t.Fatalf("the export compared is too small to mean much: %d calls", strings.Count(export, "\n"))
	}

	stdout, _, err = cli(t, nil, "copy", "-from", src, "-to", target)
	if err == nil || !strings.Contains(err.Error(), "already holds 2 companies") {
		t.Fatalf("a second copy: err = %v, stdout %q", err, stdout)
	}
	if _, after := httpDo(t, "GET", pgURL+"/v1/call/?limit=100", key, ""); after == "" {
		t.Fatal("the copy answers nothing after the refused second copy")
	} else if _, before := httpDo(t, "GET", fileURL+"/v1/call/?limit=100", key, ""); after != before {
		t.Fatal("the refused second copy changed the database")
	}
}

// serveDB serves the HTTP API over the database at path (a file or a postgres:// URL), opened as
// the serve command opens it, and returns its URL.
func serveDB(t *testing.T, path string) string {
	t.Helper()
	return serveDBLog(t, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// serveDBLog is serveDB with the server's log going to log.
func serveDBLog(t *testing.T, path string, log *slog.Logger) string {
	t.Helper()
	s, closeStore, err := openStore(context.Background(), env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}, path, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeStore)
	srv := httptest.NewServer(handlers.NewServer(s, log, handlers.Config{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCopyInterruptedLeavesNothing: a copy that fails part-way (here, cancelled once the contacts
// are in) leaves the PostgreSQL database as it was: not one company, key or contact.
func TestCopyInterruptedLeavesNothingPostgres(t *testing.T) {
	target := newPostgresDatabase(t)
	src := filepath.Join(t.TempDir(), "src.db")
	if _, stderr, err := cli(t, nil, "seed", "-db", src, "-calls", "200", "-messages-per-call", "2", "-logs-per-call", "1"); err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	from, err := db.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	to, err := postgres.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close()
	_, err = to.CopyFromSQLite(ctx, from.Read, func(table string, _ int64) {
		if table == "contacts" {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("the cancelled copy reported success")
	}
	for _, table := range []string{"companies", "api_keys", "contacts", "calls", "messages", "call_log"} {
		var n int64
		if err := to.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("after a failed copy, %s holds %d rows", table, n)
		}
	}
}

// TestCLISeedPostgres: `callstore seed` fills a PostgreSQL database through the same store import
// as a file: the same calls (the generator is deterministic given -seed and -end), answered the same
// by the calls API.
func TestCLISeedPostgres(t *testing.T) {
	target := newPostgresDatabase(t)
	file := filepath.Join(t.TempDir(), "seed.db")
	args := []string{"-calls", "300", "-messages-per-call", "2", "-logs-per-call", "1", "-end", "2026-06-01T00:00:00Z", "-seed", "7"}
	keyOf := func(stdout string) string {
		m := regexp.MustCompile(`API key: (\S+)`).FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("seed printed %q", stdout)
		}
		return m[1]
	}
	stdout, stderr, err := cli(t, nil, append([]string{"seed", "-db", target}, args...)...)
	if err != nil {
		t.Fatalf("seed into PostgreSQL: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "300 calls") {
		t.Fatalf("seed printed %q", stdout)
	}
	pgKey := keyOf(stdout)
	stdout, stderr, err = cli(t, nil, append([]string{"seed", "-db", file}, args...)...)
	if err != nil {
		t.Fatalf("seed into a file: %v\n%s", err, stderr)
	}
	fileKey := keyOf(stdout)
	// The export holds everything the generator decides (and no contact or company id, which are
	// random): byte for byte the same.
	export := func(url, key string) string {
		_, body := httpDo(t, "GET", url+"/v1/call/export", key, "")
		return body
	}
	if a, b := export(serveDB(t, target), pgKey), export(serveDB(t, file), fileKey); a != b || strings.Count(a, "\n") != 300 {
		t.Fatalf("the seeded PostgreSQL database and file differ (%d and %d calls)", strings.Count(a, "\n"), strings.Count(b, "\n"))
	}
}

// TestCLISQLiteOnlyCommandsOnPostgres: the commands that work on a SQLite file say so, and name
// PostgreSQL's tool, when given a postgres:// URL; migrate applies the PostgreSQL migrations.
func TestCLISQLiteOnlyCommandsOnPostgres(t *testing.T) {
	url := "postgres://nobody@127.0.0.1:1/none?sslmode=disable" // never connected to
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "-db", url}, "pg_amcheck"},
		{[]string{"backup", "-db", url, "-into", filepath.Join(t.TempDir(), "b.db")}, "pg_dump"},
		{[]string{"compact", "-db", url, "-into", filepath.Join(t.TempDir(), "c.db")}, "pg_dump"},
		{[]string{"restore", "-from", "x.db", "-db", url}, "pg_restore"},
		{[]string{"migrate", "-db", url, "-dry-run"}, "-dry-run reads a SQLite file"},
		{[]string{"copy", "-from", "x.db", "-to", "y.db"}, "-to must be a postgres:// URL"},
	} {
		_, _, err := cli(t, nil, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to say %q", c.args, err, c.want)
		}
	}
}

// TestCLIMigratePostgres: migrate applies the PostgreSQL schema and says its version; a second
// run finds nothing to do.
func TestCLIMigratePostgres(t *testing.T) {
	target := newPostgresDatabase(t)
	for range 2 {
		stdout, stderr, err := cli(t, nil, "migrate", "-db", target)
		if err != nil || !strings.Contains(stdout, "is at schema version 1") || strings.Contains(stdout, "nobody") {
			t.Fatalf("migrate: %v\n%s\n%s", err, stdout, stderr)
		}
	}
}
