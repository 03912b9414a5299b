package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// served is a `callstore serve` running in this process.
type served struct {
	url            string
	key            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc // what SIGINT/SIGTERM do to serve (main maps them to ctx)
	done           chan struct{}      // closed when serve has returned err
	err            error
}

// startServe runs serve with args plus a free loopback port and waits until it listens.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.err = run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
	})
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", s.stderr.String())
		}
	}
	s.key = regexp.MustCompile(`cs_[0-9a-f]{48}`).FindString(s.stdout.String())
	return s
}

// stop signals serve and returns what it returned and how long it took.
func (s *served) stop(t *testing.T) (error, time.Duration) {
	t.Helper()
	began := time.Now()
	s.cancel()
	select {
	case <-s.done:
		return s.err, time.Since(began)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	return nil, 0
}

// stalledRequest opens a connection that sends the headers of a request with Content-Length 100
// and then only 6 bytes of body.
func stalledRequest(t *testing.T, url, key string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /v1/call/bulk-delete HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"cal", key)
	return c
}

func TestServePortTakenCreatesNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	path := filepath.Join(t.TempDir(), "new.db")
	stdout, stderr, err := cli(t, nil, "serve", "-db", path, "-addr", taken.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "cannot listen on") {
		t.Fatalf("err = %v", err)
	}
	if stdout != "" || strings.Contains(stderr, "cs_") {
		t.Fatalf("something was printed: stdout %q stderr %q", stdout, stderr)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the database file was created although the port was taken (%v)", err)
	}
}

func TestServeStalledBodyIsCutOff(t *testing.T) {
	s := startServe(t, "-db", ":memory:", "-read-timeout", "1s")
	c := stalledRequest(t, s.url, s.key)
	began := time.Now()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.ReadAll(c) // whatever the server answers, it must end the connection
	if err != nil {
		t.Fatalf("the connection was not closed by the server: %v", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("a stalled body held its connection for %s with -read-timeout 1s", took)
	}
}

func TestServeShutdownWithAStalledClient(t *testing.T) {
	s := startServe(t, "-db", ":memory:", "-read-timeout", "30s", "-shutdown-timeout", "500ms")
	stalledRequest(t, s.url, s.key)
	time.Sleep(200 * time.Millisecond) // the request is in its handler, waiting for its body
	err, took := s.stop(t)
	if err != nil {
		t.Fatalf("serve returned %v: a stalled client must not make the exit fail", err)
	}
	if took > 3*time.Second {
		t.Fatalf("stopping took %s with -shutdown-timeout 500ms", took)
	}
	if !strings.Contains(s.stderr.String(), "callstore stopped") {
		t.Fatalf("no stop line: %s", s.stderr.String())
	}
}

// TestServeSlowImport: an import whose body arrives over longer than -read-timeout (a line every
// 300 ms for about 2.5 s, against 1 s) still completes, because the import moves its deadlines
// forward while the body keeps arriving.
func TestServeSlowImport(t *testing.T) {
	s := startServe(t, "-db", ":memory:", "-read-timeout", "1s", "-write-timeout", "1s")
	pr, pw := io.Pipe()
	go func() {
		for i := range 8 {
			fmt.Fprintf(pw, `{"from_number":"+34910000000","to_number":"+3460000%04d","type":"outbound","status":"completed"}`+"\n", i)
			time.Sleep(300 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", s.url+"/v1/call/import", pr)
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(bufio.NewReader(resp.Body))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"imported":8`) {
		t.Fatalf("slow import: %d %s", resp.StatusCode, body)
	}
}

func TestServeLogFlags(t *testing.T) {
	s := startServe(t, "-db", ":memory:", "-log-format", "json", "-log-level", "debug")
	req, _ := http.NewRequest("GET", s.url+"/v1/call/", nil)
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("X-Request-Id", "req-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.stop(t)
	if !strings.Contains(s.stderr.String(), `"request_id":"req-42"`) || !strings.Contains(s.stderr.String(), `"msg":"listening on http://`) {
		t.Fatalf("json log lines expected: %s", s.stderr.String())
	}
	for _, bad := range [][]string{{"-log-format", "xml"}, {"-log-level", "loud"}, {"-read-timeout", "0s"}} {
		if _, _, err := cli(t, nil, append([]string{"serve", "-db", ":memory:", "-addr", "127.0.0.1:0"}, bad...)...); err == nil {
			t.Errorf("serve %v must fail", bad)
		}
	}
}

// TestServeStalledImportIsReported: an import whose client stops sending is cut off after
// -read-timeout, and the answer says which lines were imported and where reading stopped.
func TestServeStalledImportIsReported(t *testing.T) {
	s := startServe(t, "-db", ":memory:", "-read-timeout", "1s", "-write-timeout", "1s")
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		for i := range 2 {
			fmt.Fprintf(pw, `{"from_number":"+34910000000","to_number":"+3460000%04d","type":"outbound","status":"completed"}`+"\n", i)
		}
		// and then nothing: the client stalls without closing
	}()
	req, _ := http.NewRequest("POST", s.url+"/v1/call/import", pr)
	req.Header.Set("Authorization", "Bearer "+s.key)
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("a stalled import held on for %s", took)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"imported":2`) || !strings.Contains(string(body), `"line":3,"error_code":"READ_ERROR"`) {
		t.Fatalf("stalled import: %d %s", resp.StatusCode, body)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeMetricsAndPprofAddresses(t *testing.T) {
	t.Run("OnTheAPIAddress", func(t *testing.T) {
		s := startServe(t, "-db", ":memory:")
		if code, body := get(t, s.url+"/metrics"); code != 200 || !strings.Contains(body, "callstore_http_requests_in_flight 1") {
			t.Fatalf("/metrics: %d %.200s", code, body)
		}
	})
	t.Run("OwnAddress", func(t *testing.T) {
		s := startServe(t, "-db", ":memory:", "-metrics-addr", "127.0.0.1:0", "-pprof-addr", "127.0.0.1:0")
		if code, _ := get(t, s.url+"/metrics"); code != 404 {
			t.Fatalf("/metrics on the API address: %d, want 404 when -metrics-addr is set", code)
		}
		m := regexp.MustCompile(`metrics on (http://127\.0\.0\.1:\d+)/metrics`).FindStringSubmatch(s.stderr.String())
		p := regexp.MustCompile(`pprof on (http://127\.0\.0\.1:\d+)/debug/pprof/`).FindStringSubmatch(s.stderr.String())
		if m == nil || p == nil {
			t.Fatalf("addresses not logged: %s", s.stderr.String())
		}
		if code, body := get(t, m[1]+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
			t.Fatalf("metrics address: %d", code)
		}
		if code, _ := get(t, p[1]+"/debug/pprof/"); code != 200 {
			t.Fatalf("pprof address: %d", code)
		}
	})
	t.Run("Off", func(t *testing.T) {
		s := startServe(t, "-db", ":memory:", "-metrics-addr", "off")
		if code, _ := get(t, s.url+"/metrics"); code != 404 {
			t.Fatalf("/metrics with -metrics-addr off: %d", code)
		}
	})
	t.Run("PprofOnlyOnLoopback", func(t *testing.T) {
		if _, _, err := cli(t, nil, "serve", "-db", ":memory:", "-addr", "127.0.0.1:0", "-pprof-addr", "0.0.0.0:6060"); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Fatalf("err = %v", err)
		}
	})
}
