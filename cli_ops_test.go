package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"

	"github.com/pressly/goose/v3"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the callstore binary of this tree, built once for the tests that need a real process
// (exit codes, build information, another user).
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

// binary builds callstore (with VCS stamping when the tree is a checkout) and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		gotool, err := exec.LookPath("go")
		if err != nil {
			gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if built.dir, built.err = os.MkdirTemp("", "callstore-bin-"); built.err != nil {
			return
		}
		os.Chmod(built.dir, 0o755) // runnable by another user (TestCLIReadOnlyDatabase)
		built.bin = filepath.Join(built.dir, "callstore")
		out, err := exec.Command(gotool, "build", "-buildvcs=auto", "-o", built.bin, ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// runBinary runs the built binary and returns its exit code and output.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCommand(t, exec.Command(binary(t), args...))
}

// runBinaryAs runs the built binary as the user uid (the test must run as root).
func runBinaryAs(t *testing.T, uid uint32, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	cmd.Dir = "/"
	return runCommand(t, cmd)
}

func runCommand(t *testing.T, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// dbAtVersion creates a database file at schema version v, as the binary of that schema would have.
func dbAtVersion(t *testing.T, path string, v int64) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, db.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
}

// execSQL runs statements on the file through a plain connection (below callstore, on purpose).
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestCLISchemaNewerRefused: serve and every command refuse a database migrated by a newer
// callstore, name both versions, leave the file alone, and exit with code 2.
func TestCLISchemaNewerRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "newer.db")
	company := createCompany(t, path, "Acme")
	newer := db.LatestVersion() + 1
	execSQL(t, path, fmt.Sprintf("INSERT INTO goose_db_version (version_id, is_applied) VALUES (%d, 1)", newer))
	sum := fileSum(t, path)
	want := fmt.Sprintf("schema version %d, newer than this callstore's schema version %d", newer, db.LatestVersion())
	for _, args := range [][]string{
		{"serve", "-addr", "127.0.0.1:0"},
		{"company", "create", "-name", "x"},
		{"company", "list"},
		{"apikey", "create", "-company", company, "-name", "x"},
		{"apikey", "list", "-company", company},
		{"app", "create", "-company", company, "-name", "x"},
		{"seed", "-calls", "1"},
		{"migrate"},
		{"migrate", "-dry-run"},
		{"check"},
		{"backup", "-into", filepath.Join(dir, "b.db")},
		{"compact", "-into", filepath.Join(dir, "c.db")},
		{"restore", "-force", "-from", path, "-db", filepath.Join(dir, "r.db")},
	} {
		t.Run(strings.Join(args[:1], " "), func(t *testing.T) {
			stdout, _, err := cli(t, nil, append(args, "-db", path)...)
			var e *db.SchemaTooNewError
			if !errors.As(err, &e) || !strings.Contains(err.Error(), want) || exitCode(err) != exitSchemaNewer {
				t.Fatalf("%v: err = %v (stdout %q), want a refusal naming both versions", args, err, stdout)
			}
			if fileSum(t, path) != sum {
				t.Fatalf("%v changed the file", args)
			}
		})
	}
	for _, f := range []string{"b.db", "c.db", "r.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Fatalf("%s was written from a database this binary cannot read", f)
		}
	}
	t.Run("ExitCode", func(t *testing.T) {
		code, _, stderr := runBinary(t, "company", "list", "-db", path)
		if code != 2 || !strings.Contains(stderr, want) {
			t.Fatalf("exit %d, stderr %q; want exit 2", code, stderr)
		}
	})
}

