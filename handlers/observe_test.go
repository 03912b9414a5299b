package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		out = append(out, m)
	}
	return out
}

// TestAccessLog: every request gets an id (the client's X-Request-Id when it is sane), echoed in
// the answer, and one access-log line with the route, status, size, duration and company; no
// secret ever reaches the log.
func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	d := MustOpenDB(t)
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(s, slog.New(slog.NewJSONHandler(&buf, nil)), handlers.Config{}))
	t.Cleanup(srv.Close)
	c, err := s.CreateCompany(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateAPIKey(context.Background(), c.ID, nil, store.APIKeyInput{Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	key := *k.Value
	send := func(method, path, key, reqID string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if reqID != "" {
			req.Header.Set("X-Request-Id", reqID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	r1 := send("GET", "/v1/call/?limit=5", key, "trace-abc-123")
	r2 := send("GET", "/v1/call/", "cs_wrong", "")
	r3 := send("GET", "/v1/nothing", "", "has space")
	r4 := send("PUT", "/v1/call/", "", strings.Repeat("x", 200))

	if got := r1.Header.Get("X-Request-Id"); got != "trace-abc-123" {
		t.Fatalf("the client's request id was not echoed: %q", got)
	}
	for _, r := range []*http.Response{r2, r3, r4} {
		if id := r.Header.Get("X-Request-Id"); len(id) != 16 {
			t.Fatalf("a generated request id was expected, got %q", id)
		}
	}
	lines := buf.lines(t)
	want := []struct {
		id, route  string
		status     float64
		company    string
		checkBytes bool
	}{
		{"trace-abc-123", "GET /v1/call/{$}", 200, c.ID, true},
		{r2.Header.Get("X-Request-Id"), "GET /v1/call/{$}", 401, "", true},
		{r3.Header.Get("X-Request-Id"), "unmatched", 404, "", true},
		{r4.Header.Get("X-Request-Id"), "unmatched", 405, "", true},
	}
	var access []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			access = append(access, l)
		}
	}
	if len(access) != len(want) {
		t.Fatalf("%d access-log lines for %d requests: %v", len(access), len(want), lines)
	}
	for i, w := range want {
		l := access[i]
		if l["request_id"] != w.id || l["route"] != w.route || l["status"] != w.status || l["company_id"] != w.company {
			t.Errorf("line %d = %v, want id %s route %s status %v company %q", i, l, w.id, w.route, w.status, w.company)
		}
		if b, _ := l["bytes"].(float64); b <= 0 {
			t.Errorf("line %d: bytes = %v", i, l["bytes"])
		}
		if _, ok := l["duration"]; !ok {
			t.Errorf("line %d has no duration", i)
		}
	}
	buf.mu.Lock()
	all := buf.b.String()
	buf.mu.Unlock()
	if strings.Contains(all, key) || strings.Contains(all, "cs_wrong") {
		t.Fatal("a key reached the log")
	}

	t.Run("InternalErrorCarriesTheRequestID", func(t *testing.T) {
		d.Close() // every query fails from now on
		r := send("GET", "/v1/call/", key, "broken-1")
		if r.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", r.StatusCode)
		}
		for _, l := range buf.lines(t) {
			if l["level"] == "ERROR" && l["request_id"] == "broken-1" {
				return
			}
		}
		t.Fatalf("no error line with the request id: %v", buf.lines(t))
	})
}
