// Package db opens callstore's SQLite database the way a server needs it and applies the embedded
// goose migrations. The sqlc-generated query code lives in the sub-package db/sqlcdb.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded goose migrations (also read by sqlc as the schema).
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// DB holds the two pools of one SQLite database: a single-connection writer whose transactions
// start with BEGIN IMMEDIATE, and a concurrent, read-only reader pool. For ":memory:" both are
// the same single connection, since every connection to ":memory:" is a separate database.
type DB struct {
	Write *sql.DB
	Read  *sql.DB
	Path  string

	// Checkpoints counts the checkpoints run on the database, by outcome.
	Checkpoints CheckpointStats

	log      *slog.Logger  // where Migrate reports each migration
	ckpt     *sql.DB       // the checkpointer's own connection (file databases with checkpoints on)
	ckptMu   sync.Mutex    // one checkpoint at a time: the checkpointer's or Checkpoint's
	stopCkpt chan struct{} // closed by Close
	ckptDone chan struct{} // closed when the checkpointer has stopped

	// truncate is set by NoteDeletion: the next checkpoint must empty the WAL, whose older frames
	// still hold what the deletion removed. It is cleared only when a TRUNCATE checkpoint finished.
	truncate atomic.Bool
	// lastDeletion and pendingSince (unix ns) are when the latest deletion was noted and when the
	// truncation it asks for became due; the background checkpointer waits for a quiet round.
	lastDeletion, pendingSince atomic.Int64

	prepMu   sync.Mutex
	prepared *sqlcdb.Queries // every generated query prepared on the writer, once (InBulkTx)
}

// checkpointEvery is how often the background checkpointer copies the WAL into the database.
const checkpointEvery = 250 * time.Millisecond

// pragmas run on every new connection (modernc applies _pragma parameters per connection), so
// foreign keys hold on every pooled connection. modernc runs busy_timeout first (so the others can
// wait) and the rest sorted by name, then its own shorthand parameters: journal_mode is one of
// those (_journal_mode in dsn), so that page_size is set before switching a new, empty file to WAL
// writes its first page.
var pragmas = []string{
	"busy_timeout(" + busyTimeout + ")",
	pageSize,
	"synchronous(NORMAL)",
	"foreign_keys(1)",
	"temp_store(MEMORY)",
}

// busyTimeout is how long, in milliseconds, a connection waits for a lock another one holds.
const busyTimeout = "10000"

// pageSize is the page size of a new database file; an existing file keeps the one it was
// created with (SQLite ignores the pragma once the file has pages; Compact rewrites a file with
// this size). calls is clustered on its primary key as a WITHOUT ROWID table, whose interior pages
// hold whole rows: at 4 KiB a page holds about 8 calls and the b-tree of a million calls is seven
// levels deep, at 8 KiB about 16 and five levels. A page of calls deep in the list then reads 6.5
// pages that are not in the connection's cache instead of 10.7, and costs the server 7% less CPU
// (README, Performance). Larger pages would not pay here: modernc's allocator gives anything over
// 16 KiB a 64 KiB block of its own, so a 16 KiB page (plus SQLite's header) costs 64 KiB of cache.
const pageSizeBytes = 8192

var pageSize = fmt.Sprintf("page_size(%d)", pageSizeBytes)

// Page caches. The file's pages are in the OS page cache anyway, and with modernc's allocator a
// cached page costs about twice its size in resident memory (an 8 KiB page plus SQLite's header
// is a 16 KiB allocation), so the caches are kept small. The writer's holds what a bulk delete's
// cascade touches: 500 random calls dirty about 5,000 pages of the tables and indexes. On a million
// calls with 8 KiB pages, 500-call deletes took a median of 252 ms with 32 MB, 262 ms with 24 MB
// and 297 ms with 16 MB (with 4 KiB pages 16 MB was enough); the server's peak after bulk deletes
// and the mixed load was 178, 155 and 130 MB (README, Performance). Readers keep 500 KiB each
// (measured on a 9 GB database: 4 readers at 1 MiB each grew the server to 260 MB RSS under random
// deep reads, at 500 KiB each to 40 MB, at the same latency).
const (
	writerCache = "cache_size(-32000)"
	readerCache = "cache_size(-500)"
)

