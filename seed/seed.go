// Package seed fills a callstore database with realistic synthetic data, fast: companies with an
// API key each, and calls with transcripts and audit logs (and so their contacts), generated in
// created-date order and written through the store's bulk import (store.Store.Import), the code
// that writes the API's imports: the seed checks and derives every row as the API does.
package seed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

// Options says what to generate. Counts are per company.
type Options struct {
	Companies       int   // companies to create, named seed-1, seed-2, ... (default 1)
	Calls           int   // calls per company (required)
	MessagesPerCall int   // transcript messages of every call
	LogsPerCall     int   // audit log rows of every call
	Contacts        int   // contacts per company; 0 means Calls/10 (at least 1)
	Days            int   // created dates spread over this many days (default 90)
	Seed            int64 // the random seed: the same seed and End give the same calls
	// End is when the spread of created dates ends (default: now). Calls still end a few
	// minutes later at most, so the newest transcripts may lie slightly in the future.
	End time.Time
	// CallsPerTx is how many calls (of all companies together) Run generates and writes in one
	// transaction of the store's import (default 2000).
	CallsPerTx int
	// CheckpointTx is how many of those batches Run writes between two checkpoints of its own
	// (db.Checkpoint; default 10). Without them the WAL of a million-call seed grew to 24 GB: the
	// background checkpointer never catches up with back-to-back commits, and SQLite searches the
	// whole WAL index for every page it reads (measured: 5 min 20 s, against 4 min 24 s with them).
	CheckpointTx int
	// Progress, if set, is called after every batch of CallsPerTx calls with the calls written so far.
	Progress func(calls int64)
	// OnCompany, if set, is called with each company as soon as it and its key exist, so that
	// the key is known even if the run is interrupted later.
	OnCompany func(Company)
}

// Company is a company the run created, with the secret of its unrestricted API key.
type Company struct {
	ID     string
	Name   string
	APIKey string
}

// Result is what a run wrote.
type Result struct {
	Companies   []Company
	Contacts    int64
	Calls       int64
	ActiveCalls int64
	Messages    int64
	Logs        int64
	Elapsed     time.Duration
}

// Rows is the number of rows written to the data tables.
func (r Result) Rows() int64 { return r.Contacts + r.Calls + r.Messages + r.Logs }

