package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConn runs the load generator's HTTP/1.1 client against Go's own server, over every way an
// answer can be framed: Content-Length, chunked (a large body flushed in pieces), no body (204),
// and Connection: close; and checks the request it writes (method, path, headers, body) arrives
// intact, on one kept-alive connection while the server allows it.
func TestConn(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 20000) // 320 KB, several chunks
	var conns []string
	posts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns = append(conns, r.RemoteAddr)
		if r.Method == "POST" {
			posts++
		}
		if r.Header.Get("Authorization") != "Bearer k" || r.Host == "" {
			http.Error(w, "no auth", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/chunked":
			for i := 0; i < len(big); i += 10000 {
				io.WriteString(w, big[i:min(i+10000, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Type", r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, r.Method+" "+r.URL.RawQuery+" "+r.Header.Get("Content-Type")+" "+strconv.Itoa(len(b))+" "+string(b))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := newConn(strings.TrimPrefix(srv.URL, "http://"))
	defer c.close()
	ctx := context.Background()
	var body bytes.Buffer
	for _, tc := range []struct {
		method, path string
		payload      []byte
		status       int
		want         string
	}{
		{"GET", "/length", nil, 200, "hello"},
		{"GET", "/chunked", nil, 200, big},
		{"GET", "/empty", nil, 204, ""},
		{"POST", "/echo?a=1&b=%20", []byte(`{"x":[1,2]}`), 201, `POST a=1&b=%20 application/json 11 {"x":[1,2]}`},
		{"PATCH", "/echo", []byte{}, 201, "PATCH  application/json 0 "},
		{"GET", "/missing", nil, 404, "404 page not found\n"},
		{"GET", "/close", nil, 200, "bye"},
		{"GET", "/length", nil, 200, "hello"}, // redials after the close
	} {
		status, err := c.do(ctx, tc.method, tc.path, "k", tc.payload, &body)
		if err != nil || status != tc.status || body.String() != tc.want {
			t.Fatalf("%s %s = %d %q, %v; want %d %q", tc.method, tc.path, status, trim(body.String()), err, tc.status, trim(tc.want))
		}
	}
	// Seven answers on the first connection, the last on a second one after Connection: close.
	if len(conns) != 8 || conns[0] != conns[6] || conns[6] == conns[7] {
		t.Fatalf("connections used: %v", conns)
	}
	// A kept-alive connection the server has closed meanwhile is redialed, not reported.
	srv.CloseClientConnections()
	if status, err := c.do(ctx, "GET", "/length", "k", nil, &body); err != nil || status != 200 || body.String() != "hello" {
		t.Fatalf("after the server closed the connection: %d %q, %v", status, body.String(), err)
	}
	// A POST on a connection the server has closed is sent at most once: when the connection ends
	// before an answer, the server may have received it.
	srv.CloseClientConnections()
	before := posts
	status, err := c.do(ctx, "POST", "/echo", "k", []byte(`{}`), &body)
	if posts-before > 1 || (err == nil && (status != 201 || posts-before != 1)) {
		t.Fatalf("POST after the server closed the connection: %d, %v; the server saw it %d times", status, err, posts-before)
	}
	if status, err := c.do(ctx, "GET", "/length", "k", nil, &body); err != nil || status != 200 {
		t.Fatalf("GET after that: %d, %v", status, err)
	}
	// Wrong key: the answer is read and reported, not an error.
	if status, err := c.do(ctx, "GET", "/length", "nope", nil, &body); err != nil || status != 401 {
		t.Fatalf("wrong key: %d, %v", status, err)
	}
}

// TestConnRefusesNonLoopback: the dialer itself refuses any address that is not loopback.
func TestConnRefusesNonLoopback(t *testing.T) {
	c := newConn("192.0.2.1:80")
	var body bytes.Buffer
	if _, err := c.do(context.Background(), "GET", "/", "k", nil, &body); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("dial to 192.0.2.1 = %v, want a refusal", err)
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// BenchmarkClient measures the load generator's own client against net/http's, side by side,
// on a list-sized answer (a page of 50 calls is about 35 KB) from a server in the same process.
// cpu-µs/op is the whole process's CPU (client and server) per request: the server's share is the
// same in both, so the difference is what the client takes from a machine it shares with the
// server it measures.
func BenchmarkClient(b *testing.B) {
	page := bytes.Repeat([]byte(`{"id":"0196d3f2-8a1b-7c3d-9e4f-5a6b7c8d9e0f","status":"completed"},`), 520)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		w.Write(page)
	}))
	defer srv.Close()
	hostport := strings.TrimPrefix(srv.URL, "http://")
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	report := func(b *testing.B, start time.Duration) {
		b.ReportMetric(float64((cpu()-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
	b.Run("handwritten", func(b *testing.B) {
		c := newConn(hostport)
		defer c.close()
		var body bytes.Buffer
		start := cpu()
		for b.Loop() {
			if code, err := c.do(context.Background(), "GET", "/v1/call/", "k", nil, &body); err != nil || code != 200 || body.Len() != len(page) {
				b.Fatal(code, err)
			}
		}
		report(b, start)
	})
	b.Run("net_http", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		defer client.CloseIdleConnections()
		var body bytes.Buffer
		start := cpu()
		for b.Loop() {
			req, _ := http.NewRequest("GET", srv.URL+"/v1/call/", nil)
			req.Header.Set("Authorization", "Bearer k")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body.Reset()
			_, err = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || body.Len() != len(page) {
				b.Fatal(resp.StatusCode, err)
			}
		}
		report(b, start)
	})
}
