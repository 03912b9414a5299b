package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callstore/callstore/bench"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.1.2.3:8080/", true},
		{"http://localhost:8080", true},
		{"http://LOCALHOST", true},
		{"https://127.0.0.1:8443", false}, // callstore serves plain HTTP
		{"http://[::1]:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://192.168.1.10", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"http://[::2]:8080", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
		{"", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			if err := bench.CheckLoopback(tc.url); (err == nil) != tc.ok {
				t.Fatalf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
			}
		})
	}
}

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1ms..100ms
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"Empty", nil, 50, 0},
		{"One", ms(7), 99, 7 * time.Millisecond},
		{"MedianOdd", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"MedianEven", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"P90Of100", hundred, 90, 90 * time.Millisecond},
		{"P99Of100", hundred, 99, 99 * time.Millisecond},
		{"P100", hundred, 100, 100 * time.Millisecond},
		{"P99Of10", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"P1Of10", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 1, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bench.Percentile(tc.sorted, tc.p); got != tc.want {
				t.Fatalf("Percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	s := bench.Summarize("get", ms(5, 1, 4, 2, 3), 2, 1, 2*time.Second)
	want := bench.Stats{Op: "get", Requests: 6, RPS: 3, P50: bench.Millis(3 * time.Millisecond), P90: bench.Millis(5 * time.Millisecond),
		P99: bench.Millis(5 * time.Millisecond), Max: bench.Millis(5 * time.Millisecond), Non2xx: 2, Failed: 1}
	if s != want {
		t.Fatalf("Summarize = %+v, want %+v", s, want)
	}
	b, err := json.Marshal(bench.Stats{P50: bench.Millis(1500 * time.Microsecond)})
	if err != nil || !strings.Contains(string(b), `"p50_ms":1.5`) {
		t.Fatalf("JSON %s, %v: want p50_ms 1.5", b, err)
	}
}

// fake is a tiny stand-in for callstore's call endpoints: n calls, the newest last, with the
// documented wire shapes, and a log of what the load generator asked for.
type fake struct {
	mu       sync.Mutex
	calls    []fakeCall // ascending by created date
	byID     map[string]int
	deleted  map[string]bool
	sent     map[string]int // bulk-delete: times each id was sent
	afters   []string       // list cursors received
	requests int
	fail     func(r *http.Request) bool // answer 503 when true
}

type fakeCall struct {
	ID, Status, Contact string
	Created             time.Time
	Ingested            bool // recorded by the load generator itself: no transcript
}

func newFake(n int) *fake {
	f := &fake{byID: map[string]int{}, deleted: map[string]bool{}, sent: map[string]int{}}
	statuses := []string{"completed", "failed", "transferred", "no_answer", "completed", "completed", "in_progress", "completed", "completed", "dialing"}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		c := fakeCall{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), Status: statuses[i%len(statuses)],
			Contact: fmt.Sprintf("10000000-0000-7000-8000-%012d", i%37), Created: t0.Add(time.Duration(i) * time.Minute)}
		f.byID[c.ID] = i
		f.calls = append(f.calls, c)
	}
	return f
}

