package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/store"
)

// ingestClock is an injectable time source for the store's tests.
type ingestClock struct{ t time.Time }

func (c *ingestClock) Now() time.Time          { return c.t }
func (c *ingestClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// ingestEnv is a store over a fresh database of the suite's engine (db/dbtest) with one company and
// its principal.
type ingestEnv struct {
	S     *store.Store
	Clock *ingestClock
	P     store.Principal
	ctx   context.Context
}

func newIngestEnv(tb testing.TB) *ingestEnv {
	tb.Helper()
	return newIngestEnvOn(tb, dbtest.Open(tb))
}

// newIngestEnvAt is newIngestEnv over a SQLite database file at path, for what only SQLite has
// (its files, pragmas, a process killed while it writes) and for benchmarks.
func newIngestEnvAt(tb testing.TB, path string) *ingestEnv {
	tb.Helper()
	d, err := db.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return newIngestEnvOn(tb, d)
}

func newIngestEnvOn(tb testing.TB, d store.Engine) *ingestEnv {
	tb.Helper()
	ctx := context.Background()
	s, err := store.New(ctx, d)
	if err != nil {
		tb.Fatal(err)
	}
	c := &ingestClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	s.Now = c.Now
	e := &ingestEnv{S: s, Clock: c, ctx: ctx}
	e.P = e.newPrincipal(tb, "acme")
	return e
}

func (e *ingestEnv) newPrincipal(tb testing.TB, name string) store.Principal {
	tb.Helper()
	co, err := e.S.CreateCompany(e.ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	return store.Principal{CompanyID: co.ID, KeyID: store.NewID()}
}

func (e *ingestEnv) mustCall(tb testing.TB, in store.CallInput) store.Call {
	tb.Helper()
	c, err := e.S.CreateCall(e.ctx, e.P, in)
	if err != nil {
		tb.Fatalf("CreateCall: %v", err)
	}
	return c
}

// queries reads the database directly, for what no store method shows.
func (e *ingestEnv) queries() sqlcdb.Querier { return dbtest.Queries(e.S.Engine()) }

// testQueries reads (or writes) rows around the store's rules, with queries only tests use.
func (e *ingestEnv) testQueries() sqlctest.Querier { return dbtest.TestQueries(e.S.Engine()) }

func wantErrCode(tb testing.TB, err error, code store.Code, reason string) {
	tb.Helper()
	if store.ErrorCode(err) != code || store.ErrorReason(err) != reason {
		tb.Fatalf("err = %v (reason %q), want %s %s", err, store.ErrorReason(err), code, reason)
	}
}

func ptrOf[T any](v T) *T { return &v }

func strOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestCreateCall(t *testing.T) {
	e := newIngestEnv(t)
	t.Run("OutboundDefaults", func(t *testing.T) {
		c := e.mustCall(t, store.CallInput{FromNumber: "+34910000000", ToNumber: " +34600000001 "})
		if c.Status != "dialing" || c.Type != "outbound" || c.Contact.Identifier != "+34600000001" || c.Contact.ContactType != "call" {
			t.Fatalf("call = %+v", c)
		}
		if !c.CreatedDate.Equal(e.Clock.Now()) || !c.Contact.CreatedDate.Equal(e.Clock.Now()) || c.Duration != nil || c.PhoneRegisterID != nil {
			t.Fatalf("call = %+v", c)
		}
		got, err := e.S.GetCall(e.ctx, e.P, c.ID)
		if err != nil || got.Contact.ID != c.Contact.ID || got.Status != "dialing" {
			t.Fatalf("GetCall = %+v, %v", got, err)
		}
	})
	t.Run("ContactReusedPerTypeAndIdentifier", func(t *testing.T) {
		a := e.mustCall(t, store.CallInput{FromNumber: "x", ToNumber: "+34600000002"})
		e.Clock.Advance(time.Minute)
		b := e.mustCall(t, store.CallInput{FromNumber: "y", ToNumber: "+34600000002"})
		if a.Contact.ID != b.Contact.ID || !b.Contact.CreatedDate.Equal(a.Contact.CreatedDate) {
			t.Fatalf("contacts %+v and %+v differ", a.Contact, b.Contact)
		}
		web := e.mustCall(t, store.CallInput{FromNumber: "y", ToNumber: "+34600000002", ContactType: "web"})
		if web.Contact.ID == a.Contact.ID || web.Contact.ContactType != "web" {
			t.Fatalf("web contact = %+v", web.Contact)
		}
		other := e.newPrincipal(t, "other")
		o, err := e.S.CreateCall(e.ctx, other, store.CallInput{FromNumber: "y", ToNumber: "+34600000002"})
		if err != nil || o.Contact.ID == a.Contact.ID {
			t.Fatalf("other company shares contact: %+v %v", o.Contact, err)
		}
	})
	t.Run("InboundTakesFromNumber", func(t *testing.T) {
		c := e.mustCall(t, store.CallInput{Type: "inbound", FromNumber: "+34600000003", ToNumber: "+34910000000"})
		if c.Contact.Identifier != "+34600000003" || c.Type != "inbound" {
			t.Fatalf("call = %+v", c)
		}
	})
	t.Run("FromNumberAsPhoneID", func(t *testing.T) {
		phone := store.NewID()
		c := e.mustCall(t, store.CallInput{FromNumber: phone, ToNumber: "+34600000004"})
		if c.PhoneRegisterID == nil || *c.PhoneRegisterID != phone {
			t.Fatalf("phone_register_id = %v, want %s", c.PhoneRegisterID, phone)
		}
		explicit := store.NewID()
		c = e.mustCall(t, store.CallInput{FromNumber: phone, ToNumber: "+34600000004", PhoneRegisterID: &explicit})
		if *c.PhoneRegisterID != explicit {
			t.Fatalf("phone_register_id = %v, want the explicit %s", *c.PhoneRegisterID, explicit)
		}
	})
	t.Run("FinishedRecordDerivesDuration", func(t *testing.T) {
		start := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
		end := start.Add(90*time.Second + 999*time.Millisecond)
		c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b", Status: "completed", StartTime: &start, EndTime: &end,
			EndReason: ptrOf("hangup"), RecordingURL: ptrOf("https://r/1.wav"), DynamicVariables: json.RawMessage(`{"k":1}`)})
		if c.Duration == nil || *c.Duration != 90 || c.Status != "completed" || *c.EndReason != "hangup" || string(c.DynamicVariables) != `{"k":1}` {
			t.Fatalf("call = %+v", c)
		}
		given := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b", StartTime: &start, EndTime: &end, Duration: ptrOf(int64(7))})
		if *given.Duration != 7 {
			t.Fatalf("a given duration is kept, got %d", *given.Duration)
		}
	})
	t.Run("GivenIDTakenInAnyCompany", func(t *testing.T) {
		id := store.NewID()
		e.mustCall(t, store.CallInput{ID: id, FromNumber: "a", ToNumber: "b"})
		other := e.newPrincipal(t, "other2")
		_, err := e.S.CreateCall(e.ctx, other, store.CallInput{ID: strings.ToUpper(id), FromNumber: "a", ToNumber: "b"})
		wantErrCode(t, err, store.ECONFLICT, "CALL_ALREADY_EXISTS")
		if strings.Contains(err.Error(), e.P.CompanyID) {
			t.Fatalf("error reveals the owner: %v", err)
		}
	})
	t.Run("ErrRules", func(t *testing.T) {
		start := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
		before := start.Add(-time.Microsecond)
		for name, tc := range map[string]struct {
			in     store.CallInput
			reason string
		}{
			"EmptyToNumber":      {store.CallInput{FromNumber: "a", ToNumber: "  "}, "INVALID_PHONE_NUMBER"},
			"EmptyInboundFrom":   {store.CallInput{Type: "inbound", ToNumber: "b"}, "INVALID_PHONE_NUMBER"},
			"EmptyContact":       {store.CallInput{Contact: &store.ContactInput{Identifier: " "}}, "INVALID_CONTACT"},
			"BadType":            {store.CallInput{Type: "sideways", FromNumber: "a", ToNumber: "b"}, "INVALID_CALL_TYPE"},
			"BadStatus":          {store.CallInput{Status: "ringing", FromNumber: "a", ToNumber: "b"}, "INVALID_CALL_STATUS"},
			"BadContactType":     {store.CallInput{ContactType: "fax", FromNumber: "a", ToNumber: "b"}, "INVALID_CONTACT_TYPE"},
			"EndBeforeStart":     {store.CallInput{FromNumber: "a", ToNumber: "b", StartTime: &start, EndTime: &before}, "INVALID_CALL_TIMES"},
			"NegativeDuration":   {store.CallInput{FromNumber: "a", ToNumber: "b", Duration: ptrOf(int64(-1))}, "INVALID_DURATION"},
			"DynamicVarsNotObj":  {store.CallInput{FromNumber: "a", ToNumber: "b", DynamicVariables: json.RawMessage(`[1]`)}, "INVALID_DYNAMIC_VARIABLES"},
			"BadID":              {store.CallInput{ID: "nope", FromNumber: "a", ToNumber: "b"}, "INVALID_CALL_ID"},
			"ContactTypeInBlock": {store.CallInput{Contact: &store.ContactInput{Identifier: "x", ContactType: "fax"}}, "INVALID_CONTACT_TYPE"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := e.S.CreateCall(e.ctx, e.P, tc.in)
				wantErrCode(t, err, store.EINVALID, tc.reason)
			})
		}
	})
}

