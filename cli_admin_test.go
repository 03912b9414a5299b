package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// apiKeyLine is a line of `apikey list`, with every field the command may print.
type apiKeyLine map[string]any

func listKeys(t *testing.T, path, company string) []apiKeyLine {
	t.Helper()
	stdout, _, err := cli(t, nil, "apikey", "list", "-db", path, "-company", company)
	if err != nil {
		t.Fatalf("apikey list: %v", err)
	}
	var out []apiKeyLine
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		var k apiKeyLine
		if err := json.Unmarshal([]byte(line), &k); err != nil {
			t.Fatalf("apikey list printed %q, not JSON lines: %v", stdout, err)
		}
		out = append(out, k)
	}
	return out
}

func createCompany(t *testing.T, path, name string) string {
	t.Helper()
	stdout, _, err := cli(t, nil, "company", "create", "-db", path, "-name", name)
	var c struct{ ID string }
	if err != nil || json.Unmarshal([]byte(stdout), &c) != nil || c.ID == "" {
		t.Fatalf("company create = %q, %v", stdout, err)
	}
	return c.ID
}

type createdKey struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

func createKey(t *testing.T, path, company string, args ...string) createdKey {
	t.Helper()
	stdout, _, err := cli(t, nil, append([]string{"apikey", "create", "-db", path, "-company", company}, args...)...)
	var k createdKey
	if err != nil || json.Unmarshal([]byte(stdout), &k) != nil || k.Value == "" {
		t.Fatalf("apikey create = %q, %v", stdout, err)
	}
	return k
}