func (f *fake) server(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/call/", f.list)
	mux.HandleFunc("GET /v1/call/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := f.live(r.PathValue("id")); !ok {
			http.Error(w, `{"status":"error","error_code":"CALL_NOT_FOUND"}`, http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})
	mux.HandleFunc("GET /v1/call/{id}/message", func(w http.ResponseWriter, r *http.Request) {
		i, ok := f.live(r.PathValue("id"))
		if !ok {
			http.Error(w, `{}`, http.StatusNotFound)
			return
		}
		if f.calls[i].Ingested {
			http.Error(w, `{"status":"error","error_code":"NO_MESSAGES_FOR_CALL"}`, http.StatusNotFound)
			return
		}
		fmt.Fprint(w, `{"data":[{"id":"m"}],"has_more":false}`)
	})
	mux.HandleFunc("POST /v1/call/bulk-delete", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CallIDs []string `json:"call_ids"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.CallIDs) == 0 || len(req.CallIDs) > 500 {
			http.Error(w, `{"detail":[]}`, http.StatusUnprocessableEntity)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		n := 0
		for _, id := range req.CallIDs {
			f.sent[id]++
			if i, ok := f.byID[id]; ok && !f.deleted[id] && f.calls[i].Status != "dialing" && f.calls[i].Status != "in_progress" {
				f.deleted[id] = true
				n++
			}
		}
		fmt.Fprintf(w, `{"deleted":%d}`, n)
	})
	mux.HandleFunc("POST /v1/call/", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req["from_number"] == nil || req["to_number"] == nil {
			http.Error(w, `{"detail":[]}`, http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"ffffffff-0000-7000-8000-000000000001","status":"dialing"}`)
	})
	mux.HandleFunc("PATCH /v1/call/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%q,"status":"completed"}`, r.PathValue("id"))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		fail := f.fail != nil && f.fail(r)
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, `{"status":"error","error_code":"INVALID_API_KEY"}`, http.StatusUnauthorized)
			return
		}
		if fail {
			http.Error(w, `{"status":"error","error_code":"INTERNAL_SERVER_ERROR","message":"injected"}`, http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (f *fake) live(id string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.byID[id]
	return i, ok && !f.deleted[id]
}

// list serves GET /v1/call/ with limit, order, after, page, start_created_date and contact_id.
func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	var rows []fakeCall
	for _, c := range f.calls {
		if !f.deleted[c.ID] && (q.Get("contact_id") == "" || q.Get("contact_id") == c.Contact) {
			rows = append(rows, c)
		}
	}
	if from := q.Get("start_created_date"); from != "" {
		t, err := time.Parse(time.RFC3339Nano, from)
		if err != nil {
			http.Error(w, `{}`, http.StatusBadRequest)
			return
		}
		i, _ := slices.BinarySearchFunc(rows, t, func(c fakeCall, t time.Time) int { return c.Created.Compare(t) })
		rows = rows[i:]
	}
	if q.Get("order") != "asc" {
		slices.Reverse(rows)
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit == 0 {
		limit = 50
	}
	type page struct {
		Data        []map[string]any `json:"data"`
		LastID      *string          `json:"last_id"`
		HasMore     bool             `json:"has_more"`
		CurrentPage *int             `json:"current_page"`
		TotalPages  *int             `json:"total_pages"`
	}
	out := page{Data: []map[string]any{}}
	if after := q.Get("after"); after != "" {
		f.afters = append(f.afters, after)
		i := slices.IndexFunc(rows, func(c fakeCall) bool { return c.ID == after })
		if i < 0 {
			http.Error(w, `{}`, http.StatusBadRequest)
			return
		}
		rows = rows[i+1:]
	}
	if p := q.Get("page"); p != "" {
		n, _ := strconv.Atoi(p)
		total := (len(rows) + limit - 1) / limit
		out.CurrentPage, out.TotalPages = &n, &total
		rows = rows[min(len(rows), (n-1)*limit):]
	}
	out.HasMore = len(rows) > limit
	rows = rows[:min(limit, len(rows))]
	for _, c := range rows {
		row := map[string]any{"id": c.ID, "status": c.Status, "created_date": c.Created, "contact": map[string]string{"id": c.Contact}, "dynamic_variables": nil}
		if c.Ingested {
			row["dynamic_variables"] = map[string]string{"source": "callstore bench"}
		}
		out.Data = append(out.Data, row)
	}
	if len(rows) > 0 {
		out.LastID = &rows[len(rows)-1].ID
	}
	json.NewEncoder(w).Encode(out)
}

func run(t *testing.T, srv *httptest.Server, cfg bench.Config) *bench.Report {
	t.Helper()
	cfg.URL, cfg.Key = srv.URL, "test-key"
	if cfg.Duration == 0 {
		cfg.Duration = 200 * time.Millisecond
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	rep, err := bench.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunStopsByItself(t *testing.T) {
	for _, sc := range bench.Scenarios {
		if sc.Name == "bulk-delete" {
			continue // covered below: it needs a sample per request
		}
		t.Run(sc.Name, func(t *testing.T) {
			f := newFake(3000)
			start := time.Now()
			rep := run(t, f.server(t), bench.Config{Scenario: sc.Name, Duration: 300 * time.Millisecond, Depth: 500, Sample: 10000})
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("a 300ms run took %v", took)
			}
			if rep.Elapsed < 0.3 || rep.Elapsed > 2 {
				t.Fatalf("elapsed %.2fs, want about 0.3s", rep.Elapsed)
			}
			if rep.Total.Requests < 10 || !rep.OK() || len(rep.Errors) != 0 {
				t.Fatalf("report %+v: want requests, all 2xx", rep)
			}
			if rep.Total.P50 <= 0 || rep.Total.P50 > rep.Total.P90 || rep.Total.P90 > rep.Total.P99 || rep.Total.P99 > rep.Total.Max {
				t.Fatalf("percentiles out of order: %+v", rep.Total)
			}
			if sc.Name != "mixed" && (len(rep.Ops) != 1 || rep.Ops[0].Op != sc.Name || rep.Ops[0].Requests != rep.Total.Requests) {
				t.Fatalf("ops = %+v, want one row %s", rep.Ops, sc.Name)
			}
		})
	}
}

func TestRunMixedDoesEverything(t *testing.T) {
	f := newFake(3000)
	rep := run(t, f.server(t), bench.Config{Scenario: "mixed", Duration: 800 * time.Millisecond, Depth: 500, Sample: 10000})
	var ops []string
	var sum int64
	for _, s := range rep.Ops {
		ops = append(ops, s.Op)
		sum += s.Requests
	}
	for _, want := range []string{"list-first", "list-deep", "get", "messages", "ingest", "complete"} {
		if !slices.Contains(ops, want) {
			t.Errorf("mixed did no %s: ops %v", want, ops)
		}
	}
	if sum != rep.Total.Requests || !rep.OK() {
		t.Fatalf("total %+v, ops sum to %d; errors %v", rep.Total, sum, rep.Errors)
	}
}

// A run on a file that an earlier mixed run wrote to meets the calls that run recorded, which
// have no transcript; the load generator leaves them out of its sample instead of counting the
// contract's 404 for their messages as an error.
func TestRunSkipsCallsItRecorded(t *testing.T) {
	f := newFake(3000)
	for i := range f.calls {
		f.calls[i].Ingested = i%3 == 0
	}
	for _, sc := range []string{"messages", "mixed"} {
		rep := run(t, f.server(t), bench.Config{Scenario: sc, Duration: 300 * time.Millisecond, Depth: 500, Sample: 10000})
		if rep.Total.Requests < 10 || !rep.OK() || len(rep.Errors) != 0 {
			t.Fatalf("%s: %d requests, %d non-2xx, errors %v", sc, rep.Total.Requests, rep.Total.Non2xx, rep.Errors)
		}
	}
}

func TestRunCountsNon2xx(t *testing.T) {
	f := newFake(500)
	n := 0
	f.fail = func(r *http.Request) bool { // after discovery, every third GET of a call fails
		if strings.Count(r.URL.Path, "/") == 3 && r.URL.Path != "/v1/call/" {
			n++
			return n%3 == 0
		}
		return false
	}
	rep := run(t, f.server(t), bench.Config{Scenario: "get", Requests: 90, Sample: 500})
	if rep.Total.Requests != 90 || rep.Total.Non2xx != 30 || rep.OK() {
		t.Fatalf("total %+v, want 90 requests and 30 non-2xx", rep.Total)
	}
	if len(rep.Errors) != 5 || !strings.Contains(rep.Errors[0], "503") || !strings.Contains(rep.Errors[0], "injected") {
		t.Fatalf("errors = %q, want the first 5 with status and body", rep.Errors)
	}
}

func TestRunRequestCap(t *testing.T) {
	f := newFake(100)
	rep := run(t, f.server(t), bench.Config{Scenario: "list-first", Requests: 37, Duration: 10 * time.Second})
	f.mu.Lock()
	defer f.mu.Unlock()
	if rep.Total.Requests != 37 || f.requests != 37 || rep.Elapsed > 5 {
		t.Fatalf("report says %d requests in %.1fs, server saw %d: want 37, stopping early", rep.Total.Requests, rep.Elapsed, f.requests)
	}
}

func TestRunBulkDelete(t *testing.T) {
	f := newFake(3000) // 2400 terminal calls, of which the probes find most: a few requests of 500, then the sample runs out
	rep := run(t, f.server(t), bench.Config{Scenario: "bulk-delete", Duration: 10 * time.Second, Sample: 10000})
	if rep.Elapsed > 5 || len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "raise -sample") {
		t.Fatalf("elapsed %.1fs, notes %q: want an early stop telling to raise -sample", rep.Elapsed, rep.Notes)
	}
	if rep.Total.Requests < 1 || rep.Total.Requests > 4 || rep.Deleted != 500*rep.Total.Requests || !rep.OK() {
		t.Fatalf("%d requests deleted %d calls (errors %v), want 500 each", rep.Total.Requests, rep.Deleted, rep.Errors)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if int64(len(f.sent)) != rep.Deleted {
		t.Fatalf("%d distinct ids sent, %d deleted", len(f.sent), rep.Deleted)
	}
	for id, n := range f.sent {
		if n != 1 {
			t.Fatalf("call %s sent %d times", id, n)
		}
		if st := f.calls[f.byID[id]].Status; st == "dialing" || st == "in_progress" {
			t.Fatalf("active call %s (%s) sent to bulk-delete", id, st)
		}
	}
}

func TestRunListDeepUsesDeepCursors(t *testing.T) {
	f := newFake(3000)
	rep := run(t, f.server(t), bench.Config{Scenario: "list-deep", Depth: 1000, Sample: 20000, Requests: 200, Duration: 10 * time.Second})
	if !rep.OK() || rep.Total.Requests != 200 {
		t.Fatalf("report %+v", rep.Total)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	deep := 0
	for _, id := range f.afters[len(f.afters)-200:] { // the measured requests, after discovery's walk
		depth := len(f.calls) - 1 - f.byID[id] // rows newer than the cursor
		if depth < 1000 {
			t.Fatalf("cursor %s is %d rows deep, want >= 1000", id, depth)
		}
		deep++
	}
	if deep != 200 {
		t.Fatalf("%d deep cursors", deep)
	}
}

func TestRunRejects(t *testing.T) {
	f := newFake(10)
	srv := f.server(t)
	for name, cfg := range map[string]bench.Config{
		"UnknownScenario": {URL: srv.URL, Key: "test-key", Scenario: "list-everything"},
		"NotLoopback":     {URL: "http://192.0.2.1:8080", Key: "test-key", Scenario: "list-first"},
		"NoKey":           {URL: srv.URL, Scenario: "list-first"},
		"WrongKey":        {URL: srv.URL, Key: "nope", Scenario: "get"},
		"TooFewToDelete":  {URL: srv.URL, Key: "test-key", Scenario: "bulk-delete"},
		"BadLimit":        {URL: srv.URL, Key: "test-key", Scenario: "list-first", Limit: 1001},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := bench.Run(context.Background(), cfg); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestMillisString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		672 * time.Microsecond:    "0.67ms",
		4 * time.Millisecond:      "4.00ms",
		3835 * time.Millisecond:   "3835.00ms",
		1234567 * time.Nanosecond: "1.23ms",
	} {
		if got := bench.Millis(d).String(); got != want {
			t.Errorf("Millis(%v) = %q, want %q", d, got, want)
		}
	}
}
