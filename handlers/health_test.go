package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/postgres"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

func TestHealthAndReadiness(t *testing.T) {
	d := MustOpenDB(t)
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	var draining atomic.Bool
	srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{Draining: draining.Load}))
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, Store: s, Server: srv}
	ready := func(status int, reason string) {
		t.Helper()
		r := e.do("GET", "/readyz", "", nil)
		wantStatus(t, r, status)
		m := r.Map(t)
		if got, _ := m["reason"].(string); !strings.Contains(got, reason) || (reason == "" && got != "") {
			t.Fatalf("reason = %q, want it to contain %q: %s", got, reason, r.Body)
		}
		if v, _ := m["schema_version"].(float64); int64(v) != d.LatestVersion() {
			t.Fatalf("schema_version = %v", m["schema_version"])
		}
	}
	wantStatus(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
	ready(http.StatusOK, "")

	t.Run("Draining", func(t *testing.T) {
		draining.Store(true)
		defer draining.Store(false)
		ready(http.StatusServiceUnavailable, "shutting down")
		wantStatus(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
	})
	t.Run("NewerSchema", func(t *testing.T) {
		// goose's version table is no table of callstore's schema (no generated query reads it):
		// each engine's statement is written here, in its own dialect.
		version := func(sqlite, pg string) {
			t.Helper()
			var err error
			switch d := d.(type) {
			case *db.DB:
				_, err = d.Write.Exec(sqlite, d.LatestVersion()+1)
			case *postgres.DB:
				_, err = d.Pool.Exec(t.Context(), pg, d.LatestVersion()+1)
			default:
				t.Fatalf("unknown engine %T", d)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		version("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)",
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)")
		ready(http.StatusServiceUnavailable, "schema is version")
		version("DELETE FROM goose_db_version WHERE version_id = ?", "DELETE FROM goose_db_version WHERE version_id = $1")
		ready(http.StatusOK, "")
	})
	t.Run("DatabaseGone", func(t *testing.T) {
		d.Close()
		ready(http.StatusServiceUnavailable, "database unreachable")
		wantStatus(t, e.do("GET", "/healthz", "", nil), http.StatusOK)
	})
}
