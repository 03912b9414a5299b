// Package bench is a load generator for callstore's HTTP API, in the spirit of pgbench: it
// discovers ids in a running server's data, then runs one scenario with a fixed number of
// concurrent workers for a fixed time and reports throughput and latency percentiles.
//
// It talks to loopback addresses only: a benchmark is something one runs against one's own
// server, never against someone else's.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Scenarios lists every scenario Run knows, with what it does.
var Scenarios = []struct{ Name, Summary string }{
	{"list-first", "GET /v1/call/?limit=L: the newest page"},
	{"list-deep", "GET /v1/call/?limit=L&after=ID with random cursors at least -depth rows deep"},
	{"list-contact", "GET /v1/call/?limit=L&contact_id=C for random contacts"},
	{"list-page", "GET /v1/call/?limit=L&page=P (page mode with total_pages) for random P up to -max-page"},
	{"get", "GET /v1/call/{id} for random calls"},
	{"messages", "GET /v1/call/{id}/message for random calls"},
	{"bulk-delete", "POST /v1/call/bulk-delete with 500 random terminal calls never sent before"},
	{"mixed", "all at once: ingest (POST /v1/call/ then PATCH to completed), lists, gets, transcripts, occasional bulk delete"},
}

// Config is one benchmark run.
type Config struct {
	URL         string        // base URL of the server, e.g. http://127.0.0.1:8080 (loopback only)
	Key         string        // API key (Bearer)
	Scenario    string        // one of Scenarios
	Duration    time.Duration // how long the scenario runs (default 15s)
	Concurrency int           // workers sending requests (default 8)
	Requests    int64         // optional cap on requests (0: none)
	Limit       int           // page size of list requests (default 50)
	Depth       int           // list-deep: cursors at least this many rows from the newest (default 20000)
	MaxPage     int           // list-page: highest page requested (default 20)
	Sample      int           // calls to sample during discovery (default 20000; 200000 for bulk-delete and mixed)
	Log         io.Writer     // notes about discovery and the run (nil: none)
}

// Report is the result of a run.
type Report struct {
	Scenario    string  `json:"scenario"`
	URL         string  `json:"url"`
	Concurrency int     `json:"concurrency"`
	Elapsed     float64 `json:"elapsed_seconds"`
	Total       Stats   `json:"total"`
	Ops         []Stats `json:"ops"`
	Deleted     int64   `json:"deleted,omitempty"` // calls bulk-delete answered as deleted
	// Errors holds the first few non-2xx answers and connection errors.
	Errors []string `json:"errors"`
	// Notes says why a run ended early or what discovery had to settle for.
	Notes []string `json:"notes"`
}

// OK reports whether every request got a 2xx answer.
func (r *Report) OK() bool { return r.Total.Non2xx == 0 && r.Total.Failed == 0 }

const (
	bulkSize  = 500 // call ids per bulk-delete request (the contract's maximum)
	maxErrors = 5   // error bodies kept for the report
)

func (c *Config) setDefaults() error {
	if c.Duration == 0 {
		c.Duration = 15 * time.Second
	}
	if c.Concurrency == 0 {
		c.Concurrency = 8
	}
	if c.Limit == 0 {
		c.Limit = 50
	}
	if c.Depth == 0 {
		c.Depth = 20000
	}
	if c.MaxPage == 0 {
		c.MaxPage = 20
	}
	if c.Sample == 0 {
		c.Sample = 20000
		if c.Scenario == "bulk-delete" || c.Scenario == "mixed" {
			c.Sample = 200000
		}
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	switch {
	case c.Duration < 0 || c.Concurrency < 1 || c.Requests < 0 || c.Limit < 1 || c.Limit > 1000 || c.Depth < 0 || c.MaxPage < 1 || c.Sample < 1:
		return errors.New("bench: duration, concurrency, requests, limit (1-1000), depth, max-page and sample must be positive")
	case c.Key == "":
		return errors.New("bench: an API key is required")
	}
	return CheckLoopback(c.URL)
}

// CheckLoopback accepts only http URLs whose host is localhost or a loopback IP address
// (127.0.0.0/8, ::1). callstore serves plain HTTP; so does the load generator's client.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bench: bad URL %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("bench: URL %q: want http://", raw)
	}
	if h := u.Hostname(); !strings.EqualFold(h, "localhost") {
		if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("bench: refusing %q: only loopback targets (localhost, 127.0.0.0/8, ::1) may be benchmarked", raw)
		}
	}
	return nil
}

// hostPort is the host:port to dial for u (port 80 when the URL names none).
func hostPort(u *url.URL) string {
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return u.Host
}