// TestCLIMigrationsLoggedAndDryRun: -dry-run lists the pending migrations and changes nothing; a
// real run logs each migration as it starts and ends, with its duration, on stderr.
func TestCLIMigrationsLoggedAndDryRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	dbAtVersion(t, path, 1)
	sum := fileSum(t, path)

	entries, err := fs.ReadDir(db.Migrations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	var pending []string // every migration after the first, in order
	for _, e := range entries[1:] {
		pending = append(pending, "  "+e.Name()+"\n")
	}
	want := fmt.Sprintf("%s is at schema version 1; migrate would apply %d migration(s):\n%s", path, len(pending), strings.Join(pending, ""))
	stdout, stderr, err := cli(t, nil, "migrate", "-db", path, "-dry-run")
	if err != nil || stdout != want || stderr != "" {
		t.Fatalf("dry run = %q %q, %v; want %q", stdout, stderr, err, want)
	}
	if fileSum(t, path) != sum {
		t.Fatal("the dry run changed the file")
	}
	absent := filepath.Join(t.TempDir(), "absent.db")
	if stdout, _, err := cli(t, nil, "migrate", "-db", absent, "-dry-run"); err != nil || !strings.Contains(stdout, fmt.Sprintf("does not exist; migrate would create it and apply %d migration(s)", len(entries))) {
		t.Fatalf("dry run on no file = %q, %v", stdout, err)
	}
	if _, err := os.Stat(absent); !os.IsNotExist(err) {
		t.Fatal("the dry run created the file")
	}

	stdout, stderr, err = cli(t, nil, "migrate", "-db", path)
	if err != nil || stdout != fmt.Sprintf("%s is at schema version %d\n", path, db.LatestVersion()) {
		t.Fatalf("migrate = %q, %v", stdout, err)
	}
	for _, v := range []string{"2 file=00002_call_counts.sql", "3 file=00003_cluster_calls.sql"} {
		started := regexp.MustCompile(`level=INFO msg="migration started" db=\S+ version=` + v + "\n")
		finished := regexp.MustCompile(`level=INFO msg="migration finished" db=\S+ version=` + v + ` duration=[0-9.]+[µnm]?s\n`)
		if !started.MatchString(stderr) || !finished.MatchString(stderr) {
			t.Fatalf("stderr %q: want the start and the end (with duration) of migration %s", stderr, v)
		}
	}
	if stdout, _, err := cli(t, nil, "migrate", "-db", path, "-dry-run"); err != nil || !strings.HasSuffix(stdout, ": nothing to apply\n") {
		t.Fatalf("dry run when current = %q, %v", stdout, err)
	}
}

// TestCLICheck: a sound file passes; a dangling foreign key and a damaged page are each reported,
// with exit code 3.
func TestCLICheck(t *testing.T) {
	dir := t.TempDir()
	newDB := func(name string) string {
		path := filepath.Join(dir, name)
		c := createCompany(t, path, "Acme")
		for i := range 40 {
			createKey(t, path, c, "-name", fmt.Sprintf("k%d", i))
		}
		return path
	}
	t.Run("OK", func(t *testing.T) {
		path := newDB("ok.db")
		stdout, _, err := cli(t, nil, "check", "-db", path)
		if err != nil || stdout != path+": ok (integrity_check and foreign_key_check found no problem)\n" {
			t.Fatalf("check = %q, %v", stdout, err)
		}
	})
	t.Run("ForeignKey", func(t *testing.T) {
		path := newDB("fk.db")
		execSQL(t, path, "INSERT INTO api_keys (id, company_id, name, key_hash, last_four, creator_id, created_date) VALUES ('k', 'nobody', 'n', 'h', 'abcd', 'k', 1)")
		stdout, _, err := cli(t, nil, "check", "-db", path)
		if err == nil || exitCode(err) != exitProblems || !regexp.MustCompile(`foreign key: row \d+ of api_keys refers to a row of companies that does not exist`).MatchString(stdout) {
			t.Fatalf("check = %q, %v", stdout, err)
		}
	})
	t.Run("DamagedPage", func(t *testing.T) {
		path := newDB("bad.db")
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		var root, pageSize int64
		if err := raw.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'api_keys_company_created'").Scan(&root); err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(make([]byte, pageSize), (root-1)*pageSize); err != nil {
			t.Fatal(err)
		}
		f.Close()
		stdout, _, err := cli(t, nil, "check", "-db", path)
		if err == nil || exitCode(err) != exitProblems || !strings.Contains(stdout, "integrity: ") {
			t.Fatalf("check = %q, %v", stdout, err)
		}
		if code, _, _ := runBinary(t, "check", "-db", path); code != 3 {
			t.Fatalf("exit code %d, want 3", code)
		}
	})
}

