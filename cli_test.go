package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

// syncBuffer is a bytes.Buffer safe to write from the server while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the program with args and an environment, returning what it printed.
func cli(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb syncBuffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, &out, &errb)
	return out.String(), errb.String(), err
}

func TestCLIHelpAndErrors(t *testing.T) {
	t.Run("NoCommand", func(t *testing.T) {
		_, stderr, err := cli(t, nil)
		if err == nil || !strings.Contains(stderr, "usage: callstore") {
			t.Fatalf("err = %v, stderr = %q", err, stderr)
		}
	})
	t.Run("UnknownCommand", func(t *testing.T) {
		_, stderr, err := cli(t, nil, "fly")
		if err == nil || !strings.Contains(err.Error(), `unknown command "fly"`) || !strings.Contains(stderr, "commands:") {
			t.Fatalf("err = %v, stderr = %q", err, stderr)
		}
	})
	t.Run("TopLevelHelp", func(t *testing.T) {
		for _, h := range []string{"-h", "--help", "help"} {
			_, stderr, err := cli(t, nil, h)
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			for _, c := range commands() {
				if !strings.Contains(stderr, c.name) {
					t.Fatalf("%s: usage does not list %s: %q", h, c.name, stderr)
				}
			}
		}
	})
	// Every command explains itself on -h and exits cleanly.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "-h"}, "-addr"},
		{[]string{"company", "-h"}, "usage: callstore company create"},
		{[]string{"company", "create", "-h"}, "-name"},
		{[]string{"apikey", "-h"}, "usage: callstore apikey create"},
		{[]string{"apikey", "create", "-h"}, "-permissions"},
		{[]string{"migrate", "-h"}, "-dry-run"},
		{[]string{"company", "list", "-h"}, "-db"},
		{[]string{"apikey", "list", "-h"}, "-company"},
		{[]string{"apikey", "revoke", "-h"}, "-key"},
		{[]string{"apikey", "rotate", "-h"}, "-key"},
		{[]string{"check", "-h"}, "-db"},
		{[]string{"backup", "-h"}, "-into"},
		{[]string{"restore", "-h"}, "-force"},
		{[]string{"compact", "-h"}, "-into"},
		{[]string{"version", "-h"}, "Usage"},
	} {
		t.Run("Help "+strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, err := cli(t, nil, tc.args...)
			if err != nil || !strings.Contains(stderr, tc.want) {
				t.Fatalf("err = %v, stderr = %q, want it to mention %q", err, stderr, tc.want)
			}
		})
	}
	for _, args := range [][]string{
		{"company"}, {"company", "delete"}, {"apikey"}, {"version", "extra"}, {"migrate", "-nope"}, {"compact", "-db", "x.db"},
	} {
		t.Run("Err "+strings.Join(args, " "), func(t *testing.T) {
			if _, _, err := cli(t, nil, args...); err == nil {
				t.Fatalf("%v: want an error", args)
			}
		})
	}
}

func TestCLIMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	stdout, _, err := cli(t, nil, "migrate", "-db", path)
	if want := fmt.Sprintf("%s is at schema version %d\n", path, db.LatestVersion()); err != nil || stdout != want {
		t.Fatalf("migrate = %q, %v", stdout, err)
	}
	// CALLSTORE_DB is the default of -db.
	env := filepath.Join(t.TempDir(), "env.db")
	stdout, _, err = cli(t, map[string]string{"CALLSTORE_DB": env}, "migrate")
	if err != nil || !strings.HasPrefix(stdout, env+" ") {
		t.Fatalf("migrate from env = %q, %v", stdout, err)
	}
}

// compact writes a copy that serves the same data (db.TestPageSizeAndCompact checks the rows and
// the page size); here, the command's flags and its refusal to overwrite a file.
func TestCLICompact(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	if _, _, err := cli(t, nil, "company", "create", "-db", src, "-name", "acme"); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := cli(t, nil, "compact", "-db", src, "-into", dst)
	if err != nil || stdout != src+" copied into "+dst+"\n" {
		t.Fatalf("compact = %q, %v", stdout, err)
	}
	if _, _, err := cli(t, nil, "compact", "-db", src, "-into", dst); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("compact onto an existing file: %v", err)
	}
	stdout, _, err = cli(t, nil, "migrate", "-db", dst)
	if err != nil || !strings.Contains(stdout, "schema version") {
		t.Fatalf("the copy does not open: %q, %v", stdout, err)
	}
}

func TestCLICompanyAndAPIKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	env := map[string]string{"CALLSTORE_DB": path}
	stdout, _, err := cli(t, env, "company", "create", "-name", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	var company struct{ ID, Name string }
	if err := json.Unmarshal([]byte(stdout), &company); err != nil || company.Name != "Acme" || company.ID == "" {
		t.Fatalf("company create printed %q (%v)", stdout, err)
	}
	if _, _, err := cli(t, env, "company", "create"); err == nil {
		t.Fatal("company create without -name must fail")
	}

	// authenticate opens the database and resolves a printed key.
	authenticate := func(t *testing.T, secret string) (store.Principal, error) {
		t.Helper()
		d, err := db.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		s, err := store.New(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		return s.Authenticate(context.Background(), secret)
	}
	var key struct {
		Value       string     `json:"value"`
		Restricted  bool       `json:"restricted"`
		Permissions []string   `json:"permissions"`
		ExpiryDate  *time.Time `json:"expiry_date"`
	}
	t.Run("Unrestricted", func(t *testing.T) {
		stdout, _, err := cli(t, env, "apikey", "create", "-company", company.ID, "-name", "ops")
		if err != nil || json.Unmarshal([]byte(stdout), &key) != nil || key.Restricted || key.Value == "" || key.ExpiryDate != nil {
			t.Fatalf("apikey create = %q, %v", stdout, err)
		}
		p, err := authenticate(t, key.Value)
		if err != nil || p.CompanyID != company.ID || !p.Can("calls.delete") {
			t.Fatalf("printed key authenticates as %+v, %v", p, err)
		}
	})
	t.Run("PermissionsAndExpiry", func(t *testing.T) {
		expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		stdout, _, err := cli(t, env, "apikey", "create", "-company", company.ID, "-name", "reader",
			"-permissions", "calls.view, logs.view", "-expires", expires.Format(time.RFC3339))
		if err != nil || json.Unmarshal([]byte(stdout), &key) != nil {
			t.Fatalf("apikey create = %q, %v", stdout, err)
		}
		if !key.Restricted || strings.Join(key.Permissions, ",") != "calls.view,logs.view" || key.ExpiryDate == nil || !key.ExpiryDate.Equal(expires) {
			t.Fatalf("key = %+v", key)
		}
		p, err := authenticate(t, key.Value)
		if err != nil || !p.Can("calls.view") || p.Can("calls.create") {
			t.Fatalf("printed key authenticates as %+v, %v", p, err)
		}
	})
	for name, args := range map[string][]string{
		"UnknownPermission": {"-company", company.ID, "-name", "x", "-permissions", "calls.fly"},
		"BadExpiry":         {"-company", company.ID, "-name", "x", "-expires", "tomorrow"},
		"PastExpiry":        {"-company", company.ID, "-name", "x", "-expires", "2001-01-01T00:00:00Z"},
		"UnknownCompany":    {"-company", store.NewID(), "-name", "x"},
		"NoName":            {"-company", company.ID},
	} {
		t.Run("Err"+name, func(t *testing.T) {
			if stdout, _, err := cli(t, env, append([]string{"apikey", "create"}, args...)...); err == nil {
				t.Fatalf("want an error, printed %q", stdout)
			}
		})
	}
}

func TestCLIServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-db", ":memory:", "-addr", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, &stderr)
	}()

	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned early: %v; stderr %q", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	key := regexp.MustCompile(`cs_[0-9a-f]{48}`).FindString(stdout.String())
	if key == "" || !strings.Contains(stdout.String(), `created company "default"`) {
		t.Fatalf("no bootstrap key printed: %q", stdout.String())
	}

	req, _ := http.NewRequest("POST", base+"/v1/call/", strings.NewReader(`{"from_number":"+34910000000","to_number":"+34600000000"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/call/ with the bootstrap key = %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if !strings.Contains(stderr.String(), "callstore stopped") {
		t.Fatalf("stderr = %q", stderr.String())
	}
}

func TestCLIServeBootstrapsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	for i, wantKey := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "-db", path, "-addr", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, &stderr)
		}()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "listening on"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("run %d: serve did not start: %q", i, stderr.String())
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(stdout.String(), "cs_"); got != wantKey {
			t.Fatalf("run %d printed a key: %v, want %v (%q)", i, got, wantKey, stdout.String())
		}
	}
}

func TestCLIServeBadAddr(t *testing.T) {
	if _, _, err := cli(t, nil, "serve", "-db", ":memory:", "-addr", "256.0.0.1:bad"); err == nil {
		t.Fatal("serve on a bad address must fail")
	}
}
