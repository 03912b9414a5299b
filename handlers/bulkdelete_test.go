package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// bulkFixture is a company with calls in every status, each with messages and log entries, and
// another company with a terminal call of its own.
type bulkFixture struct {
	e         *testEnv
	terminal  []string
	active    []string
	otherCall string
	otherKey  string
	logsOf    map[string][]string // call id -> its log entry ids
}

func newBulkFixture(t *testing.T) *bulkFixture {
	e := newEnv(t)
	f := &bulkFixture{e: e, logsOf: map[string][]string{}}
	t0 := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	s := e.seed(e.Company.ID)
	ct := s.contact("+34633333333", t0)
	for i, status := range store.CallStatuses {
		id := s.call(callSpec{Contact: ct.ID, Status: status, At: t0.Add(time.Duration(i) * time.Minute)})
		if store.IsTerminal(status) {
			f.terminal = append(f.terminal, id)
		} else {
			f.active = append(f.active, id)
		}
		for j := range 3 {
			s.message(id, t0.Add(time.Duration(j)*time.Second), "user", "hello", "")
		}
		for j := range 2 {
			f.logsOf[id] = append(f.logsOf[id], s.log(id, t0.Add(time.Duration(j)*time.Second), "INFO", "CALL_LIFECYCLE", "call."+status))
		}
	}
	other, key := e.newCompany("other")
	f.otherKey = key
	os := e.seed(other.ID)
	f.otherCall = os.call(callSpec{Contact: os.contact("+1", t0).ID, At: t0})
	os.message(f.otherCall, t0, "user", "hi", "")
	f.logsOf[f.otherCall] = []string{os.log(f.otherCall, t0, "INFO", "USER", "other")}
	return f
}

