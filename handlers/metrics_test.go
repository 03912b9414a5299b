package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// metricValue reads one sample of the Prometheus text format, e.g.
// `callstore_http_requests_total{route="GET /v1/call/{$}",status="200"}`; -1 when absent.
func metricValue(t *testing.T, text, sample string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetrics(t *testing.T) {
	s, err := store.New(context.Background(), MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.Now = c.Now
	m := handlers.NewMetrics(s)
	srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{Metrics: m, MetricsOnMux: true}))
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, Store: s, Server: srv, Clock: c}
	e.Company, e.Key = e.newCompany("acme")
	scrape := func() string {
		r := e.do("GET", "/metrics", "", nil)
		wantStatus(t, r, 200)
		return string(r.Body)
	}

	listed := `callstore_http_requests_total{route="GET /v1/call/{$}",status="200"}`
	before := scrape()
	if v := metricValue(t, before, listed); v != -1 {
		t.Fatalf("%s = %v before any list", listed, v)
	}
	for range 3 {
		wantStatus(t, e.do("GET", "/v1/call/", e.Key, nil), 200)
	}
	wantStatus(t, e.do("GET", "/v1/call/", "cs_nope", nil), 401)
	after := scrape()
	if v := metricValue(t, after, listed); v != 3 {
		t.Fatalf("%s = %v, want 3", listed, v)
	}
	if v := metricValue(t, after, `callstore_http_requests_total{route="GET /v1/call/{$}",status="401"}`); v != 1 {
		t.Fatalf("401s counted %v, want 1", v)
	}
	if v := metricValue(t, after, `callstore_http_request_duration_seconds_count{route="GET /v1/call/{$}"}`); v != 4 {
		t.Fatalf("latency observations %v, want 4", v)
	}
	if v := metricValue(t, after, `callstore_http_requests_in_flight`); v != 1 { // the scrape itself
		t.Fatalf("in flight %v, want 1 (the scrape)", v)
	}

	// Deletions count their rows.
	contact, calls := e.seedContact(e.Company.ID, "completed", "failed")
	for _, c := range calls {
		e.seed(e.Company.ID).message(c, e.Clock.Now(), "user", "hi", "")
		e.seed(e.Company.ID).log(c, e.Clock.Now(), "INFO", "USER", "x")
	}
	r := e.do("POST", "/v1/contact/bulk-delete", e.Key, map[string]any{"contact_ids": []string{contact}})
	wantStatus(t, r, 200)
	res := r.Map(t)
	if res["calls_deleted"] != 2.0 || res["messages_deleted"].(float64) < 2 || res["logs_detached"].(float64) < 2 {
		t.Fatalf("unexpected deletion: %s", r.Body)
	}
	got := scrape()
	for kind, want := range map[string]float64{"contacts": 1, "calls": 2, "messages": res["messages_deleted"].(float64), "logs_detached": res["logs_detached"].(float64)} {
		if v := metricValue(t, got, `callstore_deleted_rows_total{kind="`+kind+`"}`); v != want {
			t.Errorf("deleted %s = %v, want %v", kind, v, want)
		}
	}
	// A bulk delete of calls counts its calls.
	_, more := e.seedContact(e.Company.ID, "completed", "completed", "in_progress")
	wantStatus(t, e.do("POST", "/v1/call/bulk-delete", e.Key, map[string]any{"call_ids": more}), 200)
	if v := metricValue(t, scrape(), `callstore_deleted_rows_total{kind="calls"}`); v != 4 {
		t.Errorf("deleted calls = %v after the bulk delete of 2 more, want 4", v)
	}
	// The engine's own: SQLite's pools, WAL and checkpoints, or PostgreSQL's connection pool.
	engine := []string{`callstore_wal_bytes`, `callstore_checkpoints_total{result="finished"}`,
		`callstore_checkpoints_total{result="truncated"}`, `callstore_checkpoints_total{result="truncate_busy"}`, `go_sql_open_connections{db_name="writer"}`}
	if dbtest.Postgres() != "" {
		engine = []string{`callstore_pg_pool_connections`, `callstore_pg_pool_connections_in_use`, `callstore_pg_pool_max_connections`,
			`callstore_pg_pool_acquires_total`, `callstore_pg_pool_acquire_waits_total`, `callstore_pg_pool_acquire_wait_seconds_total`,
			`callstore_pg_pool_new_connections_total`}
		if v := metricValue(t, got, `callstore_pg_pool_acquires_total`); v < 1 {
			t.Errorf("callstore_pg_pool_acquires_total = %v after requests that read and wrote", v)
		}
	}
	for _, name := range append([]string{`go_goroutines`}, engine...) {
		if metricValue(t, got, name) < 0 {
			t.Errorf("%s is missing", name)
		}
	}
}
