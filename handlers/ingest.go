package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/callstore/callstore/store"
)

// maxAppendBody is the body limit of the message and log append endpoints: up to
// store.MaxAppend items of a few KiB each.
const maxAppendBody = 8 << 20

// handleCallCreate serves POST /v1/call/ (CallRequest plus the optional record fields) -> 201 CallResponse.
func handleCallCreate(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := callsAPI.readBody(w, r, maxBody)
		if !ok {
			return
		}
		f, errs := parseObject(body)
		if errs != nil {
			writeValidation(w, errs)
			return
		}
		in := callFields(f, false)
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		c, err := s.CreateCall(r.Context(), principal(r), in)
		callsAPI.reply(w, r, log, http.StatusCreated, c, err)
	})
}

// callFields reads a call. The live endpoint (imported=false) takes the contract's CallRequest
// (from_number and to_number required) plus the optional record fields; an import line also
// takes id, duration, created_date and a contact object, which replaces the two numbers.
func callFields(f *fields, imported bool) store.CallInput {
	var in store.CallInput
	numbersRequired := true
	if imported {
		in.ID = deref(f.UUID("id", false))
		in.Duration = intField(f, "duration")
		in.CreatedDate = f.Time("created_date", false)
		if raw := f.get("contact", false); raw != nil {
			numbersRequired = false
			if c, errs := objectFrom(raw, append(append([]any{}, f.loc...), "contact")); errs != nil {
				f.errs = append(f.errs, errs...)
			} else {
				in.Contact = &store.ContactInput{
					Identifier:  deref(c.String("identifier", true)),
					ContactType: deref(c.Enum("contact_type", false, store.ContactTypes...)),
				}
				f.errs = append(f.errs, c.errs...)
			}
		} else if !f.has("from_number") && !f.has("to_number") {
			f.fail("contact", "missing", "Field required: give contact {identifier, contact_type}, or from_number and to_number")
			numbersRequired = false
		}
	}
	in.FromNumber = deref(f.String("from_number", numbersRequired))
	in.ToNumber = deref(f.String("to_number", numbersRequired))
	in.DynamicVariables = f.Object("dynamic_variables", false)
	in.AgentVersionID = f.UUID("agent_version_id", false)
	in.Type = deref(f.Enum("type", false, store.CallTypes...))
	in.Status = deref(f.Enum("status", false, store.CallStatuses...))
	in.AgentID = f.UUID("agent_id", false)
	in.PhoneRegisterID = f.UUID("phone_register_id", false)
	in.ContactType = deref(f.Enum("contact_type", false, store.ContactTypes...))
	in.StartTime = f.Time("start_time", false)
	in.EndTime = f.Time("end_time", false)
	in.EndReason = f.String("end_reason", false)
	in.RecordingURL = f.String("recording_url", false)
	return in
}

// intField reads an optional integer field.
func intField(f *fields, name string) *int64 {
	raw := f.get(name, false)
	if raw == nil {
		return nil
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil {
		f.fail(name, "int_type", "Input should be a valid integer")
		return nil
	}
	return &n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// handleCallUpdate serves PATCH /v1/call/{id}: lifecycle updates -> 200 CallResponse.
func handleCallUpdate(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		body, ok := callsAPI.readBody(w, r, maxBody)
		if !ok {
			return
		}
		f, errs := parseObject(body)
		if errs != nil {
			writeValidation(w, errs)
			return
		}
		var u store.CallUpdate
		if f.has("status") {
			before := len(f.errs)
			if u.Status = f.Enum("status", false, store.CallStatuses...); u.Status == nil && len(f.errs) == before {
				f.fail("status", "enum", enumMsg(store.CallStatuses)) // null: a status cannot be cleared
			}
		}
		u.StartTime = store.Patch[time.Time]{Set: f.has("start_time"), Value: f.Time("start_time", false)}
		u.EndTime = store.Patch[time.Time]{Set: f.has("end_time"), Value: f.Time("end_time", false)}
		u.EndReason = store.Patch[string]{Set: f.has("end_reason"), Value: f.String("end_reason", false)}
		u.RecordingURL = store.Patch[string]{Set: f.has("recording_url"), Value: f.String("recording_url", false)}
		u.DynamicVariables.Set = f.has("dynamic_variables")
		if dv := f.Object("dynamic_variables", false); dv != nil {
			u.DynamicVariables.Value = &dv
		}
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		c, err := s.UpdateCall(r.Context(), principal(r), id, u)
		callsAPI.reply(w, r, log, http.StatusOK, c, err)
	})
}

// handleMessageAppend serves POST /v1/call/{id}/message: one message or an array -> 201 [MessageResponse].
func handleMessageAppend(s *store.Store, log *slog.Logger) http.Handler {
	return handleAppend(log, "id", messageFields, s.AppendMessages)
}

// handleLogAppend serves POST /v1/log/call/{call_id}: one entry or an array -> 201 [CallLogResponse].
func handleLogAppend(s *store.Store, log *slog.Logger) http.Handler {
	return handleAppend(log, "call_id", logFields, s.AppendLogs)
}