// secureDelete makes the connections that write overwrite what they delete with zeros: the cells
// of deleted rows in the pages that keep them, and whole pages (overflow pages of long messages,
// emptied leaves) as they move to the freelist. With the WAL truncated after a deletion (see
// NoteDeletion) no byte of a deleted row is left in the database's files once the next checkpoint
// has run (store.TestSecureDelete scans them). FAST, which adds no I/O, is not enough: it leaves
// the pages that go to the freelist as they were, and the test found the tails of long messages
// and whole pages of short ones there. ON made a 500-call bulk delete write 4% more WAL frames
// (1,326 instead of 1,272) for 1% more CPU; its wall time moved within the machine's noise
// (docs/performance.md, "2026-11-30: secure delete"). Readers never delete (query_only), and an
// in-memory database has no file to leave bytes in.
const secureDelete = "secure_delete(ON)"

// readers is the size of the reader pool: a few connections per core keep both cores busy
// while one request waits on I/O; more only add memory.
var readers = max(4, 2*runtime.NumCPU())

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_journal_mode", "WAL")
	if readOnly {
		q.Add("_pragma", readerCache)
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", writerCache)
		q.Add("_pragma", secureDelete)
		// Checkpoints run in the background (see checkpointer), not inside the commit of
		// whichever request happens to push the WAL over a threshold.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Option changes how Open opens a database.
type Option func(*options)

type options struct {
	log           *slog.Logger
	noCheckpoints bool
}

// WithLogger makes Open (and Migrate) log each migration it applies: when it starts, and when it
// ends with how long it took. Without it migrations run silently.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithoutCheckpoints leaves checkpoints to another process: no background checkpointer, no
// TRUNCATE checkpoint on Close, and Checkpoint does nothing. For running under Litestream, which
// must control checkpoints itself (docs/operations.md); the WAL grows until someone checkpoints it,
// and keeps the frames that held deleted rows until someone truncates it (NoteDeletion has no effect).
func WithoutCheckpoints() Option { return func(o *options) { o.noCheckpoints = true } }

// Open opens (creating if needed) the database at path and applies all migrations.
// path ":memory:" gives a private in-memory database. It refuses, before changing anything, a
// path whose folder does not exist, a file it cannot write, and a database whose schema is newer
// than this binary's (*SchemaTooNewError).
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d := &DB{Path: path, log: o.log}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.InMemory() {
		// One connection that never expires: the database lives as long as it does.
		w, err := sql.Open("sqlite", "file::memory:?"+memoryDSN())
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		d.Write, d.Read = w, w
		if err := d.loadMemoryImage(ctx); err != nil {
			w.Close()
			return nil, err
		}
	} else {
		if strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("database path %q must not contain '?' or '#'", path)
		}
		existed, err := checkPath(path)
		if err != nil {
			return nil, err
		}
		w, err := sql.Open("sqlite", dsn(path, false))
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		d.Write = w
		// The writer creates the file and switches it to WAL before any reader opens it.
		if err := w.PingContext(ctx); err != nil {
			w.Close()
			return nil, openError(path, existed, err)
		}
		// Before anything else reads or writes it: a newer binary's schema is left alone.
		if err := checkSchema(ctx, w, path); err != nil {
			w.Close()
			return nil, err
		}
		r, err := sql.Open("sqlite", dsn(path, true))
		if err != nil {
			w.Close()
			return nil, err
		}
		r.SetMaxOpenConns(readers)
		r.SetMaxIdleConns(readers)
		d.Read = r
		if !o.noCheckpoints {
			c, err := sql.Open("sqlite", dsn(path, false))
			if err != nil {
				d.Close()
				return nil, err
			}
			c.SetMaxOpenConns(1)
			d.ckpt, d.stopCkpt, d.ckptDone = c, make(chan struct{}), make(chan struct{})
			go d.checkpointer()
		}
	}
	if !d.InMemory() { // an in-memory database is a copy of the migrated image already
		if err := d.Migrate(ctx); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// memoryImage is a migrated, empty in-memory database, serialized once per process: a new
// in-memory database starts as a copy of it instead of running every migration again (a test that
// opens one database per test pays about a millisecond instead of several).
var memoryImage struct {
	once sync.Once
	img  []byte
	err  error
}

// serializer and deserializer are the methods of modernc's driver connection that copy a whole
// database to and from memory (sqlite3_serialize and sqlite3_deserialize).
type (
	serializer   interface{ Serialize() ([]byte, error) }
	deserializer interface{ Deserialize([]byte) error }
)

// loadMemoryImage makes the (one-connection) in-memory database d a copy of memoryImage, building
// the image on first use by migrating a database of its own. Migrate afterwards finds nothing to do.
func (d *DB) loadMemoryImage(ctx context.Context) error {
	memoryImage.once.Do(func() {
		t := &DB{Path: ":memory:", log: slog.New(slog.DiscardHandler)}
		w, err := sql.Open("sqlite", "file::memory:?"+memoryDSN())
		if err != nil {
			memoryImage.err = err
			return
		}
		defer w.Close()
		w.SetMaxOpenConns(1)
		t.Write, t.Read = w, w
		if memoryImage.err = t.Migrate(ctx); memoryImage.err != nil {
			return
		}
		memoryImage.err = rawConn(ctx, w, func(c any) (err error) {
			memoryImage.img, err = c.(serializer).Serialize()
			return err
		})
	})
	if memoryImage.err != nil {
		return fmt.Errorf("db: in-memory template: %w", memoryImage.err)
	}
	return rawConn(ctx, d.Write, func(c any) error { return c.(deserializer).Deserialize(memoryImage.img) })
}

// Snapshot copies a whole in-memory database (sqlite3_serialize), for Restore: a test that changes
// the database again and again can go back to a known state in a memcpy instead of deleting and
// writing its rows again. It fails for a database file.
func (d *DB) Snapshot(ctx context.Context) ([]byte, error) {
	if !d.InMemory() {
		return nil, fmt.Errorf("db: %s is a file; only an in-memory database has snapshots", d.Path)
	}
	var img []byte
	err := rawConn(ctx, d.Write, func(c any) (err error) {
		img, err = c.(serializer).Serialize()
		return err
	})
	return img, err
}

// Restore makes the in-memory database a copy of a Snapshot of it (sqlite3_deserialize). The
// caller must not be inside a transaction of d.
func (d *DB) Restore(ctx context.Context, img []byte) error {
	if !d.InMemory() {
		return fmt.Errorf("db: %s is a file; only an in-memory database has snapshots", d.Path)
	}
	return rawConn(ctx, d.Write, func(c any) error { return c.(deserializer).Deserialize(img) })
}

// rawConn runs fn on the driver connection of a one-connection pool.
func rawConn(ctx context.Context, pool *sql.DB, fn func(driverConn any) error) error {
	c, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(fn)
}

// InMemory reports whether d is an in-memory database (":memory:"), which lives as long as d.
func (d *DB) InMemory() bool { return d.Path == ":memory:" || d.Path == "" }

// memoryDSN is the query part of an in-memory database's DSN.
func memoryDSN() string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", pageSize)
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	return q.Encode()
}

