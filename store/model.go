package store

import (
	"context"
	"encoding/json"
	"time"

	"callstore/db/sqlcdb"
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

// CallTypes, ContactTypes, MessageRoles, LogLevels and LogCategories are the contract's enums.
var (
	CallTypes     = []string{"inbound", "outbound"}
	ContactTypes  = []string{"call", "web"}
	MessageRoles  = []string{"user", "assistant", "tool"}
	LogLevels     = []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
	LogCategories = []string{"CALL_LIFECYCLE", "USER", "AGENT", "CALL_TOOLS", "INTEGRATION_TOOLS", "CONVERSATIONAL_PATHS", "TRANSFER", "METRICS", "SECURITY", "WEBHOOKS", "WORKFLOWS", "KNOWLEDGE", "REALTIME_SESSION"}
)

// Contact is the party a call was with (the contract's ContactResponseSchema).
type Contact struct {
	ID          string    `json:"id"`
	CreatedDate time.Time `json:"created_date"`
	Identifier  string    `json:"identifier"`
	ContactType string    `json:"contact_type"`
	CompanyID   string    `json:"-"`
}

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

// Message is one transcript entry (the contract's MessageResponse).
type Message struct {
	ID          string          `json:"id"`
	CreatedDate time.Time       `json:"created_date"`
	Role        string          `json:"role"`
	Content     *string         `json:"content"`
	ToolCall    json.RawMessage `json:"tool_call"` // a FunctionSchema or CallToolSchema object, or null
	CallID      string          `json:"-"`
}

// LogEntry is one audit entry (the contract's CallLogResponse). CallID is null once its call is deleted.
type LogEntry struct {
	ID        string          `json:"id"`
	Timestamp time.Time       `json:"timestamp"`
	Level     string          `json:"level"`
	Category  string          `json:"category"`
	Event     string          `json:"event"`
	CallID    *string         `json:"call_id"`
	TraceID   *string         `json:"trace_id"`
	Data      json.RawMessage `json:"data"` // a JSON object, or null
	CompanyID string          `json:"-"`
}

func rawJSON(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// jsonText is the stored form of an optional JSON value (NULL for absent or JSON null).
func jsonText(r json.RawMessage) *string {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	s := string(r)
	return &s
}

func contactFromRow(r sqlcdb.Contact) Contact {
	return Contact{ID: r.ID, CreatedDate: fromMicros(r.CreatedDate), Identifier: r.Identifier, ContactType: r.ContactType, CompanyID: r.CompanyID}
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

func messageFromRow(r sqlcdb.Message) Message {
	return Message{ID: r.ID, CreatedDate: fromMicros(r.CreatedDate), Role: r.Role, Content: r.Content, ToolCall: rawJSON(r.ToolCall), CallID: r.CallID}
}

func logFromRow(r sqlcdb.CallLog) LogEntry {
	return LogEntry{ID: r.ID, Timestamp: fromMicros(r.Timestamp), Level: r.Level, Category: r.Category, Event: r.Event,
		CallID: r.CallID, TraceID: r.TraceID, Data: rawJSON(r.Data), CompanyID: r.CompanyID}
}

func errCallNotFound(id string) error {
	return Errorf(ENOTFOUND, "CALL_NOT_FOUND", "Call %s not found", id)
}

// GetCall returns one call of the caller's company with its contact.
func (s *Store) GetCall(ctx context.Context, p Principal, id string) (Call, error) {
	return getCall(ctx, s.r, p.CompanyID, id)
}

func getCall(ctx context.Context, q *sqlcdb.Queries, companyID, id string) (Call, error) {
	row, err := q.GetCall(ctx, sqlcdb.GetCallParams{CompanyID: companyID, ID: id})
	if isNoRows(err) {
		return Call{}, errCallNotFound(id)
	} else if err != nil {
		return Call{}, err
	}
	return callFromRow(&row), nil
}
