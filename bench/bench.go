// Package bench is a load generator for callstore's HTTP API, in the spirit of pgbench: it
// discovers ids in a running server's data, then runs one scenario with a fixed number of
// concurrent workers for a fixed time and reports throughput and latency percentiles.
//
// By default each worker sends its next request as soon as the previous one is answered (closed
// loop). With a rate, requests follow a schedule of intended send times instead, and each one's
// latency counts from its intended time, so a server that falls behind shows as growing latencies
// rather than as a silently lower rate (no "coordinated omission", as in wrk2 or pgbench -R).
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
	"math"
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
	Rate        float64       // requests per second over all workers, on a fixed schedule (0: closed loop)
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
	// Rate says how a fixed-rate run kept to its schedule (nil in closed loop).
	Rate *RateStats `json:"rate,omitempty"`
	// Aborted says why the run was stopped before its end: the server stopped accepting
	// connections. The report covers the requests until then.
	Aborted string `json:"aborted,omitempty"`
}

// RateStats is how a fixed-rate run kept to its schedule. Its latencies count from each request's
// intended send time, so they include any time the request waited for a free worker.
type RateStats struct {
	Target    float64 `json:"target_per_second"`
	Achieved  float64 `json:"achieved_per_second"` // requests sent per second of the run
	Scheduled int64   `json:"scheduled"`           // intended send times before the run ended
	Sent      int64   `json:"sent"`
	Late      int64   `json:"late"`       // sent behind schedule: no worker was free within LateAfter of their intended time
	MaxLag    Millis  `json:"max_lag_ms"` // the furthest behind schedule a request was sent
}

// OK reports whether every request got a 2xx answer.
func (r *Report) OK() bool { return r.Total.Non2xx == 0 && r.Total.Failed == 0 }

const (
	bulkSize  = 500 // call ids per bulk-delete request (the contract's maximum)
	maxErrors = 5   // error bodies kept for the report

	// LateAfter is how far past a request's intended send time a worker of a fixed-rate run may
	// become free for it and the request still count as on time.
	LateAfter = time.Millisecond
	// downAfter ends a run in which connections have failed for this long without a single
	// answer in between: the server has gone away.
	downAfter = time.Second
	// retryPause is how long a worker waits after a failed connection before its next request, so
	// that a server that is down is not hammered, nor the report flooded with failures.
	retryPause = 10 * time.Millisecond
)

// checkScenario accepts the name of one of Scenarios.
func checkScenario(name string) error {
	names := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		if s.Name == name {
			return nil
		}
		names[i] = s.Name
	}
	if name == "" {
		return fmt.Errorf("bench: a scenario is required: %s", strings.Join(names, ", "))
	}
	return fmt.Errorf("bench: unknown scenario %q: want one of %s", name, strings.Join(names, ", "))
}

// setDefaults fills in defaults and checks the configuration, before anything touches the
// network: the scenario first, then the numbers, the URL, and the key last.
func (c *Config) setDefaults() error {
	if err := checkScenario(c.Scenario); err != nil {
		return err
	}
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
	case !(c.Rate >= 0) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("bench: rate %v: want requests per second (a positive number), or 0 for a closed loop", c.Rate)
	}
	if err := CheckLoopback(c.URL); err != nil {
		return err
	}
	if c.Key == "" {
		return errors.New("bench: an API key is required")
	}
	return nil
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

