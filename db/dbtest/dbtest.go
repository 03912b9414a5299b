// Package dbtest opens the engine a test runs on: a fresh in-memory SQLite database, or, when the
// environment variable CALLSTORE_TEST_POSTGRES names a PostgreSQL server, a fresh database there.
// The tests that define callstore's behaviour open their store through it, so that one suite runs
// on both engines (`go test ./...`, then again with CALLSTORE_TEST_POSTGRES set: .ci/run does both).
package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
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

// SkipOnPostgres skips a test of something only the SQLite engine has (its files, pragmas,
// checkpoints) when the suite runs on PostgreSQL.
func SkipOnPostgres(tb testing.TB, why string) {
	tb.Helper()
	if Postgres() != "" {
		tb.Skip("SQLite only: " + why)
	}
}

var template struct {
	once sync.Once
	name string
	err  error
}

// OpenPostgres creates a database on the server of CALLSTORE_TEST_POSTGRES (failing the test when
// it is unset) as a copy of a template migrated once per test process, and opens it.
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

// makeTemplate creates and migrates the database every test database of this process copies.
func makeTemplate(ctx context.Context, admin string) (string, error) {
	name := "callstore_tmpl_" + uuid.NewString()[:8]
	if err := execAdmin(ctx, admin, "CREATE DATABASE "+name); err != nil {
		return "", err
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
	return name, nil
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
