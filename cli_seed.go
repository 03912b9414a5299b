package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/callstore/callstore/seed"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func runSeed(ctx context.Context, args []string, e env) error {
	fs := newFlags("seed", e)
	path := dbFlag(fs, e)
	var opt seed.Options
	fs.IntVar(&opt.Companies, "companies", 1, "companies to create (seed-1, seed-2, ...), each with an unrestricted API key")
	fs.IntVar(&opt.Calls, "calls", 0, "calls per company (required)")
	fs.IntVar(&opt.MessagesPerCall, "messages-per-call", 20, "transcript messages of every call")
	fs.IntVar(&opt.LogsPerCall, "logs-per-call", 5, "audit log rows of every call")
	fs.IntVar(&opt.Contacts, "contacts", 0, "contacts per company (default calls/10)")
	fs.IntVar(&opt.Days, "days", 90, "spread created dates over this many days, ending now")
	fs.Int64Var(&opt.Seed, "seed", 1, "random seed: the same seed and -end give the same data")
	end := fs.String("end", "", "end of the spread of created dates, RFC 3339 (default now)")
	fs.IntVar(&opt.CallsPerTx, "tx", 2000, "calls written per transaction")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	// Every flag is checked before the file is created.
	for _, f := range []struct {
		name     string
		val, min int
	}{
		{"calls", opt.Calls, 1}, {"companies", opt.Companies, 1}, {"messages-per-call", opt.MessagesPerCall, 0},
		{"logs-per-call", opt.LogsPerCall, 0}, {"contacts", opt.Contacts, 0}, {"days", opt.Days, 1}, {"tx", opt.CallsPerTx, 1},
	} {
		if f.val < f.min {
			return fmt.Errorf("-%s must be at least %d, got %d", f.name, f.min, f.val)
		}
	}
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			return fmt.Errorf("-end must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z, not %q", *end)
		}
		opt.End = t
	}
	// A seed allocates its calls afresh batch after batch while its live heap stays small: the
	// server's GOGC spares it most collections too (docs/performance.md).
	setGOGC(e)
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()

	bar := progressBar(e.stderr, int64(opt.Companies)*int64(opt.Calls), "seeding calls")
	if bar != nil {
		opt.Progress = func(calls int64) { bar.Set64(calls) }
	}
	// Each key is printed as soon as its company exists: an interrupted seed leaves no company
	// whose key was never shown.
	opt.OnCompany = func(c seed.Company) {
		fmt.Fprintf(e.stdout, "company %s (%s) API key: %s\n", c.Name, c.ID, c.APIKey)
	}
	res, err := seed.Run(ctx, s.Engine(), opt)
	if bar != nil {
		if err == nil {
			bar.Finish() // before the summary, so the bar's last line does not follow it
		} else {
			bar.Exit()
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d contacts, %d calls (%d active), %d messages, %d log rows\n",
		res.Contacts, res.Calls, res.ActiveCalls, res.Messages, res.Logs)
	size := ""
	if st, err := os.Stat(*path); err == nil {
		size = fmt.Sprintf("; %s is %.1f MB", *path, float64(st.Size())/1e6)
	}
	fmt.Fprintf(e.stdout, "%d rows in %s (%.0f rows/s)%s\n",
		res.Rows(), res.Elapsed.Round(100*time.Millisecond), float64(res.Rows())/res.Elapsed.Seconds(), size)
	return nil
}

// progressBar returns a bar on w when w is a terminal, and nil otherwise (pipes and logs get only
// the summary).
func progressBar(w io.Writer, total int64, what string) *progressbar.ProgressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("calls"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}
