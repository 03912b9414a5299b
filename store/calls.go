package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Call statuses. Terminal statuses are final; only calls in a terminal status may be deleted.
const (
	StatusDialing     = "dialing"
	StatusInProgress  = "in_progress"
	StatusCompleted   = "completed"
	StatusFailed      = "failed"
	StatusTransferred = "transferred"
	StatusNoAnswer    = "no_answer"
)

// CallStatuses lists every status in the contract's order.
var CallStatuses = []string{StatusDialing, StatusInProgress, StatusCompleted, StatusFailed, StatusTransferred, StatusNoAnswer}

// TerminalStatuses are the statuses a call never leaves.
var TerminalStatuses = []string{StatusCompleted, StatusFailed, StatusTransferred, StatusNoAnswer}

// IsTerminal reports whether status is terminal.
func IsTerminal(status string) bool {
	for _, s := range TerminalStatuses {
		if s == status {
			return true
		}
	}
	return false
}

// Call types.
const (
	TypeInbound  = "inbound"
	TypeOutbound = "outbound"
)

// CallTypes are the contract's call types.
var CallTypes = []string{TypeInbound, TypeOutbound}

// Call is one call record (the contract's CallResponse).
type Call struct {
	ID               string          `json:"id"`
	AgentID          *string         `json:"agent_id"`
	AgentVersionID   *string         `json:"agent_version_id"`
	Status           string          `json:"status"`
	RecordingURL     *string         `json:"recording_url"`
	StartTime        *time.Time      `json:"start_time"`
	EndTime          *time.Time      `json:"end_time"`
	Duration         *int64          `json:"duration"`
	Type             string          `json:"type"`
	EndReason        *string         `json:"end_reason"`
	Contact          Contact         `json:"contact"`
	PhoneRegisterID  *string         `json:"phone_register_id"`
	DynamicVariables json.RawMessage `json:"dynamic_variables"` // a JSON object, or null
	CreatedDate      time.Time       `json:"created_date"`
	CompanyID        string          `json:"-"`
}

// callFromRow builds a call from its row alone: the row carries a copy of its contact's fields
// (migration 3), so no read of contacts is needed.
func callFromRow(r *sqlcdb.Call) Call {
	return Call{
		ID: r.ID, AgentID: r.AgentID, AgentVersionID: r.AgentVersionID, Status: r.Status, RecordingURL: r.RecordingUrl,
		StartTime: fromMicrosPtr(r.StartTime), EndTime: fromMicrosPtr(r.EndTime), Duration: r.Duration, Type: r.Type,
		EndReason: r.EndReason, PhoneRegisterID: r.PhoneRegisterID,
		Contact:          Contact{ID: r.ContactID, CreatedDate: fromMicros(r.ContactCreatedDate), Identifier: r.ContactIdentifier, ContactType: r.ContactType, CompanyID: r.CompanyID},
		DynamicVariables: rawJSON(r.DynamicVariables), CreatedDate: fromMicros(r.CreatedDate), CompanyID: r.CompanyID,
	}
}

func errCallNotFound(id string) error {
	return Errorf(ENOTFOUND, "CALL_NOT_FOUND", "Call %s not found", id)
}

// CallInput is a call as a client records it. Only Contact-or-numbers is needed; every other field
// has a default. ID, CreatedDate and Duration are for records of calls made elsewhere (imports).
type CallInput struct {
	ID          string // "" gives a new v7 UUID; a given id must not exist in any company
	Type        string // TypeInbound or TypeOutbound (default)
	Status      string // any CallStatus (default "dialing"): records of finished calls arrive finished
	FromNumber  string
	ToNumber    string
	ContactType string        // the channel of the contact taken from the numbers (default "call")
	Contact     *ContactInput // the contact as is; when nil it is the to_number (outbound) or from_number (inbound)

	AgentID, AgentVersionID, PhoneRegisterID *string
	RecordingURL, EndReason                  *string
	StartTime, EndTime                       *time.Time
	Duration                                 *int64          // nil: derived from the times when both are known
	DynamicVariables                         json.RawMessage // a JSON object, or nil
	CreatedDate                              *time.Time      // nil: the time of the write
}

