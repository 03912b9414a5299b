// Package seed fills a callstore database with realistic synthetic data, fast: companies with an
// API key each, their contacts, and calls with transcripts and audit logs, written straight into
// SQLite in created-date order through prepared sqlc statements in large transactions.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"callstore/db"
	"callstore/db/sqlcdb"
	"callstore/store"
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
	// CallsPerTx is how many calls (of all companies together) one transaction writes (default 2000).
	CallsPerTx int
	// CheckpointTx is how many transactions Run writes between two checkpoints of its own
	// (db.Checkpoint; default 10). Without them the WAL of a million-call seed grew to 24 GB: the
	// background checkpointer never catches up with back-to-back commits, and SQLite searches the
	// whole WAL index for every page it reads (measured: 5 min 20 s, against 4 min 24 s with them).
	CheckpointTx int
	// Progress, if set, is called after every committed transaction with the calls written so far.
	Progress func(calls int64)
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

// contactsPerTx is the size of the transactions that write contacts.
const contactsPerTx = 5000

// Run generates the data of opt into d. Companies and their API keys are created through the
// store (their ids and secrets are random); everything else follows from opt.Seed and opt.End.
//
// Foreign keys stay enforced during the load, so SQLite itself checks every reference. The
// writer connection runs with synchronous=OFF while Run writes (see syncOff).
func Run(ctx context.Context, d *db.DB, opt Options) (Result, error) {
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

	// Companies date from before their oldest contact.
	s, err := store.New(ctx, d)
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
		pc := &company{id: c.ID}
		newCompanyPools(pools, pc, p.start)
		p.companies = append(p.companies, pc)
	}

	restore, err := syncOff(ctx, d)
	if err != nil {
		return res, err
	}
	defer restore()

	for i, c := range p.companies {
		rows := contactRows(p.rng(1<<62+1+uint64(i)), c.id, opt.Contacts, p.start)
		c.contacts = rows
		for len(rows) > 0 {
			n := min(len(rows), contactsPerTx)
			if err := d.InPreparedTx(ctx, func(q *sqlcdb.Queries) error {
				for _, r := range rows[:n] {
					if _, err := q.CreateContact(ctx, r); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return res, err
			}
			rows = rows[n:]
			res.Contacts += int64(n)
		}
	}

	// Generation (Go) and writing (SQLite) overlap: one goroutine builds the next chunk while
	// the writer commits the current one, which keeps both cores of a small machine busy.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, 2)
	go func() {
		defer close(chunks)
		for k := range p.chunks() {
			select {
			case chunks <- p.chunk(k):
			case <-ctx.Done():
				return
			}
		}
	}()
	k := 0
	for ch := range chunks {
		k++
		if err := d.InPreparedTx(ctx, func(q *sqlcdb.Queries) error { return writeChunk(ctx, q, ch) }); err != nil {
			return res, err
		}
		if k%opt.CheckpointTx == 0 {
			// A checkpoint that cannot finish (another process reading) only leaves the WAL longer.
			if _, err := d.Checkpoint(ctx); err != nil {
				return res, err
			}
		}
		res.Calls += int64(len(ch.calls))
		res.ActiveCalls += ch.active
		res.Messages += int64(len(ch.messages))
		res.Logs += int64(len(ch.logs))
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

// syncOff switches the writer connection to synchronous=OFF for the load and returns the
// function that switches it back to NORMAL (what db.Open sets). With WAL, OFF skips the fsyncs
// of the checkpoint that follows every large commit: 20,000 calls seed about a quarter faster
// (measured on a 2-core VM). A crash of the process still cannot corrupt the file; a power loss
// during the seed can, which is a fair trade for a generator of synthetic data. journal_mode=OFF
// and a larger cache_size were measured too and gained nothing.
//
// This is the only SQL of the package outside queries/seed.sql: sqlc (v1.31.1) cannot express a
// PRAGMA (it silently drops the statement from the generated code).
func syncOff(ctx context.Context, d *db.DB) (restore func(), err error) {
	if _, err := d.Write.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return nil, err
	}
	return func() { d.Write.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL") }, nil
}

// writeChunk inserts the rows of one chunk: calls first (the parents), then each call's messages
// ten at a time (CreateMessages10, the multi-row insert the import uses too) with the rest one by
// one, then the log rows of all calls ten at a time (SeedCallLogs10) with the rest one by one.
func writeChunk(ctx context.Context, q *sqlcdb.Queries, ch *chunk) error {
	for _, c := range ch.calls {
		if err := q.CreateCall(ctx, c); err != nil {
			return err
		}
	}
	for m := ch.messages; len(m) > 0; {
		n := 1 // the messages of one call are adjacent
		for n < len(m) && m[n].CallID == m[0].CallID {
			n++
		}
		if err := store.InsertMessageRows(ctx, q, m[:n]); err != nil {
			return err
		}
		m = m[n:]
	}
	l := ch.logs
	for ; len(l) >= 10; l = l[10:] {
		if err := q.SeedCallLogs10(ctx, logs10(l)); err != nil {
			return err
		}
	}
	for _, r := range l {
		if err := q.CreateCallLog(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// logs10 spreads the first 10 rows of l over the parameters of SeedCallLogs10, one row per line.
func logs10(l []sqlcdb.CreateCallLogParams) sqlcdb.SeedCallLogs10Params {
	return sqlcdb.SeedCallLogs10Params{
		ID: l[0].ID, CompanyID: l[0].CompanyID, CallID: l[0].CallID, Timestamp: l[0].Timestamp, Level: l[0].Level, Category: l[0].Category, Event: l[0].Event, TraceID: l[0].TraceID, Data: l[0].Data,
		ID_2: l[1].ID, CompanyID_2: l[1].CompanyID, CallID_2: l[1].CallID, Timestamp_2: l[1].Timestamp, Level_2: l[1].Level, Category_2: l[1].Category, Event_2: l[1].Event, TraceID_2: l[1].TraceID, Data_2: l[1].Data,
		ID_3: l[2].ID, CompanyID_3: l[2].CompanyID, CallID_3: l[2].CallID, Timestamp_3: l[2].Timestamp, Level_3: l[2].Level, Category_3: l[2].Category, Event_3: l[2].Event, TraceID_3: l[2].TraceID, Data_3: l[2].Data,
		ID_4: l[3].ID, CompanyID_4: l[3].CompanyID, CallID_4: l[3].CallID, Timestamp_4: l[3].Timestamp, Level_4: l[3].Level, Category_4: l[3].Category, Event_4: l[3].Event, TraceID_4: l[3].TraceID, Data_4: l[3].Data,
		ID_5: l[4].ID, CompanyID_5: l[4].CompanyID, CallID_5: l[4].CallID, Timestamp_5: l[4].Timestamp, Level_5: l[4].Level, Category_5: l[4].Category, Event_5: l[4].Event, TraceID_5: l[4].TraceID, Data_5: l[4].Data,
		ID_6: l[5].ID, CompanyID_6: l[5].CompanyID, CallID_6: l[5].CallID, Timestamp_6: l[5].Timestamp, Level_6: l[5].Level, Category_6: l[5].Category, Event_6: l[5].Event, TraceID_6: l[5].TraceID, Data_6: l[5].Data,
		ID_7: l[6].ID, CompanyID_7: l[6].CompanyID, CallID_7: l[6].CallID, Timestamp_7: l[6].Timestamp, Level_7: l[6].Level, Category_7: l[6].Category, Event_7: l[6].Event, TraceID_7: l[6].TraceID, Data_7: l[6].Data,
		ID_8: l[7].ID, CompanyID_8: l[7].CompanyID, CallID_8: l[7].CallID, Timestamp_8: l[7].Timestamp, Level_8: l[7].Level, Category_8: l[7].Category, Event_8: l[7].Event, TraceID_8: l[7].TraceID, Data_8: l[7].Data,
		ID_9: l[8].ID, CompanyID_9: l[8].CompanyID, CallID_9: l[8].CallID, Timestamp_9: l[8].Timestamp, Level_9: l[8].Level, Category_9: l[8].Category, Event_9: l[8].Event, TraceID_9: l[8].TraceID, Data_9: l[8].Data,
		ID_10: l[9].ID, CompanyID_10: l[9].CompanyID, CallID_10: l[9].CallID, Timestamp_10: l[9].Timestamp, Level_10: l[9].Level, Category_10: l[9].Category, Event_10: l[9].Event, TraceID_10: l[9].TraceID, Data_10: l[9].Data,
	}
}
