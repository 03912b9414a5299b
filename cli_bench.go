package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/callstore/callstore/bench"
)

func runBench(ctx context.Context, args []string, e env) error {
	fs := newFlags("bench", e)
	var cfg bench.Config
	names := make([]string, len(bench.Scenarios))
	for i, s := range bench.Scenarios {
		names[i] = s.Name
	}
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "base URL of the server (loopback addresses only)")
	fs.StringVar(&cfg.Key, "key", e.getenv("CALLSTORE_KEY"), "API key (env CALLSTORE_KEY)")
	fs.StringVar(&cfg.Scenario, "scenario", "", "scenario: "+strings.Join(names, ", ")+" (required)")
	fs.DurationVar(&cfg.Duration, "duration", 15*time.Second, "how long to run")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent workers")
	fs.Int64Var(&cfg.Requests, "requests", 0, "stop after this many requests (default: no cap)")
	fs.IntVar(&cfg.Limit, "limit", 50, "page size of list requests")
	fs.IntVar(&cfg.Depth, "depth", 20000, "list-deep: cursors at least this many calls from the newest")
	fs.IntVar(&cfg.MaxPage, "max-page", 20, "list-page: highest page requested")
	fs.IntVar(&cfg.Sample, "sample", 0, "calls sampled before the run (default 20000; 200000 for bulk-delete and mixed)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "requests per second over all workers, on a fixed schedule; latencies count from each request's intended send time (default: closed loop, each worker sends when its last answer came)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: callstore bench -url U -key K -scenario S [-duration 15s] [-concurrency 8] [-rate N] [flags]")
		fmt.Fprintln(e.stderr, "scenarios:")
		for _, s := range bench.Scenarios {
			fmt.Fprintf(e.stderr, "  %-13s %s\n", s.Name, s.Summary)
		}
		fmt.Fprintln(e.stderr, "flags:")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if cfg.Scenario == "" {
		return fmt.Errorf("bench: -scenario is required (%s)", strings.Join(names, ", "))
	}
	cfg.Log = e.stderr
	// Run checks the scenario and every other flag, the key last, before it connects.
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e, rep); err != nil {
			return err
		}
	} else {
		printReport(e.stdout, rep)
	}
	if rep.Aborted != "" {
		return fmt.Errorf("bench: %s", rep.Aborted)
	}
	if !rep.OK() {
		return fmt.Errorf("bench: %d non-2xx answers and %d failed requests", rep.Total.Non2xx, rep.Total.Failed)
	}
	return nil
}

// printReport writes the report as a table: one row per operation, and a total when there are several.
func printReport(w io.Writer, r *bench.Report) {
	fmt.Fprintf(w, "scenario %s: %d workers, %.1fs, %s", r.Scenario, r.Concurrency, r.Elapsed, r.URL)
	if r.Rate != nil {
		fmt.Fprintf(w, ", fixed rate %g/s (latencies from intended send times)", r.Rate.Target)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\trequests\treq/s\tp50\tp90\tp99\tmax\tnon-2xx\tfailed\t")
	rows := r.Ops
	if len(rows) != 1 {
		rows = append(rows[:len(rows):len(rows)], r.Total)
	}
	for _, s := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%d\t%d\t\n", s.Op, s.Requests, s.RPS, s.P50, s.P90, s.P99, s.Max, s.Non2xx, s.Failed)
	}
	tw.Flush()
	if rt := r.Rate; rt != nil {
		fmt.Fprintf(w, "rate: %.1f/s achieved of %g/s; %d of %d scheduled requests sent, %d of them late (over %s behind schedule), at most %s behind\n",
			rt.Achieved, rt.Target, rt.Sent, rt.Scheduled, rt.Late, bench.Millis(bench.LateAfter), rt.MaxLag)
	}
	if r.Deleted > 0 {
		fmt.Fprintf(w, "deleted %d calls\n", r.Deleted)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	for _, e := range r.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	if r.Aborted != "" {
		fmt.Fprintln(w, "stopped:", r.Aborted)
	}
}