func TestUpdateCall(t *testing.T) {
	e := newIngestEnv(t)
	newCall := func(t *testing.T) store.Call { return e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"}) }
	t.Run("LifecycleStampsTimes", func(t *testing.T) {
		c := newCall(t)
		e.Clock.Advance(time.Second)
		started := e.Clock.Now()
		c, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("in_progress")})
		if err != nil || c.Status != "in_progress" || c.StartTime == nil || !c.StartTime.Equal(started) || c.EndTime != nil {
			t.Fatalf("in_progress: %+v %v", c, err)
		}
		e.Clock.Advance(61*time.Second + 500*time.Millisecond)
		c, err = e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("completed"), EndReason: store.Patch[string]{Set: true, Value: ptrOf("hangup")}})
		if err != nil || c.Status != "completed" || !c.EndTime.Equal(e.Clock.Now()) || c.Duration == nil || *c.Duration != 61 || *c.EndReason != "hangup" {
			t.Fatalf("completed: %+v %v", c, err)
		}
	})
	t.Run("TerminalIsFinal", func(t *testing.T) {
		c := newCall(t)
		_, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("no_answer")})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"dialing", "in_progress", "completed", "failed", "transferred"} {
			_, err = e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf(st)})
			wantErrCode(t, err, store.ECONFLICT, "CALL_ALREADY_ENDED")
		}
		// The same status again is a no-op, and the other fields may still be set.
		got, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("no_answer"), RecordingURL: store.Patch[string]{Set: true, Value: ptrOf("https://r/2.wav")}})
		if err != nil || got.Status != "no_answer" || *got.RecordingURL != "https://r/2.wav" {
			t.Fatalf("late recording: %+v %v", got, err)
		}
	})
	t.Run("NoWayBackToDialing", func(t *testing.T) {
		c := newCall(t)
		if _, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("in_progress")}); err != nil {
			t.Fatal(err)
		}
		_, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("dialing")})
		wantErrCode(t, err, store.ECONFLICT, "INVALID_STATUS_TRANSITION")
	})
	t.Run("TimesAndClearing", func(t *testing.T) {
		c := newCall(t)
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		end := start.Add(10 * time.Second)
		c, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{
			StartTime: store.Patch[time.Time]{Set: true, Value: &start}, EndTime: store.Patch[time.Time]{Set: true, Value: &end},
			DynamicVariables: store.Patch[json.RawMessage]{Set: true, Value: ptrOf(json.RawMessage(`{"a":"b"}`))},
			EndReason:        store.Patch[string]{Set: true, Value: ptrOf("x")},
		})
		if err != nil || *c.Duration != 10 || string(c.DynamicVariables) != `{"a":"b"}` || c.Status != "dialing" {
			t.Fatalf("times: %+v %v", c, err)
		}
		c, err = e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{
			EndTime:          store.Patch[time.Time]{Set: true},
			DynamicVariables: store.Patch[json.RawMessage]{Set: true},
			EndReason:        store.Patch[string]{Set: true},
		})
		if err != nil || c.EndTime != nil || c.Duration != nil || c.DynamicVariables != nil || c.EndReason != nil || c.StartTime == nil {
			t.Fatalf("cleared: %+v %v", c, err)
		}
		early := start.Add(-time.Second)
		_, err = e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{EndTime: store.Patch[time.Time]{Set: true, Value: &early}})
		wantErrCode(t, err, store.EINVALID, "INVALID_CALL_TIMES")
		got, _ := e.S.GetCall(e.ctx, e.P, c.ID)
		if got.EndTime != nil {
			t.Fatalf("a refused update changed the call: %+v", got)
		}
	})
	t.Run("ImportedDurationSurvivesOtherUpdates", func(t *testing.T) {
		c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b", Status: "completed", Duration: ptrOf(int64(42))})
		c, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{RecordingURL: store.Patch[string]{Set: true, Value: ptrOf("u")}})
		if err != nil || c.Duration == nil || *c.Duration != 42 {
			t.Fatalf("duration lost: %+v %v", c, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		c := newCall(t)
		other := e.newPrincipal(t, "other")
		_, err := e.S.UpdateCall(e.ctx, other, c.ID, store.CallUpdate{Status: ptrOf("completed")})
		wantErrCode(t, err, store.ENOTFOUND, "CALL_NOT_FOUND")
		_, err = e.S.UpdateCall(e.ctx, e.P, store.NewID(), store.CallUpdate{})
		wantErrCode(t, err, store.ENOTFOUND, "CALL_NOT_FOUND")
		if got, _ := e.S.GetCall(e.ctx, e.P, c.ID); got.Status != "dialing" {
			t.Fatalf("another company changed the call: %+v", got)
		}
	})
	t.Run("ErrBadStatus", func(t *testing.T) {
		c := newCall(t)
		_, err := e.S.UpdateCall(e.ctx, e.P, c.ID, store.CallUpdate{Status: ptrOf("ringing")})
		wantErrCode(t, err, store.EINVALID, "INVALID_CALL_STATUS")
	})
}

