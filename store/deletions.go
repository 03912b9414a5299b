package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// The kinds of deletion the audit trail records.
const (
	DeletionCalls     = "calls"     // a bulk delete of calls (POST /v1/call/bulk-delete)
	DeletionContacts  = "contacts"  // a contact delete of any dialect
	DeletionPurge     = "purge"     // POST /v1/call/purge, callstore purge
	DeletionRetention = "retention" // the server enforcing a company's retention period
	DeletionErasure   = "erasure"   // POST /v1/contact/erase
)

// DeletionCounts is what a deletion removed (or, in a dry run, would remove).
type DeletionCounts struct {
	Calls    int64 `json:"calls"`
	Messages int64 `json:"messages"`
	Contacts int64 `json:"contacts"`
	// LogsDetached counts the call_log rows that lost their call (they stay, with call_id null).
	LogsDetached int64 `json:"logs_detached"`
	// LogsRedacted counts the call_log rows whose data and trace_id were erased (erasure only).
	LogsRedacted int64 `json:"logs_redacted"`
}

func (c DeletionCounts) add(o DeletionCounts) DeletionCounts {
	return DeletionCounts{Calls: c.Calls + o.Calls, Messages: c.Messages + o.Messages, Contacts: c.Contacts + o.Contacts,
		LogsDetached: c.LogsDetached + o.LogsDetached, LogsRedacted: c.LogsRedacted + o.LogsRedacted}
}

// Credential is who asked for a deletion: the kind of credential and its id (an API key's, an
// app's, or for an access token the key it was issued for), never a secret. ID is null for the
// CLI and the server.
type Credential struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
}

// Deletion is one record of the deletion audit trail.
type Deletion struct {
	ID          string     `json:"id"`
	CreatedDate time.Time  `json:"created_date"`
	Kind        string     `json:"kind"`
	Dialect     string     `json:"dialect"`
	Route       string     `json:"route"`
	Credential  Credential `json:"credential"`
	DryRun      bool       `json:"dry_run"`
	// RequestedCount is how many ids the request named (contacts or calls; 0 for a purge).
	RequestedCount int `json:"requested_count"`
	// RequestedIDs are those ids: shown by GetDeletion, left out of lists.
	RequestedIDs []string `json:"requested_ids,omitempty"`
	// Filter is a purge's or retention run's filter, as it was applied.
	Filter  json.RawMessage `json:"filter"`
	Deleted DeletionCounts  `json:"deleted"`
}

// audit is a deletion in progress: what record() writes into the deleting transaction.
type audit struct {
	id      string
	kind    string
	p       Principal
	dryRun  bool
	ids     []string
	filter  any // marshalled to JSON; nil for none
	counts  DeletionCounts
	written bool // the row exists: later batches add their counts to it
}

func newAudit(kind string, p Principal, ids []string, filter any, dryRun bool) *audit {
	if ids == nil {
		ids = []string{}
	}
	return &audit{id: NewID(), kind: kind, p: p, ids: ids, filter: filter, dryRun: dryRun}
}