// handleAppend is the shape both append endpoints share: the call id from the path, a body of one
// object or an array of up to store.MaxAppend, each item read by read, then one store call.
func handleAppend[In, Out any](log *slog.Logger, param string, read func(f *fields, imported bool) In,
	appendTo func(ctx context.Context, p store.Principal, callID string, in []In) ([]Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, param)
		if !ok {
			return
		}
		body, ok := callsAPI.readBody(w, r, maxAppendBody)
		if !ok {
			return
		}
		items, errs := parseItems(body, store.MaxAppend)
		if errs != nil {
			writeValidation(w, errs)
			return
		}
		in := make([]In, len(items))
		for i, f := range items {
			in[i] = read(f, false)
			errs = append(errs, f.Errs()...)
		}
		if len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
		out, err := appendTo(r.Context(), principal(r), id, in)
		callsAPI.reply(w, r, log, http.StatusCreated, out, err)
	})
}

// messageFields reads one message (MessageResponse without id and with optional created_date;
// imports may also give the id).
func messageFields(f *fields, imported bool) store.MessageInput {
	var m store.MessageInput
	if imported {
		m.ID = deref(f.UUID("id", false))
	}
	m.Role = deref(f.Enum("role", true, store.MessageRoles...))
	m.Content = f.String("content", false)
	m.ToolCall = toolCall(f, "tool_call")
	m.CreatedDate = f.Time("created_date", false)
	return m
}

// logFields reads one log entry (CallLogResponse without id and call_id, with optional
// timestamp; imports may also give the id).
func logFields(f *fields, imported bool) store.LogInput {
	var l store.LogInput
	if imported {
		l.ID = deref(f.UUID("id", false))
	}
	l.Level = deref(f.Enum("level", true, store.LogLevels...))
	l.Category = deref(f.Enum("category", true, store.LogCategories...))
	l.Event = deref(f.String("event", true))
	l.Timestamp = f.Time("timestamp", false)
	l.TraceID = f.String("trace_id", false)
	l.Data = f.Object("data", false)
	return l
}

// Tool call statuses and call tool names of the contract's FunctionSchema and CallToolSchema.
var (
	toolCallStatuses = []string{"error", "success", "cancelled"}
	callToolNames    = []string{"transfer", "hangup", "detect_answering_machine", "add_participant"}
)

// functionCall and callTool are the two shapes of a tool_call, fields in the contract's order.
type functionCall struct {
	FunctionName string          `json:"function_name"`
	Payload      json.RawMessage `json:"payload"`
	Status       string          `json:"status"`
	Type         string          `json:"type"`
}

type callTool struct {
	ToolName string          `json:"tool_name"`
	Payload  json.RawMessage `json:"payload"`
	Type     string          `json:"type"`
	Status   string          `json:"status"`
}

// toolCall reads an optional tool_call: a FunctionSchema (function_name) or a CallToolSchema
// (tool_name). It returns the object re-encoded with exactly the schema's fields, its type filled in.
func toolCall(f *fields, name string) json.RawMessage {
	raw := f.get(name, false)
	if raw == nil {
		return nil
	}
	t, errs := objectFrom(raw, append(append([]any{}, f.loc...), name))
	if errs != nil {
		f.errs = append(f.errs, errs...)
		return nil
	}
	var v any
	switch {
	case t.has("function_name"):
		fc := functionCall{
			FunctionName: deref(t.String("function_name", true)),
			Payload:      t.Object("payload", true),
			Status:       deref(t.Enum("status", true, toolCallStatuses...)),
			Type:         "function",
		}
		t.Enum("type", false, "function")
		v = fc
	case t.has("tool_name"):
		ct := callTool{
			ToolName: deref(t.Enum("tool_name", true, callToolNames...)),
			Payload:  t.Object("payload", true),
			Status:   deref(t.Enum("status", true, toolCallStatuses...)),
			Type:     "call_tool",
		}
		t.Enum("type", false, "call_tool")
		v = ct
	default:
		t.fail("function_name", "missing", "Field required: a tool_call is a FunctionSchema (function_name, payload, status) or a CallToolSchema (tool_name, payload, status)")
	}
	if len(t.errs) > 0 {
		f.errs = append(f.errs, t.errs...)
		return nil
	}
	out, _ := json.Marshal(v)
	return out
}

// parseItems parses a body that is one JSON object or an array of 1..max objects. Errors of an
// array's items are located at ["body", index, field].
func parseItems(body []byte, max int) ([]*fields, []ValidationError) {
	raw, errs := decodeJSON(body, []any{"body"})
	if errs != nil {
		return nil, errs
	}
	if raw[0] != '[' {
		f, errs := objectFrom(raw, []any{"body"})
		if errs != nil {
			return nil, errs
		}
		return []*fields{f}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, []ValidationError{{Loc: []any{"body"}, Msg: "Input should be a valid list", Type: "list_type"}}
	}
	if len(list) == 0 {
		return nil, []ValidationError{{Loc: []any{"body"}, Msg: "List should have at least 1 item after validation, not 0", Type: "too_short"}}
	}
	if len(list) > max {
		return nil, []ValidationError{{Loc: []any{"body"}, Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", max, len(list)), Type: "too_long"}}
	}
	out := make([]*fields, len(list))
	for i, it := range list {
		f, e := objectFrom(it, []any{"body", i})
		if e != nil {
			errs = append(errs, e...)
			continue
		}
		out[i] = f
	}
	if errs != nil {
		return nil, errs
	}
	return out, nil
}
