package store

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// ImportCall is one line of an import: a complete call with its transcript and audit entries.
// Records keep the ids they come with; missing ids get new v7 UUIDs.
type ImportCall struct {
	Call     CallInput
	Messages []MessageInput
	Logs     []LogInput
}

// ImportLine is one line of an import as the wire layer read it: a call to write, or, when Err is
// set, the reason the line cannot be imported (it is then reported and skipped).
type ImportLine struct {
	Line int // 1-based line number in the input
	Call ImportCall
	Err  error

	checked bool // Call was normalized (CheckImportLine)
}

// ImportFailure reports one line that was not imported.
type ImportFailure struct {
	Line      int    `json:"line"`
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// MaxImportFailures is how many failures an ImportResult lists; FailedCount counts them all.
const MaxImportFailures = 1000

// ImportResult is the outcome of an import: how many calls were written and which lines were not.
type ImportResult struct {
	Imported    int64           `json:"imported"`
	Failed      []ImportFailure `json:"failed"`
	FailedCount int64           `json:"failed_count"`
}

func (r *ImportResult) fail(f ImportFailure) {
	r.FailedCount++
	if len(r.Failed) < MaxImportFailures {
		r.Failed = append(r.Failed, f)
	}
}

// Batches are bounded by lines and by rows, so one huge line does not make a huge transaction and
// other writers wait at most one batch for the writer connection.
const (
	importBatchLines = 500
	importBatchRows  = 20000
)

// An ImportOption changes how Import writes.
type ImportOption func(*importConfig)

type importConfig struct{ lines, rows int }

// ImportBatchSize makes Import write up to n lines per transaction (default 500), and up to 40
// rows per line. It is for bulk loads that no other writer waits on, such as the seed, where fewer
// and larger transactions write each page to the WAL fewer times; a server's import keeps the
// default, so that other writers wait at most one short batch. n < 1 keeps the default.
func ImportBatchSize(n int) ImportOption {
	return func(c *importConfig) {
		if n >= 1 {
			c.lines, c.rows = n, max(importBatchRows, 40*n)
		}
	}
}

// normalize checks one import line's call, messages and logs, without the database.
func (ic *ImportCall) normalize() error {
	if err := ic.Call.normalize(); err != nil {
		return err
	}
	// A record of a past call without created_date was created when it started, not when imported.
	if ic.Call.CreatedDate == nil && ic.Call.StartTime != nil {
		ic.Call.CreatedDate = ic.Call.StartTime
	}
	for i := range ic.Messages {
		if err := ic.Messages[i].normalize(); err != nil {
			return prefixError(err, fmt.Sprintf("messages.%d", i))
		}
	}
	if i, id := repeatedID(len(ic.Messages), func(i int) string { return ic.Messages[i].ID }); i >= 0 {
		return Errorf(ECONFLICT, "MESSAGE_ALREADY_EXISTS", "messages.%d.id: message id %s appears twice in this call", i, id)
	}
	for i := range ic.Logs {
		if err := ic.Logs[i].normalize(); err != nil {
			return prefixError(err, fmt.Sprintf("logs.%d", i))
		}
	}
	if i, id := repeatedID(len(ic.Logs), func(i int) string { return ic.Logs[i].ID }); i >= 0 {
		return Errorf(ECONFLICT, "LOG_ALREADY_EXISTS", "logs.%d.id: log id %s appears twice in this call", i, id)
	}
	return nil
}

// repeatedID returns the first index among n whose id (when not empty) an earlier one already
// has, and that id, or -1. A call's few dozen ids are compared pairwise, without a map per line.
func repeatedID(n int, id func(int) string) (int, string) {
	if n > 64 {
		seen := make(map[string]bool, n)
		for i := range n {
			if v := id(i); v != "" {
				if seen[v] {
					return i, v
				}
				seen[v] = true
			}
		}
		return -1, ""
	}
	for i := 1; i < n; i++ {
		v := id(i)
		if v == "" {
			continue
		}
		for j := range i {
			if id(j) == v {
				return i, v
			}
		}
	}
	return -1, ""
}

func (ic *ImportCall) rows() int { return 1 + len(ic.Messages) + len(ic.Logs) }

// Import writes calls, each with its messages and logs, into the caller's company. Each line is
// all-or-nothing, and a bad line is reported without stopping the rest. Lines are read (and
// checked) on one goroutine while the previous batch is written on the caller's, in batched
// transactions with prepared statements. The error is for failures of the database, not of lines;
// lines written before it stay written.
func (s *Store) Import(ctx context.Context, p Principal, lines iter.Seq[ImportLine], opts ...ImportOption) (ImportResult, error) {
	cfg := importConfig{lines: importBatchLines, rows: importBatchRows}
	for _, o := range opts {
		o(&cfg)
	}
	res := ImportResult{Failed: []ImportFailure{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan []ImportLine, 2)
	go func() {
		defer close(batches)
		var batch []ImportLine
		rows := 0
		send := func() bool {
			select {
			case batches <- batch:
				batch, rows = nil, 0
				return true
			case <-ctx.Done():
				return false
			}
		}
		for l := range lines {
			if ctx.Err() != nil {
				return
			}
			CheckImportLine(&l)
			batch = append(batch, l)
			if l.Err == nil {
				rows += l.Call.rows()
			}
			if (len(batch) >= cfg.lines || rows >= cfg.rows) && !send() {
				return
			}
		}
		if len(batch) > 0 {
			send()
		}
	}()

	var err error
	for b := range batches { // drained to the end, so the reader is done before we return
		if err == nil {
			err = s.importBatch(ctx, p.CompanyID, b, &res)
			if err != nil {
				cancel()
			}
		}
	}
	if err == nil {
		// The caller's context ended the import early: lines not yet written were dropped, so
		// the result must not read as a complete import.
		err = ctx.Err()
	}
	return res, err
}

// importBatch writes a batch in one transaction. When a write fails inside it, the batch is rolled
// back and its lines are redone one transaction each, so that only the bad line fails.
//
// The first attempt does not look the batch's ids up: the schema's keys refuse a taken call or log
// id anyway, and almost every batch brings new ids (a seed, an export of another database). Only
// when a key refuses a line is the batch written again, looking its ids up first, so that a taken
// id fails its line with its own reason (CALL_ALREADY_EXISTS, LOG_ALREADY_EXISTS) rather than
// with WRITE_FAILED, and a file imported twice costs one refused statement per batch.
func (s *Store) importBatch(ctx context.Context, companyID string, lines []ImportLine, res *ImportResult) error {
	fails, n, err := s.tryImportBatch(ctx, companyID, lines, false)
	if err != nil && s.eng.IsConstraint(err) && ctx.Err() == nil {
		fails, n, err = s.tryImportBatch(ctx, companyID, lines, true)
	}
	if err == nil {
		for _, f := range fails {
			res.fail(f)
		}
		res.Imported += n
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	if len(lines) == 1 {
		if !s.eng.IsConstraint(err) {
			return err
		}
		res.fail(ImportFailure{Line: lines[0].Line, ErrorCode: "WRITE_FAILED", Message: "the line breaks a rule of the database: " + err.Error()})
		return nil
	}
	for i := range lines {
		if err := s.importBatch(ctx, companyID, lines[i:i+1], res); err != nil {
			return err
		}
	}
	return nil
}

// tryImportBatch writes the good lines of a batch in one transaction and returns the lines that
// broke a rule. With lookUp, the ids the lines bring are looked up before the first write, and a
// line with a taken id fails alone; without, the batch's own lines are still checked against each
// other, and a taken id makes a write fail. Any error returned means the transaction was rolled back.
//
// The batch is written one table after the other, as a bulk load should be: the calls (with their
// contacts), then the messages, then the log entries, ten per statement whichever call they belong
// to. Back-to-back inserts into one table find its pages (and the CPU's caches) warm: interleaving
// the tables call by call cost a seed of 100,000 calls over 20% more CPU.
func (s *Store) tryImportBatch(ctx context.Context, companyID string, lines []ImportLine, lookUp bool) (fails []ImportFailure, imported int64, err error) {
	err = s.eng.InBulkTx(ctx, func(q sqlcdb.Querier) error {
		// The statements do not watch ctx, the transaction does: the engine rolls it back when ctx
		// ends (SQLite between two statements, PostgreSQL at the commit). For a cancellable context
		// the SQLite driver starts a goroutine with every statement, to interrupt it, and a batch
		// runs thousands of short ones.
		ctx := context.WithoutCancel(ctx)
		now := s.now()    // read once the write lock is held, as Store.inTx does
		fails = fails[:0] // an attempt starts afresh (Store.inTx)
		taken := importIDs{calls: map[string]bool{}, logs: map[string]bool{}}
		if lookUp {
			var err error
			if taken, err = lookUpImportIDs(ctx, q, lines); err != nil {
				return err
			}
		}
		type written struct {
			id   string
			base time.Time // where messages and logs without a time go: the call's start, or creation
			in   *ImportCall
		}
		calls := make([]written, 0, len(lines))
		contacts, err := lookUpContacts(ctx, q, companyID, lines)
		if err != nil {
			return err
		}
		nlogs := 0
		for i := range lines {
			l := &lines[i]
			if l.Err != nil {
				fails = append(fails, importFailure(l.Line, l.Err))
				continue
			}
			if err := taken.claim(&l.Call); err != nil {
				fails = append(fails, importFailure(l.Line, err))
				continue
			}
			c, err := insertCall(ctx, q, companyID, now, &l.Call.Call, contacts)
			if err != nil {
				return err
			}
			base := c.CreatedDate
			if c.StartTime != nil {
				base = *c.StartTime
			}
			calls = append(calls, written{id: c.ID, base: base, in: &l.Call})
			nlogs += len(l.Call.Logs)
		}
		for _, c := range calls {
			if err := InsertMessageRows(ctx, q, messageRows(c.id, c.base, c.in.Messages)); err != nil {
				return err
			}
		}
		logs := make([]sqlcdb.CreateCallLogParams, 0, nlogs)
		for _, c := range calls {
			logs = append(logs, logRows(companyID, c.id, c.base, c.in.Logs)...)
		}
		imported = int64(len(calls))
		return insertLogRows(ctx, q, logs)
	})
	if err != nil {
		return nil, 0, err
	}
	return fails, imported, nil
}

// importIDs are the call ids and log ids a batch may not use: those of any company in the
// database, and those of the batch's lines already claimed.
type importIDs struct{ calls, logs map[string]bool }

// idsPerLookup bounds the ids of one lookup query, well below SQLite's limit on the parameters of
// a statement (32,766).
const idsPerLookup = 1000

// lookUpImportIDs finds which of the call ids and log ids a batch brings are taken, in a few
// statements for the whole batch. (Message ids need no lookup: their call is new, so its
// transcript is empty.)
func lookUpImportIDs(ctx context.Context, q sqlcdb.Querier, lines []ImportLine) (importIDs, error) {
	var calls, logs []string
	for _, l := range lines {
		if l.Err != nil {
			continue
		}
		if l.Call.Call.ID != "" {
			calls = append(calls, l.Call.Call.ID)
		}
		for _, g := range l.Call.Logs {
			if g.ID != "" {
				logs = append(logs, g.ID)
			}
		}
	}
	taken := importIDs{calls: map[string]bool{}, logs: map[string]bool{}}
	for _, lookup := range []struct {
		ids   []string
		query func(context.Context, []string) ([]string, error)
		into  map[string]bool
	}{{calls, q.ListTakenCallIDs, taken.calls}, {logs, q.ListTakenCallLogIDs, taken.logs}} {
		for ids := range slices.Chunk(lookup.ids, idsPerLookup) {
			found, err := lookup.query(ctx, ids)
			if err != nil {
				return importIDs{}, err
			}
			for _, id := range found {
				lookup.into[id] = true
			}
		}
	}
	return taken, nil
}

// lookUpContacts reads the company's contacts that the batch's calls name, in a few statements for
// the whole batch; a call of a contact found here then needs no statement to find it.
func lookUpContacts(ctx context.Context, q sqlcdb.Querier, companyID string, lines []ImportLine) (contactCache, error) {
	seen := make(map[string]bool, len(lines))
	var identifiers []string
	for _, l := range lines {
		if l.Err == nil && !seen[l.Call.Call.Contact.Identifier] {
			seen[l.Call.Call.Contact.Identifier] = true
			identifiers = append(identifiers, l.Call.Call.Contact.Identifier)
		}
	}
	cache := make(contactCache, len(identifiers))
	for ids := range slices.Chunk(identifiers, idsPerLookup) {
		rows, err := q.ListContactsByIdentifiers(ctx, sqlcdb.ListContactsByIdentifiersParams{CompanyID: companyID, Identifiers: ids})
		if err != nil {
			return nil, err
		}
		for _, c := range rows {
			cache[[2]string{c.ContactType, c.Identifier}] = c
		}
	}
	return cache, nil
}

// claim gives a line's call its id, or makes sure the call id and log ids the line brings are free
// in every company and not claimed by an earlier line of the batch; it then claims them.
func (taken importIDs) claim(ic *ImportCall) error {
	if ic.Call.ID == "" {
		ic.Call.ID = NewID()
	} else if taken.calls[ic.Call.ID] {
		// Ids are global: say only that it is taken, never whose it is.
		return errCallExists(ic.Call.ID)
	}
	for i, l := range ic.Logs {
		if l.ID != "" && taken.logs[l.ID] {
			return Errorf(ECONFLICT, "LOG_ALREADY_EXISTS", "logs.%d.id: a log entry with id %s already exists", i, l.ID)
		}
	}
	taken.calls[ic.Call.ID] = true
	for _, l := range ic.Logs {
		if l.ID != "" {
			taken.logs[l.ID] = true
		}
	}
	return nil
}

func importFailure(line int, err error) ImportFailure {
	code := ErrorReason(err)
	if code == "" {
		code = "IMPORT_FAILED"
	}
	return ImportFailure{Line: line, ErrorCode: code, Message: ErrorMessage(err)}
}
