// Package dbtest opens the engine a test runs on: a fresh in-memory SQLite database, or, when the
// environment variable CALLSTORE_TEST_POSTGRES names a PostgreSQL server, a fresh database there.
// The tests that define callstore's behaviour open their store through it, so that one suite runs
// on both engines (`go test ./...`, then again with CALLSTORE_TEST_POSTGRES set: .ci/run does both).
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"
)

// Env is the variable naming the PostgreSQL server the suite runs on, as a URL of a database on
// it that the tests may connect to in order to create their own (e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
const Env = "CALLSTORE_TEST_POSTGRES"

// Postgres returns the server's URL when the suite runs on PostgreSQL, or "".
func Postgres() string { return os.Getenv(Env) }

// Engine is a store.Engine that the test closes.
type Engine interface {
	store.Engine
	Close() error
}

// Open returns a fresh, migrated database on the suite's engine, closed (and on PostgreSQL,
// dropped) when the test ends.
func Open(tb testing.TB) Engine {
	tb.Helper()
	if Postgres() == "" {
		d, err := db.Open(context.Background(), ":memory:")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { d.Close() })
		return d
	}
	return OpenPostgres(tb)
}

// OpenFile is Open for a test that needs what an in-memory SQLite database lacks: readers on
// connections of their own, beside the writer (an export's snapshot, reads while a write runs). On
// SQLite it opens a fresh database file (WAL) in the test's temporary directory; on PostgreSQL
// every database is like that, and it is Open.
func OpenFile(tb testing.TB) Engine {
	tb.Helper()
	if Postgres() != "" {
		return OpenPostgres(tb)
	}
	d, err := db.Open(context.Background(), filepath.Join(tb.TempDir(), "callstore.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// SkipOnPostgres skips a test of something only the SQLite engine has (its files, pragmas,
// checkpoints) when the suite runs on PostgreSQL.
func SkipOnPostgres(tb testing.TB, why string) {
	tb.Helper()
	if Postgres() != "" {
		tb.Skip("SQLite only: " + why)
	}
}

// Queries returns the engine's production query set on its writer (e.Writer()): for a test that
// writes or reads rows around the store's rules with the queries the store itself runs.
func Queries(e store.Engine) sqlcdb.Querier { return e.Writer() }

// TestQueries returns the queries only tests use (queries/testing, and on PostgreSQL their twins of
// queries/postgres/testing) on the engine's writer.
func TestQueries(e store.Engine) sqlctest.Querier {
	switch d := e.(type) {
	case *db.DB:
		return sqlctest.New(d.Write)
	case *postgres.DB:
		return postgres.NewTestQueries(d.Pool)
	}
	panic(fmt.Sprintf("dbtest.TestQueries: unknown engine %T", e))
}

var template struct {
	once sync.Once
	name string
	err  error
}

// OpenPostgres creates a database on the server of CALLSTORE_TEST_POSTGRES (failing the test when
// it is unset) as a copy of the migrated template (see makeTemplate), and opens it.
func OpenPostgres(tb testing.TB) *postgres.DB {
	tb.Helper()
	admin := Postgres()
	if admin == "" {
		tb.Fatalf("%s is not set", Env)
	}
	ctx := context.Background()
	template.once.Do(func() { template.name, template.err = makeTemplate(ctx, admin) })
	if template.err != nil {
		tb.Fatal(template.err)
	}
	name := "callstore_test_" + uuid.NewString()[:8]
	if err := execAdmin(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template.name)); err != nil {
		tb.Fatal(err)
	}
	d, err := postgres.Open(ctx, withDatabase(tb, admin, name), postgres.WithMaxConns(8))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		d.Close()
		if err := execAdmin(ctx, admin, fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", name)); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	return d
}

// templateLock is the advisory lock (on the server's admin database) under which a test process
// creates the template, so that the test binaries `go test` runs at once create it once.
const templateLock = 0x63616c6c73746f72 // "callstor"

// makeTemplate returns the database every test database copies: migrated to the embedded
// migrations, and named after them (a hash of their files), so that every test process of the
// same schema shares one and a new schema gets a new one. The first process creates it, under
// templateLock, and marks it a template (datistemplate) once it is migrated: a database of that
// name that is not marked is a leftover of a process that died while making it, and is made again.
//
// Where the server has ICU, the template's default collation is ICU en-US, which orders text unlike
// SQLite ('~' before '0', 'a' before 'B'): every test then also shows that the schema's COLLATE "C"
// columns keep orders and comparisons bytewise whatever the database's locale.
func makeTemplate(ctx context.Context, admin string) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "callstore_tmpl_" + sum
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("%s: %w", Env, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(templateLock)); err != nil {
		return "", err
	}
	defer c.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(templateLock))
	var ready bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready); err != nil {
		return "", err
	}
	if ready {
		return name, nil
	}
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil { // no ICU: the server's default
			return "", err
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	d, err := postgres.Open(ctx, u.String())
	if err != nil {
		return "", err
	}
	d.Close() // CREATE DATABASE … TEMPLATE needs the template to have no connections
	if _, err := c.Exec(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true"); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash is a short hash of the embedded PostgreSQL migrations (names and contents).
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(postgres.Migrations(), ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(postgres.Migrations(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing the migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func withDatabase(tb testing.TB, admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func execAdmin(ctx context.Context, admin, sql string) error {
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("%s: %w", Env, err)
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}
