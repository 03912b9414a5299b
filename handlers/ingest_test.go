package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// newCall creates an outbound call through the API and returns its body.
func (e *testEnv) createTestCall(key string, body map[string]any) map[string]any {
	e.t.Helper()
	if body == nil {
		body = map[string]any{"from_number": "+34910000000", "to_number": "+34600000000"}
	}
	r := e.do("POST", "/v1/call/", key, body)
	wantStatus(e.t, r, 201)
	return r.Map(e.t)
}

// messageCount reads how many messages a call has, straight from the database.
func (e *testEnv) countMessages(callID string) int64 {
	e.t.Helper()
	n, err := e.queries().CountMessages(context.Background(), callID)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *testEnv) storedCall(id string) store.Call {
	e.t.Helper()
	c, err := e.Store.GetCall(context.Background(), store.Principal{CompanyID: e.Company.ID}, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// ingestRoutes are the ingest endpoints with the permission each needs and a valid body.
func ingestRoutes(callID string) []struct{ method, path, perm, body string } {
	return []struct{ method, path, perm, body string }{
		{"POST", "/v1/call/", "calls.create", `{"from_number":"a","to_number":"b"}`},
		{"POST", "/v1/call/import", "calls.create", ""},
		{"PATCH", "/v1/call/" + callID, "calls.update", `{}`},
		{"POST", "/v1/call/" + callID + "/message", "calls.update", `{"role":"user","content":"hi"}`},
		{"POST", "/v1/log/call/" + callID, "calls.update", `{"level":"INFO","category":"USER","event":"e"}`},
	}
}

func TestIngestAuth(t *testing.T) {
	e := newEnv(t)
	callID := e.createTestCall(e.Key, nil)["id"].(string)
	for _, rt := range ingestRoutes(callID) {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			wantError(t, e.do(rt.method, rt.path, "", rt.body), 401, "INVALID_API_KEY")
			wantError(t, e.do(rt.method, rt.path, "cs_unknown", rt.body), 401, "INVALID_API_KEY")
			others := []string{"calls.view", "messages.view", "logs.view"}
			if rt.perm == "calls.create" {
				others = append(others, "calls.update")
			} else {
				others = append(others, "calls.create")
			}
			r := e.do(rt.method, rt.path, e.keyWith(others...), rt.body)
			wantError(t, r, 403, "INTERNAL_SERVER_ERROR")
			verb := strings.TrimPrefix(rt.perm, "calls.")
			if msg := r.Map(t)["message"]; msg != "Missing required permissions to "+verb+" calls" {
				t.Fatalf("message = %q", msg)
			}
			if r := e.do(rt.method, rt.path, e.keyWith(rt.perm), rt.body); r.Status >= 300 {
				t.Fatalf("with %s: %d %s", rt.perm, r.Status, r.Body)
			}
		})
	}
	t.Run("ExpiredAndDeletedKeys", func(t *testing.T) {
		body := map[string]any{"from_number": "a", "to_number": "b"}
		r := e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "short", "restricted": false, "expiry_date": e.Clock.Now().Add(time.Minute).Format(time.RFC3339)})
		wantStatus(t, r, 200)
		expiring := r.Map(t)["value"].(string)
		wantStatus(t, e.do("POST", "/v1/call/", expiring, body), 201)
		r = e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "gone", "restricted": false})
		m := r.Map(t)
		deleted := m["value"].(string)
		wantStatus(t, e.do("DELETE", "/v1/api_key/"+m["id"].(string), e.Key, nil), 200)
		e.Clock.Advance(time.Minute)
		for _, rt := range ingestRoutes(callID) {
			wantError(t, e.do(rt.method, rt.path, expiring, rt.body), 401, "INVALID_API_KEY")
			wantError(t, e.do(rt.method, rt.path, deleted, rt.body), 401, "INVALID_API_KEY")
		}
	})
}