// normalize applies the defaults and checks the rules that need no database.
func (in *CallInput) normalize() error {
	if in.ID != "" {
		id, ok := canonicalID(in.ID)
		if !ok {
			return Errorf(EINVALID, "INVALID_CALL_ID", "id %q is not a valid UUID", in.ID)
		}
		in.ID = id
	}
	if in.Type == "" {
		in.Type = TypeOutbound
	}
	if !slices.Contains(CallTypes, in.Type) {
		return Errorf(EINVALID, "INVALID_CALL_TYPE", "type must be one of %s, not %q", strings.Join(CallTypes, ", "), in.Type)
	}
	if in.Status == "" {
		in.Status = StatusDialing
	}
	if !slices.Contains(CallStatuses, in.Status) {
		return Errorf(EINVALID, "INVALID_CALL_STATUS", "status must be one of %s, not %q", strings.Join(CallStatuses, ", "), in.Status)
	}
	if in.Contact == nil {
		c := ContactInput{Identifier: in.ToNumber, ContactType: in.ContactType}
		field := "to_number"
		if in.Type == TypeInbound {
			c.Identifier, field = in.FromNumber, "from_number"
		}
		if strings.TrimSpace(c.Identifier) == "" {
			return Errorf(EINVALID, "INVALID_PHONE_NUMBER", "%s must not be empty: it identifies the contact of an %s call", field, in.Type)
		}
		in.Contact = &c
	}
	in.Contact.Identifier = strings.TrimSpace(in.Contact.Identifier)
	if in.Contact.Identifier == "" {
		return Errorf(EINVALID, "INVALID_CONTACT", "contact identifier must not be empty")
	}
	if in.Contact.ContactType == "" {
		in.Contact.ContactType = "call"
	}
	if !slices.Contains(ContactTypes, in.Contact.ContactType) {
		return Errorf(EINVALID, "INVALID_CONTACT_TYPE", "contact_type must be one of %s, not %q", strings.Join(ContactTypes, ", "), in.Contact.ContactType)
	}
	// from_number may be "the unique identifier of the phone number" (the contract's CallRequest):
	// then it names the phone the outbound call is made from.
	if in.Type == TypeOutbound && in.PhoneRegisterID == nil {
		if id, err := uuid.Parse(in.FromNumber); err == nil && len(in.FromNumber) == 36 {
			s := id.String()
			in.PhoneRegisterID = &s
		}
	}
	in.StartTime, in.EndTime, in.CreatedDate = truncPtr(in.StartTime), truncPtr(in.EndTime), truncPtr(in.CreatedDate)
	if err := checkTimes(in.StartTime, in.EndTime); err != nil {
		return err
	}
	if in.Duration != nil && *in.Duration < 0 {
		return Errorf(EINVALID, "INVALID_DURATION", "duration must not be negative, got %d", *in.Duration)
	}
	if in.Duration == nil {
		in.Duration = deriveDuration(in.StartTime, in.EndTime)
	}
	if err := checkObject("dynamic_variables", in.DynamicVariables); err != nil {
		return err
	}
	return nil
}

func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

func checkTimes(start, end *time.Time) error {
	if start != nil && end != nil && end.Before(*start) {
		return Errorf(EINVALID, "INVALID_CALL_TIMES", "end_time (%s) must not be before start_time (%s)",
			end.Format(time.RFC3339Nano), start.Format(time.RFC3339Nano))
	}
	return nil
}

// deriveDuration is the call's length in whole seconds (rounded down), when both ends are known.
func deriveDuration(start, end *time.Time) *int64 {
	if start == nil || end == nil {
		return nil
	}
	d := int64(end.Sub(*start) / time.Second)
	return &d
}

