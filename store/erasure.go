package store

import (
	"context"
	"strings"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Erasure is the answer of EraseContact: the contacts the identifier named and what went (or, in
// a dry run, would go) with them.
type Erasure struct {
	ContactIDs []string       `json:"contact_ids"`
	DryRun     bool           `json:"dry_run"`
	Erased     DeletionCounts `json:"erased"`
	// DeletionID is the erasure's audit record.
	DeletionID string `json:"deletion_id"`
}

// EraseContact erases a person from the caller's company (the right to erasure): the contacts
// with this identifier (of either contact type), all their calls with their transcripts, and the
// person's data in the call_log rows of those calls, which survive as the company's audit log
// with level, category, event and time only (data and trace_id become null). A contact with a
// call still dialing or in progress blocks it (ECONFLICT, naming the calls) and nothing changes.
// One transaction; its audit record names the contact ids, never the identifier.
func (s *Store) EraseContact(ctx context.Context, p Principal, identifier string, dryRun bool) (Erasure, error) {
	if strings.TrimSpace(identifier) == "" {
		return Erasure{}, Errorf(EINVALID, "INVALID_IDENTIFIER", "identifier must not be empty")
	}
	var out Erasure
	err := s.inTx(ctx, func(tx *txn) error {
		ids, err := tx.Q.ListContactIDsByIdentifier(ctx, sqlcdb.ListContactIDsByIdentifierParams{CompanyID: p.CompanyID, Identifier: identifier})
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return Errorf(ENOTFOUND, "CONTACT_NOT_FOUND", "No contact of the company has this identifier")
		}
		active, err := tx.Q.ListActiveCallsOfContacts(ctx, sqlcdb.ListActiveCallsOfContactsParams{CompanyID: p.CompanyID, Ids: ids})
		if err != nil {
			return err
		}
		if len(active) > 0 {
			return Errorf(ECONFLICT, "CONTACT_HAS_ACTIVE_CALLS", "Nothing was erased: the contact has calls still dialing or in progress (%s); end them first", strings.Join(active, ", "))
		}
		var c DeletionCounts
		if dryRun {
			if c, err = deleteContacts(ctx, tx.Q, p.CompanyID, ids, true); err != nil {
				return err
			}
			c.LogsRedacted = c.LogsDetached
		} else {
			// Redacted first, while the rows still lead to the calls they are about.
			n, err := tx.Q.RedactLogsOfContacts(ctx, sqlcdb.RedactLogsOfContactsParams{CompanyID: p.CompanyID, Ids: ids})
			if err != nil {
				return err
			}
			if c, err = deleteContacts(ctx, tx.Q, p.CompanyID, ids, false); err != nil {
				return err
			}
			c.LogsRedacted = n
		}
		out = Erasure{ContactIDs: ids, DryRun: dryRun, Erased: c}
		a := newAudit(DeletionErasure, p, ids, nil, dryRun)
		if err := a.record(ctx, tx, c); err != nil {
			return err
		}
		out.DeletionID = a.id
		return nil
	})
	if err != nil {
		return Erasure{}, err
	}
	if !dryRun {
		s.deleted(out.Erased)
	}
	return out, nil
}
