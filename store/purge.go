package store

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// PurgeFilter selects the calls a purge deletes, named like the call list's query parameters.
// Only terminal calls are ever purged: Status narrows them to one terminal status.
type PurgeFilter struct {
	Created   DateRange `json:"-"` // start_created_date .. end_created_date, both inclusive as in the list
	Status    *string   `json:"status,omitempty"`
	AgentID   *string   `json:"agent_id,omitempty"`
	ContactID *string   `json:"contact_id,omitempty"`
	Type      *string   `json:"type,omitempty"`
}

// filterRecord is how a purge's filter appears in its audit record.
type filterRecord struct {
	StartCreatedDate *time.Time `json:"start_created_date,omitempty"`
	EndCreatedDate   *time.Time `json:"end_created_date,omitempty"`
	PurgeFilter
}

func (f PurgeFilter) check() error {
	if f.Status != nil && !IsTerminal(*f.Status) {
		return Errorf(EINVALID, "INVALID_PURGE_STATUS", "status must be one of the terminal statuses %s, not %q", strings.Join(TerminalStatuses, ", "), *f.Status)
	}
	if f.Type != nil && !slices.Contains(CallTypes, *f.Type) {
		return Errorf(EINVALID, "INVALID_CALL_TYPE", "type must be one of %s, not %q", strings.Join(CallTypes, ", "), *f.Type)
	}
	if f.Created.From != nil && f.Created.To != nil && f.Created.To.Before(*f.Created.From) {
		return Errorf(EINVALID, "INVALID_DATE_RANGE", "end_created_date must not be before start_created_date")
	}
	return nil
}

// PurgeResult is the answer of a purge: in a dry run, how many calls it would delete and up to
// PurgeSampleSize of their ids; otherwise how many it deleted.
type PurgeResult struct {
	Count  int64    `json:"purge_count"`
	Sample []string `json:"purge_sample,omitzero"` // dry runs only: a real run leaves it nil
	// DeletionID is the purge's audit record (none when it matched nothing).
	DeletionID *string `json:"deletion_id"`
	// Deleted is what went with the calls.
	Deleted DeletionCounts `json:"-"`
}

// PurgeSampleSize is how many ids a dry run shows.
const PurgeSampleSize = 100

// The batches of a purge: at most purgeBatchMax calls per transaction, sized so that a batch
// takes about purgeBatchTarget: other writers wait for the writer between batches, so they wait
// about that long at most. The first batch is small (its time is unknown: 500 calls of a large file
// under load took 190 ms), and a batch is at most a quarter larger than the last one: a batch
// that doubled after a quick one overshot the target.
const (
	purgeBatchMax    = 500
	purgeBatchFirst  = 100
	purgeBatchMin    = 20
	purgeBatchTarget = 40 * time.Millisecond
)

// Purge deletes the caller's company's terminal calls that match f (with their messages; their
// log entries stay, detached), oldest first, in batches of one transaction each; each batch adds
// its counts to the purge's one audit record in the same transaction. A dry run counts them and
// samples their ids in one transaction and changes nothing but the audit trail. A purge stopped
// half way (an error, the context, a crash) leaves whole batches deleted and its record counting
// exactly those; running it again deletes the rest. progress, if not nil, is told the calls
// deleted so far after each batch.
func (s *Store) Purge(ctx context.Context, p Principal, f PurgeFilter, dryRun bool, progress func(deleted int64)) (PurgeResult, error) {
	return s.purge(ctx, p, DeletionPurge, f, dryRun, false, progress)
}

func (s *Store) purge(ctx context.Context, p Principal, kind string, f PurgeFilter, dryRun, recordEmpty bool, progress func(int64)) (PurgeResult, error) {
	if err := f.check(); err != nil {
		return PurgeResult{}, err
	}
	lo, hi := f.Created.bounds()
	a := newAudit(kind, p, nil, filterRecord{StartCreatedDate: f.Created.From, EndCreatedDate: f.Created.To, PurgeFilter: f}, dryRun)
	var res PurgeResult
	list := func(q sqlcdb.Querier, cursor Cursor, n int) ([]sqlcdb.ListPurgeableCallsRow, error) {
		return q.ListPurgeableCalls(ctx, sqlcdb.ListPurgeableCallsParams{
			CompanyID: p.CompanyID, Status: f.Status, ContactID: f.ContactID, AgentID: f.AgentID, Type: f.Type,
			Lo: lo, Hi: hi, CursorDate: cursor.Date, CursorID: cursor.ID, Lim: int64(n),
		})
	}
	if dryRun {
		err := s.inTx(ctx, func(tx *txn) error {
			n, err := tx.Q.CountPurgeableCalls(ctx, sqlcdb.CountPurgeableCallsParams{
				CompanyID: p.CompanyID, Status: f.Status, ContactID: f.ContactID, AgentID: f.AgentID, Type: f.Type, Lo: lo, Hi: hi,
			})
			if err != nil {
				return err
			}
			rows, err := list(tx.Q, Cursor{Date: math.MinInt64}, PurgeSampleSize)
			if err != nil {
				return err
			}
			res.Count, res.Sample = n, make([]string, len(rows))
			for i, r := range rows {
				res.Sample[i] = r.ID
			}
			if n == 0 && !recordEmpty {
				return nil
			}
			return a.record(ctx, tx, DeletionCounts{Calls: n})
		})
		if err != nil {
			return PurgeResult{}, err
		}
		if a.written {
			res.DeletionID = &a.id
		}
		return res, nil
	}

	cursor, size := Cursor{Date: math.MinInt64}, purgeBatchFirst
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		var c DeletionCounts
		began := time.Now()
		from := cursor // every attempt of the batch starts here
		err := s.inTx(ctx, func(tx *txn) error {
			rows, err := list(tx.Q, from, size)
			if err != nil {
				return err
			}
			done = len(rows) < size
			if len(rows) == 0 {
				return nil
			}
			ids := make([]string, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			last := rows[len(rows)-1]
			cursor = Cursor{Date: last.CreatedDate, ID: last.ID} // kept only when it commits (below)
			if c, err = deleteTerminalCalls(ctx, tx.Q, p.CompanyID, ids); err != nil {
				return err
			}
			return a.record(ctx, tx, c)
		})
		if err != nil {
			return res, err // the batch, and its part of the record, rolled back
		}
		took := time.Since(began)
		res.Count += c.Calls
		res.Deleted = res.Deleted.add(c)
		s.deleted(c)
		if progress != nil {
			progress(res.Count)
		}
		if took > 0 {
			size = min(purgeBatchMax, size+max(1, size/4), max(purgeBatchMin, int(float64(size)*float64(purgeBatchTarget)/float64(took))))
		}
	}
	if !a.written && recordEmpty {
		if err := s.inTx(ctx, func(tx *txn) error { return a.record(ctx, tx, DeletionCounts{}) }); err != nil {
			return res, err
		}
	}
	if a.written {
		res.DeletionID = &a.id
	}
	return res, nil
}