// checkObject accepts nil/null or a JSON object.
func checkObject(name string, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' || !json.Valid(raw) { // valid JSON that starts with '{' is an object
		return Errorf(EINVALID, "INVALID_"+strings.ToUpper(name), "%s must be a JSON object or null", name)
	}
	return nil
}

// CreateCall records a call of the caller's company, creating its contact on first use.
func (s *Store) CreateCall(ctx context.Context, p Principal, in CallInput) (Call, error) {
	if err := in.normalize(); err != nil {
		return Call{}, err
	}
	var c Call
	err := s.inTx(ctx, func(tx *txn) error {
		if err := checkCallID(ctx, tx.Q, &in); err != nil {
			return err
		}
		var err error
		c, err = insertCall(ctx, tx.Q, p.CompanyID, tx.Now, &in, nil)
		return err
	})
	return c, err
}

// checkCallID gives a new call its id, or makes sure the id it came with is free.
func checkCallID(ctx context.Context, q sqlcdb.Querier, in *CallInput) error {
	if in.ID == "" {
		in.ID = NewID()
		return nil
	}
	n, err := q.CallIDTaken(ctx, in.ID)
	if err != nil {
		return err
	} else if n > 0 {
		// Ids are global: say only that it is taken, never whose it is.
		return errCallExists(in.ID)
	}
	return nil
}

func errCallExists(id string) error {
	return Errorf(ECONFLICT, "CALL_ALREADY_EXISTS", "A call with id %s already exists", id)
}

// insertCall writes one normalized call whose id checkCallID passed, and get-or-creates its
// contact, in the caller's transaction. contacts, when not nil, remembers the contacts this
// transaction has already looked up or written, so that a batch of calls of the same few people
// asks the database once per person.
func insertCall(ctx context.Context, q sqlcdb.Querier, companyID string, now time.Time, in *CallInput, contacts contactCache) (Call, error) {
	created := now
	if in.CreatedDate != nil {
		created = *in.CreatedDate
	}
	contact, err := contactOf(ctx, q, companyID, in.Contact, micros(created), contacts)
	if err != nil {
		return Call{}, err
	}
	row := sqlcdb.Call{
		ID: in.ID, CompanyID: companyID, ContactID: contact.ID, ContactIdentifier: contact.Identifier, ContactType: contact.ContactType,
		ContactCreatedDate: contact.CreatedDate, AgentID: in.AgentID, AgentVersionID: in.AgentVersionID,
		PhoneRegisterID: in.PhoneRegisterID, Status: in.Status, Type: in.Type, RecordingUrl: in.RecordingURL,
		StartTime: microsPtr(in.StartTime), EndTime: microsPtr(in.EndTime), Duration: in.Duration, EndReason: in.EndReason,
		DynamicVariables: jsonText(in.DynamicVariables), CreatedDate: micros(created),
	}
	// CreateCall inserts every column of the row, in table order, so its parameters are the row
	// itself; the conversion stops compiling if the insert and the table ever disagree.
	err = q.CreateCall(ctx, sqlcdb.CreateCallParams(row))
	if err != nil {
		return Call{}, err
	}
	return callFromRow(&row), nil
}

// Patch is one field of a partial update: Set says the request named the field; Set with a nil
// Value means null (clear it).
type Patch[T any] struct {
	Set   bool
	Value *T
}

// CallUpdate is a lifecycle update of a call (PATCH). Fields not Set stay as they are.
type CallUpdate struct {
	Status           *string // nil: unchanged (status cannot be cleared)
	StartTime        Patch[time.Time]
	EndTime          Patch[time.Time]
	EndReason        Patch[string]
	RecordingURL     Patch[string]
	DynamicVariables Patch[json.RawMessage]
}

