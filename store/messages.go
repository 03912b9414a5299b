package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// MessageRoles are the contract's message roles.
var MessageRoles = []string{"user", "assistant", "tool"}

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
		id, ok := canonicalID(m.ID)
		if !ok {
			return Errorf(EINVALID, "INVALID_MESSAGE_ID", "message id %q is not a valid UUID", m.ID)
		}
		m.ID = id
	}
	if !slices.Contains(MessageRoles, m.Role) {
		return Errorf(EINVALID, "INVALID_MESSAGE_ROLE", "role must be one of %s, not %q", strings.Join(MessageRoles, ", "), m.Role)
	}
	m.CreatedDate = truncPtr(m.CreatedDate)
	return checkObject("tool_call", m.ToolCall)
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
	err := s.inTx(ctx, func(tx *txn) error {
		if err := requireCall(ctx, tx.Q, p.CompanyID, callID); err != nil {
			return err
		}
		var err error
		out, err = insertMessages(ctx, tx.Q, callID, tx.Now, in)
		return err
	})
	return out, err
}

// insertMessages writes normalized messages and returns them as written.
func insertMessages(ctx context.Context, q sqlcdb.Querier, callID string, base time.Time, in []MessageInput) ([]Message, error) {
	rows := messageRows(callID, base, in)
	if err := InsertMessageRows(ctx, q, rows); err != nil {
		return nil, err
	}
	out := make([]Message, len(rows))
	for i, r := range rows {
		out[i] = messageFromRow(sqlcdb.Message(r))
	}
	return out, nil
}

// messageRows are the rows of normalized messages of one call; those without a date get base +
// index µs, so that they keep their order.
func messageRows(callID string, base time.Time, in []MessageInput) []sqlcdb.CreateMessageParams {
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
	return rows
}

// InsertMessageRows writes the messages of one call, ten rows per statement (CreateMessages10)
// and the rest one by one: about 40% less CPU per imported call than one statement per row.
// Every transcript is written through it (the seed's too, through the import).
func InsertMessageRows(ctx context.Context, q sqlcdb.Querier, rows []sqlcdb.CreateMessageParams) error {
	for ; len(rows) >= 10; rows = rows[10:] {
		m := rows
		err := q.CreateMessages10(ctx, sqlcdb.CreateMessages10Params{
			CallID: m[0].CallID, CreatedDate: m[0].CreatedDate, ID: m[0].ID, Role: m[0].Role, Content: m[0].Content, ToolCall: m[0].ToolCall,
			CallID_2: m[1].CallID, CreatedDate_2: m[1].CreatedDate, ID_2: m[1].ID, Role_2: m[1].Role, Content_2: m[1].Content, ToolCall_2: m[1].ToolCall,
			CallID_3: m[2].CallID, CreatedDate_3: m[2].CreatedDate, ID_3: m[2].ID, Role_3: m[2].Role, Content_3: m[2].Content, ToolCall_3: m[2].ToolCall,
			CallID_4: m[3].CallID, CreatedDate_4: m[3].CreatedDate, ID_4: m[3].ID, Role_4: m[3].Role, Content_4: m[3].Content, ToolCall_4: m[3].ToolCall,
			CallID_5: m[4].CallID, CreatedDate_5: m[4].CreatedDate, ID_5: m[4].ID, Role_5: m[4].Role, Content_5: m[4].Content, ToolCall_5: m[4].ToolCall,
			CallID_6: m[5].CallID, CreatedDate_6: m[5].CreatedDate, ID_6: m[5].ID, Role_6: m[5].Role, Content_6: m[5].Content, ToolCall_6: m[5].ToolCall,
			CallID_7: m[6].CallID, CreatedDate_7: m[6].CreatedDate, ID_7: m[6].ID, Role_7: m[6].Role, Content_7: m[6].Content, ToolCall_7: m[6].ToolCall,
			CallID_8: m[7].CallID, CreatedDate_8: m[7].CreatedDate, ID_8: m[7].ID, Role_8: m[7].Role, Content_8: m[7].Content, ToolCall_8: m[7].ToolCall,
			CallID_9: m[8].CallID, CreatedDate_9: m[8].CreatedDate, ID_9: m[8].ID, Role_9: m[8].Role, Content_9: m[8].Content, ToolCall_9: m[8].ToolCall,
			CallID_10: m[9].CallID, CreatedDate_10: m[9].CreatedDate, ID_10: m[9].ID, Role_10: m[9].Role, Content_10: m[9].Content, ToolCall_10: m[9].ToolCall,
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

// ListMessages pages through the transcript of one call of the caller's company, ordered by
// (created date, id). A call of the company without any message is ENOTFOUND (NO_MESSAGES_FOR_CALL),
// as the contract documents; an after/before id that is not a message of the call is EINVALID.
func (s *Store) ListMessages(ctx context.Context, p Principal, callID string, pg PageRequest) (Page[Message], error) {
	if err := pg.check(); err != nil {
		return Page[Message]{}, err
	}
	if err := requireCall(ctx, s.r, p.CompanyID, callID); err != nil {
		return Page[Message]{}, err
	}
	if has, err := s.r.HasMessages(ctx, callID); err != nil {
		return Page[Message]{}, err
	} else if !has {
		return Page[Message]{}, Errorf(ENOTFOUND, "NO_MESSAGES_FOR_CALL", "No messages found for call %s", callID)
	}
	cursorOf := func(id string) (Cursor, error) {
		k, err := s.r.GetMessageKey(ctx, sqlcdb.GetMessageKeyParams{CallID: callID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: k.CreatedDate, ID: k.ID}, err
	}
	list := func(asc bool, w Window) ([]Message, error) {
		var rows []sqlcdb.Message
		var err error
		if asc {
			rows, err = s.r.ListMessagesAsc(ctx, sqlcdb.ListMessagesAscParams{CallID: callID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		} else {
			rows, err = s.r.ListMessagesDesc(ctx, sqlcdb.ListMessagesDescParams{CallID: callID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		}
		out := make([]Message, len(rows))
		for i, r := range rows {
			out[i] = messageFromRow(r)
		}
		return out, err
	}
	count := func() (int64, error) { return s.r.CountMessages(ctx, callID) }
	return paginate(pg, DateRange{}, keyLookup{Key: cursorOf}, list, count, func(m Message) string { return m.ID })
}

// Message is one transcript entry (the contract's MessageResponse).
type Message struct {
	ID          string          `json:"id"`
	CreatedDate time.Time       `json:"created_date"`
	Role        string          `json:"role"`
	Content     *string         `json:"content"`
	ToolCall    json.RawMessage `json:"tool_call"` // a FunctionSchema or CallToolSchema object, or null
	CallID      string          `json:"-"`
}

func messageFromRow(r sqlcdb.Message) Message {
	return Message{ID: r.ID, CreatedDate: fromMicros(r.CreatedDate), Role: r.Role, Content: r.Content, ToolCall: rawJSON(r.ToolCall), CallID: r.CallID}
}