func (o *Options) setDefaults() error {
	if o.Companies == 0 {
		o.Companies = 1
	}
	if o.Days == 0 {
		o.Days = 90
	}
	if o.Contacts == 0 {
		o.Contacts = max(1, o.Calls/10)
	}
	if o.CallsPerTx == 0 {
		o.CallsPerTx = 2000
	}
	if o.CheckpointTx == 0 {
		o.CheckpointTx = 10
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	switch {
	case o.Companies < 0:
		return errors.New("seed: companies must be at least 1")
	case o.Calls < 1:
		return errors.New("seed: calls must be at least 1")
	case o.MessagesPerCall < 0 || o.LogsPerCall < 0:
		return errors.New("seed: messages and logs per call must not be negative")
	case o.Contacts < 0:
		return errors.New("seed: contacts must not be negative")
	case o.Days < 0:
		return errors.New("seed: days must be at least 1")
	case o.CallsPerTx < 0:
		return errors.New("seed: calls per transaction must be at least 1")
	case o.CheckpointTx < 0:
		return errors.New("seed: transactions between checkpoints must be at least 1")
	}
	return nil
}

// Run generates the data of opt into d. Companies and their API keys are created through the
// store (their ids and secrets are random), and so are contacts, by the import of their first
// call (random ids, created when that call was); everything else follows from opt.Seed and opt.End.
//
// The store's import checks every line (new ids, valid values) and foreign keys stay enforced,
// so a line the store refuses is a bug of the generator: Run then fails. On SQLite, the writer
// connection runs with synchronous=OFF while Run writes (see syncOff), and the WAL is checkpointed
// every opt.CheckpointTx chunks; on PostgreSQL (e a *postgres.DB) the store's import alone writes.
func Run(ctx context.Context, e store.Engine, opt Options) (Result, error) {
	if err := opt.setDefaults(); err != nil {
		return Result{}, err
	}
	began := time.Now()
	end := opt.End.UTC().UnixMicro()
	span := int64(opt.Days) * 24 * 3600 * 1e6
	p := &plan{
		seed: uint64(opt.Seed), messages: opt.MessagesPerCall, logs: opt.LogsPerCall, calls: opt.Calls,
		start: end - span, step: float64(span) / float64(opt.Calls),
		slotsPerChunk: max(1, opt.CallsPerTx/opt.Companies),
	}
	p.corpus = newCorpus(p.rng(0))

	// Companies date from before their first call.
	s, err := store.New(ctx, e)
	if err != nil {
		return Result{}, err
	}
	defer s.Close()
	s.Now = func() time.Time { return time.UnixMicro(p.start).Add(-200 * 24 * time.Hour) }
	var res Result
	pools := p.rng(1 << 62)
	for i := range opt.Companies {
		name := fmt.Sprintf("seed-%d", i+1)
		c, err := s.CreateCompany(ctx, name)
		if err != nil {
			return res, err
		}
		k, err := s.CreateAPIKey(ctx, c.ID, nil, store.APIKeyInput{Name: "seed"})
		if err != nil {
			return res, err
		}
		res.Companies = append(res.Companies, Company{ID: c.ID, Name: name, APIKey: *k.Value})
		if opt.OnCompany != nil {
			opt.OnCompany(res.Companies[len(res.Companies)-1])
		}
		contacts := contactNumbers(p.rng(1<<62+1+uint64(i)), opt.Contacts)
		pc := &company{id: c.ID, contacts: contacts, called: make([]bool, len(contacts))}
		newCompanyPools(pools, pc, p.start)
		p.companies = append(p.companies, pc)
	}

	d, _ := e.(*db.DB) // nil on PostgreSQL
	if d != nil {
		restore, err := syncOff(ctx, d)
		if err != nil {
			return res, err
		}
		defer restore()
	}

	// Generation (Go) and writing (SQLite) overlap: one goroutine builds the next chunk, and has
	// the store check its lines (store.CheckImportLine), while the store writes the current one,
	// which keeps both cores of a small machine busy. Left to Import, the checks of a chunk would
	// run while the writer waits: Import hands its writer whole batches, and a chunk is one.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, 2)
	go func() {
		defer close(chunks)
		for k := range p.chunks() {
			ch := p.chunk(k)
			for _, lines := range ch.lines {
				for i := range lines {
					store.CheckImportLine(&lines[i])
				}
			}
			select {
			case chunks <- ch:
			case <-ctx.Done():
				return
			}
		}
	}()
	k := 0
	for ch := range chunks {
		k++
		for i, c := range p.companies {
			if err := importLines(ctx, s, c.id, ch.lines[i]); err != nil {
				return res, err
			}
		}
		if d != nil && k%opt.CheckpointTx == 0 {
			// A checkpoint that cannot finish (another process reading) only leaves the WAL longer.
			if _, err := d.Checkpoint(ctx); err != nil {
				return res, err
			}
		}
		res.Contacts += ch.contacts
		res.Calls += ch.n
		res.ActiveCalls += ch.active
		res.Messages += ch.messages
		res.Logs += ch.logs
		if opt.Progress != nil {
			opt.Progress(res.Calls)
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

// importLines writes generated calls of one company through the store's import, in one
// transaction (the seed is the database's only writer: see store.ImportBatchSize). The generator
// makes only new ids and valid values, so any line the store refuses is a bug: it fails the run.
func importLines(ctx context.Context, s *store.Store, companyID string, lines []store.ImportLine) error {
	r, err := s.Import(ctx, store.Principal{CompanyID: companyID}, slices.Values(lines), store.ImportBatchSize(len(lines)))
	if err != nil {
		return err
	}
	if r.FailedCount > 0 {
		f := r.Failed[0]
		return fmt.Errorf("seed: the store refused %d generated calls, the first (call %s) with %s: %s",
			r.FailedCount, lines[f.Line-1].Call.Call.ID, f.ErrorCode, f.Message)
	}
	return nil
}

// syncOff switches the writer connection to synchronous=OFF for the load and returns the
// function that switches it back to NORMAL (what db.Open sets). With WAL, OFF skips the fsyncs
// of the checkpoint that follows every large commit: 20,000 calls seed about a quarter faster
// (measured on a 2-core VM). A crash of the process still cannot corrupt the file; a power loss
// during the seed can, which is a fair trade for a generator of synthetic data. journal_mode=OFF
// and a larger cache_size were measured too and gained nothing.
//
// This is the only SQL of the package (everything else goes through the store): sqlc (v1.31.1)
// cannot express a PRAGMA (it silently drops the statement from the generated code).
func syncOff(ctx context.Context, d *db.DB) (restore func(), err error) {
	if _, err := d.Write.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return nil, err
	}
	return func() { d.Write.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL") }, nil
}
