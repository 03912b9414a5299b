package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestSeedCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	out, _, err := runCmd(t, "seed", "-db", path, "-companies", "2", "-calls", "300", "-messages-per-call", "3", "-logs-per-call", "2", "-seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`company seed-\d \(([0-9a-f-]{36})\) API key: (\S+)`).FindAllStringSubmatch(out, -1)
	if len(keys) != 2 {
		t.Fatalf("output %q: want one API key per company", out)
	}
	if !strings.Contains(out, "wrote 60 contacts, 600 calls (") || !strings.Contains(out, "1800 messages, 1200 log rows") {
		t.Fatalf("summary %q: want the counts of 2 companies x 300 calls", out)
	}
	if !regexp.MustCompile(`\d+ rows in .* rows/s\); .*seed.db is \d+\.\d MB`).MatchString(out) {
		t.Fatalf("summary %q: want rows, elapsed, rows/s and file size", out)
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, k := range keys {
		p, err := s.Authenticate(context.Background(), k[2])
		if err != nil || p.CompanyID != k[1] {
			t.Fatalf("printed key of %s: %+v, %v", k[1], p, err)
		}
	}
}

func TestSeedCommandRejects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	for name, args := range map[string][]string{
		"NoCalls":  {"seed", "-db", path},
		"BadEnd":   {"seed", "-db", path, "-calls", "10", "-end", "yesterday"},
		"BadCount": {"seed", "-db", path, "-calls", "10", "-messages-per-call", "-2"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := runCmd(t, args...); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestBenchCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, `{"data":[],"has_more":false}`)
	}))
	defer srv.Close()

	t.Run("Table", func(t *testing.T) {
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-duration", "100ms", "-concurrency", "2")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "scenario list-first: 2 workers") || !regexp.MustCompile(`list-first +\d+ +[\d.]+ +\S+ +\S+ +\S+ +\S+ +0 +0`).MatchString(out) {
			t.Fatalf("report %q", out)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-requests", "20", "-json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Total struct {
				Requests int     `json:"requests"`
				P99      float64 `json:"p99_ms"`
			} `json:"total"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Total.Requests != 20 || rep.Total.P99 <= 0 {
			t.Fatalf("JSON report %q: %v", out, err)
		}
	})
	t.Run("Non2xxFails", func(t *testing.T) {
		status = http.StatusInternalServerError
		defer func() { status = http.StatusOK }()
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-requests", "5")
		if err == nil || !strings.Contains(err.Error(), "5 non-2xx") || !strings.Contains(out, "error: GET /v1/call/?limit=50: 500") {
			t.Fatalf("err %v, output %q: want a failure naming the 5 non-2xx answers", err, out)
		}
	})
	t.Run("RefusesNonLoopback", func(t *testing.T) {
		_, _, err := runCmd(t, "bench", "-url", "http://203.0.113.5:8080", "-key", "k", "-scenario", "list-first")
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Fatalf("err %v, want a refusal", err)
		}
	})
	t.Run("NeedsScenario", func(t *testing.T) {
		if _, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k"); err == nil {
			t.Fatal("want an error")
		}
	})
}
