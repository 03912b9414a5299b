package store

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// exportChunk is how many calls Export reads per statement, with their messages and logs in one
// statement each: memory holds one chunk, whatever the size of the export.
const exportChunk = 200

// ExportLine is one line of an export: a call with its contact, transcript and audit entries, in
// the shape POST /v1/call/import reads (an ImportCall). The call's fields are a CallResponse's, in
// its order; the contact is only what identifies it (its id and created date are the database's
// own and are made anew by an import); messages and logs are the read API's items with their ids.
type ExportLine struct {
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
	Contact          ExportContact   `json:"contact"`
	PhoneRegisterID  *string         `json:"phone_register_id"`
	DynamicVariables json.RawMessage `json:"dynamic_variables"`
	CreatedDate      time.Time       `json:"created_date"`
	Messages         []Message       `json:"messages"`
	Logs             []LogEntry      `json:"logs"`
}

// ExportContact identifies a call's contact within its company.
type ExportContact struct {
	Identifier  string `json:"identifier"`
	ContactType string `json:"contact_type"`
}

// Export writes the caller's company's calls that match f, oldest first (created date, then id),
// each as one line of NDJSON (an ExportLine and a newline) passed to w, and returns how many it
// wrote. Importing the lines into an empty database and exporting again gives the same bytes.
//
// Everything is read in one read transaction on the reader pool, so the export is one snapshot:
// writes that commit while it runs, however slow w is, are not in it, not even in part. The calls
// are read in chunks by keyset (the call list's own queries, picked by the same filters), each
// chunk's messages and logs with one statement each, so memory stays flat however many calls
// there are. The line passed to w is reused: w must not keep it. An error from w ends the export
// and is returned. Log entries of deleted calls (call_id null) belong to no call and are not
// exported.
//
// A long export holds its snapshot until it ends, and checkpoints cannot move the WAL past it in
// the meantime, so the WAL grows with the writes made during the export.
func (s *Store) Export(ctx context.Context, p Principal, f CallFilter, w func(line []byte) error) (int64, error) {
	var n int64
	err := s.eng.InReadTx(ctx, func(q sqlcdb.Querier) error {
		var err error
		n, err = s.export(ctx, q, p, f, w)
		return err
	})
	return n, err
}

func (s *Store) export(ctx context.Context, q sqlcdb.Querier, p Principal, f CallFilter, w func(line []byte) error) (int64, error) {
	// The list's queries, bound to the transaction: the same choice of query for the same filters.
	inTx := *s
	inTx.r = q
	list, _, _ := inTx.callQueries(f)

	lo, hi := f.Created.bounds()
	arg := sqlcdb.ListCallsAscParams{
		CompanyID: p.CompanyID, ContactID: f.ContactID, AgentID: f.AgentID, PhoneID: f.PhoneID, Status: f.Status, Type: f.Type,
		Lo: lo, Hi: hi, Lim: exportChunk,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // stored JSON values pass through byte for byte
	cursor := startAsc
	var n int64
	for {
		arg.CursorDate, arg.CursorID = &cursor.Date, cursor.ID
		calls, err := list(ctx, arg)
		if err != nil {
			return n, err
		}
		if len(calls) == 0 {
			return n, nil
		}
		messages, logs, err := exportDetails(ctx, q, p.CompanyID, calls)
		if err != nil {
			return n, err
		}
		for i := range calls {
			c := &calls[i]
			buf.Reset()
			err := enc.Encode(ExportLine{
				ID: c.ID, AgentID: c.AgentID, AgentVersionID: c.AgentVersionID, Status: c.Status, RecordingURL: c.RecordingURL,
				StartTime: c.StartTime, EndTime: c.EndTime, Duration: c.Duration, Type: c.Type, EndReason: c.EndReason,
				Contact:         ExportContact{Identifier: c.Contact.Identifier, ContactType: c.Contact.ContactType},
				PhoneRegisterID: c.PhoneRegisterID, DynamicVariables: c.DynamicVariables, CreatedDate: c.CreatedDate,
				Messages: nonNil(messages[c.ID]), Logs: nonNil(logs[c.ID]),
			})
			if err != nil {
				return n, err
			}
			if err := w(buf.Bytes()); err != nil {
				return n, err
			}
			n++
		}
		if len(calls) < exportChunk {
			return n, nil
		}
		last := calls[len(calls)-1]
		cursor = Cursor{Date: micros(last.CreatedDate), ID: last.ID}
	}
}

// exportDetails reads the messages and the log entries of a chunk of calls, by call id, each
// call's in its order: messages by (created date, id), log entries by (timestamp, id).
func exportDetails(ctx context.Context, q sqlcdb.Querier, companyID string, calls []Call) (map[string][]Message, map[string][]LogEntry, error) {
	ids := make([]string, len(calls))
	ptrs := make([]*string, len(calls))
	for i := range calls {
		ids[i] = calls[i].ID
		ptrs[i] = &ids[i]
	}
	mrows, err := q.ListMessagesOfCalls(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	messages := make(map[string][]Message, len(calls))
	for _, r := range mrows {
		messages[r.CallID] = append(messages[r.CallID], messageFromRow(r))
	}
	lrows, err := q.ListCallLogsOfCalls(ctx, sqlcdb.ListCallLogsOfCallsParams{CompanyID: companyID, CallIds: ptrs})
	if err != nil {
		return nil, nil, err
	}
	logs := make(map[string][]LogEntry, len(calls))
	for _, r := range lrows {
		logs[*r.CallID] = append(logs[*r.CallID], logFromRow(r))
	}
	return messages, logs, nil
}

// nonNil makes a missing list an empty one, so that a line says "messages":[] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
