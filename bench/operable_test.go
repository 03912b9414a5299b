package bench_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callstore/callstore/bench"
)

// refusedURL is a loopback URL nothing listens on: a port just released.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// emptyList answers every request with an empty page, as list-first needs no discovery.
func emptyList(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprint(w, `{"data":[],"has_more":false}`)
}

// A server that refuses connections fails the run at once with the reason, instead of a run of
// its whole duration made of failed requests.
func TestRunFailsFastWhenRefused(t *testing.T) {
	u := refusedURL(t)
	start := time.Now()
	rep, err := bench.Run(context.Background(), bench.Config{URL: u, Key: "k", Scenario: "list-first", Duration: 10 * time.Second})
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v against a refusing server, want well under 2s", took)
	}
	want := "cannot connect to " + u + ": connection refused"
	if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Run = %+v, %v; want the error %q", rep, err, want)
	}
}

// A server that goes away during the run stops it once no connection has worked for a second,
// with a report of what was measured until then and a reason.
func TestRunStopsWhenServerGoes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(emptyList))
	defer srv.Close()
	time.AfterFunc(300*time.Millisecond, srv.Close)
	start := time.Now()
	rep, err := bench.Run(context.Background(), bench.Config{URL: srv.URL, Key: "k", Scenario: "list-first", Duration: 10 * time.Second, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < time.Second || took > 3*time.Second {
		t.Fatalf("took %v; want a stop about 1s after the server went away at 0.3s", took)
	}
	if !strings.Contains(rep.Aborted, "server gone") || !strings.Contains(rep.Aborted, "connection refused") {
		t.Fatalf("aborted %q: want the server gone, connections refused", rep.Aborted)
	}
	// Answers before the server went, and a paced trickle of failures after (not a spin).
	if answered := rep.Total.Requests - rep.Total.Failed; answered < 10 || rep.Total.Failed < 1 || rep.Total.Failed > 1000 || rep.OK() {
		t.Fatalf("total %+v: want answers, then a few hundred failures at most", rep.Total)
	}
}

// A server that is away for less than a second is reported (failed requests), not fatal: the run
// goes on to its end once the server is back.
func TestRunSurvivesABriefOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var answered atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answered.Add(1); emptyList(w, r) })
	first := &http.Server{Handler: handler}
	go first.Serve(ln)
	var second *http.Server
	var mu sync.Mutex
	back := make(chan error, 1)
	time.AfterFunc(200*time.Millisecond, func() {
		first.Close()
		time.Sleep(300 * time.Millisecond)
		ln, err := net.Listen("tcp", addr)
		back <- err
		if err != nil {
			return
		}
		mu.Lock()
		second = &http.Server{Handler: handler}
		mu.Unlock()
		go second.Serve(ln)
	})
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if second != nil {
			second.Close()
		}
	}()

	rep, err := bench.Run(context.Background(), bench.Config{URL: "http://" + addr, Key: "k", Scenario: "list-first", Duration: 1500 * time.Millisecond, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-back; err != nil {
		t.Skipf("could not listen on %s again: %v", addr, err)
	}
	if rep.Aborted != "" || rep.Elapsed < 1.5 {
		t.Fatalf("aborted %q after %.1fs: a 0.3s outage must not end a 1.5s run", rep.Aborted, rep.Elapsed)
	}
	if rep.Total.Failed < 1 || rep.Total.Failed > 500 || len(rep.Errors) == 0 {
		t.Fatalf("total %+v, errors %q: want the outage's failures reported", rep.Total, rep.Errors)
	}
	// The server may have handled a request whose answer its shutdown cut off: one per worker.
	if got, served := rep.Total.Requests-rep.Total.Failed, answered.Load(); got < 20 || got > served || got < served-4 {
		t.Fatalf("report says %d answers, the server handled %d", got, served)
	}
}

// Every setting is checked before the key and before any connection: a wrong scenario is named
// with the list of scenarios even without a key.
func TestRunChecksBeforeConnecting(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(emptyList))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	for name, tc := range map[string]struct {
		cfg  bench.Config
		want string
	}{
		"UnknownScenarioNoKey": {bench.Config{URL: srv.URL, Scenario: "nope"}, `unknown scenario "nope": want one of list-first, list-deep, list-contact, list-page, get, messages, bulk-delete, mixed`},
		"NoScenario":           {bench.Config{URL: srv.URL}, "a scenario is required: list-first, "},
		"NegativeRateNoKey":    {bench.Config{URL: srv.URL, Scenario: "get", Rate: -5}, "rate -5"},
		"BadURLNoKey":          {bench.Config{URL: "http://192.0.2.1", Scenario: "get"}, "only loopback"},
		"NoKey":                {bench.Config{URL: srv.URL, Scenario: "get", Rate: 10}, "API key is required"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := bench.Run(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error with %q", err, tc.want)
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections to the server; a bad configuration must fail before connecting", n)
	}
}

// serialServer answers one request at a time, each after service: it can answer at most
// 1/service requests a second.
func serialServer(t *testing.T, service time.Duration) *httptest.Server {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		time.Sleep(service)
		mu.Unlock()
		emptyList(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// At a fixed rate the server can keep up with, requests go out on schedule and the latency is
// the service time.
func TestRunFixedRateKeepsUp(t *testing.T) {
	srv := serialServer(t, 20*time.Millisecond)
	rep := run(t, srv, bench.Config{Scenario: "list-first", Rate: 10, Duration: time.Second, Concurrency: 4})
	r := rep.Rate
	if r == nil || r.Target != 10 || r.Scheduled != 10 || r.Sent != 10 || rep.Total.Requests != 10 || !rep.OK() {
		t.Fatalf("total %+v, rate %+v: want the 10 scheduled requests of 1s at 10/s, all answered", rep.Total, r)
	}
	if rep.Elapsed < 1 || rep.Elapsed > 1.5 || r.Achieved < 8 || r.Achieved > 10.01 {
		t.Fatalf("%.2fs, achieved %.1f/s: want the run to last its second at 10/s", rep.Elapsed, r.Achieved)
	}
	if p50 := time.Duration(rep.Total.P50); p50 < 20*time.Millisecond || p50 > 35*time.Millisecond {
		t.Fatalf("p50 %v, want the 20ms service time", p50)
	}
	if r.Late > 2 {
		t.Fatalf("%d of 10 requests late with idle workers", r.Late)
	}
}

// At a rate the server cannot keep up with (100/s against at most 50/s), the requests fall
// further and further behind their intended send times, and latencies, counted from those
// times, grow with the run instead of staying at the 20ms service time (which is what a closed
// loop would report, at a silently lower rate).
func TestRunFixedRateFallsBehind(t *testing.T) {
	srv := serialServer(t, 20*time.Millisecond)
	short := run(t, srv, bench.Config{Scenario: "list-first", Rate: 100, Duration: 500 * time.Millisecond, Concurrency: 8})
	long := run(t, srv, bench.Config{Scenario: "list-first", Rate: 100, Duration: 2 * time.Second, Concurrency: 8})
	for _, tc := range []struct {
		rep       *bench.Report
		scheduled int64
	}{{short, 50}, {long, 200}} {
		r := tc.rep.Rate
		if r == nil || r.Scheduled != tc.scheduled || r.Sent != tc.rep.Total.Requests || !tc.rep.OK() {
			t.Fatalf("total %+v, rate %+v: want %d scheduled", tc.rep.Total, r, tc.scheduled)
		}
		if r.Achieved < 35 || r.Achieved > 60 || r.Sent > tc.scheduled*4/5 {
			t.Fatalf("%d of %d sent, achieved %.1f/s: want about 50/s of the 100/s wanted", r.Sent, r.Scheduled, r.Achieved)
		}
		if r.Late < r.Sent/2 || time.Duration(r.MaxLag) < 150*time.Millisecond {
			t.Fatalf("%d of %d late, at most %v behind: want most requests sent late", r.Late, r.Sent, r.MaxLag)
		}
	}
	p50s, p50l := time.Duration(short.Total.P50), time.Duration(long.Total.P50)
	// Expected: the request answered at time t was intended at about t/2, so p50 is about 190ms
	// over 0.5s and 560ms over 2s.
	if p50s < 80*time.Millisecond || p50l < 300*time.Millisecond || float64(p50l) < 1.8*float64(p50s) {
		t.Fatalf("p50 %v over 0.5s and %v over 2s: want far above the 20ms service time, growing with the run", p50s, p50l)
	}
	t.Logf("p50 %v over 0.5s, %v over 2s; rate %+v", p50s, p50l, *long.Rate)
}