// messages counts the messages stored for a call.
func (f *bulkFixture) messages(t *testing.T, callID string) int64 {
	t.Helper()
	n, err := f.e.queries().CountMessages(context.Background(), callID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot is everything a bulk delete could change, as the API and the database show it.
func (f *bulkFixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, key := range []string{f.e.Key, f.otherKey} {
		calls := f.e.getPage(t, "/v1/call/?limit=1000", key)
		logs := f.e.getPage(t, "/v1/log/?limit=1000", key)
		fmt.Fprintf(&b, "calls %v\n", calls.ids())
		for _, id := range calls.ids() {
			fmt.Fprintf(&b, "messages of %s: %d\n", id, f.messages(t, id))
		}
		for _, l := range logs.Data {
			fmt.Fprintf(&b, "log %v call %v\n", l["id"], l["call_id"])
		}
	}
	return b.String()
}

func TestBulkDelete(t *testing.T) {
	t.Run("DeletesTerminalCallsOnly", func(t *testing.T) {
		f := newBulkFixture(t)
		e := f.e
		ids := append(slices.Clone(f.terminal), f.active...)
		ids = append(ids, f.otherCall, store.NewID(), f.terminal[0], strings.ToUpper(f.terminal[1]))
		r := e.do("POST", "/v1/call/bulk-delete", e.Key, map[string]any{"call_ids": ids})
		wantStatus(t, r, 200)
		if got := r.Map(t)["deleted"]; got != float64(len(f.terminal)) {
			t.Fatalf("deleted = %v, want %d", got, len(f.terminal))
		}
		for _, id := range f.terminal {
			wantError(t, e.do("GET", "/v1/call/"+id, e.Key, nil), 404, "CALL_NOT_FOUND")
			if n := f.messages(t, id); n != 0 {
				t.Errorf("deleted call %s still has %d messages", id, n)
			}
		}
		for _, id := range f.active {
			wantStatus(t, e.do("GET", "/v1/call/"+id, e.Key, nil), 200)
			if n := f.messages(t, id); n != 3 {
				t.Errorf("active call %s has %d messages, want 3", id, n)
			}
		}
		wantStatus(t, e.do("GET", "/v1/call/"+f.otherCall, f.otherKey, nil), 200)
		if n := f.messages(t, f.otherCall); n != 1 {
			t.Errorf("other company's call has %d messages, want 1", n)
		}
		// Every log entry stays; those of deleted calls lose their call_id.
		logs := e.getPage(t, "/v1/log/?limit=1000", e.Key)
		callOf := map[string]any{}
		for _, l := range logs.Data {
			callOf[l["id"].(string)] = l["call_id"]
		}
		for call, entries := range f.logsOf {
			if call == f.otherCall {
				continue
			}
			for _, id := range entries {
				got, ok := callOf[id]
				switch {
				case !ok:
					t.Errorf("log entry %s of call %s is gone", id, call)
				case slices.Contains(f.terminal, call) && got != nil:
					t.Errorf("log entry %s of deleted call %s has call_id %v, want null", id, call, got)
				case slices.Contains(f.active, call) && got != call:
					t.Errorf("log entry %s of active call %s has call_id %v", id, call, got)
				}
			}
		}
		if len(logs.Data) != 2*len(store.CallStatuses) {
			t.Errorf("%d log entries, want %d", len(logs.Data), 2*len(store.CallStatuses))
		}
		other := e.getPage(t, "/v1/log/call/"+f.otherCall, f.otherKey)
		if !slices.Equal(other.ids(), f.logsOf[f.otherCall]) {
			t.Errorf("other company's log = %v", other.ids())
		}
		// The log of a deleted call is read through the company's log, not through the call.
		wantError(t, e.do("GET", "/v1/log/call/"+f.terminal[0], e.Key, nil), 404, "CALL_NOT_FOUND")
		if p := e.getPage(t, "/v1/log/?call_id="+f.terminal[0], e.Key); len(p.Data) != 0 {
			t.Errorf("filtering by a deleted call's id finds %v", p.ids())
		}
		// Again: nothing left to delete.
		r = e.do("POST", "/v1/call/bulk-delete", e.Key, map[string]any{"call_ids": ids})
		wantStatus(t, r, 200)
		if got := r.Map(t)["deleted"]; got != float64(0) {
			t.Fatalf("second delete: deleted = %v, want 0", got)
		}
	})
	t.Run("DuplicatesCountOnce", func(t *testing.T) {
		f := newBulkFixture(t)
		id := f.terminal[2]
		r := f.e.do("POST", "/v1/call/bulk-delete", f.e.Key, map[string]any{"call_ids": []string{id, id, "{" + id + "}", strings.ReplaceAll(id, "-", "")}})
		wantStatus(t, r, 200)
		if got := r.Map(t)["deleted"]; got != float64(1) {
			t.Fatalf("deleted = %v, want 1", got)
		}
	})
	t.Run("FiveHundredIDs", func(t *testing.T) {
		f := newBulkFixture(t)
		ids := []string{f.terminal[0]}
		for len(ids) < store.MaxBulkDelete {
			ids = append(ids, store.NewID())
		}
		r := f.e.do("POST", "/v1/call/bulk-delete", f.e.Key, map[string]any{"call_ids": ids})
		wantStatus(t, r, 200)
		if got := r.Map(t)["deleted"]; got != float64(1) {
			t.Fatalf("deleted = %v, want 1", got)
		}
	})
	t.Run("FailedRequestsChangeNothing", func(t *testing.T) {
		f := newBulkFixture(t)
		e := f.e
		before := f.snapshot(t)
		tooMany := []string{f.terminal[0]}
		for len(tooMany) <= store.MaxBulkDelete {
			tooMany = append(tooMany, store.NewID())
		}
		truncated := `{"call_ids": ["` + f.terminal[0] + `"`
		big := `{"call_ids":["` + f.terminal[0] + `"],"padding":"` + strings.Repeat("x", 1<<20) + `"}`
		for _, tc := range []struct {
			name string
			body any
			loc  []any // FastAPI detail location; nil for an error envelope
			code string
			key  string
		}{
			{"Missing", map[string]any{}, []any{"body", "call_ids"}, "", ""},
			{"Null", map[string]any{"call_ids": nil}, []any{"body", "call_ids"}, "", ""},
			{"NotAList", map[string]any{"call_ids": f.terminal[0]}, []any{"body", "call_ids"}, "", ""},
			{"Empty", map[string]any{"call_ids": []string{}}, []any{"body", "call_ids"}, "", ""},
			{"TooMany", map[string]any{"call_ids": tooMany}, []any{"body", "call_ids"}, "", ""},
			{"ItemNotUUID", map[string]any{"call_ids": []string{f.terminal[0], "call-1"}}, []any{"body", "call_ids", 1}, "", ""},
			{"ItemNotString", map[string]any{"call_ids": []any{f.terminal[0], 7}}, []any{"body", "call_ids", 1}, "", ""},
			{"MalformedJSON", truncated, []any{"body", len(truncated)}, "", ""},
			{"NotAnObject", `["` + f.terminal[0] + `"]`, []any{"body"}, "", ""},
			{"TooLarge", big, nil, "PAYLOAD_TOO_LARGE", ""},
			{"NoPermission", map[string]any{"call_ids": f.terminal}, nil, "INTERNAL_SERVER_ERROR", e.keyWith("calls.view", "calls.update")},
			{"NoKey", map[string]any{"call_ids": f.terminal}, nil, "INVALID_API_KEY", "none"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := e.Key
				switch tc.key {
				case "":
				case "none":
					key = ""
				default:
					key = tc.key
				}
				r := e.do("POST", "/v1/call/bulk-delete", key, tc.body)
				switch tc.code {
				case "":
					wantValidation(t, r, tc.loc...)
				case "PAYLOAD_TOO_LARGE":
					wantError(t, r, 413, tc.code)
				case "INTERNAL_SERVER_ERROR":
					wantError(t, r, 403, tc.code)
					if m := r.Map(t)["message"]; m != "Missing required permissions to delete calls" {
						t.Fatalf("message = %v", m)
					}
				case "INVALID_API_KEY":
					wantError(t, r, 401, tc.code)
				}
				if after := f.snapshot(t); after != before {
					t.Fatalf("a failed request changed the data:\nbefore\n%s\nafter\n%s", before, after)
				}
			})
		}
	})
}
