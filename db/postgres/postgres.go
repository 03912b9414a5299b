// Package postgres is callstore's second engine: the same schema, rules and API over a PostgreSQL
// server or a replicated cluster (docs/scale-out.md), reached through pgx v5 without cgo. The
// store's rules run unchanged over it: its query set (queries/postgres, generated into pgdb) sits
// behind the generated adapter Queries, which implements the SQLite set's interface
// sqlcdb.Querier, and DB supplies the transactions (store.Engine).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/store"
)

// IsURL reports whether a -db value names a PostgreSQL database (postgres:// or postgresql://)
// rather than a SQLite file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// DB is a callstore database on PostgreSQL: one pool of connections to the primary. A multi-host
// URL with target_session_attrs=read-write makes every new connection find the current primary,
// so after a failover the pool's broken connections are replaced by connections to the new one.
type DB struct {
	Pool *pgxpool.Pool
	// URL is the database's address with any password removed, for messages.
	URL string

	log *slog.Logger
}

// Option configures Open.
type Option func(*options)

type options struct {
	log      *slog.Logger
	maxConns int32
}

// WithLogger sets where Migrate reports each migration (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithMaxConns sets the pool's size (default: pgxpool's, the larger of 4 and the CPU count,
// unless the URL sets pool_max_conns).
func WithMaxConns(n int32) Option { return func(o *options) { o.maxConns = n } }

// Open connects to the PostgreSQL database at rawURL and applies pending migrations.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if o.maxConns > 0 {
		cfg.MaxConns = o.maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	d := &DB{Pool: pool, URL: Redact(rawURL), log: o.log}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot reach %s: %w", d.URL, err)
	}
	if err := d.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return d, nil
}

// Redact removes the password of a URL, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Close closes the pool.
func (d *DB) Close() error {
	d.Pool.Close()
	return nil
}

func (d *DB) provider() (*goose.Provider, func() error, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(d.Pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(), goose.WithSessionLocker(locker))
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return p, sqlDB.Close, nil
}

// Migrate applies every pending migration, logging each. Nodes that start together migrate once:
// goose's session locker holds a PostgreSQL advisory lock while it migrates, and the others wait
// for it and then find nothing pending.
func (d *DB) Migrate(ctx context.Context) error {
	p, closeDB, err := d.provider()
	if err != nil {
		return err
	}
	defer closeDB()
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("cannot read the schema version of %s: %w", d.URL, err)
	}
	if latest := LatestVersion(); current > latest {
		return fmt.Errorf("%s has schema version %d, newer than this binary's %d: use a newer callstore", d.URL, current, latest)
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		d.log.Info("migration finished", "db", d.URL, "version", r.Source.Version, "duration", r.Duration)
	}
	if err != nil {
		return fmt.Errorf("migrating %s: %w", d.URL, err)
	}
	return nil
}

// Version is the database's schema version.
func (d *DB) Version(ctx context.Context) (int64, error) {
	var v int64
	err := d.Pool.QueryRow(ctx, "SELECT COALESCE(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// LatestVersion is the schema version the embedded migrations lead to.
func (d *DB) LatestVersion() int64 { return LatestVersion() }

// LatestVersion is the schema version the embedded migrations lead to.
func LatestVersion() int64 { return db.MaxVersion(Migrations()) }

// Reader returns the query set for reads outside a transaction, over the pool; a read that loses
// its connection runs again (dbtx). pgx prepares and caches each statement per connection by itself.
func (d *DB) Reader(context.Context) (sqlcdb.Querier, error) {
	return NewQueries(dbtx{db: d.Pool, reads: true}), nil
}

// Writer returns the query set for a write that is one statement, over the pool.
func (d *DB) Writer() sqlcdb.Querier { return NewQueries(dbtx{db: d.Pool}) }

// InTx runs fn in one SERIALIZABLE transaction, committing when fn returns nil. The store's rules
// read and then write (a contact delete checks for active calls, an import looks ids up), which
// SQLite makes safe with its single writer; here concurrent writers are safe because PostgreSQL
// aborts one of two transactions that could not have run one after the other (SQLSTATE 40001),
// and InTx then runs fn again, on a fresh snapshot. fn must therefore only depend on what it reads
// in the transaction, as every store rule does.
//
// A connection lost before COMMIT was sent (a failover, a restart) rolled the transaction back on
// the server, so fn is run again too, on a new connection, which finds the new primary. A
// connection lost during COMMIT leaves the outcome unknown: InTx then answers ErrCommitUnknown and
// never a result, so that no caller reports a count for a write that may not have happened, or
// nothing for one that did.
func (d *DB) InTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	return d.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
}

// InBulkTx is InTx (pgx caches prepared statements per connection already).
func (d *DB) InBulkTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	return d.InTx(ctx, fn)
}