// record writes the audit row with counts c, or adds c to it when an earlier batch wrote it. It
// runs inside the transaction that deletes, so the record and the deletion commit together; a
// learns that its row exists, and its counts, when that transaction has committed.
func (a *audit) record(ctx context.Context, tx *txn, c DeletionCounts) error {
	q, now := tx.Q, tx.Now
	if a.written {
		n, err := q.AddDeletionCounts(ctx, sqlcdb.AddDeletionCountsParams{
			Calls: c.Calls, Messages: c.Messages, Contacts: c.Contacts, LogsDetached: c.LogsDetached, LogsRedacted: c.LogsRedacted,
			CompanyID: a.p.CompanyID, ID: a.id,
		})
		if err == nil && n != 1 {
			err = fmt.Errorf("audit record %s: updated %d rows", a.id, n)
		}
		if err == nil {
			tx.onCommit(func() { a.counts = a.counts.add(c) })
		}
		return err
	}
	ids, err := json.Marshal(a.ids)
	if err != nil {
		return err
	}
	var filter *string
	if a.filter != nil {
		b, err := json.Marshal(a.filter)
		if err != nil {
			return err
		}
		f := string(b)
		filter = &f
	}
	credType := a.p.Credential
	if credType == "" {
		credType = CredentialAPIKey
	}
	var credID *string
	if a.p.KeyID != "" {
		id := a.p.KeyID
		credID = &id
	}
	dialect, route := a.p.Dialect, a.p.Route
	if dialect == "" {
		dialect = "store" // called from Go without naming itself (callstoretest, embedding programs)
	}
	err = q.CreateDeletion(ctx, sqlcdb.CreateDeletionParams{
		CompanyID: a.p.CompanyID, CreatedDate: micros(now), ID: a.id, Kind: a.kind, Dialect: dialect, Route: route,
		CredentialType: credType, CredentialID: credID, DryRun: boolInt(a.dryRun), RequestedIds: string(ids), Filter: filter,
		Calls: c.Calls, Messages: c.Messages, Contacts: c.Contacts, LogsDetached: c.LogsDetached, LogsRedacted: c.LogsRedacted,
	})
	if err == nil {
		tx.onCommit(func() { a.written, a.counts = true, c })
	}
	return err
}

func deletionFromRow(r sqlcdb.Deletion, withIDs bool) Deletion {
	d := Deletion{
		ID: r.ID, CreatedDate: fromMicros(r.CreatedDate), Kind: r.Kind, Dialect: r.Dialect, Route: r.Route,
		Credential: Credential{Type: r.CredentialType, ID: r.CredentialID}, DryRun: r.DryRun != 0,
		Deleted: DeletionCounts{Calls: r.Calls, Messages: r.Messages, Contacts: r.Contacts, LogsDetached: r.LogsDetached, LogsRedacted: r.LogsRedacted},
	}
	var ids []string
	_ = json.Unmarshal([]byte(r.RequestedIds), &ids) // written by record from a []string
	d.RequestedCount = len(ids)
	if withIDs {
		d.RequestedIDs = ids
		if d.RequestedIDs == nil {
			d.RequestedIDs = []string{}
		}
	}
	if r.Filter != nil {
		d.Filter = json.RawMessage(*r.Filter)
	}
	return d
}

// GetDeletion returns one audit record of the caller's company, with the ids it requested.
func (s *Store) GetDeletion(ctx context.Context, p Principal, id string) (Deletion, error) {
	row, err := s.r.GetDeletion(ctx, sqlcdb.GetDeletionParams{CompanyID: p.CompanyID, ID: id})
	if isNoRows(err) {
		return Deletion{}, Errorf(ENOTFOUND, "DELETION_NOT_FOUND", "Deletion %s not found", id)
	} else if err != nil {
		return Deletion{}, err
	}
	return deletionFromRow(row, true), nil
}

// ListDeletions pages through the caller's company's audit trail, by (created date, id); the
// API lists it newest first. Records leave out their requested ids (GetDeletion has them).
func (s *Store) ListDeletions(ctx context.Context, p Principal, created DateRange, pg PageRequest) (Page[Deletion], error) {
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetDeletionKey(ctx, sqlcdb.GetDeletionKeyParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.CreatedDate, ID: k.ID}, err
	}
	list := func(asc bool, w Window) ([]Deletion, error) {
		arg := sqlcdb.ListDeletionsAscParams{CompanyID: p.CompanyID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date,
			CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit}
		var rows []sqlcdb.Deletion
		var err error
		if asc {
			rows, err = s.r.ListDeletionsAsc(ctx, arg)
		} else {
			rows, err = s.r.ListDeletionsDesc(ctx, sqlcdb.ListDeletionsDescParams(arg))
		}
		out := make([]Deletion, len(rows))
		for i, r := range rows {
			out[i] = deletionFromRow(r, false)
		}
		return out, err
	}
	count := func() (int64, error) {
		lo, hi := created.bounds()
		return s.r.CountDeletions(ctx, sqlcdb.CountDeletionsParams{CompanyID: p.CompanyID, Lo: lo, Hi: hi})
	}
	return paginate(pg, created, keyLookup{Key: cursorOf}, list, count, func(d Deletion) string { return d.ID })
}