// Run discovers what the scenario needs, runs it, and reports. The run ends after cfg.Duration,
// after cfg.Requests requests, when ctx is cancelled, or when bulk-delete has used up its sample.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.URL) // checked by setDefaults
	b := &runner{cfg: cfg, hostport: hostPort(u), prefix: strings.TrimRight(u.Path, "/")}
	b.discovery = newConn(b.hostport)
	defer b.discovery.close()
	rep := &Report{Scenario: cfg.Scenario, URL: cfg.URL, Concurrency: cfg.Concurrency, Errors: []string{}, Notes: []string{}}
	b.rep = rep
	step, err := b.scenario()
	if err != nil {
		return nil, err
	}
	if err := b.discover(ctx); err != nil {
		return nil, err
	}

	fmt.Fprintf(cfg.Log, "running %s: %d workers for %s\n", cfg.Scenario, cfg.Concurrency, cfg.Duration)
	deadline := time.Now().Add(cfg.Duration)
	workers := make([]*worker, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &worker{b: b, ctx: ctx, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), ops: map[string]*opStats{}, conn: newConn(b.hostport)}
		workers[i] = w
		wg.Go(func() {
			defer w.conn.close()
			// Each worker stops by itself: at the deadline, at the request cap, or when the
			// sample runs out. A request in flight at the deadline is allowed to finish.
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := step(w); err != nil {
					if !errors.Is(err, errCapReached) {
						b.note(err.Error())
					}
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.summarize(workers, elapsed)
	return rep, nil
}

// runner is the state shared by the workers of one run.
type runner struct {
	cfg       Config
	hostport  string // of the server
	prefix    string // path of the URL, before every request path
	discovery *conn  // the connection of the (sequential) discovery requests
	rep       *Report
	sent      atomic.Int64 // requests started, for the -requests cap
	data      *sample

	mu      sync.Mutex // guards rep.Errors, rep.Notes, deleted and data.handedOut
	deleted int64      // calls the server said bulk-delete deleted
}

func (b *runner) note(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.rep.Notes {
		if n == s {
			return
		}
	}
	b.rep.Notes = append(b.rep.Notes, s)
}

func (b *runner) recordError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.rep.Errors) < maxErrors {
		b.rep.Errors = append(b.rep.Errors, s)
	}
}

// errCapReached stops a worker once the -requests cap is reached.
var errCapReached = errors.New("request cap reached")

// worker sends requests one after another and keeps its own latencies (no locking on the hot path).
type worker struct {
	b    *runner
	ctx  context.Context
	rng  *rand.Rand
	ops  map[string]*opStats
	conn *conn
	buf  bytes.Buffer // the body of the last answer, reused so reading a page allocates nothing
}

type opStats struct {
	latencies      []time.Duration
	non2xx, failed int64
}

// do sends one request and records it under op. It returns the body of a 2xx answer and ok;
// a non-2xx answer or a connection error is counted and gives ok false. stop is errCapReached once
// the -requests cap is reached. A request cut short by the end of the run is not counted. data is
// valid until the worker's next request.
func (w *worker) do(op, method, path string, body []byte) (data []byte, ok bool, stop error) {
	b := w.b
	if b.cfg.Requests > 0 && b.sent.Add(1) > b.cfg.Requests {
		return nil, false, errCapReached
	}
	st := w.ops[op]
	if st == nil {
		st = &opStats{}
		w.ops[op] = st
	}
	t0 := time.Now()
	status, err := w.conn.do(w.ctx, method, b.prefix+path, b.cfg.Key, body, &w.buf)
	data = w.buf.Bytes()
	took := time.Since(t0)
	switch {
	case w.ctx.Err() != nil:
		return nil, false, nil
	case err != nil:
		st.failed++
		b.recordError(fmt.Sprintf("%s %s: %v", method, path, err))
		return nil, false, nil
	}
	st.latencies = append(st.latencies, took)
	if status < 200 || status > 299 {
		st.non2xx++
		b.recordError(fmt.Sprintf("%s %s: %d %s", method, path, status, truncate(data, 300)))
		return data, false, nil
	}
	return data, true, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// summarize merges the workers' latencies into the report, per operation and in total.
func (b *runner) summarize(workers []*worker, elapsed time.Duration) {
	var names []string
	merged := map[string]*opStats{}
	for _, w := range workers {
		for name, st := range w.ops {
			m := merged[name]
			if m == nil {
				m = &opStats{}
				merged[name] = m
				names = append(names, name)
			}
			m.latencies = append(m.latencies, st.latencies...)
			m.non2xx += st.non2xx
			m.failed += st.failed
		}
	}
	order := func(name string) int {
		if i := slices.Index(opOrder, name); i >= 0 {
			return i
		}
		return len(opOrder)
	}
	slices.SortFunc(names, func(x, y string) int { return order(x) - order(y) })
	all := &opStats{}
	for _, name := range names {
		m := merged[name]
		all.latencies = append(all.latencies, m.latencies...)
		all.non2xx += m.non2xx
		all.failed += m.failed
		b.rep.Ops = append(b.rep.Ops, Summarize(name, m.latencies, m.non2xx, m.failed, elapsed))
	}
	b.rep.Total = Summarize("total", all.latencies, all.non2xx, all.failed, elapsed)
	b.rep.Elapsed = elapsed.Seconds()
	b.rep.Deleted = b.deleted
}

// opOrder is the order operations are reported in.
var opOrder = []string{"list-first", "list-deep", "list-contact", "list-page", "get", "messages", "ingest", "complete", "bulk-delete"}