func TestAppendMessages(t *testing.T) {
	e := newIngestEnv(t)
	c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
	t.Run("OrderWithoutDates", func(t *testing.T) {
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		out, err := e.S.AppendMessages(e.ctx, e.P, c.ID, []store.MessageInput{
			{Role: "assistant", Content: ptrOf("hi")},
			{Role: "user", Content: ptrOf("hello"), CreatedDate: &at},
			{Role: "tool", ToolCall: json.RawMessage(`{"tool_name":"hangup","payload":{},"status":"success","type":"call_tool"}`)},
		})
		if err != nil || len(out) != 3 {
			t.Fatalf("append: %v %v", out, err)
		}
		now := e.Clock.Now()
		if !out[0].CreatedDate.Equal(now) || !out[1].CreatedDate.Equal(at) || !out[2].CreatedDate.Equal(now.Add(2*time.Microsecond)) {
			t.Fatalf("dates: %v %v %v", out[0].CreatedDate, out[1].CreatedDate, out[2].CreatedDate)
		}
		if n, _ := e.queries().CountMessages(e.ctx, c.ID); n != 3 {
			t.Fatalf("stored %d messages", n)
		}
	})
	t.Run("TensAndRest", func(t *testing.T) {
		c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
		var in []store.MessageInput
		for i := 0; i < 23; i++ {
			m := store.MessageInput{Role: []string{"user", "assistant", "tool"}[i%3], Content: ptrOf(fmt.Sprintf("m%d", i))}
			if i%3 == 2 {
				m.Content, m.ToolCall = nil, json.RawMessage(fmt.Sprintf(`{"function_name":"f%d","payload":{},"status":"success","type":"function"}`, i))
			}
			in = append(in, m)
		}
		out, err := e.S.AppendMessages(e.ctx, e.P, c.ID, in)
		if err != nil || len(out) != 23 {
			t.Fatalf("append: %d %v", len(out), err)
		}
		rows, err := e.testQueries().ListMessageRowsOfCall(e.ctx, c.ID)
		if err != nil || len(rows) != 23 {
			t.Fatalf("stored %d rows: %v", len(rows), err)
		}
		for i, r := range rows {
			want := out[i]
			if r.ID != want.ID || r.Role != in[i].Role || r.CreatedDate != e.Clock.Now().Add(time.Duration(i)*time.Microsecond).UnixMicro() ||
				fmt.Sprint(strOf(r.Content)) != fmt.Sprint(strOf(in[i].Content)) || strOf(r.ToolCall) != string(in[i].ToolCall) {
				t.Fatalf("row %d = %+v, want %+v", i, r, want)
			}
		}
	})
	t.Run("ErrBatchSize", func(t *testing.T) {
		_, err := e.S.AppendMessages(e.ctx, e.P, c.ID, nil)
		wantErrCode(t, err, store.EINVALID, "INVALID_BATCH_SIZE")
		_, err = e.S.AppendMessages(e.ctx, e.P, c.ID, make([]store.MessageInput, store.MaxAppend+1))
		wantErrCode(t, err, store.EINVALID, "INVALID_BATCH_SIZE")
	})
	t.Run("ErrRuleNamesItem", func(t *testing.T) {
		_, err := e.S.AppendMessages(e.ctx, e.P, c.ID, []store.MessageInput{{Role: "user"}, {Role: "robot"}})
		wantErrCode(t, err, store.EINVALID, "INVALID_MESSAGE_ROLE")
		if !strings.HasPrefix(store.ErrorMessage(err), "item 1:") {
			t.Fatalf("message = %q", store.ErrorMessage(err))
		}
		if n, _ := e.queries().CountMessages(e.ctx, c.ID); n != 3 {
			t.Fatalf("a refused batch wrote: %d messages", n)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		other := e.newPrincipal(t, "other")
		_, err := e.S.AppendMessages(e.ctx, other, c.ID, []store.MessageInput{{Role: "user"}})
		wantErrCode(t, err, store.ENOTFOUND, "CALL_NOT_FOUND")
	})
}

func TestAppendLogs(t *testing.T) {
	e := newIngestEnv(t)
	c := e.mustCall(t, store.CallInput{FromNumber: "a", ToNumber: "b"})
	t.Run("OK", func(t *testing.T) {
		out, err := e.S.AppendLogs(e.ctx, e.P, c.ID, []store.LogInput{
			{Level: "INFO", Category: "CALL_LIFECYCLE", Event: "call.started", TraceID: ptrOf("t1"), Data: json.RawMessage(`{"x":1}`)},
			{Level: "ERROR", Category: "CALL_TOOLS", Event: "tool.failed"},
		})
		if err != nil || len(out) != 2 || *out[0].CallID != c.ID || *out[0].TraceID != "t1" || !out[1].Timestamp.Equal(e.Clock.Now().Add(time.Microsecond)) {
			t.Fatalf("append: %+v %v", out, err)
		}
		row, err := e.testQueries().GetCallLogRow(e.ctx, out[1].ID)
		if err != nil || row.CompanyID != e.P.CompanyID || row.Event != "tool.failed" {
			t.Fatalf("stored: %+v %v", row, err)
		}
	})
	t.Run("ErrRules", func(t *testing.T) {
		for reason, in := range map[string]store.LogInput{
			"INVALID_LOG_LEVEL":    {Level: "LOUD", Category: "USER", Event: "e"},
			"INVALID_LOG_CATEGORY": {Level: "INFO", Category: "MISC", Event: "e"},
			"INVALID_LOG_EVENT":    {Level: "INFO", Category: "USER"},
			"INVALID_DATA":         {Level: "INFO", Category: "USER", Event: "e", Data: json.RawMessage(`"s"`)},
		} {
			_, err := e.S.AppendLogs(e.ctx, e.P, c.ID, []store.LogInput{in})
			wantErrCode(t, err, store.EINVALID, reason)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := e.S.AppendLogs(e.ctx, e.P, store.NewID(), []store.LogInput{{Level: "INFO", Category: "USER", Event: "e"}})
		wantErrCode(t, err, store.ENOTFOUND, "CALL_NOT_FOUND")
	})
}