func TestCallCreate(t *testing.T) {
	e := newEnv(t)
	t.Run("Outbound", func(t *testing.T) {
		av := store.NewID()
		m := e.createTestCall(e.Key, map[string]any{"from_number": "+34910000000", "to_number": "+34600000001", "dynamic_variables": map[string]any{"name": "Ana"}, "agent_version_id": av})
		contact := m["contact"].(map[string]any)
		now := e.Clock.Now().Format(time.RFC3339)
		if m["status"] != "dialing" || m["type"] != "outbound" || m["agent_version_id"] != av || contact["identifier"] != "+34600000001" ||
			contact["contact_type"] != "call" || m["created_date"] != now || m["duration"] != nil || m["dynamic_variables"].(map[string]any)["name"] != "Ana" {
			t.Fatalf("created = %v", m)
		}
		// Every field of the contract's CallResponse is present.
		for _, k := range []string{"id", "agent_id", "agent_version_id", "status", "recording_url", "start_time", "end_time", "duration", "type", "end_reason", "contact", "phone_register_id", "dynamic_variables", "created_date"} {
			if _, ok := m[k]; !ok {
				t.Errorf("field %s missing", k)
			}
		}
		if got := e.storedCall(m["id"].(string)); got.Contact.ID != contact["id"] {
			t.Fatalf("stored contact = %+v", got.Contact)
		}
		again := e.createTestCall(e.Key, map[string]any{"from_number": "+34910000000", "to_number": "+34600000001"})
		if again["contact"].(map[string]any)["id"] != contact["id"] {
			t.Fatalf("contact not reused: %v", again["contact"])
		}
	})
	t.Run("InboundRecord", func(t *testing.T) {
		agent, phone := store.NewID(), store.NewID()
		m := e.createTestCall(e.Key, map[string]any{
			"from_number": "+34600000002", "to_number": "+34910000000", "type": "inbound", "status": "completed",
			"agent_id": agent, "phone_register_id": phone, "contact_type": "web",
			"start_time": "2025-02-03T10:00:00Z", "end_time": "2025-02-03T10:02:05.900Z", "end_reason": "hangup", "recording_url": "https://rec/1.wav",
		})
		c := m["contact"].(map[string]any)
		if m["type"] != "inbound" || m["status"] != "completed" || c["identifier"] != "+34600000002" || c["contact_type"] != "web" ||
			m["duration"] != float64(125) || m["agent_id"] != agent || m["phone_register_id"] != phone || m["end_reason"] != "hangup" ||
			m["recording_url"] != "https://rec/1.wav" || m["start_time"] != "2025-02-03T10:00:00Z" || m["end_time"] != "2025-02-03T10:02:05.9Z" {
			t.Fatalf("created = %v", m)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		ok := func(extra map[string]any) map[string]any {
			m := map[string]any{"from_number": "+34910000000", "to_number": "+34600000099"}
			for k, v := range extra {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
			}
			return m
		}
		for _, tc := range []struct {
			name string
			body any
			loc  []any
		}{
			{"MissingFrom", ok(map[string]any{"from_number": nil}), []any{"body", "from_number"}},
			{"MissingTo", ok(map[string]any{"to_number": nil}), []any{"body", "to_number"}},
			{"ToNotString", ok(map[string]any{"to_number": 34600}), []any{"body", "to_number"}},
			{"DynamicVarsNotObject", ok(map[string]any{"dynamic_variables": []int{1}}), []any{"body", "dynamic_variables"}},
			{"AgentVersionNotUUID", ok(map[string]any{"agent_version_id": "v1"}), []any{"body", "agent_version_id"}},
			{"AgentNotUUID", ok(map[string]any{"agent_id": "a1"}), []any{"body", "agent_id"}},
			{"PhoneNotUUID", ok(map[string]any{"phone_register_id": "p1"}), []any{"body", "phone_register_id"}},
			{"BadType", ok(map[string]any{"type": "sideways"}), []any{"body", "type"}},
			{"BadStatus", ok(map[string]any{"status": "ringing"}), []any{"body", "status"}},
			{"BadContactType", ok(map[string]any{"contact_type": "fax"}), []any{"body", "contact_type"}},
			{"BadStartTime", ok(map[string]any{"start_time": "yesterday"}), []any{"body", "start_time"}},
			{"BadEndTime", ok(map[string]any{"end_time": 5}), []any{"body", "end_time"}},
			{"EndReasonNotString", ok(map[string]any{"end_reason": true}), []any{"body", "end_reason"}},
			{"RecordingNotString", ok(map[string]any{"recording_url": 1}), []any{"body", "recording_url"}},
			{"InvalidJSON", `{"from_number":`, []any{"body", 15}},
			{"NotAnObject", `[1]`, []any{"body"}},
		} {
			t.Run(tc.name, func(t *testing.T) { wantValidation(t, e.do("POST", "/v1/call/", e.Key, tc.body), tc.loc...) })
		}
	})
	t.Run("ErrRules", func(t *testing.T) {
		wantError(t, e.do("POST", "/v1/call/", e.Key, map[string]any{"from_number": "a", "to_number": " "}), 400, "INVALID_PHONE_NUMBER")
		wantError(t, e.do("POST", "/v1/call/", e.Key, map[string]any{"from_number": "", "to_number": "b", "type": "inbound"}), 400, "INVALID_PHONE_NUMBER")
		r := e.do("POST", "/v1/call/", e.Key, map[string]any{"from_number": "a", "to_number": "+34600000077", "start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T09:59:59Z"})
		wantError(t, r, 400, "INVALID_CALL_TIMES")
		// The refused call created nothing: its contact is new when it is first really used.
		e.Clock.Advance(time.Hour)
		m := e.createTestCall(e.Key, map[string]any{"from_number": "a", "to_number": "+34600000077"})
		if m["contact"].(map[string]any)["created_date"] != e.Clock.Now().Format(time.RFC3339) {
			t.Fatalf("a refused request created the contact: %v", m["contact"])
		}
	})
}

func TestCallUpdate(t *testing.T) {
	e := newEnv(t)
	patch := func(id string, body any) *response { return e.do("PATCH", "/v1/call/"+id, e.Key, body) }
	t.Run("Lifecycle", func(t *testing.T) {
		id := e.createTestCall(e.Key, nil)["id"].(string)
		e.Clock.Advance(2 * time.Second)
		r := patch(id, map[string]any{"status": "in_progress"})
		wantStatus(t, r, 200)
		if m := r.Map(t); m["status"] != "in_progress" || m["start_time"] != e.Clock.Now().Format(time.RFC3339) {
			t.Fatalf("in_progress = %s", r.Body)
		}
		e.Clock.Advance(75*time.Second + 600*time.Millisecond)
		r = patch(id, map[string]any{"status": "completed", "end_reason": "user_hangup", "dynamic_variables": map[string]any{"x": 1}})
		wantStatus(t, r, 200)
		m := r.Map(t)
		if m["status"] != "completed" || m["duration"] != float64(75) || m["end_reason"] != "user_hangup" || m["end_time"] == nil {
			t.Fatalf("completed = %s", r.Body)
		}
		wantError(t, patch(id, map[string]any{"status": "failed"}), 409, "CALL_ALREADY_ENDED")
		wantStatus(t, patch(id, map[string]any{"status": "completed"}), 200)
		// An ended call still takes its recording and corrected times.
		r = patch(id, map[string]any{"recording_url": "https://rec/9.wav", "start_time": "2025-01-01T00:00:00Z", "end_time": "2025-01-01T00:00:09.999Z"})
		wantStatus(t, r, 200)
		if m := r.Map(t); m["recording_url"] != "https://rec/9.wav" || m["duration"] != float64(9) || m["status"] != "completed" {
			t.Fatalf("late update = %s", r.Body)
		}
		r = patch(id, map[string]any{"recording_url": nil, "dynamic_variables": nil})
		if m := r.Map(t); m["recording_url"] != nil || m["dynamic_variables"] != nil || m["end_reason"] != "user_hangup" {
			t.Fatalf("clearing = %s", r.Body)
		}
	})
	t.Run("ErrTransition", func(t *testing.T) {
		id := e.createTestCall(e.Key, nil)["id"].(string)
		wantStatus(t, patch(id, map[string]any{"status": "in_progress"}), 200)
		wantError(t, patch(id, map[string]any{"status": "dialing"}), 409, "INVALID_STATUS_TRANSITION")
	})
	t.Run("ErrTimes", func(t *testing.T) {
		id := e.createTestCall(e.Key, nil)["id"].(string)
		wantError(t, patch(id, map[string]any{"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T09:00:00Z", "status": "completed"}), 400, "INVALID_CALL_TIMES")
		if c := e.storedCall(id); c.Status != "dialing" || c.StartTime != nil {
			t.Fatalf("a refused update changed the call: %+v", c)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		id := e.createTestCall(e.Key, nil)["id"].(string)
		for _, tc := range []struct {
			name string
			body any
			loc  []any
		}{
			{"StatusNull", map[string]any{"status": nil}, []any{"body", "status"}},
			{"StatusUnknown", map[string]any{"status": "ringing"}, []any{"body", "status"}},
			{"StartTime", map[string]any{"start_time": "soon"}, []any{"body", "start_time"}},
			{"EndTime", map[string]any{"end_time": false}, []any{"body", "end_time"}},
			{"EndReason", map[string]any{"end_reason": 3}, []any{"body", "end_reason"}},
			{"RecordingURL", map[string]any{"recording_url": []string{}}, []any{"body", "recording_url"}},
			{"DynamicVariables", map[string]any{"dynamic_variables": "x"}, []any{"body", "dynamic_variables"}},
			{"InvalidJSON", "{", []any{"body", 1}},
			{"NotAnObject", `"status"`, []any{"body"}},
		} {
			t.Run(tc.name, func(t *testing.T) { wantValidation(t, patch(id, tc.body), tc.loc...) })
		}
		wantValidation(t, patch("not-a-uuid", map[string]any{}), "path", "id")
		if c := e.storedCall(id); c.Status != "dialing" {
			t.Fatalf("refused updates changed the call: %+v", c)
		}
	})
	t.Run("ErrNotFoundAndTenants", func(t *testing.T) {
		wantError(t, patch(store.NewID(), map[string]any{"status": "completed"}), 404, "CALL_NOT_FOUND")
		_, otherKey := e.newCompany("other")
		id := e.createTestCall(e.Key, nil)["id"].(string)
		wantError(t, e.do("PATCH", "/v1/call/"+id, otherKey, map[string]any{"status": "completed"}), 404, "CALL_NOT_FOUND")
		if c := e.storedCall(id); c.Status != "dialing" {
			t.Fatalf("another company changed the call: %+v", c)
		}
	})
}

func TestMessageAppend(t *testing.T) {
	e := newEnv(t)
	callID := e.createTestCall(e.Key, nil)["id"].(string)
	path := "/v1/call/" + callID + "/message"
	t.Run("One", func(t *testing.T) {
		r := e.do("POST", path, e.Key, map[string]any{"role": "assistant", "content": "Hola"})
		wantStatus(t, r, 201)
		var out []map[string]any
		r.JSON(t, &out)
		if len(out) != 1 || out[0]["role"] != "assistant" || out[0]["content"] != "Hola" || out[0]["tool_call"] != nil ||
			out[0]["created_date"] != e.Clock.Now().Format(time.RFC3339) || out[0]["id"] == nil {
			t.Fatalf("appended = %s", r.Body)
		}
	})
	t.Run("ArrayKeepsOrder", func(t *testing.T) {
		before := e.countMessages(callID)
		r := e.do("POST", path, e.Key, []map[string]any{
			{"role": "user", "content": "a"},
			{"role": "tool", "content": nil, "tool_call": map[string]any{"function_name": "book", "payload": map[string]any{"day": "mon"}, "status": "success", "extra": 1}},
			{"role": "tool", "tool_call": map[string]any{"tool_name": "transfer", "payload": map[string]any{}, "status": "error", "type": "call_tool"}},
			{"role": "user", "content": "d", "created_date": "2024-05-06T07:08:09.123456Z"},
		})
		wantStatus(t, r, 201)
		var out []map[string]any
		r.JSON(t, &out)
		now := e.Clock.Now()
		want := []string{now.Format(time.RFC3339Nano), now.Add(time.Microsecond).Format(time.RFC3339Nano), now.Add(2 * time.Microsecond).Format(time.RFC3339Nano), "2024-05-06T07:08:09.123456Z"}
		for i, m := range out {
			if m["created_date"] != want[i] {
				t.Errorf("message %d created_date = %v, want %s", i, m["created_date"], want[i])
			}
		}
		// Tool calls come back with exactly the schema's fields, in its order, type filled in.
		for _, want := range []string{
			`"tool_call":{"function_name":"book","payload":{"day":"mon"},"status":"success","type":"function"}`,
			`"tool_call":{"tool_name":"transfer","payload":{},"type":"call_tool","status":"error"}`,
		} {
			if !strings.Contains(string(r.Body), want) {
				t.Fatalf("body %s lacks %s", r.Body, want)
			}
		}
		if n := e.countMessages(callID); n != before+4 {
			t.Fatalf("stored %d, want %d", n, before+4)
		}
	})
	t.Run("EndedCallStillTakesMessages", func(t *testing.T) {
		id := e.createTestCall(e.Key, map[string]any{"from_number": "a", "to_number": "b", "status": "completed"})["id"].(string)
		wantStatus(t, e.do("POST", "/v1/call/"+id+"/message", e.Key, map[string]any{"role": "user"}), 201)
	})
	t.Run("ErrValidation", func(t *testing.T) {
		before := e.countMessages(callID)
		many := make([]map[string]any, store.MaxAppend+1)
		for i := range many {
			many[i] = map[string]any{"role": "user"}
		}
		for _, tc := range []struct {
			name string
			body any
			loc  []any
		}{
			{"MissingRole", map[string]any{"content": "x"}, []any{"body", "role"}},
			{"BadRole", map[string]any{"role": "bot"}, []any{"body", "role"}},
			{"ContentNotString", map[string]any{"role": "user", "content": 1}, []any{"body", "content"}},
			{"BadDate", map[string]any{"role": "user", "created_date": "now"}, []any{"body", "created_date"}},
			{"ItemRole", []any{map[string]any{"role": "user"}, map[string]any{"role": "x"}}, []any{"body", 1, "role"}},
			{"ItemNotObject", []any{"hi"}, []any{"body", 0}},
			{"Empty", []any{}, []any{"body"}},
			{"TooMany", many, []any{"body"}},
			{"ToolCallNotObject", map[string]any{"role": "tool", "tool_call": "x"}, []any{"body", "tool_call"}},
			{"ToolCallNoName", map[string]any{"role": "tool", "tool_call": map[string]any{"payload": map[string]any{}, "status": "success"}}, []any{"body", "tool_call", "function_name"}},
			{"FunctionStatus", map[string]any{"role": "tool", "tool_call": map[string]any{"function_name": "f", "payload": map[string]any{}, "status": "started"}}, []any{"body", "tool_call", "status"}},
			{"FunctionPayload", map[string]any{"role": "tool", "tool_call": map[string]any{"function_name": "f", "payload": []int{}, "status": "success"}}, []any{"body", "tool_call", "payload"}},
			{"FunctionType", map[string]any{"role": "tool", "tool_call": map[string]any{"function_name": "f", "payload": map[string]any{}, "status": "success", "type": "call_tool"}}, []any{"body", "tool_call", "type"}},
			{"ToolName", map[string]any{"role": "tool", "tool_call": map[string]any{"tool_name": "dance", "payload": map[string]any{}, "status": "success"}}, []any{"body", "tool_call", "tool_name"}},
			{"ToolPayloadMissing", []any{map[string]any{"role": "tool", "tool_call": map[string]any{"tool_name": "hangup", "status": "success"}}}, []any{"body", 0, "tool_call", "payload"}},
			{"InvalidJSON", "[{", []any{"body", 2}},
			{"Scalar", "3", []any{"body"}},
		} {
			t.Run(tc.name, func(t *testing.T) { wantValidation(t, e.do("POST", path, e.Key, tc.body), tc.loc...) })
		}
		wantValidation(t, e.do("POST", "/v1/call/xyz/message", e.Key, map[string]any{"role": "user"}), "path", "id")
		if n := e.countMessages(callID); n != before {
			t.Fatalf("refused requests stored messages: %d -> %d", before, n)
		}
	})
	t.Run("ErrNotFoundAndTenants", func(t *testing.T) {
		wantError(t, e.do("POST", "/v1/call/"+store.NewID()+"/message", e.Key, map[string]any{"role": "user"}), 404, "CALL_NOT_FOUND")
		_, otherKey := e.newCompany("other")
		before := e.countMessages(callID)
		wantError(t, e.do("POST", path, otherKey, map[string]any{"role": "user"}), 404, "CALL_NOT_FOUND")
		if e.countMessages(callID) != before {
			t.Fatal("another company appended a message")
		}
	})
}

func TestLogAppend(t *testing.T) {
	e := newEnv(t)
	callID := e.createTestCall(e.Key, nil)["id"].(string)
	path := "/v1/log/call/" + callID
	t.Run("OneAndMany", func(t *testing.T) {
		r := e.do("POST", path, e.Key, map[string]any{"level": "INFO", "category": "CALL_LIFECYCLE", "event": "call.started", "trace_id": "abc", "data": map[string]any{"k": "v"}})
		wantStatus(t, r, 201)
		var out []map[string]any
		r.JSON(t, &out)
		if len(out) != 1 || out[0]["call_id"] != callID || out[0]["trace_id"] != "abc" || out[0]["timestamp"] != e.Clock.Now().Format(time.RFC3339) ||
			out[0]["data"].(map[string]any)["k"] != "v" || out[0]["level"] != "INFO" || out[0]["category"] != "CALL_LIFECYCLE" || out[0]["event"] != "call.started" {
			t.Fatalf("appended = %s", r.Body)
		}
		r = e.do("POST", path, e.Key, []map[string]any{
			{"level": "DEBUG", "category": "AGENT", "event": "a"},
			{"level": "CRITICAL", "category": "SECURITY", "event": "b", "timestamp": "2025-01-01T00:00:00Z", "data": nil},
		})
		wantStatus(t, r, 201)
		r.JSON(t, &out)
		if len(out) != 2 || out[1]["timestamp"] != "2025-01-01T00:00:00Z" || out[1]["data"] != nil || out[0]["trace_id"] != nil {
			t.Fatalf("appended = %s", r.Body)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		good := func(k string, v any) map[string]any {
			m := map[string]any{"level": "INFO", "category": "USER", "event": "e"}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		for _, tc := range []struct {
			name string
			body any
			loc  []any
		}{
			{"MissingLevel", good("level", nil), []any{"body", "level"}},
			{"BadLevel", good("level", "info"), []any{"body", "level"}},
			{"MissingCategory", good("category", nil), []any{"body", "category"}},
			{"BadCategory", good("category", "MISC"), []any{"body", "category"}},
			{"MissingEvent", good("event", nil), []any{"body", "event"}},
			{"EventNotString", good("event", 1), []any{"body", "event"}},
			{"BadTimestamp", good("timestamp", "later"), []any{"body", "timestamp"}},
			{"TraceNotString", good("trace_id", 5), []any{"body", "trace_id"}},
			{"DataNotObject", good("data", []int{1}), []any{"body", "data"}},
			{"ItemLevel", []any{good("level", "INFO"), good("level", "LOUD")}, []any{"body", 1, "level"}},
			{"Empty", []any{}, []any{"body"}},
			{"InvalidJSON", "{]", []any{"body", 2}},
		} {
			t.Run(tc.name, func(t *testing.T) { wantValidation(t, e.do("POST", path, e.Key, tc.body), tc.loc...) })
		}
		wantValidation(t, e.do("POST", "/v1/log/call/123", e.Key, good("x", nil)), "path", "call_id")
		wantError(t, e.do("POST", path, e.Key, good("event", "")), 400, "INVALID_LOG_EVENT")
	})
	t.Run("ErrNotFoundAndTenants", func(t *testing.T) {
		body := map[string]any{"level": "INFO", "category": "USER", "event": "e"}
		wantError(t, e.do("POST", "/v1/log/call/"+store.NewID(), e.Key, body), 404, "CALL_NOT_FOUND")
		_, otherKey := e.newCompany("other")
		wantError(t, e.do("POST", path, otherKey, body), 404, "CALL_NOT_FOUND")
	})
}

// TestIngestBodyLimit checks that an oversized body is refused in the envelope before anything is parsed.
func TestIngestBodyLimit(t *testing.T) {
	e := newEnv(t)
	big := fmt.Sprintf(`{"from_number":"a","to_number":"b","end_reason":%q}`, strings.Repeat("x", 1<<20))
	wantError(t, e.do("POST", "/v1/call/", e.Key, big), 413, "PAYLOAD_TOO_LARGE")
}
