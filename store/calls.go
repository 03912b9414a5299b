package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"callstore/db/sqlcdb"

	"github.com/google/uuid"
)

// ContactInput names a contact by what makes it unique within a company: its type and identifier.
type ContactInput struct {
	Identifier  string
	ContactType string // "" means "call"
}

// CallInput is a call as a client records it. Only Contact-or-numbers is needed; every other field
// has a default. ID, CreatedDate and Duration are for records of calls made elsewhere (imports).
type CallInput struct {
	ID          string // "" gives a new v7 UUID; a given id must not exist in any company
	Type        string // "inbound" or "outbound" (default)
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
		id, err := uuid.Parse(in.ID)
		if err != nil {
			return Errorf(EINVALID, "INVALID_CALL_ID", "id %q is not a valid UUID", in.ID)
		}
		in.ID = id.String()
	}
	if in.Type == "" {
		in.Type = "outbound"
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
		if in.Type == "inbound" {
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
	if in.Type == "outbound" && in.PhoneRegisterID == nil {
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
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := checkCallID(ctx, tx.Q, &in); err != nil {
			return err
		}
		var err error
		c, err = insertCall(ctx, tx.Q, p.CompanyID, tx.Now, &in)
		return err
	})
	return c, err
}

// checkCallID gives a new call its id, or makes sure the id it came with is free.
func checkCallID(ctx context.Context, q *sqlcdb.Queries, in *CallInput) error {
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
// contact, in the caller's transaction.
func insertCall(ctx context.Context, q *sqlcdb.Queries, companyID string, now time.Time, in *CallInput) (Call, error) {
	created := now
	if in.CreatedDate != nil {
		created = *in.CreatedDate
	}
	contact, err := q.UpsertContact(ctx, sqlcdb.UpsertContactParams{
		ID: NewID(), CompanyID: companyID, Identifier: in.Contact.Identifier,
		ContactType: in.Contact.ContactType, CreatedDate: micros(created),
	})
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
	err := s.inTx(ctx, func(tx *Tx) error {
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

// MessageInput is one transcript entry as a client appends it.
type MessageInput struct {
	ID          string // import only: "" gives a new v7 UUID
	Role        string
	Content     *string
	ToolCall    json.RawMessage // a FunctionSchema or CallToolSchema object, or nil
	CreatedDate *time.Time      // nil: see AppendMessages
}

func (m *MessageInput) normalize() error {
	if m.ID != "" {
		id, err := uuid.Parse(m.ID)
		if err != nil {
			return Errorf(EINVALID, "INVALID_MESSAGE_ID", "message id %q is not a valid UUID", m.ID)
		}
		m.ID = id.String()
	}
	if !slices.Contains(MessageRoles, m.Role) {
		return Errorf(EINVALID, "INVALID_MESSAGE_ROLE", "role must be one of %s, not %q", strings.Join(MessageRoles, ", "), m.Role)
	}
	m.CreatedDate = truncPtr(m.CreatedDate)
	return checkObject("tool_call", m.ToolCall)
}

// LogInput is one audit entry as a client appends it.
type LogInput struct {
	ID        string // import only: "" gives a new v7 UUID; a given id must not exist in any company
	Level     string
	Category  string
	Event     string
	Timestamp *time.Time // nil: see AppendLogs
	TraceID   *string
	Data      json.RawMessage // a JSON object, or nil
}

func (l *LogInput) normalize() error {
	if l.ID != "" {
		id, err := uuid.Parse(l.ID)
		if err != nil {
			return Errorf(EINVALID, "INVALID_LOG_ID", "log id %q is not a valid UUID", l.ID)
		}
		l.ID = id.String()
	}
	if !slices.Contains(LogLevels, l.Level) {
		return Errorf(EINVALID, "INVALID_LOG_LEVEL", "level must be one of %s, not %q", strings.Join(LogLevels, ", "), l.Level)
	}
	if !slices.Contains(LogCategories, l.Category) {
		return Errorf(EINVALID, "INVALID_LOG_CATEGORY", "category must be one of %s, not %q", strings.Join(LogCategories, ", "), l.Category)
	}
	if l.Event == "" {
		return Errorf(EINVALID, "INVALID_LOG_EVENT", "event must not be empty")
	}
	l.Timestamp = truncPtr(l.Timestamp)
	return checkObject("data", l.Data)
}

// MaxAppend is the most messages or log entries one append request may carry.
const MaxAppend = 1000

func checkBatch(kind string, n int) error {
	if n < 1 || n > MaxAppend {
		return Errorf(EINVALID, "INVALID_BATCH_SIZE", "between 1 and %d %s may be appended at once, not %d", MaxAppend, kind, n)
	}
	return nil
}

// AppendMessages adds messages to the transcript of a call of the caller's company (ended calls
// included: transcripts are often completed after the call). Messages without created_date get
// the time of the write plus their index in microseconds, so a batch keeps its order.
func (s *Store) AppendMessages(ctx context.Context, p Principal, callID string, in []MessageInput) ([]Message, error) {
	if err := checkBatch("messages", len(in)); err != nil {
		return nil, err
	}
	for i := range in {
		in[i].ID = "" // ids are chosen here; only imports keep their own
		if err := in[i].normalize(); err != nil {
			return nil, itemError(err, i)
		}
	}
	var out []Message
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := requireCall(ctx, tx.Q, p.CompanyID, callID); err != nil {
			return err
		}
		var err error
		out, err = insertMessages(ctx, tx.Q, callID, tx.Now, in)
		return err
	})
	return out, err
}

// itemError prefixes the message of a rule error with the index of the item that broke it.
func itemError(err error, i int) error { return prefixError(err, fmt.Sprintf("item %d", i)) }

// prefixError puts where an error happened in front of its message.
func prefixError(err error, where string) error {
	if e, ok := err.(*Error); ok {
		return Errorf(e.Code, e.Reason, "%s: %s", where, e.Message)
	}
	return err
}

func requireCall(ctx context.Context, q *sqlcdb.Queries, companyID, callID string) error {
	n, err := q.CallExists(ctx, sqlcdb.CallExistsParams{CompanyID: companyID, ID: callID})
	if err != nil {
		return err
	} else if n == 0 {
		return errCallNotFound(callID)
	}
	return nil
}

// insertMessages writes normalized messages; those without a date get base + index µs. Full tens
// go in one multi-row statement each (about half the cost per row of single inserts, and
// transcripts are most of an import's rows), the rest one by one.
func insertMessages(ctx context.Context, q *sqlcdb.Queries, callID string, base time.Time, in []MessageInput) ([]Message, error) {
	rows := make([]sqlcdb.CreateMessageParams, len(in))
	for i, m := range in {
		id := m.ID
		if id == "" {
			id = NewID()
		}
		at := base.Add(time.Duration(i) * time.Microsecond)
		if m.CreatedDate != nil {
			at = *m.CreatedDate
		}
		rows[i] = sqlcdb.CreateMessageParams{CallID: callID, CreatedDate: micros(at), ID: id, Role: m.Role, Content: m.Content, ToolCall: jsonText(m.ToolCall)}
	}
	if err := InsertMessageRows(ctx, q, rows); err != nil {
		return nil, err
	}
	out := make([]Message, len(rows))
	for i, r := range rows {
		out[i] = messageFromRow(sqlcdb.Message(r))
	}
	return out, nil
}

// InsertMessageRows writes the messages of one call, ten rows per statement (CreateMessages10)
// and the rest one by one: about 40% less CPU per imported call than one statement per row.
// The import and the seed tool both write transcripts through it.
func InsertMessageRows(ctx context.Context, q *sqlcdb.Queries, rows []sqlcdb.CreateMessageParams) error {
	for ; len(rows) >= 10; rows = rows[10:] {
		m := rows
		err := q.CreateMessages10(ctx, sqlcdb.CreateMessages10Params{
			CallID:       m[0].CallID,
			CreatedDate1: m[0].CreatedDate, ID1: m[0].ID, Role1: m[0].Role, Content1: m[0].Content, ToolCall1: m[0].ToolCall,
			CreatedDate2: m[1].CreatedDate, ID2: m[1].ID, Role2: m[1].Role, Content2: m[1].Content, ToolCall2: m[1].ToolCall,
			CreatedDate3: m[2].CreatedDate, ID3: m[2].ID, Role3: m[2].Role, Content3: m[2].Content, ToolCall3: m[2].ToolCall,
			CreatedDate4: m[3].CreatedDate, ID4: m[3].ID, Role4: m[3].Role, Content4: m[3].Content, ToolCall4: m[3].ToolCall,
			CreatedDate5: m[4].CreatedDate, ID5: m[4].ID, Role5: m[4].Role, Content5: m[4].Content, ToolCall5: m[4].ToolCall,
			CreatedDate6: m[5].CreatedDate, ID6: m[5].ID, Role6: m[5].Role, Content6: m[5].Content, ToolCall6: m[5].ToolCall,
			CreatedDate7: m[6].CreatedDate, ID7: m[6].ID, Role7: m[6].Role, Content7: m[6].Content, ToolCall7: m[6].ToolCall,
			CreatedDate8: m[7].CreatedDate, ID8: m[7].ID, Role8: m[7].Role, Content8: m[7].Content, ToolCall8: m[7].ToolCall,
			CreatedDate9: m[8].CreatedDate, ID9: m[8].ID, Role9: m[8].Role, Content9: m[8].Content, ToolCall9: m[8].ToolCall,
			CreatedDate10: m[9].CreatedDate, ID10: m[9].ID, Role10: m[9].Role, Content10: m[9].Content, ToolCall10: m[9].ToolCall,
		})
		if err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := q.CreateMessage(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// AppendLogs adds audit entries to a call of the caller's company. Entries without a timestamp get
// the time of the write plus their index in microseconds.
func (s *Store) AppendLogs(ctx context.Context, p Principal, callID string, in []LogInput) ([]LogEntry, error) {
	if err := checkBatch("log entries", len(in)); err != nil {
		return nil, err
	}
	for i := range in {
		in[i].ID = ""
		if err := in[i].normalize(); err != nil {
			return nil, itemError(err, i)
		}
	}
	var out []LogEntry
	err := s.inTx(ctx, func(tx *Tx) error {
		if err := requireCall(ctx, tx.Q, p.CompanyID, callID); err != nil {
			return err
		}
		var err error
		out, err = insertLogs(ctx, tx.Q, p.CompanyID, callID, tx.Now, in)
		return err
	})
	return out, err
}

func insertLogs(ctx context.Context, q *sqlcdb.Queries, companyID, callID string, base time.Time, in []LogInput) ([]LogEntry, error) {
	out := make([]LogEntry, len(in))
	for i, l := range in {
		id := l.ID
		if id == "" {
			id = NewID()
		}
		at := base.Add(time.Duration(i) * time.Microsecond)
		if l.Timestamp != nil {
			at = *l.Timestamp
		}
		cid := callID
		row := sqlcdb.CallLog{ID: id, CompanyID: companyID, CallID: &cid, Timestamp: micros(at), Level: l.Level,
			Category: l.Category, Event: l.Event, TraceID: l.TraceID, Data: jsonText(l.Data)}
		err := q.CreateCallLog(ctx, sqlcdb.CreateCallLogParams{
			ID: row.ID, CompanyID: row.CompanyID, CallID: row.CallID, Timestamp: row.Timestamp, Level: row.Level,
			Category: row.Category, Event: row.Event, TraceID: row.TraceID, Data: row.Data,
		})
		if err != nil {
			return nil, err
		}
		out[i] = logFromRow(row)
	}
	return out, nil
}