// UpdateCall applies a lifecycle update to a call of the caller's company.
//
// Status moves forward only: dialing -> in_progress -> a terminal status (or dialing straight to a
// terminal one); setting the current status again is a no-op. A terminal status is final
// (ECONFLICT CALL_ALREADY_ENDED), but the other fields of an ended call may still be set, since
// recordings, end reasons and corrected times often arrive after the call.
// Entering in_progress stamps start_time, and entering a terminal status stamps end_time, unless
// the update or the call already has them. duration is re-derived whenever a time changes.
func (s *Store) UpdateCall(ctx context.Context, p Principal, id string, u CallUpdate) (Call, error) {
	var c Call
	err := s.inTx(ctx, func(tx *txn) error {
		cur, err := getCall(ctx, tx.Q, p.CompanyID, id)
		if err != nil {
			return err
		}
		status := cur.Status
		if u.Status != nil && *u.Status != cur.Status {
			next := *u.Status
			switch {
			case !slices.Contains(CallStatuses, next):
				return Errorf(EINVALID, "INVALID_CALL_STATUS", "status must be one of %s, not %q", strings.Join(CallStatuses, ", "), next)
			case IsTerminal(cur.Status):
				return Errorf(ECONFLICT, "CALL_ALREADY_ENDED", "Call %s has already ended with status %s; its status cannot change to %s", id, cur.Status, next)
			case next == StatusDialing:
				return Errorf(ECONFLICT, "INVALID_STATUS_TRANSITION", "Call %s cannot go back from %s to dialing", id, cur.Status)
			}
			status = next
		}
		start, end := cur.StartTime, cur.EndTime
		timesChanged := false
		if u.StartTime.Set {
			start, timesChanged = truncPtr(u.StartTime.Value), true
		}
		if u.EndTime.Set {
			end, timesChanged = truncPtr(u.EndTime.Value), true
		}
		if status != cur.Status {
			now := tx.Now
			if status == StatusInProgress && start == nil && !u.StartTime.Set {
				start, timesChanged = &now, true
			}
			if IsTerminal(status) && end == nil && !u.EndTime.Set {
				end, timesChanged = &now, true
			}
		}
		if err := checkTimes(start, end); err != nil {
			return err
		}
		duration := cur.Duration
		if timesChanged {
			duration = deriveDuration(start, end)
		}
		endReason, recording, dynvars := cur.EndReason, cur.RecordingURL, cur.DynamicVariables
		if u.EndReason.Set {
			endReason = u.EndReason.Value
		}
		if u.RecordingURL.Set {
			recording = u.RecordingURL.Value
		}
		if u.DynamicVariables.Set {
			dynvars = nil
			if u.DynamicVariables.Value != nil {
				dynvars = *u.DynamicVariables.Value
			}
			if err := checkObject("dynamic_variables", dynvars); err != nil {
				return err
			}
		}
		err = tx.Q.UpdateCall(ctx, sqlcdb.UpdateCallParams{
			Status: status, StartTime: microsPtr(start), EndTime: microsPtr(end), Duration: duration,
			EndReason: endReason, RecordingUrl: recording, DynamicVariables: jsonText(dynvars),
			CompanyID: p.CompanyID, ID: cur.ID,
		})
		if err != nil {
			return err
		}
		c, err = getCall(ctx, tx.Q, p.CompanyID, cur.ID)
		return err
	})
	return c, err
}

// requireCall returns ENOTFOUND (CALL_NOT_FOUND) unless callID is a call of the company.
func requireCall(ctx context.Context, q sqlcdb.Querier, companyID, callID string) error {
	n, err := q.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: companyID, ID: callID})
	if err != nil {
		return err
	} else if n == 0 {
		return errCallNotFound(callID)
	}
	return nil
}

// GetCall returns one call of the caller's company with its contact.
func (s *Store) GetCall(ctx context.Context, p Principal, id string) (Call, error) {
	return getCall(ctx, s.r, p.CompanyID, id)
}

func getCall(ctx context.Context, q sqlcdb.Querier, companyID, id string) (Call, error) {
	row, err := q.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: companyID, ID: id})
	if isNoRows(err) {
		return Call{}, errCallNotFound(id)
	} else if err != nil {
		return Call{}, err
	}
	return callFromRow(&row), nil
}