// InReadTx runs fn in one read-only REPEATABLE READ transaction: every query sees one snapshot.
func (d *DB) InReadTx(ctx context.Context, fn func(sqlcdb.Querier) error) error {
	return d.inTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// ErrCommitUnknown is the answer of a transaction whose connection was lost while it committed:
// it may or may not have been applied.
var ErrCommitUnknown = errors.New("the database connection was lost while committing: the write may or may not have been applied")

// retryFor bounds how long InTx keeps running a transaction again: long enough to ride out a
// failover of a cluster with tuned health checks (docs/scale-out.md).
const retryFor = 45 * time.Second

func (d *DB) inTx(ctx context.Context, o pgx.TxOptions, fn func(sqlcdb.Querier) error) error {
	var deadline time.Time
	for attempt := 0; ; attempt++ {
		committing, err := d.try(ctx, o, fn)
		if err == nil {
			return nil
		}
		switch {
		case committing && lostConnection(err):
			return fmt.Errorf("%w (%v)", ErrCommitUnknown, err)
		case serializationFailure(err):
		case !committing && lostConnection(err):
		default:
			return err
		}
		if !again(ctx, &deadline, attempt) {
			return err
		}
	}
}

// backoff is the pause before attempt+1: a little more each time, with jitter, up to half a second.
func backoff(attempt int) time.Duration {
	wait := time.Duration(min(attempt+1, 50)) * 10 * time.Millisecond
	return wait/2 + rand.N(wait/2+1)
}

// try runs fn once in a transaction; committing tells whether err came from the COMMIT itself.
func (d *DB) try(ctx context.Context, o pgx.TxOptions, fn func(sqlcdb.Querier) error) (committing bool, err error) {
	tx, err := d.Pool.BeginTx(ctx, o)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(NewQueries(dbtx{db: tx})); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// serializationFailure reports whether err is PostgreSQL aborting a transaction that may simply
// be run again: a serialization failure or a deadlock.
func serializationFailure(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// lostConnection reports whether err means the connection to the server failed (as opposed to
// the server answering an error): a network error, a closed connection, a server shutting down
// (SQLSTATE class 57P: admin_shutdown, crash_shutdown, cannot_connect_now), or a primary that
// became read-only (25006, after a switchover).
func lostConnection(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "57P") || pe.Code == "25006" || pe.Code == "08006" || pe.Code == "08003" || pe.Code == "08000"
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return pgconn.SafeToRetry(err) || isNetError(err)
}

// IsConstraint reports whether err is PostgreSQL refusing a row: an integrity constraint
// violation (SQLSTATE class 23), or text it cannot store (refusedText).
func (d *DB) IsConstraint(err error) bool {
	var pe *pgconn.PgError
	var se *store.Error
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23") || errors.As(err, &se) && se.Reason == reasonText
}

const reasonText = "UNSUPPORTED_CHARACTER"

// refusedText turns PostgreSQL's refusal of a text value into the domain's invalid input: its text
// type cannot hold the character U+0000 (SQLSTATE 22021, or 22P05 when it comes escaped in
// JSON), which SQLite stores. Other errors pass unchanged.
func refusedText(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05") {
		return store.Errorf(store.EINVALID, reasonText, "text values must not contain the character U+0000 (NUL): the PostgreSQL engine cannot store it")
	}
	return err
}

// NoteDeletion does nothing: PostgreSQL has no WAL file of callstore's to truncate, and the space
// of deleted rows is reclaimed by VACUUM (docs/scale-out.md says what that means for erasure).
func (d *DB) NoteDeletion() {}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
