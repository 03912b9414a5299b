package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

func TestCORS(t *testing.T) {
	s, err := store.New(context.Background(), MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	start := func(origins string) *httptest.Server {
		srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{CORSOrigins: origins}))
		t.Cleanup(srv.Close)
		return srv
	}
	c, err := s.CreateCompany(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := s.CreateAPIKey(context.Background(), c.ID, nil, store.APIKeyInput{Name: "k"})
	send := func(srv *httptest.Server, method, path, origin string, h map[string]string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	preflight := map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
	auth := map[string]string{"Authorization": "Bearer " + *k.Value}

	allowed := start("https://dash.example.com, https://ops.example.com/")
	r := send(allowed, "OPTIONS", "/v1/call/bulk-delete", "https://dash.example.com", preflight)
	if r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" ||
		r.Header.Get("Access-Control-Allow-Headers") == "" || r.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Fatalf("preflight from an allowed origin: %d %v", r.StatusCode, r.Header)
	}
	r = send(allowed, "GET", "/v1/call/", "https://ops.example.com", auth)
	if r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://ops.example.com" || r.Header.Get("Access-Control-Expose-Headers") == "" {
		t.Fatalf("request from an allowed origin: %d %v", r.StatusCode, r.Header)
	}
	r = send(allowed, "GET", "/v1/call/", "https://evil.example.com", auth)
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin was allowed: %v", r.Header)
	}
	if r = send(allowed, "OPTIONS", "/v1/call/bulk-delete", "https://evil.example.com", preflight); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %d %v", r.StatusCode, r.Header)
	}
	// A preflight carries no credentials; a real request without them is still refused.
	if r = send(allowed, "POST", "/v1/call/bulk-delete", "https://dash.example.com", nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated request from an allowed origin: %d", r.StatusCode)
	}

	off := start("")
	if r = send(off, "OPTIONS", "/v1/call/bulk-delete", "https://dash.example.com", preflight); r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS off by default: %d %v", r.StatusCode, r.Header)
	}
	anyOrigin := start("*")
	if r = send(anyOrigin, "GET", "/healthz", "https://anything.example", nil); r.Header.Get("Access-Control-Allow-Origin") != "https://anything.example" {
		t.Fatalf("* did not allow an origin: %v", r.Header)
	}
}