// CallFilter narrows a list of calls; nil fields and an open DateRange do not filter. All filters
// combine with AND.
type CallFilter struct {
	ContactID *string
	AgentID   *string
	PhoneID   *string // phone_register_id
	Status    *string
	Type      *string
	Created   DateRange // created_date, both ends inclusive
}

// callListParams is the parameter list every call list query shares (see queries/calls_list.sql).
// The constraint makes the compiler check that each generated query still takes exactly these
// parameters, so one code path can run any of them.
type callListParams interface {
	~struct {
		CompanyID                                 string
		CursorDate                                *int64
		CursorID                                  string
		ContactID, AgentID, PhoneID, Status, Type *string
		Lo, Hi, Off, Lim                          int64
	}
}

// callCountParams is the parameter list every call count query shares.
type callCountParams interface {
	~struct {
		CompanyID                                 string
		ContactID, AgentID, PhoneID, Status, Type *string
		Lo, Hi                                    int64
	}
}

type callLister func(context.Context, sqlcdb.ListCallsAscParams) ([]Call, error)

type callCounter func(context.Context, sqlcdb.CountCallsParams) (int64, error)

// listCallsWith adapts one generated list query to callLister.
func listCallsWith[P callListParams](query func(context.Context, P) ([]sqlcdb.Call, error)) callLister {
	return func(ctx context.Context, arg sqlcdb.ListCallsAscParams) ([]Call, error) {
		rows, err := query(ctx, P(arg))
		if err != nil {
			return nil, err
		}
		out := make([]Call, len(rows))
		for i := range rows {
			out[i] = callFromRow(&rows[i])
		}
		return out, nil
	}
}

// countCallsWith adapts one generated count query to callCounter.
func countCallsWith[P callCountParams](query func(context.Context, P) (int64, error)) callCounter {
	return func(ctx context.Context, arg sqlcdb.CountCallsParams) (int64, error) { return query(ctx, P(arg)) }
}

// callQueries picks the queries driven by the most selective filter present: the one whose index
// narrows the rows the most before the residual filters run (contact > agent > phone > status >
// company). Page mode uses the same queries with an OFFSET: the rows it skips are passed over
// without their columns being read.
func (s *Store) callQueries(f CallFilter) (asc, desc callLister, count callCounter) {
	q := s.r
	switch {
	case f.ContactID != nil:
		return listCallsWith(q.ListCallsByContactAsc), listCallsWith(q.ListCallsByContactDesc), countCallsWith(q.CountCallsByContact)
	case f.AgentID != nil:
		return listCallsWith(q.ListCallsByAgentAsc), listCallsWith(q.ListCallsByAgentDesc), countCallsWith(q.CountCallsByAgent)
	case f.PhoneID != nil:
		return listCallsWith(q.ListCallsByPhoneAsc), listCallsWith(q.ListCallsByPhoneDesc), countCallsWith(q.CountCallsByPhone)
	case f.Status != nil:
		return listCallsWith(q.ListCallsByStatusAsc), listCallsWith(q.ListCallsByStatusDesc), countCallsWith(q.CountCallsByStatus)
	default:
		return listCallsWith(q.ListCallsAsc), listCallsWith(q.ListCallsDesc), countCallsWith(q.CountCalls)
	}
}