// Migrate applies every pending embedded migration, one at a time, logging each as it starts and
// when it ends with its duration (a rebuild of a large table can take minutes: the log says which
// one is running). It refuses a database whose schema is newer than this binary's.
func (d *DB) Migrate(ctx context.Context) error {
	current, err := schemaVersion(ctx, d.Write)
	if err != nil {
		return fmt.Errorf("cannot read the schema version of %s: %w", d.Path, err)
	}
	if current > LatestVersion() {
		return &SchemaTooNewError{Path: d.Path, Version: current, Latest: LatestVersion()}
	}
	pending := PendingMigrations(current)
	if len(pending) == 0 {
		return nil
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, d.Write, Migrations())
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, m := range pending {
		d.log.Info("migration started", "db", d.Path, "version", m.Version, "file", m.File)
		began := time.Now()
		if _, err := p.UpByOne(ctx); err != nil {
			d.log.Error("migration failed", "db", d.Path, "version", m.Version, "file", m.File, "duration", time.Since(began), "err", err)
			return fmt.Errorf("migration %s of %s failed: %w", m.File, d.Path, err)
		}
		d.log.Info("migration finished", "db", d.Path, "version", m.Version, "file", m.File, "duration", time.Since(began))
	}
	return nil
}

// Migration is one embedded schema migration.
type Migration struct {
	Version int64
	File    string
}