// TestCLICompanyList: one JSON line per company, oldest first, with id, name and created date.
func TestCLICompanyList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	before := time.Now().UTC().Add(-time.Second)
	a, b := createCompany(t, path, "Acme"), createCompany(t, path, "Globex")
	stdout, _, err := cli(t, nil, "company", "list", "-db", path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("company list printed %q: want one line per company", stdout)
	}
	for i, want := range []struct{ id, name string }{{a, "Acme"}, {b, "Globex"}} {
		var c struct {
			ID          string    `json:"id"`
			Name        string    `json:"name"`
			CreatedDate time.Time `json:"created_date"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &c); err != nil || c.ID != want.id || c.Name != want.name || c.CreatedDate.Before(before) {
			t.Fatalf("line %d = %q (%v), want %s %s created after %s", i, lines[i], err, want.id, want.name, before)
		}
	}
}

// TestCLIAPIKeyList: every key of the company, without its secret, with what an operator needs.
func TestCLIAPIKeyList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	company, other := createCompany(t, path, "Acme"), createCompany(t, path, "Other")
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	full := createKey(t, path, company, "-name", "ops")
	reader := createKey(t, path, company, "-name", "reader", "-permissions", "calls.view,logs.view", "-expires", expires.Format(time.RFC3339))
	createKey(t, path, other, "-name", "not-listed")

	stdout, _, err := cli(t, nil, "apikey", "list", "-db", path, "-company", company)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{full.Value, reader.Value} {
		if strings.Contains(stdout, secret) || strings.Contains(stdout, `"value"`) {
			t.Fatalf("apikey list prints a secret: %q", stdout)
		}
	}
	keys := listKeys(t, path, company)
	if len(keys) != 2 {
		t.Fatalf("apikey list = %v: want the company's 2 keys", keys)
	}
	k := keys[1]
	if k["id"] != reader.ID || k["name"] != "reader" || k["last_four_digits"] != reader.Value[len(reader.Value)-4:] ||
		k["restricted"] != true || k["expiry_date"] != expires.Format(time.RFC3339) || k["created_date"] == nil {
		t.Fatalf("listed key = %v, want the reader key %s", k, reader.ID)
	}
	if perms, _ := k["permissions"].([]any); len(perms) != 2 || perms[0] != "calls.view" || perms[1] != "logs.view" {
		t.Fatalf("listed permissions = %v", k["permissions"])
	}
	if keys[0]["id"] != full.ID || keys[0]["restricted"] != false || keys[0]["permissions"] != nil {
		t.Fatalf("unrestricted key = %v", keys[0])
	}
	if _, _, err := cli(t, nil, "apikey", "list", "-db", path, "-company", store.NewID()); err == nil || !strings.Contains(errorText(err), "not found") {
		t.Fatalf("an unknown company: %v", err)
	}
}

// bearer sends GET /v1/call/ with the key and returns the status.
func bearer(t *testing.T, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/v1/call/", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestCLIAPIKeyRevokeAndRotate runs the commands against the file a server is serving: a revoked
// key, and a rotated key's old secret, are refused by the running server at its next request.
func TestCLIAPIKeyRevokeAndRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.db")
	srv := startServe(t, "-db", path)
	stdout, _, err := cli(t, nil, "company", "list", "-db", path)
	var company struct{ ID string }
	if err != nil || json.Unmarshal([]byte(stdout), &company) != nil {
		t.Fatalf("company list = %q, %v", stdout, err)
	}
	if bearer(t, srv.url, srv.key) != http.StatusOK {
		t.Fatal("the bootstrap key does not authenticate")
	}

	t.Run("Revoke", func(t *testing.T) {
		keys := listKeys(t, path, company.ID)
		if len(keys) != 1 {
			t.Fatalf("keys = %v", keys)
		}
		id := keys[0]["id"].(string)
		stdout, _, err := cli(t, nil, "apikey", "revoke", "-db", path, "-company", company.ID, "-key", id)
		if err != nil || !strings.Contains(stdout, "revoked") {
			t.Fatalf("revoke = %q, %v", stdout, err)
		}
		if code := bearer(t, srv.url, srv.key); code != http.StatusUnauthorized {
			t.Fatalf("the revoked key still answers %d", code)
		}
		if len(listKeys(t, path, company.ID)) != 0 {
			t.Fatal("the revoked key is still listed")
		}
		_, _, err = cli(t, nil, "apikey", "revoke", "-db", path, "-company", company.ID, "-key", id)
		if err == nil || errorText(err) != "API key "+id+" not found" {
			t.Fatalf("revoking it again: %q", errorText(err))
		}
	})

	t.Run("Rotate", func(t *testing.T) {
		old := createKey(t, path, company.ID, "-name", "ingest", "-permissions", "calls.view,calls.create")
		if bearer(t, srv.url, old.Value) != http.StatusOK {
			t.Fatal("the new key does not authenticate")
		}
		// An access token issued for the old secret (the GenLogs-style flow) must die with it.
		s, closeStore, err := openStore(context.Background(), env{getenv: func(string) string { return "" }, stderr: &syncBuffer{}}, path, cliLogger(env{stderr: &syncBuffer{}}))
		if err != nil {
			t.Fatal(err)
		}
		defer closeStore()
		tokens, err := s.IssueTokens(context.Background(), old.Value, time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		stdout, _, err := cli(t, nil, "apikey", "rotate", "-db", path, "-company", company.ID, "-key", old.ID)
		var rotated struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Value       string   `json:"value"`
			Permissions []string `json:"permissions"`
			LastFour    string   `json:"last_four_digits"`
		}
		if err != nil || json.Unmarshal([]byte(stdout), &rotated) != nil {
			t.Fatalf("rotate = %q, %v", stdout, err)
		}
		if rotated.ID != old.ID || rotated.Name != "ingest" || strings.Join(rotated.Permissions, ",") != "calls.view,calls.create" ||
			rotated.Value == "" || rotated.Value == old.Value || rotated.LastFour != rotated.Value[len(rotated.Value)-4:] {
			t.Fatalf("rotated key = %+v: want the same id, name and permissions with a new secret", rotated)
		}
		if code := bearer(t, srv.url, old.Value); code != http.StatusUnauthorized {
			t.Fatalf("the old secret still answers %d", code)
		}
		if code := bearer(t, srv.url, rotated.Value); code != http.StatusOK {
			t.Fatalf("the new secret answers %d", code)
		}
		if _, err := s.AuthenticateAccessToken(context.Background(), tokens.Access.Token, rotated.Value); err == nil {
			t.Fatal("an access token issued for the old secret still works with the new one")
		}
		if keys := listKeys(t, path, company.ID); len(keys) != 1 || keys[0]["last_four_digits"] != rotated.LastFour {
			t.Fatalf("after rotation: %v", keys)
		}
	})

	t.Run("RotateExpired", func(t *testing.T) {
		k := createKey(t, path, company.ID, "-name", "short", "-expires", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		execSQL(t, path, "UPDATE api_keys SET expires_at = 1 WHERE id = '"+k.ID+"'") // it has expired since
		_, _, err := cli(t, nil, "apikey", "rotate", "-db", path, "-company", company.ID, "-key", k.ID)
		if err == nil || !strings.Contains(errorText(err), "expired") {
			t.Fatalf("rotating an expired key: %v", err)
		}
	})
}

// TestCLIFlagsBeforeFiles: a command with a missing or bad flag says which, and neither creates nor
// migrates the database file.
func TestCLIFlagsBeforeFiles(t *testing.T) {
	dir := t.TempDir()
	absent := filepath.Join(dir, "absent.db")
	old := filepath.Join(dir, "v1.db")
	dbAtVersion(t, old, 1)
	oldSum := fileSum(t, old)
	company := store.NewID()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"company", "create"}, "-name is required"},
		{[]string{"apikey", "create", "-name", "x"}, "-company is required"},
		{[]string{"apikey", "create", "-company", company}, "-name is required"},
		{[]string{"apikey", "create", "-company", company, "-name", "x", "-expires", "tomorrow"}, "-expires must be an RFC 3339 date-time"},
		{[]string{"apikey", "list"}, "-company is required"},
		{[]string{"apikey", "revoke", "-company", company}, "-key is required"},
		{[]string{"apikey", "rotate", "-key", "k"}, "-company is required"},
		{[]string{"app", "create", "-name", "x"}, "-company is required"},
		{[]string{"seed", "-calls", "-5"}, "-calls must be at least 1"},
		{[]string{"seed", "-calls", "5", "-companies", "0"}, "-companies must be at least 1"},
		{[]string{"seed", "-calls", "5", "-tx", "0"}, "-tx must be at least 1"},
		{[]string{"seed", "-calls", "5", "-end", "soon"}, "-end must be an RFC 3339 date-time"},
		{[]string{"backup"}, "-into is required"},
		{[]string{"compact"}, "-into is required"},
		{[]string{"restore"}, "-from is required"},
	} {
		for _, path := range []string{absent, old} {
			name := strings.Join(tc.args, " ") + " on " + filepath.Base(path)
			t.Run(name, func(t *testing.T) {
				args := append(append([]string{}, tc.args...), "-db", path)
				_, _, err := cli(t, nil, args...)
				if err == nil || errorText(err) != tc.want && !strings.HasPrefix(errorText(err), tc.want) {
					t.Fatalf("%v: err = %v, want %q", args, err, tc.want)
				}
				if _, err := os.Stat(absent); !os.IsNotExist(err) {
					t.Fatalf("%v created the database file", args)
				}
				if fileSum(t, old) != oldSum {
					t.Fatalf("%v changed (migrated) the database file", args)
				}
			})
		}
	}
}

// TestCLIPlainErrors: what a person reads when a file cannot be used, and a domain error without
// its internal code.
func TestCLIPlainErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.db")
	createCompany(t, path, "Acme")
	missing := filepath.Join(dir, "nowhere", "x.db")
	for _, args := range [][]string{
		{"company", "create", "-name", "x", "-db", missing},
		{"company", "list", "-db", missing},
		{"migrate", "-db", missing},
		{"check", "-db", missing},
		{"serve", "-addr", "127.0.0.1:0", "-db", missing},
	} {
		if _, _, err := cli(t, nil, args...); err == nil || errorText(err) != "folder "+filepath.Dir(missing)+" does not exist" {
			t.Errorf("%v: %v", args, err)
		}
	}
	for _, args := range [][]string{
		{"company", "list"}, {"apikey", "list", "-company", "c"}, {"check"}, {"backup", "-into", filepath.Join(dir, "b.db")},
	} {
		absent := filepath.Join(dir, "absent.db")
		full := append(append([]string{}, args...), "-db", absent)
		if _, _, err := cli(t, nil, full...); err == nil || errorText(err) != "database file "+absent+" does not exist" {
			t.Errorf("%v: %v", full, err)
		}
		if _, err := os.Stat(absent); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", full, absent)
		}
	}
	unknown := store.NewID()
	_, _, err := cli(t, nil, "apikey", "create", "-db", path, "-company", unknown, "-name", "x")
	if err == nil || errorText(err) != "Company "+unknown+" not found" {
		t.Fatalf("unknown company: %q, want the message without its code", errorText(err))
	}
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit code %d", code)
	}
}

// TestCLIReadOnlyDatabase: a database file callstore may not write is named as such. Root may write
// any file, so as root the test runs the built binary as another user.
func TestCLIReadOnlyDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	createCompany(t, path, "Acme")
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	want := "database file " + path + " is read-only"
	if os.Geteuid() != 0 {
		_, _, err := cli(t, nil, "company", "list", "-db", path)
		if err == nil || !strings.HasPrefix(errorText(err), want) {
			t.Fatalf("err = %v, want %q", err, want)
		}
		return
	}
	for _, d := range []string{filepath.Dir(dir), dir} { // t.TempDir's folders are 0700
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runBinaryAs(t, 65534, "company", "list", "-db", path)
	if code != 1 || !strings.Contains(stderr, "callstore: "+want+": fix its permissions") {
		t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	// Reading needs no write permission: check and backup work on a read-only file.
	code, stdout, stderr := runBinaryAs(t, 65534, "check", "-db", path)
	if code != 0 || !strings.Contains(stdout, ": ok") {
		t.Fatalf("check of a read-only file: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runBinaryAs(t, 65534, "backup", "-db", path, "-into", filepath.Join(dir, "copy.db"))
	if code != 0 || !strings.HasPrefix(stdout, "backed up") {
		t.Fatalf("backup of a read-only file: exit %d, %q %q", code, stdout, stderr)
	}
	// A folder callstore may not create files in (the database, or its -wal and -shm).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runBinaryAs(t, 65534, "company", "create", "-name", "x", "-db", filepath.Join(dir, "new.db"))
	if want := "callstore must be able to create files in folder " + dir; code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want %q", code, stderr, want)
	}
}
