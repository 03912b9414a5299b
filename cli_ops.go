package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
)

// The operations commands: schema migrations, integrity checks, backups and restores, the version.
// docs/operations.md is their manual.

// cliLogger is how commands other than serve log (the migrations a command applies): text lines
// on stderr, so that stdout carries only the command's answer.
func cliLogger(e env) *slog.Logger { return slog.New(slog.NewTextHandler(e.stderr, nil)) }

// openDB opens the database at path for a command or the server: migrations are logged to log, and
// CALLSTORE_CHECKPOINTS=off leaves checkpoints to another process (Litestream, docs/operations.md).
func openDB(ctx context.Context, e env, path string, log *slog.Logger) (*db.DB, error) {
	if postgres.IsURL(path) {
		return nil, fmt.Errorf("this command works on a SQLite file, not on PostgreSQL (%s): docs/scale-out.md says what to use there", dbName(path))
	}
	opts := []db.Option{db.WithLogger(log)}
	switch v := e.getenv("CALLSTORE_CHECKPOINTS"); v {
	case "", "on":
	case "off":
		opts = append(opts, db.WithoutCheckpoints())
	default:
		return nil, fmt.Errorf("CALLSTORE_CHECKPOINTS must be on or off, not %q", v)
	}
	return db.Open(ctx, path, opts...)
}

// problemsFound is the error of check and restore when a database has problems (exit code 3).
type problemsFound struct {
	path string
	n    int
}

func (p *problemsFound) Error() string {
	return fmt.Sprintf("%s has %d problem(s), listed above: restore it from a backup (docs/operations.md)", p.path, p.n)
}

func runMigrate(ctx context.Context, args []string, e env) error {
	fs := newFlags("migrate", e)
	path := dbFlag(fs, e)
	dryRun := fs.Bool("dry-run", false, "list the migrations that would run, and change nothing")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if postgres.IsURL(*path) {
		return migratePostgres(ctx, e, *path, *dryRun)
	}
	if *dryRun {
		return migratePlan(ctx, e, *path)
	}
	d, err := openDB(ctx, e, *path, cliLogger(e)) // Open applies pending migrations
	if err != nil {
		return err
	}
	defer d.Close()
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is at schema version %d\n", *path, v)
	return nil
}

// migratePostgres applies pending migrations to a PostgreSQL database (postgres.Open does).
func migratePostgres(ctx context.Context, e env, url string, dryRun bool) error {
	if dryRun {
		return fmt.Errorf("-dry-run reads a SQLite file; on PostgreSQL, run migrate (nodes that start together migrate once)")
	}
	d, err := postgres.Open(ctx, url, postgres.WithLogger(cliLogger(e)))
	if err != nil {
		return err
	}
	defer d.Close()
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is at schema version %d\n", d.URL, v)
	return nil
}

// migratePlan prints what `migrate` would do to the database at path, without opening it for writing.
func migratePlan(ctx context.Context, e env, path string) error {
	_, statErr := os.Stat(path)
	v, err := db.SchemaVersion(ctx, path)
	if err != nil {
		return err
	}
	pending := db.PendingMigrations(v)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		fmt.Fprintf(e.stdout, "%s does not exist; migrate would create it and apply %d migration(s):\n", path, len(pending))
	case len(pending) == 0:
		fmt.Fprintf(e.stdout, "%s is at schema version %d: nothing to apply\n", path, v)
		return nil
	default:
		fmt.Fprintf(e.stdout, "%s is at schema version %d; migrate would apply %d migration(s):\n", path, v, len(pending))
	}
	for _, m := range pending {
		fmt.Fprintf(e.stdout, "  %s\n", m.File)
	}
	return nil
}

// runCheck runs SQLite's integrity and foreign-key checks with callstore's own SQLite.
func runCheck(ctx context.Context, args []string, e env) error {
	fs := newFlags("check", e)
	path := dbFlag(fs, e)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	return check(ctx, e, *path)
}