// PendingMigrations lists, in order, the embedded migrations a database at schema version current
// has not applied yet.
func PendingMigrations(current int64) []Migration {
	var out []Migration
	entries, _ := fs.ReadDir(Migrations(), ".") // sorted by name, and the names start with the version
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > current {
			out = append(out, Migration{Version: n, File: e.Name()})
		}
	}
	return out
}

// SchemaTooNewError is the refusal to open a database whose schema is newer than the one this
// binary was built for: a newer callstore migrated it, and this one would misread it.
type SchemaTooNewError struct {
	Path            string
	Version, Latest int64 // the database's schema version, and this binary's
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database %s has schema version %d, newer than this callstore's schema version %d: "+
		"it was migrated by a newer callstore; run that version or a later one (callstore version prints a binary's schema)",
		e.Path, e.Version, e.Latest)
}

// schemaVersion reads the schema version goose recorded in the database, 0 when it has none (a new
// file). goose's own table is not part of the schema sqlc reads, so these are plain statements.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'").Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version").Scan(&v)
	return v.Int64, err
}

// checkSchema returns a *SchemaTooNewError when the database's schema is newer than this binary's.
func checkSchema(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, path string) error {
	v, err := schemaVersion(ctx, q)
	if err != nil {
		return fmt.Errorf("cannot read the schema version of %s: %w", path, err)
	}
	if v > LatestVersion() {
		return &SchemaTooNewError{Path: path, Version: v, Latest: LatestVersion()}
	}
	return nil
}

