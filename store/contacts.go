package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/callstore/callstore/db/sqlcdb"
)

// ContactTypes are the contract's contact types.
var ContactTypes = []string{"call", "web"}

// ContactInput names a contact by what makes it unique within a company: its type and identifier.
type ContactInput struct {
	Identifier  string
	ContactType string // "" means "call"
}

// MaxContactDeleteIDs is the most ids one deletion request may name; every dialect enforces it.
const MaxContactDeleteIDs = 500

// DeleteMode says what a deletion does when some of its ids cannot be deleted.
type DeleteMode string

// The deletion modes.
const (
	// DeletePartial deletes every deletable contact and reports the others.
	DeletePartial DeleteMode = "partial"
	// DeleteAllOrNone deletes nothing unless every id is deletable.
	DeleteAllOrNone DeleteMode = "all_or_none"
)

// Outcome is what happened (or, in a dry run, would happen) to one id of a deletion.
type Outcome string

// The outcomes of one id. OutcomeNotFound covers unknown ids, malformed ids and other companies' ids
// alike, so a caller cannot tell them apart.
const (
	OutcomeDeleted       Outcome = "deleted"
	OutcomeNotFound      Outcome = "not_found"
	OutcomeHasActiveCall Outcome = "has_active_call"
	// OutcomeSkipped is a deletable contact left in place because another id of an all_or_none
	// deletion failed.
	OutcomeSkipped Outcome = "skipped"
)

// ContactOutcome is the outcome of one requested id. ID is the canonical (lowercase) UUID when the
// id parses as one, otherwise the id exactly as given.
type ContactOutcome struct {
	ID      string  `json:"id"`
	Outcome Outcome `json:"outcome"`
}

// DeletionEffects counts what a deletion removes with its contacts: their calls, the messages of
// those calls, and the call_log rows that survive with call_id set to null.
type DeletionEffects struct {
	Calls    int64 `json:"calls"`
	Messages int64 `json:"messages"`
	Logs     int64 `json:"logs"`
}

// ContactDeletion is the result of DeleteContacts.
type ContactDeletion struct {
	// Results has one entry per distinct id, in the order the ids were first given.
	Results []ContactOutcome
	// Deleted is how many contacts were deleted (in a dry run: would be deleted).
	Deleted int
	// Failed is how many ids were not_found or has_active_call.
	Failed int
	// Effects counts the rows deleted (or detached) with the contacts; zero when nothing was deleted.
	Effects DeletionEffects
	// DryRun is set when nothing was changed on purpose.
	DryRun bool
}

// OK reports whether every id was deletable.
func (d ContactDeletion) OK() bool { return d.Failed == 0 }

// FailedWith reports whether some id has the outcome o.
func (d ContactDeletion) FailedWith(o Outcome) bool {
	for _, r := range d.Results {
		if r.Outcome == o {
			return true
		}
	}
	return false
}