// TestCLIBackupUnderWritesAndRestore: a backup taken while a goroutine writes calls through the
// store is a consistent snapshot holding every call acknowledged before it began; restored into a
// new file, it passes check. Restore refuses a database that is open and a damaged backup.
func TestCLIBackupUnderWritesAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live, backupPath, restored := filepath.Join(dir, "live.db"), filepath.Join(dir, "backup.db"), filepath.Join(dir, "restored.db")
	d, err := db.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCompany(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	p := store.Principal{CompanyID: c.ID}

	var mu sync.Mutex
	var acked []string // ids of the calls whose write returned, in commit order (one writer)
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			call, err := s.CreateCall(ctx, p, store.CallInput{FromNumber: "+34910000000", ToNumber: fmt.Sprintf("+346%08d", i)})
			if err != nil {
				done <- err
				return
			}
			mu.Lock()
			acked = append(acked, call.ID)
			mu.Unlock()
		}
	}()
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for deadline := time.Now().Add(20 * time.Second); count() < 500; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the writer did not get going")
		}
	}
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	stdout, _, err := cli(t, nil, "backup", "-db", live, "-into", backupPath)
	during := count() - len(before)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("a write failed while the backup ran: %v", werr)
	}
	if err != nil || !strings.HasPrefix(stdout, "backed up "+live+" into "+backupPath) {
		t.Fatalf("backup = %q, %v", stdout, err)
	}
	t.Logf("%d calls acknowledged before the backup, %d while it ran", len(before), during)

	stdout, _, err = cli(t, nil, "restore", "-from", backupPath, "-db", restored)
	if err != nil || !strings.Contains(stdout, "restored "+restored+" from "+backupPath) {
		t.Fatalf("restore = %q, %v", stdout, err)
	}
	if stdout, _, err := cli(t, nil, "check", "-db", restored); err != nil {
		t.Fatalf("check of the restored file = %q, %v", stdout, err)
	}
	rd, err := db.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, err := rd.Read.QueryContext(ctx, "SELECT id FROM calls WHERE company_id = ? ORDER BY created_date, id", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var counted int
	if err := rd.Read.QueryRowContext(ctx, "SELECT calls FROM company_call_counts WHERE company_id = ?", c.ID).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	rd.Close()
	// Consistent: exactly the first len(ids) calls committed, and the trigger-kept counter agrees.
	mu.Lock()
	defer mu.Unlock()
	if len(ids) < len(before) || len(ids) > len(acked) || !slices.Equal(sorted(ids), sorted(acked[:len(ids)])) || counted != len(ids) {
		t.Fatalf("the copy holds %d calls (counter %d): want every one of the %d acknowledged before the backup, and a prefix of the %d committed",
			len(ids), counted, len(before), len(acked))
	}

	t.Run("RefusesAnOpenDatabase", func(t *testing.T) {
		before, err := os.Stat(live) // its bytes change as the store's checkpointer runs: compare the file
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = cli(t, nil, "restore", "-from", backupPath, "-db", live, "-force")
		if !errors.Is(err, db.ErrInUse) || !strings.Contains(err.Error(), "stop it before restoring") {
			t.Fatalf("restore over an open database: %v", err)
		}
		if after, err := os.Stat(live); err != nil || !os.SameFile(before, after) {
			t.Fatal("the refused restore replaced the file")
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".live.db.tmp-*")); len(left) > 0 {
			t.Fatalf("the refused restore left %v behind", left)
		}
	})
	s.Close()
	d.Close()
	t.Run("RefusesARunningServer", func(t *testing.T) {
		cmd := exec.Command(binary(t), "serve", "-db", live, "-addr", "127.0.0.1:0")
		var logs syncBuffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
		waitListening(t, &logs)
		_, _, err := cli(t, nil, "restore", "-from", backupPath, "-db", live, "-force")
		if !errors.Is(err, db.ErrInUse) {
			t.Fatalf("restore under a server in another process: %v", err)
		}
	})
	t.Run("NeedsForce", func(t *testing.T) {
		if _, _, err := cli(t, nil, "restore", "-from", backupPath, "-db", live); err == nil || !strings.Contains(err.Error(), "only with -force") {
			t.Fatalf("restore over an existing file without -force: %v", err)
		}
	})
	t.Run("RefusesADamagedBackup", func(t *testing.T) {
		bad := filepath.Join(dir, "bad-backup.db")
		if _, _, err := cli(t, nil, "backup", "-db", backupPath, "-into", bad); err != nil {
			t.Fatal(err)
		}
		execSQL(t, bad, "PRAGMA foreign_keys = OFF", "DELETE FROM companies")
		sum := fileSum(t, live)
		_, _, err := cli(t, nil, "restore", "-from", bad, "-db", live, "-force")
		if err == nil || exitCode(err) != exitProblems || !strings.Contains(err.Error(), "not restoring from "+bad) {
			t.Fatalf("restore from a damaged backup: %v", err)
		}
		if fileSum(t, live) != sum {
			t.Fatal("the refused restore changed the file")
		}
	})
	t.Run("OverAStoppedDatabase", func(t *testing.T) {
		// A crashed server leaves its WAL behind; this one comes from another database, whose
		// frames would overwrite pages of the restored file if SQLite were left to replay them.
		other := filepath.Join(dir, "other.db")
		od, err := db.Open(ctx, other, db.WithoutCheckpoints())
		if err != nil {
			t.Fatal(err)
		}
		os2, err := store.New(ctx, od)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			if _, err := os2.CreateCompany(ctx, fmt.Sprintf("stale-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		wal, err := os.ReadFile(other + "-wal")
		if err != nil || len(wal) == 0 {
			t.Fatalf("no WAL to plant (%d bytes, %v)", len(wal), err)
		}
		os2.Close()
		od.Close()
		if err := os.WriteFile(live+"-wal", wal, 0o644); err != nil {
			t.Fatal(err)
		}

		// The server's file, as the server's user would have it.
		if err := os.Chmod(live, 0o640); err != nil {
			t.Fatal(err)
		}
		asRoot := os.Geteuid() == 0
		if asRoot {
			if err := os.Chown(live, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}

		if _, _, err := cli(t, nil, "restore", "-from", backupPath, "-db", live, "-force"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(live)
		if err != nil || fi.Mode().Perm() != 0o640 {
			t.Fatalf("restored file mode %v (%v), want the replaced file's 0640", fi.Mode(), err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); asRoot && ok && (st.Uid != 65534 || st.Gid != 65534) {
			t.Fatalf("restored file owned by %d:%d, want the replaced file's 65534:65534", st.Uid, st.Gid)
		}
		for _, f := range []string{live + "-wal", live + "-shm"} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Fatalf("%s left next to the restored file", f)
			}
		}
		if stdout, _, err := cli(t, nil, "check", "-db", live); err != nil {
			t.Fatalf("check = %q, %v", stdout, err)
		}
		raw, err := sql.Open("sqlite", "file:"+live)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var n, companies int
		if err := raw.QueryRow("SELECT count(*) FROM calls").Scan(&n); err != nil || n != len(ids) {
			t.Fatalf("the restored file holds %d calls (%v), the backup %d", n, err, len(ids))
		}
		if err := raw.QueryRow("SELECT count(*) FROM companies").Scan(&companies); err != nil || companies != 1 {
			t.Fatalf("the restored file holds %d companies (%v), the backup 1", companies, err)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestCLIVersion: the -ldflags value when a build sets one, else the module version, with the VCS
// revision and the schema version; --version is the same command.
func TestCLIVersion(t *testing.T) {
	schema := fmt.Sprintf("schema %d", db.LatestVersion())
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "callstore", Version: "v0.0.0-20261130041618-cbcfd1f6aae8+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "cbcfd1f6aae87aee058a63cf06512769a42c7af1"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		version string
		bi      *debug.BuildInfo
		want    string
	}{
		{"dev", bi, "callstore v0.0.0-20261130041618-cbcfd1f6aae8+dirty (revision cbcfd1f6aae87aee058a63cf06512769a42c7af1+dirty, " + schema + ", go1.26.8)"},
		{"1.4.0", bi, "callstore 1.4.0 (revision cbcfd1f6aae87aee058a63cf06512769a42c7af1+dirty, " + schema + ", go1.26.8)"},
		{"dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "callstore dev (" + schema + ")"},
		{"dev", nil, "callstore dev (" + schema + ")"},
	} {
		if got := versionLine(tc.version, tc.bi); got != tc.want {
			t.Errorf("versionLine(%q) = %q, want %q", tc.version, got, tc.want)
		}
	}
	a, _, err := cli(t, nil, "version")
	b, _, err2 := cli(t, nil, "--version")
	if err != nil || err2 != nil || a != b || !strings.HasPrefix(a, "callstore ") || !strings.Contains(a, schema) {
		t.Fatalf("version = %q (%v), --version = %q (%v)", a, err, b, err2)
	}
	// The built binary reads its own build information.
	code, stdout, _ := runBinary(t, "--version")
	if code != 0 || !strings.Contains(stdout, schema) {
		t.Fatalf("callstore --version = %d %q", code, stdout)
	}
	if rev, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		if !strings.Contains(stdout, "revision "+strings.TrimSpace(string(rev))) {
			t.Fatalf("callstore --version = %q, want the revision %s", stdout, rev)
		}
	} else {
		t.Logf("not a git checkout (%v): the revision is not checked", err)
	}
}

// TestCLICheckpointsOff: CALLSTORE_CHECKPOINTS=off, for Litestream, leaves checkpoints to another
// process: the server's commits stay in the WAL instead of reaching the database file.
func TestCLICheckpointsOff(t *testing.T) {
	if _, _, err := cli(t, map[string]string{"CALLSTORE_CHECKPOINTS": "sometimes"}, "company", "create", "-name", "x", "-db", filepath.Join(t.TempDir(), "x.db")); err == nil || !strings.Contains(err.Error(), "CALLSTORE_CHECKPOINTS must be on or off") {
		t.Fatalf("a bad value: %v", err)
	}
	for _, tc := range []struct {
		value     string
		wantGrown bool
	}{{"off", false}, {"", true}} {
		t.Run("CALLSTORE_CHECKPOINTS="+tc.value, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.db")
			ctx, cancel := context.WithCancel(context.Background())
			var stdout, stderr syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "-db", path, "-addr", "127.0.0.1:0"}, func(k string) string {
					if k == "CALLSTORE_CHECKPOINTS" {
						return tc.value
					}
					return ""
				}, &stdout, &stderr)
			}()
			defer func() { cancel(); <-done }()
			m := waitListening(t, &stderr)
			key := regexp.MustCompile(`cs_[0-9a-f]{48}`).FindString(stdout.String())
			time.Sleep(500 * time.Millisecond) // the bootstrap's writes settle
			size := func() int64 { fi, _ := os.Stat(path); return fi.Size() }
			before := size()
			for i := range 200 {
				body := fmt.Sprintf(`{"from_number":"+34910000000","to_number":"+346%08d"}`, i)
				req, _ := http.NewRequest("POST", m+"/v1/call/", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			time.Sleep(time.Second) // four rounds of the background checkpointer, when it runs
			if grown := size() > before; grown != tc.wantGrown {
				t.Fatalf("database file %d -> %d bytes after 200 calls: grown %v, want %v", before, size(), grown, tc.wantGrown)
			}
		})
	}
}

func waitListening(t *testing.T, stderr *syncBuffer) string {
	t.Helper()
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", stderr.String())
		}
	}
}

// TestLitestream runs callstore under Litestream (https://litestream.io) when a litestream binary
// is installed (PATH, or GOPATH/bin: go install github.com/benbjohnson/litestream/cmd/litestream@v0.5.18):
// with CALLSTORE_CHECKPOINTS=off the server leaves checkpoints to Litestream and stops promptly
// (with its own checkpoints on, its last TRUNCATE checkpoint waits out the 10 s busy timeout on
// Litestream's read lock), and the replica restores into a database that passes check with every
// call.
func TestLitestream(t *testing.T) {
	if testing.Short() {
		t.Skip("runs litestream; skipped with -short")
	}
	ls, err := exec.LookPath("litestream")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		ls = filepath.Join(strings.TrimSpace(string(gopath)), "bin", "litestream")
		if _, err := os.Stat(ls); err != nil {
			t.Skip("litestream is not installed (go install github.com/benbjohnson/litestream/cmd/litestream@v0.5.18)")
		}
	}
	dir := t.TempDir()
	path, replica, restoredPath := filepath.Join(dir, "ls.db"), "file://"+filepath.Join(dir, "replica"), filepath.Join(dir, "restored.db")

	srv := exec.Command(binary(t), "serve", "-db", path, "-addr", "127.0.0.1:0")
	srv.Env = append(os.Environ(), "CALLSTORE_CHECKPOINTS=off")
	var srvLog syncBuffer
	srv.Stdout, srv.Stderr = &srvLog, &srvLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srvDone := make(chan struct{})
	go func() { srv.Wait(); close(srvDone) }()
	defer func() { srv.Process.Kill(); <-srvDone }()
	url := waitListening(t, &srvLog)
	key := regexp.MustCompile(`cs_[0-9a-f]{48}`).FindString(srvLog.String())

	rep := exec.Command(ls, "replicate", path, replica)
	var repLog syncBuffer
	rep.Stdout, rep.Stderr = &repLog, &repLog
	if err := rep.Start(); err != nil {
		t.Fatal(err)
	}
	repDone := make(chan struct{})
	go func() { rep.Wait(); close(repDone) }()
	defer func() { rep.Process.Kill(); <-repDone }()
	time.Sleep(time.Second)

	for i := range 200 {
		body := fmt.Sprintf(`{"from_number":"+34910000000","to_number":"+346%08d"}`, i)
		req, _ := http.NewRequest("POST", url+"/v1/call/", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST /v1/call/ = %d", resp.StatusCode)
		}
	}
	began := time.Now()
	srv.Process.Signal(os.Interrupt)
	select {
	case <-srvDone:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("serve took %s to stop under litestream", took)
	}
	time.Sleep(2 * time.Second) // litestream syncs every second
	rep.Process.Signal(os.Interrupt)
	<-repDone

	if out, err := exec.Command(ls, "restore", "-o", restoredPath, replica).CombinedOutput(); err != nil {
		t.Fatalf("litestream restore: %v\n%s\nreplicate log:\n%s", err, out, repLog.String())
	}
	if stdout, _, err := cli(t, nil, "check", "-db", restoredPath); err != nil {
		t.Fatalf("check of the restored replica = %q, %v", stdout, err)
	}
	raw, err := sql.Open("sqlite", "file:"+restoredPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM calls").Scan(&n); err != nil || n != 200 {
		t.Fatalf("the replica holds %d calls (%v), want 200", n, err)
	}
}