// checkPath explains, in plain words and before SQLite tries, why path cannot be a database callstore
// writes: a folder that does not exist, a folder in its place, a file it may not write. It reports
// whether the file exists.
func checkPath(path string) (exists bool, err error) {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("folder %s does not exist", dir)
	} else if err != nil {
		return false, err
	} else if !fi.IsDir() {
		return false, fmt.Errorf("%s is not a folder", dir)
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if fi.IsDir() {
		return true, fmt.Errorf("%s is a folder, not a database file", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if isReadOnly(err) {
		return true, fmt.Errorf("database file %s is read-only: fix its permissions (callstore writes the file, and its -wal and -shm files next to it)", path)
	} else if err != nil {
		return true, err
	}
	return true, f.Close()
}

func isReadOnly(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// openError explains why SQLite could not open path (checkPath has ruled out the common causes).
func openError(path string, existed bool, err error) error {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 14: // SQLITE_CANTOPEN: the file, or its -wal or -shm, cannot be created or opened
			return fmt.Errorf("cannot open database file %s: callstore must be able to create files in folder %s (the database, its -wal and -shm)", path, filepath.Dir(path))
		case 8: // SQLITE_READONLY
			return fmt.Errorf("database file %s is read-only: fix its permissions (callstore writes the file, and its -wal and -shm files next to it)", path)
		case 26: // SQLITE_NOTADB
			return fmt.Errorf("%s is not a SQLite database file", path)
		}
	}
	if !existed {
		return fmt.Errorf("cannot create database file %s: %w", path, err)
	}
	return fmt.Errorf("cannot open database file %s: %w", path, err)
}

// Version reports the schema version the database is at.
// It reads through the reader pool, so it never waits for a write transaction.
func (d *DB) Version(ctx context.Context) (int64, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, d.Read, Migrations())
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// checkpointer copies committed WAL frames into the database file every checkpointEvery, on its
// own connection, so that no request pays for a checkpoint in its commit. PASSIVE never blocks the
// writer or the readers; it copies what no reader still needs, and a later round does the rest.
// After a deletion (NoteDeletion) a round that copied every frame also truncates the WAL (see
// truncateWAL); when it cannot, the next round tries again. On Close it runs a last TRUNCATE
// checkpoint, leaving an empty WAL behind.
func (d *DB) checkpointer() {
	defer close(d.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	// PRAGMA statements are not queries sqlc can compile; this is the one place that runs one.
	for {
		select {
		case <-d.stopCkpt:
			d.ckptMu.Lock()
			_, _ = d.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			d.ckptMu.Unlock()
			return
		case <-t.C:
			d.checkpointRound()
		}
	}
}

// checkpointRound is one round of the background checkpointer.
func (d *DB) checkpointRound() {
	d.ckptMu.Lock()
	defer d.ckptMu.Unlock()
	finished, err := d.Checkpoints.record(d.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)"))
	if !d.truncate.Load() {
		return
	}
	// While deletions keep coming (a purge commits a batch every ~60 ms), wait for a round without
	// one, or until truncateWithin has passed: a TRUNCATE holds the write lock while it copies the
	// newest frames and syncs the file, and writers that meet it back off for tens of milliseconds.
	now := time.Now().UnixNano()
	quiet := now-d.lastDeletion.Load() >= int64(checkpointEvery)
	if !quiet && now-d.pendingSince.Load() < int64(truncateWithin) {
		return
	}
	if !d.truncate.Swap(false) {
		return
	}
	// A deletion committed: the WAL's frames, old and new, still hold what it removed. Frames a
	// reader still needs (PASSIVE did not finish) mean a reader on an old snapshot, which would
	// make the TRUNCATE fail too; then the next round tries again.
	if err == nil && finished {
		finished, err = d.truncateWAL()
	}
	if err != nil || !finished {
		d.Checkpoints.TruncateBusy.Add(1)
		d.truncate.Store(true)
	}
}

// truncateWithin bounds how long the background checkpointer puts a truncation off while
// deletions keep coming: deleted rows leave the WAL at most this long after a deletion, plus a round.
const truncateWithin = 2 * time.Second

// truncateWait is how long the background checkpointer's TRUNCATE checkpoint waits for the writer
// to finish its transaction and for readers of the WAL to finish theirs; the writer waits for it
// meanwhile, so it is short, and a TRUNCATE that gives up is retried the next round.
const truncateWait = 20 // milliseconds

// truncateWAL runs a TRUNCATE checkpoint on the checkpointer's connection, waiting at most
// truncateWait, and reports whether it finished: the WAL file is then empty (0 bytes). The
// preceding PASSIVE checkpoint has copied the frames, so the TRUNCATE holds the write lock only
// for the few frames committed since, the truncation, and the wait for readers.
//
// It runs on the writer's connection, taken from its pool like any write: writers then queue
// behind it in database/sql and go on the moment it ends. On a connection of its own it made them
// meet SQLite's lock instead, whose busy handler sleeps 25 to 100 ms between tries: writes waited
// up to 300 ms beside a purge.
func (d *DB) truncateWAL() (finished bool, err error) {
	ctx := context.Background()
	c, err := d.Write.Conn(ctx)
	if err != nil {
		d.Checkpoints.Failed.Add(1)
		return false, err
	}
	defer c.Close()
	// busy_timeout is a setting of the connection: restore the DSN's before giving it back (the
	// TRUNCATE on Close waits the full timeout).
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", truncateWait)); err != nil {
		d.Checkpoints.Failed.Add(1)
		return false, err
	}
	defer c.ExecContext(ctx, "PRAGMA busy_timeout = "+busyTimeout)
	return d.Checkpoints.recordTruncate(c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"))
}

// NoteDeletion tells d that a deletion committed. A checkpoint (Checkpoint's next one, the
// background checkpointer's first in a round without a newer deletion, or after truncateWithin)
// then empties the WAL with a TRUNCATE checkpoint, so that the
// frames written before the deletion, which still hold the deleted rows, leave the disk; until
// one finishes, every later checkpoint tries again. Cheap (it sets a flag), and harmless where
// nothing checkpoints: in memory there is no file, and under WithoutCheckpoints the WAL is
// emptied by whoever checkpoints it (docs/operations.md).
func (d *DB) NoteDeletion() {
	now := time.Now().UnixNano()
	d.lastDeletion.Store(now)
	if !d.truncate.Swap(true) {
		d.pendingSince.Store(now)
	}
}

// Checkpoint copies every committed WAL frame into the database file, on the writer connection,
// and makes the next write start the WAL over from its beginning (SQLite's RESTART checkpoint; it
// waits for the writer, which must be idle in the caller). The background checkpointer cannot do
// that under a writer that commits back to back, as a bulk load does: its PASSIVE checkpoints copy
// frames, but new frames arrive before the last one is copied, so the WAL grows for the whole load,
// and every page read then searches an ever longer WAL index. A bulk load calls Checkpoint now
// and then to keep the WAL short. SQLite runs one checkpoint at a time and fails a second one
// at once, so Checkpoint takes turns with the background checkpointer. It reports false when
// the checkpoint could not finish (a reader of another process still uses old frames); the WAL
// then restarts at a later checkpoint. After a deletion (NoteDeletion) it is a TRUNCATE checkpoint,
// which also empties the WAL file; one that does not finish leaves that to a later checkpoint.
// A no-op for ":memory:" and WithoutCheckpoints.
func (d *DB) Checkpoint(ctx context.Context) (finished bool, err error) {
	if d.ckpt == nil {
		return true, nil
	}
	d.ckptMu.Lock()
	defer d.ckptMu.Unlock()
	if !d.truncate.Swap(false) {
		return d.Checkpoints.record(d.Write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)"))
	}
	finished, err = d.Checkpoints.recordTruncate(d.Write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"))
	if err != nil || !finished {
		d.Checkpoints.TruncateBusy.Add(1)
		d.truncate.Store(true)
	}
	return finished, err
}

// CheckpointStats counts checkpoints by outcome: finished (every frame copied), busy (a reader
// still needed old frames, so some were left for later), failed (an error), and the WAL frames
// copied into the database file. Truncated counts the checkpoints after a deletion that emptied
// the WAL file (TRUNCATE; they are counted as finished too), TruncateBusy the rounds after a
// deletion that could not, leaving it to a later one. Safe for concurrent use.
type CheckpointStats struct {
	Finished, Busy, Failed, FramesCopied atomic.Int64
	Truncated, TruncateBusy              atomic.Int64
}

// record reads the row of a PRAGMA wal_checkpoint (busy, log frames, checkpointed frames) into the
// counts and reports whether the checkpoint finished.
func (c *CheckpointStats) record(row *sql.Row) (finished bool, err error) {
	var busy, logFrames, copied int64
	if err := row.Scan(&busy, &logFrames, &copied); err != nil {
		c.Failed.Add(1)
		return false, err
	}
	if copied > 0 {
		c.FramesCopied.Add(copied)
	}
	if busy != 0 || copied < logFrames {
		c.Busy.Add(1)
		return false, nil
	}
	c.Finished.Add(1)
	return true, nil
}

// recordTruncate is record for a TRUNCATE checkpoint, which finished only if it emptied the WAL.
func (c *CheckpointStats) recordTruncate(row *sql.Row) (finished bool, err error) {
	finished, err = c.record(row)
	if finished {
		c.Truncated.Add(1)
	}
	return finished, err
}

// WALSize is the size in bytes of the database's write-ahead log (0 in memory or when absent).
func (d *DB) WALSize() int64 {
	if d.InMemory() {
		return 0
	}
	fi, err := os.Stat(d.Path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Close stops the checkpointer and closes the pools.
func (d *DB) Close() error {
	var err error
	d.prepMu.Lock()
	if d.prepared != nil {
		err = d.prepared.Close()
		d.prepared = nil
	}
	d.prepMu.Unlock()
	if d.stopCkpt != nil {
		close(d.stopCkpt)
		<-d.ckptDone
		d.stopCkpt = nil
		err = d.ckpt.Close()
	}
	if d.Read != nil && d.Read != d.Write {
		if e := d.Read.Close(); err == nil {
			err = e
		}
	}
	if d.Write != nil {
		if e := d.Write.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Compact writes a copy of the database into the new file dst (which must not exist): Backup of
// d's own file. Compact is how a file created with another page size gets the current one.
func (d *DB) Compact(ctx context.Context, dst string) error {
	if d.InMemory() {
		return fmt.Errorf("cannot copy %q: it is not a file", d.Path)
	}
	return Backup(ctx, d.Path, dst)
}

// LatestVersion is the schema version the embedded migrations lead to.
func LatestVersion() int64 { return MaxVersion(Migrations()) }

// MaxVersion is the highest version among goose migration files (NNNNN_name.sql) in fsys.
func MaxVersion(fsys fs.FS) int64 {
	var latest int64
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > latest {
			latest = n
		}
	}
	return latest
}

// IsConstraint reports whether err is SQLite refusing a row (a constraint), as opposed to the
// database failing.
func (d *DB) IsConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
