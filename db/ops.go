package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// The operations below work on a database file without opening it the way a server does: one
// plain connection, no migrations, no switch to WAL, no checkpointer. They run beside a server
// (SQLite's file locks coordinate the processes) and leave the file as they found it. PRAGMA
// integrity_check, foreign_key_check and VACUUM INTO are not statements sqlc compiles, so they
// are written here.

// openFile opens one connection to the existing database file path for an operation, after the same
// plain-words checks as Open; query_only makes it read-only. It refuses a database whose schema is
// newer than this binary's.
func openFile(ctx context.Context, path string, queryOnly bool) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q must not contain '?' or '#'", path)
	}
	if err := mustBeFile(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if queryOnly {
		q.Add("_pragma", "query_only(1)")
	}
	c, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(1)
	if err := c.PingContext(ctx); err != nil {
		c.Close()
		return nil, openError(path, true, err)
	}
	if err := checkSchema(ctx, c, path); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// MustExist reports, in plain words, why path is not an existing database file callstore may
// write: its folder or the file is missing, or the file is read-only. Commands that work on an
// existing database call it so that they do not create an empty one.
func MustExist(path string) error {
	if path == ":memory:" || path == "" {
		return fmt.Errorf("%q is not a database file", path)
	}
	exists, err := checkPath(path)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("database file %s does not exist", path)
	}
	return nil
}

// mustBeFile is MustExist for a file that is only read: it may be read-only.
func mustBeFile(path string) error {
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("folder %s does not exist", dir)
	} else if err != nil {
		return err
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if fi, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database file %s does not exist", path)
	} else if err != nil {
		return err
	} else if fi.IsDir() {
		return fmt.Errorf("%s is a folder, not a database file", path)
	}
	return nil
}

// SchemaVersion reads the schema version of the database file path without migrating or otherwise
// changing it; 0 when the file does not exist yet. A schema newer than this binary's is a
// *SchemaTooNewError.
func SchemaVersion(ctx context.Context, path string) (int64, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if _, err := checkPath(path); err != nil {
			return 0, err
		}
		return 0, nil
	}
	c, err := openFile(ctx, path, true)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return schemaVersion(ctx, c)
}

// Check runs SQLite's PRAGMA integrity_check and PRAGMA foreign_key_check on the database file path
// and returns every problem they report, one line each (none: the file is sound). It only reads,
// so it may run beside a server: it sees the last committed state.
func Check(ctx context.Context, path string) (problems []string, err error) {
	c, err := openFile(ctx, path, true)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, fmt.Errorf("integrity_check of %s: %w", path, err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, "integrity: "+line)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("integrity_check of %s: %w", path, err)
	}
	rows, err = c.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, fmt.Errorf("foreign_key_check of %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64 // NULL for a WITHOUT ROWID table
		var fk int64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return nil, err
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		problems = append(problems, fmt.Sprintf("foreign key: %s of %s refers to a row of %s that does not exist (foreign key %d)", row, table, parent, fk))
	}
	return problems, rows.Err()
}

// Backup writes a consistent copy of the database file src into the new file dst (which must not
// exist), with SQLite's VACUUM INTO on a connection of its own: the copy is one read transaction's
// snapshot, so a server may keep writing meanwhile (WAL readers do not block its writer, nor it
// them), and it holds every transaction committed before the backup began. The copy has the page
// size of a new database, no free pages, and is in rollback-journal mode until Open switches it to
// WAL. It is written under a temporary name, synced, and only then linked as dst: a dst that exists
// is always complete.
func Backup(ctx context.Context, src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s already exists: back up into a new file", dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := copyInto(ctx, src, dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// A link never replaces a file that appeared meanwhile; where the file system has no links,
	// a rename after one more look does.
	if err := os.Link(tmp, dst); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: back up into a new file", dst)
	} else if err != nil {
		if _, serr := os.Lstat(dst); serr == nil {
			return fmt.Errorf("%s already exists: back up into a new file", dst)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return err
		}
	}
	return syncDir(filepath.Dir(dst))
}

// copyInto writes a VACUUM INTO copy of src into a new temporary file in the folder of dst, syncs
// it, and returns its name.
func copyInto(ctx context.Context, src, dst string) (tmp string, err error) {
	dir := filepath.Dir(dst)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("folder %s does not exist", dir)
	} else if err != nil {
		return "", err
	} else if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder", dir)
	}
	c, err := openFile(ctx, src, false) // VACUUM INTO writes, if not to src: query_only would refuse it
	if err != nil {
		return "", err
	}
	defer c.Close()
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".tmp-*") // VACUUM INTO accepts an empty file
	if err != nil {
		return "", fmt.Errorf("cannot write into folder %s: %w", dir, err)
	}
	tmp = f.Name()
	f.Close()
	fail := func(err error) (string, error) {
		os.Remove(tmp)
		return "", err
	}
	// The page_size pragma on an existing file sets the size VACUUM INTO writes; src keeps its own.
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSizeBytes)); err != nil {
		return fail(err)
	}
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fail(fmt.Errorf("copying %s: %w", src, err))
	}
	// SQLite does not sync what VACUUM INTO wrote.
	if f, err = os.OpenFile(tmp, os.O_RDWR, 0); err != nil {
		return fail(err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	return tmp, nil
}

// ErrInUse is returned by Restore when another connection (a running server, another command)
// has the database file open.
var ErrInUse = errors.New("the database is in use")

// Restore replaces the database file dst with a copy of the backup src: src is copied (VACUUM INTO)
// into a temporary file next to dst, dst's -wal and -shm files are removed (SQLite would otherwise
// apply the old WAL to the restored file), and the copy is renamed to dst. It refuses, with an
// error wrapping ErrInUse, while any connection has dst open: stop the server first. src is not
// checked here (callstore restore runs Check on it first). The restored file keeps the permissions
// and, where the caller may give files away (root), the owner of the file it replaces; a new file is
// readable by its owner only, like a backup.
func Restore(ctx context.Context, src, dst string) error {
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder, not a database file", dst)
	}
	tmp, err := copyInto(ctx, src, dst)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := notInUse(ctx, dst); err != nil {
		return err
	}
	for _, f := range []string{dst + "-wal", dst + "-shm", dst + "-journal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if fi, err := os.Stat(dst); err == nil {
		// The restored file is the server's as the old one was: same permissions, and (as root,
		// which may give files away) the same owner.
		if err := os.Chmod(tmp, fi.Mode().Perm()); err != nil {
			return err
		}
		if err := sameOwner(tmp, fi); err != nil {
			return fmt.Errorf("cannot give the restored file the owner of %s: %w", dst, err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// notInUse returns an error wrapping ErrInUse when another connection, in this process or another,
// has the database file path open. It asks SQLite: a connection in exclusive locking mode must take
// an exclusive lock on the file to read it, which fails at once (busy_timeout 0) while any other
// connection holds its shared lock, as every open connection to a WAL database does.
func notInUse(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	var n int
	err = c.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n)
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == 5 { // SQLITE_BUSY
		return fmt.Errorf("%s is open in another process (a running callstore serve?): stop it before restoring: %w", path, ErrInUse)
	}
	return nil // a file SQLite cannot read is about to be replaced anyway
}

// syncDir makes a rename or a new link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