// Run discovers what the scenario needs, runs it, and reports. The configuration is checked before
// anything else, and a server that refuses connections fails the run at once. The run ends after
// cfg.Duration, after cfg.Requests requests, when ctx is cancelled, when bulk-delete has used up
// its sample, or when the server stops accepting connections (Report.Aborted says so).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.URL) // checked by setDefaults
	b := &runner{cfg: cfg, hostport: hostPort(u), prefix: strings.TrimRight(u.Path, "/")}
	b.discovery = newConn(b.hostport)
	defer b.discovery.close()
	if err := b.discovery.dial(ctx); err != nil {
		return nil, fmt.Errorf("bench: cannot connect to %s: %w", cfg.URL, dialCause(err))
	}
	rep := &Report{Scenario: cfg.Scenario, URL: cfg.URL, Concurrency: cfg.Concurrency, Errors: []string{}, Notes: []string{}}
	b.rep = rep
	step, err := b.scenario()
	if err != nil {
		return nil, err
	}
	if err := b.discover(ctx); err != nil {
		return nil, err
	}

	pace := ""
	if cfg.Rate > 0 {
		b.interval = float64(time.Second) / cfg.Rate
		pace = fmt.Sprintf(" at %g requests/s", cfg.Rate)
	}
	fmt.Fprintf(cfg.Log, "running %s: %d workers for %s%s\n", cfg.Scenario, cfg.Concurrency, cfg.Duration, pace)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	b.stop = stop
	workers := make([]*worker, cfg.Concurrency)
	var wg sync.WaitGroup
	b.start = time.Now()
	b.deadline = b.start.Add(cfg.Duration)
	for i := range workers {
		w := &worker{b: b, ctx: runCtx, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), ops: map[string]*opStats{}, conn: newConn(b.hostport)}
		workers[i] = w
		wg.Go(func() {
			defer w.conn.close()
			// Each worker stops by itself: at the deadline, at the request cap, when the
			// sample runs out, or when the server is gone. A request in flight at the deadline is
			// allowed to finish.
			for time.Now().Before(b.deadline) && runCtx.Err() == nil {
				if err := step(w); err != nil {
					if !errors.Is(err, errCapReached) && !errors.Is(err, errStopped) {
						b.note(err.Error())
					}
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(b.start)
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

	start, deadline time.Time          // of the measured run
	stop            context.CancelFunc // ends the measured run early (the server is gone)
	interval        float64            // fixed rate: nanoseconds between intended send times (0: closed loop)
	slot            atomic.Int64       // fixed rate: the next unclaimed intended send time, counted from start
	// downSince is when (nanoseconds after start, plus one) connections began to fail with no
	// answer since; 0 while the server answers. Read on every answer, written only on failures.
	downSince atomic.Int64

	mu      sync.Mutex // guards rep.Errors, rep.Notes, rep.Aborted, deleted and data.handedOut
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

// errStopped stops a worker at the end of a fixed-rate schedule or when the run was stopped early.
var errStopped = errors.New("run stopped")

// abort stops the run early because the server stopped accepting connections.
func (b *runner) abort(cause error) {
	b.mu.Lock()
	if b.rep.Aborted == "" {
		b.rep.Aborted = fmt.Sprintf("server gone: every connection to %s failed for %s with no answer (%v), %.1fs into the run; stopped early",
			b.cfg.URL, downAfter, dialCause(cause), time.Since(b.start).Seconds())
	}
	b.mu.Unlock()
	b.stop()
}

// worker sends requests one after another and keeps its own latencies (no locking on the hot path).
type worker struct {
	b    *runner
	ctx  context.Context
	rng  *rand.Rand
	ops  map[string]*opStats
	conn *conn
	buf  bytes.Buffer // the body of the last answer, reused so reading a page allocates nothing

	timer  *time.Timer   // for waiting: fixed rate, and after a failed connection
	late   int64         // fixed rate: requests no worker was free for at their intended time
	maxLag time.Duration // fixed rate: the furthest behind schedule a request was sent
}

type opStats struct {
	latencies      []time.Duration
	non2xx, failed int64
}

// do sends one request and records it under op. It returns the body of a 2xx answer and ok;
// a non-2xx answer or a connection error is counted and gives ok false. stop is errCapReached once
// the -requests cap is reached, and errStopped at the end of a fixed-rate schedule or when the
// server is gone. A request cut short by the end of the run is not counted. data is valid until
// the worker's next request.
//
// In closed loop the request is sent at once and its latency counts from then; at a fixed rate it
// waits for its slot of the schedule, and its latency counts from the slot's intended time.
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
	var t0 time.Time
	if b.interval > 0 {
		var err error
		if t0, err = w.waitForSlot(); err != nil {
			return nil, false, err
		}
	} else {
		t0 = time.Now()
	}
	status, err := w.conn.do(w.ctx, method, b.prefix+path, b.cfg.Key, body, &w.buf)
	data = w.buf.Bytes()
	took := time.Since(t0)
	switch {
	case w.ctx.Err() != nil:
		return nil, false, nil
	case err != nil:
		st.failed++
		b.recordError(fmt.Sprintf("%s %s: %v", method, path, err))
		return nil, false, w.failed(err)
	}
	if b.downSince.Load() != 0 {
		b.downSince.Store(0)
	}
	st.latencies = append(st.latencies, took)
	if status < 200 || status > 299 {
		st.non2xx++
		b.recordError(fmt.Sprintf("%s %s: %d %s", method, path, status, truncate(data, 300)))
		return data, false, nil
	}
	return data, true, nil
}

// waitForSlot claims the next intended send time of the schedule and waits for it. It returns
// the intended time, from which the request's latency counts: when every worker was still busy at
// that time, the request goes out late and its wait is part of its latency. At the end of the
// schedule it waits for the deadline (so a run lasts its duration) and returns errStopped.
func (w *worker) waitForSlot() (time.Time, error) {
	b := w.b
	intended := b.start.Add(time.Duration(float64(b.slot.Add(1)-1) * b.interval))
	if !intended.Before(b.deadline) {
		w.sleep(time.Until(b.deadline))
		return time.Time{}, errStopped
	}
	// Late means no worker was free at the intended time. A timer firing a little after it (tens
	// of microseconds, milliseconds on a loaded machine) is not: it shows in maxLag and latency only.
	if wait := time.Until(intended); wait < -LateAfter {
		w.late++
	} else if !w.sleep(wait) {
		return time.Time{}, errStopped
	}
	w.maxLag = max(w.maxLag, time.Since(intended))
	return intended, nil
}

// sleep waits for d, or less if the run is stopped meanwhile; it reports whether the run goes on.
func (w *worker) sleep(d time.Duration) bool {
	if d <= 0 {
		return w.ctx.Err() == nil
	}
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	select {
	case <-w.timer.C:
		return true
	case <-w.ctx.Done():
		w.timer.Stop()
		return false
	}
}

// failed handles a request that got no answer. After a failure to connect the worker pauses
// briefly, and once connections have failed for downAfter with no answer in between, the server
// is gone: the run stops (for every worker) and says so. Other failures are only counted.
func (w *worker) failed(err error) error {
	var de *dialError
	if !errors.As(err, &de) {
		return nil
	}
	b := w.b
	now := int64(time.Since(b.start)) + 1
	b.downSince.CompareAndSwap(0, now)
	if since := b.downSince.Load(); since != 0 && time.Duration(now-since) >= downAfter {
		b.abort(err)
		return errStopped
	}
	if !w.sleep(min(retryPause, time.Until(b.deadline))) {
		return errStopped
	}
	return nil
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
	if b.interval > 0 {
		r := &RateStats{Target: b.cfg.Rate, Achieved: b.rep.Total.RPS, Sent: b.rep.Total.Requests}
		r.Scheduled = int64(math.Ceil(float64(min(elapsed, b.cfg.Duration)) / b.interval))
		if b.cfg.Requests > 0 {
			r.Scheduled = min(r.Scheduled, b.cfg.Requests)
		}
		for _, w := range workers {
			r.Late += w.late
			r.MaxLag = Millis(max(time.Duration(r.MaxLag), w.maxLag))
		}
		b.rep.Rate = r
	}
}

// opOrder is the order operations are reported in.
var opOrder = []string{"list-first", "list-deep", "list-contact", "list-page", "get", "messages", "ingest", "complete", "bulk-delete"}
