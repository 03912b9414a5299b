package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBenchCommandOperable: bench fails at once, with a message saying why, on what would
// otherwise waste a run: a wrong flag (before asking for a key or connecting), a server that
// refuses connections, a server that goes away during the run.
func TestBenchCommandOperable(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[],"has_more":false}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	t.Run("UnknownScenarioWithoutKey", func(t *testing.T) {
		_, _, err := runCmd(t, "bench", "-url", srv.URL, "-scenario", "nope")
		if err == nil || !strings.Contains(err.Error(), `unknown scenario "nope"`) {
			t.Fatalf("err %v, want the unknown scenario named", err)
		}
		for _, s := range []string{"list-first", "list-deep", "list-contact", "list-page", "get", "messages", "bulk-delete", "mixed"} {
			if !strings.Contains(err.Error(), s) {
				t.Fatalf("err %v does not list the scenario %s", err, s)
			}
		}
	})
	t.Run("BadRateWithoutKey", func(t *testing.T) {
		if _, _, err := runCmd(t, "bench", "-url", srv.URL, "-scenario", "get", "-rate", "-3"); err == nil || !strings.Contains(err.Error(), "rate -3") {
			t.Fatalf("err %v, want the rate refused", err)
		}
	})
	t.Run("KeyAskedLast", func(t *testing.T) {
		if _, _, err := runCmd(t, "bench", "-url", srv.URL, "-scenario", "get"); err == nil || !strings.Contains(err.Error(), "API key") {
			t.Fatalf("err %v, want the key asked for", err)
		}
	})
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections made before the flags were all checked", n)
	}

	t.Run("RefusedFailsFast", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u := "http://" + ln.Addr().String()
		ln.Close()
		start := time.Now()
		out, _, err := runCmd(t, "bench", "-url", u, "-key", "k", "-scenario", "list-first", "-duration", "10s")
		want := "bench: cannot connect to " + u + ": connection refused"
		if err == nil || err.Error() != want || time.Since(start) > 2*time.Second || out != "" {
			t.Fatalf("after %v: err %v, output %q; want at once %q", time.Since(start), err, out, want)
		}
	})
	t.Run("ServerGoneStops", func(t *testing.T) {
		gone := httptest.NewServer(srv.Config.Handler)
		defer gone.Close()
		time.AfterFunc(200*time.Millisecond, gone.Close)
		start := time.Now()
		out, _, err := runCmd(t, "bench", "-url", gone.URL, "-key", "k", "-scenario", "list-first", "-duration", "10s", "-concurrency", "2")
		if err == nil || !strings.Contains(err.Error(), "bench: server gone") || time.Since(start) > 3*time.Second {
			t.Fatalf("after %v: err %v; want a stop saying the server is gone", time.Since(start), err)
		}
		if !strings.Contains(out, "stopped: server gone") || !regexp.MustCompile(`list-first +\d+ `).MatchString(out) {
			t.Fatalf("output %q: want the report until then and why it stopped", out)
		}
	})
}

// TestBenchCommandRate: -rate prints how the run kept to its schedule next to the percentiles,
// in the table and in the JSON.
func TestBenchCommandRate(t *testing.T) {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		time.Sleep(20 * time.Millisecond) // one at a time: 50 requests/s at most
		mu.Unlock()
		fmt.Fprint(w, `{"data":[],"has_more":false}`)
	}))
	defer srv.Close()

	t.Run("Table", func(t *testing.T) {
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-rate", "100", "-duration", "500ms")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "scenario list-first: 8 workers, ") || !strings.Contains(out, "fixed rate 100/s (latencies from intended send times)") {
			t.Fatalf("report %q: want the fixed rate in the heading", out)
		}
		m := regexp.MustCompile(`rate: ([\d.]+)/s achieved of 100/s; (\d+) of 50 scheduled requests sent, (\d+) of them late \(over 1.00ms behind schedule\), at most [\d.]+ms behind`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("report %q: want the rate line", out)
		}
		if achieved, _ := strconv.ParseFloat(m[1], 64); achieved < 30 || achieved > 70 || m[3] == "0" {
			t.Fatalf("report %q: want the achieved rate (about 50/s) and late requests", out)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-rate", "10", "-duration", "500ms", "-json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Total struct {
				Requests int     `json:"requests"`
				P50      float64 `json:"p50_ms"`
			} `json:"total"`
			Rate *struct {
				Target    float64  `json:"target_per_second"`
				Achieved  float64  `json:"achieved_per_second"`
				Scheduled int      `json:"scheduled"`
				Sent      int      `json:"sent"`
				Late      *int     `json:"late"`
				MaxLag    *float64 `json:"max_lag_ms"`
			} `json:"rate"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Rate == nil {
			t.Fatalf("JSON report %q: %v", out, err)
		}
		if r := rep.Rate; r.Target != 10 || r.Scheduled != 5 || r.Sent != 5 || rep.Total.Requests != 5 || r.Late == nil || r.MaxLag == nil || r.Achieved <= 0 {
			t.Fatalf("JSON report %q: want 5 requests of 5 scheduled at 10/s", out)
		}
	})
	t.Run("ClosedLoopHasNoRate", func(t *testing.T) {
		out, _, err := runCmd(t, "bench", "-url", srv.URL, "-key", "k", "-scenario", "list-first", "-requests", "3", "-json")
		if err != nil || strings.Contains(out, `"rate"`) {
			t.Fatalf("err %v, JSON %q: want no rate section in closed loop", err, out)
		}
	})
}