// ListCalls pages through the caller's company's calls that match f, each with its contact.
// An after/before id that is not a call of the company is EINVALID (ReasonInvalidCursor).
func (s *Store) ListCalls(ctx context.Context, p Principal, f CallFilter, pg PageRequest) (Page[Call], error) {
	asc, desc, count := s.callQueries(f)
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetCallKey(ctx, sqlcdb.GetCallKeyParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.CreatedDate, ID: k.ID}, err
	}
	list := func(ascending bool, w Window) ([]Call, error) {
		arg := sqlcdb.ListCallsAscParams{
			CompanyID: p.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID, Status: f.Status, Type: f.Type,
			Lo: w.Lo, Hi: w.Hi, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit,
		}
		if !w.Lookup {
			arg.CursorDate = &w.Cursor.Date // NULL makes the query look the key of CursorID up
		}
		if ascending {
			return asc(ctx, arg)
		}
		return desc(ctx, arg)
	}
	total := func() (int64, error) {
		if f == (CallFilter{}) {
			// Unfiltered: the per-company counter kept by triggers (migration 2), one row lookup
			// instead of a walk over every call of the company.
			return s.r.CountCompanyCalls(ctx, p.CompanyID)
		}
		lo, hi := f.Created.bounds()
		return count(ctx, sqlcdb.CountCallsParams{
			CompanyID: p.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID, Status: f.Status, Type: f.Type, Lo: lo, Hi: hi,
		})
	}
	return paginate(pg, f.Created, keyLookup{Key: cursorOf, InList: true}, list, total, func(c Call) string { return c.ID })
}

// MaxAppend is the most messages or log entries one append request may carry.
const MaxAppend = 1000

func checkBatch(kind string, n int) error {
	if n < 1 || n > MaxAppend {
		return Errorf(EINVALID, "INVALID_BATCH_SIZE", "between 1 and %d %s may be appended at once, not %d", MaxAppend, kind, n)
	}
	return nil
}

// MaxBulkDelete is the most call ids one bulk delete takes (the contract's maxItems).
const MaxBulkDelete = 500

// BulkDeleteCalls deletes, in one transaction, the calls among ids that belong to the caller's
// company and are in a terminal status, and returns how many it deleted. Active calls, unknown ids
// and other companies' ids are left alone and not counted. The schema does the rest: messages of
// a deleted call go with it (ON DELETE CASCADE) and its log entries stay with call_id set to NULL
// (ON DELETE SET NULL), so the audit log outlives the call. The same transaction counts what the
// delete takes with it and writes the deletion's audit record.
func (s *Store) BulkDeleteCalls(ctx context.Context, p Principal, ids []string) (int64, error) {
	if len(ids) == 0 || len(ids) > MaxBulkDelete {
		return 0, Errorf(EINVALID, "INVALID_CALL_IDS", "call_ids must hold 1 to %d ids, not %d", MaxBulkDelete, len(ids))
	}
	a := newAudit(DeletionCalls, p, ids, nil, false)
	err := s.inTx(ctx, func(tx *txn) error {
		c, err := deleteTerminalCalls(ctx, tx.Q, p.CompanyID, ids)
		if err != nil || c.Calls == 0 {
			return err // nothing deleted: not a deletion, no record
		}
		return a.record(ctx, tx, c)
	})
	if err != nil {
		return 0, err
	}
	s.deleted(a.counts)
	return a.counts.Calls, nil
}

// deleteTerminalCalls deletes the company's terminal calls among ids (at most MaxBulkDelete) in the
// caller's transaction and returns what went with them.
func deleteTerminalCalls(ctx context.Context, q sqlcdb.Querier, companyID string, ids []string) (DeletionCounts, error) {
	eff, err := q.CountCallDeletionEffects(ctx, sqlcdb.CountCallDeletionEffectsParams{CompanyID: companyID, Ids: ids})
	if err != nil {
		return DeletionCounts{}, err
	}
	n, err := q.DeleteTerminalCalls(ctx, sqlcdb.DeleteTerminalCallsParams{CompanyID: companyID, Ids: ids})
	if err != nil {
		return DeletionCounts{}, err
	}
	if n != eff.Calls {
		// Impossible inside one BEGIN IMMEDIATE transaction; refuse rather than misreport.
		return DeletionCounts{}, fmt.Errorf("deleted %d calls, counted %d", n, eff.Calls)
	}
	return DeletionCounts{Calls: n, Messages: eff.Messages, LogsDetached: eff.Logs}, nil
}