// check prints the problems db.Check finds in path, or one line saying there are none.
func check(ctx context.Context, e env, path string) error {
	if postgres.IsURL(path) {
		return fmt.Errorf("check reads a SQLite file; on PostgreSQL use pg_amcheck (docs/scale-out.md)")
	}
	problems, err := db.Check(ctx, path)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	if len(problems) > 0 {
		return &problemsFound{path: path, n: len(problems)}
	}
	fmt.Fprintf(e.stdout, "%s: ok (integrity_check and foreign_key_check found no problem)\n", path)
	return nil
}

// runBackup writes a consistent copy of a database, while a server may be writing it.
func runBackup(ctx context.Context, args []string, e env) error {
	return backup(ctx, args, e, "backup", func(src, dst string, size int64, took time.Duration) string {
		return fmt.Sprintf("backed up %s into %s (%.1f MB in %s)", src, dst, float64(size)/1e6, took.Round(time.Millisecond))
	})
}

// runCompact is backup under the name it had first: every backup is compacted (current page size,
// no free pages).
func runCompact(ctx context.Context, args []string, e env) error {
	return backup(ctx, args, e, "compact", func(src, dst string, _ int64, _ time.Duration) string {
		return src + " copied into " + dst
	})
}

func backup(ctx context.Context, args []string, e env, name string, done func(src, dst string, size int64, took time.Duration) string) error {
	fs := newFlags(name, e)
	path := dbFlag(fs, e)
	into := fs.String("into", "", "the new file to write (required; must not exist)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "into"); err != nil {
		return err
	}
	if postgres.IsURL(*path) {
		return fmt.Errorf("%s copies a SQLite file; on PostgreSQL use pg_dump or pg_basebackup (docs/scale-out.md)", name)
	}
	began := time.Now()
	if err := db.Backup(ctx, *path, *into); err != nil {
		return err
	}
	var size int64
	if fi, err := os.Stat(*into); err == nil {
		size = fi.Size()
	}
	fmt.Fprintln(e.stdout, done(*path, *into, size, time.Since(began)))
	return nil
}

// runRestore replaces a database with a copy of a backup, after checking the backup.
func runRestore(ctx context.Context, args []string, e env) error {
	fs := newFlags("restore", e)
	from := fs.String("from", "", "the backup file to restore (required)")
	path := dbFlag(fs, e)
	force := fs.Bool("force", false, "replace the database file when it exists")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "from"); err != nil {
		return err
	}
	if *path == ":memory:" || postgres.IsURL(*path) {
		return fmt.Errorf("-db must name a SQLite file to restore into (on PostgreSQL use pg_restore, docs/scale-out.md)")
	}
	if _, err := os.Stat(*path); err == nil && !*force {
		return fmt.Errorf("%s exists: restore replaces it only with -force (stop the server that uses it first)", *path)
	}
	if err := check(ctx, e, *from); err != nil {
		var p *problemsFound
		if errors.As(err, &p) {
			return fmt.Errorf("not restoring from %s: %w", *from, err)
		}
		return err
	}
	if err := db.Restore(ctx, *from, *path); err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx, *path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "restored %s from %s (schema version %d); start the server when ready (it applies any pending migration)\n", *path, *from, v)
	return nil
}

func runVersion(ctx context.Context, args []string, e env) error {
	fs := newFlags("version", e)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionLine(version, bi))
	return nil
}

// versionLine describes this binary: its version (the -ldflags "-X main.version=..." value, else
// the module version the Go toolchain recorded, else "dev"), the VCS revision it was built from,
// the schema version it serves, and the Go version that built it.
func versionLine(v string, bi *debug.BuildInfo) string {
	var about []string
	if bi != nil {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if modified == "true" {
				rev += "+dirty"
			}
			about = append(about, "revision "+rev)
		}
	}
	about = append(about, fmt.Sprintf("schema %d", db.LatestVersion()))
	if bi != nil && bi.GoVersion != "" {
		about = append(about, bi.GoVersion)
	}
	return fmt.Sprintf("callstore %s (%s)", v, strings.Join(about, ", "))
}
