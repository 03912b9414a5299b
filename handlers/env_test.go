package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"callstore/db"
	"callstore/handlers"
	"callstore/store"
)

// testEnv is one real server over one real in-memory database, with a company and an
// unrestricted key ready.
type testEnv struct {
	t       testing.TB
	Store   *store.Store
	Server  *httptest.Server
	Company store.Company
	Key     string // unrestricted key of Company
	Clock   *clock
}

// clock is an injectable time source; tests move it forward explicitly.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// MustOpenDB opens a fresh in-memory database with the schema applied.
func MustOpenDB(tb testing.TB) *db.DB {
	tb.Helper()
	d, err := db.Open(context.Background(), ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

func newEnv(tb testing.TB) *testEnv {
	tb.Helper()
	s := store.New(MustOpenDB(tb))
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.Now = c.Now
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(handlers.NewServer(s, log, handlers.Config{}))
	tb.Cleanup(srv.Close)
	e := &testEnv{t: tb, Store: s, Server: srv, Clock: c}
	e.Company, e.Key = e.newCompany("acme")
	return e
}

// newCompany creates a company with an unrestricted key.
func (e *testEnv) newCompany(name string) (store.Company, string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.Store.CreateCompany(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	k, err := e.Store.CreateAPIKey(ctx, c.ID, nil, store.APIKeyInput{Name: "root"})
	if err != nil {
		e.t.Fatal(err)
	}
	return c, *k.Value
}

// keyWith creates a restricted key of the env's company holding exactly perms.
func (e *testEnv) keyWith(perms ...string) string {
	e.t.Helper()
	k, err := e.Store.CreateAPIKey(context.Background(), e.Company.ID, nil, store.APIKeyInput{Name: "restricted", Restricted: true, Permissions: perms})
	if err != nil {
		e.t.Fatal(err)
	}
	return *k.Value
}

// response is what a test request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// do sends one request with `Authorization: Bearer key` (none when key is ""). body may be nil,
// a string or []byte (sent as is), or any other value (sent as JSON).
func (e *testEnv) do(method, path, key string, body any) *response {
	e.t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return e.doHeaders(method, path, h, body)
}

// doHeaders sends one request with the given headers.
func (e *testEnv) doHeaders(method, path string, h http.Header, body any) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// wantStatus fails the test unless r has the given status.
func wantStatus(tb testing.TB, r *response, status int) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
}

// wantError checks the calls API's error envelope.
func wantError(tb testing.TB, r *response, status int, code string) {
	tb.Helper()
	wantStatus(tb, r, status)
	m := r.Map(tb)
	if m["status"] != "error" || m["error_code"] != code || m["message"] == nil || m["message"] == "" {
		tb.Fatalf("error body = %s, want status=error error_code=%s and a message", r.Body, code)
	}
}

// wantValidation checks a FastAPI-style 422 whose first entry has the given location.
func wantValidation(tb testing.TB, r *response, loc ...any) {
	tb.Helper()
	wantStatus(tb, r, http.StatusUnprocessableEntity)
	var body struct {
		Detail []struct {
			Loc  []any  `json:"loc"`
			Msg  string `json:"msg"`
			Type string `json:"type"`
		} `json:"detail"`
	}
	r.JSON(tb, &body)
	if len(body.Detail) == 0 {
		tb.Fatalf("422 without detail: %s", r.Body)
	}
	got, _ := json.Marshal(body.Detail[0].Loc)
	want, _ := json.Marshal(loc)
	if string(got) != string(want) || body.Detail[0].Msg == "" || body.Detail[0].Type == "" {
		tb.Fatalf("detail[0] = %s, want loc %s with msg and type", r.Body, want)
	}
}
