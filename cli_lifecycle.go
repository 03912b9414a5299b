package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// parseDays reads a period of whole days written like "90d" (the unit is required, so that "90"
// is not mistaken for hours or seconds).
func parseDays(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSuffix(s, "d"), 10, 64)
	if !strings.HasSuffix(s, "d") || err != nil || n < 1 || n > 100*365 {
		return 0, fmt.Errorf("want a number of days such as 90d (1d to 36500d), not %q", s)
	}
	return n, nil
}

// runPurge deletes a company's terminal calls created before now minus -older-than, with a
// progress bar; -dry-run counts them and prints a sample. It goes through the store's purge, so
// it writes the same audit record as POST /v1/call/purge.
func runPurge(ctx context.Context, args []string, e env) error {
	fs := newFlags("purge", e)
	path := dbFlag(fs, e)
	company := fs.String("company", "", "company id (required)")
	olderThan := fs.String("older-than", "", "purge terminal calls created more than this many days ago, e.g. 90d (required)")
	status := fs.String("status", "", "only calls with this terminal status")
	dryRun := fs.Bool("dry-run", false, "count the calls and print up to 100 of their ids; change nothing")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "company", "older-than"); err != nil {
		return err
	}
	days, err := parseDays(*olderThan)
	if err != nil {
		return fmt.Errorf("-older-than: %w", err)
	}
	if err := mustExist(*path); err != nil {
		return err
	}
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()
	if _, err := s.GetCompany(ctx, *company); err != nil {
		return err
	}
	before := s.Now().UTC().Add(-time.Duration(days)*24*time.Hour - time.Microsecond)
	f := store.PurgeFilter{Created: store.DateRange{To: &before}}
	if *status != "" {
		f.Status = status
	}
	p := store.Principal{CompanyID: *company, Credential: store.CredentialCLI, Dialect: "cli", Route: "callstore purge"}
	var progress func(int64)
	if !*dryRun {
		// The total is not counted first (a count of its own would be a dry run on the audit trail).
		if bar := progressBar(e.stderr, -1, "purging calls"); bar != nil {
			progress = func(n int64) { bar.Set64(n) }
			defer bar.Finish()
		}
	}
	res, err := s.Purge(ctx, p, f, *dryRun, progress)
	if err != nil {
		return fmt.Errorf("purge stopped after %d calls (whole batches; run it again to go on): %w", res.Count, err)
	}
	return printJSON(e, res)
}

// retentionLoop enforces every company's retention period every interval until ctx ends, logging
// each company's run (serve -retention-interval).
func retentionLoop(ctx context.Context, s *store.Store, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		runs, err := s.EnforceRetention(ctx)
		for _, r := range runs {
			log.Info("retention", "company", r.CompanyID, "before", r.Cutoff, "calls", r.Deleted.Calls,
				"messages", r.Deleted.Messages, "logs_detached", r.Deleted.LogsDetached, "deletion", r.DeletionID)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("retention stopped; the next run goes on", "err", err)
		}
	}
}