// DeleteContacts is the one contact deletion engine behind every dialect. ids are taken as the
// caller sent them: an id that is not a UUID is simply not found. Deleting a contact deletes its
// calls and their messages (schema cascades) and detaches its calls' call_log rows; a contact with
// a call still dialing or in progress is not deletable. In DeletePartial mode the deletable
// contacts are deleted; in DeleteAllOrNone mode nothing is unless all are. A dry run computes
// exactly the same result and changes nothing. Everything happens in one transaction.
func (s *Store) DeleteContacts(ctx context.Context, p Principal, ids []string, mode DeleteMode, dryRun bool) (ContactDeletion, error) {
	if mode != DeletePartial && mode != DeleteAllOrNone {
		return ContactDeletion{}, Errorf(EINTERNAL, "", "unknown delete mode %q", mode)
	}
	if len(ids) == 0 {
		return ContactDeletion{}, Errorf(EINVALID, "NO_CONTACT_IDS", "at least one contact id is required")
	}
	if len(ids) > MaxContactDeleteIDs {
		return ContactDeletion{}, Errorf(EINVALID, "TOO_MANY_CONTACT_IDS", "at most %d contact ids per request, got %d", MaxContactDeleteIDs, len(ids))
	}

	// Distinct ids in first-seen order; only well-formed UUIDs reach the database.
	out := ContactDeletion{DryRun: dryRun, Results: make([]ContactOutcome, 0, len(ids))}
	seen := make(map[string]bool, len(ids))
	var candidates []string
	for _, raw := range ids {
		id := raw
		valid := false
		if u, err := uuid.Parse(raw); err == nil {
			id, valid = u.String(), true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		out.Results = append(out.Results, ContactOutcome{ID: id, Outcome: OutcomeNotFound})
		if valid {
			candidates = append(candidates, id)
		}
	}

	a := newAudit(DeletionContacts, p, ids, nil, dryRun)
	err := s.inTx(ctx, func(tx *txn) error {
		out.Deleted, out.Failed, out.Effects = 0, 0, DeletionEffects{} // an attempt starts afresh
		owned := map[string]bool{}
		active := map[string]bool{}
		if len(candidates) > 0 {
			rows, err := tx.Q.ListOwnedContactIDs(ctx, sqlcdb.ListOwnedContactIDsParams{CompanyID: p.CompanyID, Ids: candidates})
			if err != nil {
				return err
			}
			for _, id := range rows {
				owned[id] = true
			}
			rows, err = tx.Q.ListContactsWithActiveCalls(ctx, sqlcdb.ListContactsWithActiveCallsParams{CompanyID: p.CompanyID, Ids: candidates})
			if err != nil {
				return err
			}
			for _, id := range rows {
				active[id] = true
			}
		}
		var deletable []string
		for i := range out.Results {
			r := &out.Results[i]
			switch {
			case !owned[r.ID]:
				r.Outcome = OutcomeNotFound
				out.Failed++
			case active[r.ID]:
				r.Outcome = OutcomeHasActiveCall
				out.Failed++
			default:
				r.Outcome = OutcomeDeleted
				deletable = append(deletable, r.ID)
			}
		}
		if mode == DeleteAllOrNone && out.Failed > 0 {
			for i := range out.Results {
				if out.Results[i].Outcome == OutcomeDeleted {
					out.Results[i].Outcome = OutcomeSkipped
				}
			}
			deletable = nil
		}
		var c DeletionCounts
		if len(deletable) > 0 {
			var err error
			if c, err = deleteContacts(ctx, tx.Q, p.CompanyID, deletable, dryRun); err != nil {
				return err
			}
			out.Deleted = len(deletable)
			out.Effects = DeletionEffects{Calls: c.Calls, Messages: c.Messages, Logs: c.LogsDetached}
		}
		if out.Deleted == 0 {
			return nil // nothing deleted (or, in a dry run, deletable): not a deletion, no record
		}
		return a.record(ctx, tx, c)
	})
	if err != nil {
		return ContactDeletion{}, err
	}
	if !dryRun {
		s.deleted(a.counts)
	}
	return out, nil
}

// deleteContacts deletes the company's contacts ids (all of them the company's, none with an
// active call) in the caller's transaction, and returns what went with them; a dry run only counts.
func deleteContacts(ctx context.Context, q sqlcdb.Querier, companyID string, ids []string, dryRun bool) (DeletionCounts, error) {
	eff, err := q.CountContactDeletionEffects(ctx, sqlcdb.CountContactDeletionEffectsParams{CompanyID: companyID, Ids: ids})
	if err != nil {
		return DeletionCounts{}, err
	}
	c := DeletionCounts{Contacts: int64(len(ids)), Calls: eff.Calls, Messages: eff.Messages, LogsDetached: eff.Logs}
	if dryRun {
		return c, nil
	}
	n, err := q.DeleteContacts(ctx, sqlcdb.DeleteContactsParams{CompanyID: companyID, Ids: ids})
	if err != nil {
		return DeletionCounts{}, err
	}
	if n != int64(len(ids)) {
		// Impossible inside one BEGIN IMMEDIATE transaction; refuse rather than misreport.
		return DeletionCounts{}, fmt.Errorf("deleted %d contacts, expected %d", n, len(ids))
	}
	return c, nil
}

func errContactNotFound(id string) error {
	return Errorf(ENOTFOUND, "CONTACT_NOT_FOUND", "Contact %s not found", id)
}

// GetContact returns one contact of the caller's company.
func (s *Store) GetContact(ctx context.Context, p Principal, id string) (Contact, error) {
	row, err := s.r.GetContact(ctx, sqlcdb.GetContactParams{CompanyID: p.CompanyID, ID: id})
	if isNoRows(err) {
		return Contact{}, errContactNotFound(id)
	} else if err != nil {
		return Contact{}, err
	}
	return contactFromRow(row), nil
}

// ContactFilter narrows a contact list; empty fields do not filter.
type ContactFilter struct {
	ContactType string // "call" or "web"
	Identifier  string // exact match
}

// ListContacts pages through the caller's company's contacts, like every other list.
func (s *Store) ListContacts(ctx context.Context, p Principal, f ContactFilter, pg PageRequest) (Page[Contact], error) {
	var ctype, ident *string
	if f.ContactType != "" {
		ctype = &f.ContactType
	}
	if f.Identifier != "" {
		ident = &f.Identifier
	}
	cursorOf := func(id string) (Cursor, error) {
		row, err := s.r.GetContact(ctx, sqlcdb.GetContactParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: row.CreatedDate, ID: row.ID}, err
	}
	list := func(asc bool, w Window) ([]Contact, error) {
		var rows []sqlcdb.Contact
		var err error
		if asc {
			rows, err = s.r.ListContactsAsc(ctx, sqlcdb.ListContactsAscParams{CompanyID: p.CompanyID, ContactType: ctype, Identifier: ident,
				Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		} else {
			rows, err = s.r.ListContactsDesc(ctx, sqlcdb.ListContactsDescParams{CompanyID: p.CompanyID, ContactType: ctype, Identifier: ident,
				Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		}
		out := make([]Contact, len(rows))
		for i, r := range rows {
			out[i] = contactFromRow(r)
		}
		return out, err
	}
	count := func() (int64, error) {
		return s.r.CountContacts(ctx, sqlcdb.CountContactsParams{CompanyID: p.CompanyID, ContactType: ctype, Identifier: ident})
	}
	return paginate(pg, DateRange{}, keyLookup{Key: cursorOf}, list, count, func(c Contact) string { return c.ID })
}

// Contact is the party a call was with (the contract's ContactResponseSchema).
type Contact struct {
	ID          string    `json:"id"`
	CreatedDate time.Time `json:"created_date"`
	Identifier  string    `json:"identifier"`
	ContactType string    `json:"contact_type"`
	CompanyID   string    `json:"-"`
}

func contactFromRow(r sqlcdb.Contact) Contact {
	return Contact{ID: r.ID, CreatedDate: fromMicros(r.CreatedDate), Identifier: r.Identifier, ContactType: r.ContactType, CompanyID: r.CompanyID}
}

// contactCache holds the contacts of a transaction's calls, by type and identifier: all of those
// the company had when the transaction looked them up (lookUpContacts), and those it wrote since.
// A contact missing from it is new. It lives no longer than the transaction: outside it, another
// writer may delete a contact.
type contactCache map[[2]string]sqlcdb.Contact

// contactOf returns the company's contact with this identifier, creating it when the company has
// none, and moving its created_date back to created when a call older than the contact arrives
// (imports may come out of order). A known contact that needs no change is only read: most calls
// are of known people, and reading the row costs less than rewriting it. With a cache, what the
// cache lacks is new; without one (nil), the contact is read first.
func contactOf(ctx context.Context, q sqlcdb.Querier, companyID string, in *ContactInput, created int64, cache contactCache) (sqlcdb.Contact, error) {
	key := [2]string{in.ContactType, in.Identifier}
	c, ok := cache[key]
	if cache == nil {
		var err error
		c, err = q.GetContactByIdentifier(ctx, sqlcdb.GetContactByIdentifierParams{CompanyID: companyID, ContactType: in.ContactType, Identifier: in.Identifier})
		switch {
		case err == nil:
			ok = true
		case !errors.Is(err, sql.ErrNoRows):
			return sqlcdb.Contact{}, err
		}
	}
	if !ok || c.CreatedDate > created {
		var err error
		c, err = q.UpsertContact(ctx, sqlcdb.UpsertContactParams{
			ID: NewID(), CompanyID: companyID, Identifier: in.Identifier, ContactType: in.ContactType, CreatedDate: created,
		})
		if err != nil {
			return sqlcdb.Contact{}, err
		}
		if cache != nil {
			cache[key] = c
		}
	}
	return c, nil
}
