package handlers_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

type fixtureLog struct {
	ID, Call, Level, Category string
	At                        time.Time
}

// logFixture is a company with two calls and their log entries (several sharing a timestamp), an
// entry of no call, and another company with a call and entries of its own.
type logFixture struct {
	e            *testEnv
	t0           time.Time
	call1, call2 string
	logs         []fixtureLog // sorted by (timestamp, id)
	otherKey     string
	otherCall    string
	otherLog     string
}

func newLogFixture(t *testing.T) *logFixture {
	e := newEnv(t)
	f := &logFixture{e: e, t0: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)}
	s := e.seed(e.Company.ID)
	ct := s.contact("+34622222222", f.t0)
	f.call1 = s.call(callSpec{Contact: ct.ID, At: f.t0})
	f.call2 = s.call(callSpec{Contact: ct.ID, At: f.t0, Status: store.StatusFailed})
	levels := []string{"INFO", "DEBUG", "ERROR", "WARNING"}
	categories := []string{"CALL_LIFECYCLE", "USER", "AGENT"}
	add := func(call string, i int) {
		l := fixtureLog{Call: call, Level: levels[i%len(levels)], Category: categories[i%len(categories)], At: f.t0.Add(time.Duration(i/3) * time.Second)}
		l.ID = s.log(call, l.At, l.Level, l.Category, "event")
		f.logs = append(f.logs, l)
	}
	for i := range 25 {
		add(f.call1, i)
	}
	for i := range 6 {
		add(f.call2, i*4)
	}
	add("", 7)
	slices.SortFunc(f.logs, func(a, b fixtureLog) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	other, key := e.newCompany("other")
	f.otherKey = key
	os := e.seed(other.ID)
	f.otherCall = os.call(callSpec{Contact: os.contact("+1", f.t0).ID, At: f.t0})
	f.otherLog = os.log(f.otherCall, f.t0, "INFO", "USER", "other")
	os.log("", f.t0, "INFO", "USER", "other, no call")
	return f
}

func (f *logFixture) expect(match func(fixtureLog) bool, desc bool) []string {
	ids := []string{}
	for _, l := range f.logs {
		if match(l) {
			ids = append(ids, l.ID)
		}
	}
	if desc {
		slices.Reverse(ids)
	}
	return ids
}

func TestCallLogs(t *testing.T) {
	f := newLogFixture(t)
	e := f.e
	base := "/v1/log/call/" + f.call1
	cases := []struct {
		name  string
		query url.Values
		match func(fixtureLog) bool
	}{
		{"All", url.Values{}, func(l fixtureLog) bool { return l.Call == f.call1 }},
		{"Category", url.Values{"category": {"USER"}}, func(l fixtureLog) bool { return l.Call == f.call1 && l.Category == "USER" }},
		{"Level", url.Values{"level": {"ERROR"}}, func(l fixtureLog) bool { return l.Call == f.call1 && l.Level == "ERROR" }},
		{"CategoryLevel", url.Values{"category": {"AGENT"}, "level": {"WARNING"}},
			func(l fixtureLog) bool { return l.Call == f.call1 && l.Category == "AGENT" && l.Level == "WARNING" }},
		{"NoMatch", url.Values{"level": {"CRITICAL"}}, func(fixtureLog) bool { return false }},
	}
	for _, tc := range cases {
		for _, order := range []string{"asc", "desc"} {
			want := f.expect(tc.match, order == "desc")
			t.Run(tc.name+"/"+order, func(t *testing.T) {
				p := e.getPage(t, withParams(base, tc.query, "order", order), e.Key)
				if !slices.Equal(p.ids(), want) || p.HasMore {
					t.Fatalf("ids = %v (has_more %v)\nwant %v", p.ids(), p.HasMore, want)
				}
				walkCursor(t, e, withParams(base, tc.query, "order", order, "limit", "4"), e.Key, want)
				walkPages(t, e, base, tc.query, order, 5, e.Key, want)
			})
		}
	}
	t.Run("DefaultOrderDesc", func(t *testing.T) {
		p := e.getPage(t, base, e.Key)
		if !slices.Equal(p.ids(), f.expect(func(l fixtureLog) bool { return l.Call == f.call1 }, true)) {
			t.Fatalf("ids = %v", p.ids())
		}
		if p.Data[0]["call_id"] != f.call1 || p.Data[0]["trace_id"] == nil || p.Data[0]["data"] == nil {
			t.Fatalf("row = %v", p.Data[0])
		}
	})
	t.Run("ErrCallNotFound", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/log/call/"+store.NewID(), e.Key, nil), 404, "CALL_NOT_FOUND")
		wantError(t, e.do("GET", "/v1/log/call/"+f.otherCall, e.Key, nil), 404, "CALL_NOT_FOUND")
		p := e.getPage(t, "/v1/log/call/"+f.otherCall, f.otherKey)
		if !slices.Equal(p.ids(), []string{f.otherLog}) {
			t.Fatalf("other company's call logs = %v", p.ids())
		}
	})
	t.Run("Errors", func(t *testing.T) {
		call2Log := f.expect(func(l fixtureLog) bool { return l.Call == f.call2 }, false)[0]
		first := f.expect(func(l fixtureLog) bool { return l.Call == f.call1 }, false)[0]
		for _, tc := range []struct {
			name, path string
			status     int
			code       string
			loc        []any
		}{
			{"MalformedCallID", "/v1/log/call/123", 422, "", []any{"path", "call_id"}},
			{"CategoryUnknown", base + "?category=NOISE", 422, "", []any{"query", "category"}},
			{"LevelUnknown", base + "?level=info", 422, "", []any{"query", "level"}},
			{"LimitZero", base + "?limit=0", 422, "", []any{"query", "limit"}},
			{"PageNotInt", base + "?page=x", 422, "", []any{"query", "page"}},
			{"AfterAndBefore", base + "?after=" + first + "&before=" + first, 422, "INVALID_PAGINATION_PARAMETERS", nil},
			{"PageAndBefore", base + "?page=3&before=" + first, 422, "INVALID_PAGINATION_PARAMETERS", nil},
			{"AfterUnknown", base + "?after=" + store.NewID(), 400, "NOT_VALID_FIELD", nil},
			{"AfterOtherCallsEntry", base + "?after=" + call2Log, 400, "NOT_VALID_FIELD", nil},
			{"BeforeOtherCompanysEntry", base + "?before=" + f.otherLog, 400, "NOT_VALID_FIELD", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("GET", tc.path, e.Key, nil)
				if tc.code != "" {
					wantError(t, r, tc.status, tc.code)
				} else {
					wantValidation(t, r, tc.loc...)
				}
			})
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		r := e.do("GET", base, e.keyWith("calls.view", "messages.view"), nil)
		wantError(t, r, 403, "INTERNAL_SERVER_ERROR")
		if m := r.Map(t)["message"]; m != "Missing required permissions to view logs" {
			t.Fatalf("message = %v", m)
		}
		wantStatus(t, e.do("GET", base, e.keyWith("logs.view"), nil), 200)
		wantError(t, e.do("GET", base, "", nil), 401, "INVALID_API_KEY")
	})
}

func TestLogList(t *testing.T) {
	f := newLogFixture(t)
	e := f.e
	at := func(s int) time.Time { return f.t0.Add(time.Duration(s) * time.Second) }
	cases := []struct {
		name  string
		query url.Values
		match func(fixtureLog) bool
	}{
		{"All", url.Values{}, func(fixtureLog) bool { return true }},
		{"Call", url.Values{"call_id": {f.call2}}, func(l fixtureLog) bool { return l.Call == f.call2 }},
		{"Category", url.Values{"category": {"CALL_LIFECYCLE"}}, func(l fixtureLog) bool { return l.Category == "CALL_LIFECYCLE" }},
		{"Level", url.Values{"level": {"INFO"}}, func(l fixtureLog) bool { return l.Level == "INFO" }},
		{"TimeInclusive", url.Values{"start_timestamp": {at(2).Format(time.RFC3339)}, "end_timestamp": {at(5).Format(time.RFC3339)}},
			func(l fixtureLog) bool { return !l.At.Before(at(2)) && !l.At.After(at(5)) }},
		{"CallLevelTime", url.Values{"call_id": {f.call1}, "level": {"INFO"}, "end_timestamp": {at(4).Format(time.RFC3339)}},
			func(l fixtureLog) bool { return l.Call == f.call1 && l.Level == "INFO" && !l.At.After(at(4)) }},
		{"UnknownCall", url.Values{"call_id": {store.NewID()}}, func(fixtureLog) bool { return false }},
		{"OtherCompanysCall", url.Values{"call_id": {f.otherCall}}, func(fixtureLog) bool { return false }},
	}
	for _, tc := range cases {
		for _, order := range []string{"asc", "desc"} {
			want := f.expect(tc.match, order == "desc")
			t.Run(tc.name+"/"+order, func(t *testing.T) {
				p := e.getPage(t, withParams("/v1/log/", tc.query, "order", order, "limit", "1000"), e.Key)
				if !slices.Equal(p.ids(), want) {
					t.Fatalf("ids = %v\nwant %v", p.ids(), want)
				}
				walkCursor(t, e, withParams("/v1/log/", tc.query, "order", order, "limit", "5"), e.Key, want)
				walkPages(t, e, "/v1/log/", tc.query, order, 6, e.Key, want)
			})
		}
	}
	t.Run("EntryWithoutCall", func(t *testing.T) {
		p := e.getPage(t, "/v1/log/?limit=1000", e.Key)
		nulls := 0
		for _, row := range p.Data {
			if v, ok := row["call_id"]; ok && v == nil {
				nulls++
			}
		}
		if nulls != 1 {
			t.Fatalf("%d entries with call_id null, want 1", nulls)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct {
			name, query string
			status      int
			code        string
			loc         string
		}{
			{"CallNotUUID", "call_id=abc", 422, "", "call_id"},
			{"StartNotTime", "start_timestamp=noon", 422, "", "start_timestamp"},
			{"EndNotTime", "end_timestamp=2026-02-30T00:00:00Z", 422, "", "end_timestamp"},
			{"CategoryUnknown", "category=user", 422, "", "category"},
			{"LimitTooBig", "limit=5000", 422, "", "limit"},
			{"AfterAndBefore", "after=" + f.logs[0].ID + "&before=" + f.logs[1].ID, 422, "INVALID_PAGINATION_PARAMETERS", ""},
			{"AfterUnknown", "after=" + store.NewID(), 400, "NOT_VALID_FIELD", ""},
			{"AfterOtherCompany", "after=" + f.otherLog, 400, "NOT_VALID_FIELD", ""},
			{"AfterOutsideCallFilter", "call_id=" + f.call2 + "&after=" + f.expect(func(l fixtureLog) bool { return l.Call == f.call1 }, false)[0], 400, "NOT_VALID_FIELD", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("GET", "/v1/log/?"+tc.query, e.Key, nil)
				if tc.code != "" {
					wantError(t, r, tc.status, tc.code)
				} else {
					wantValidation(t, r, "query", tc.loc)
				}
			})
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/log/", e.keyWith("calls.view"), nil), 403, "INTERNAL_SERVER_ERROR")
		wantStatus(t, e.do("GET", "/v1/log/", e.keyWith("logs.view"), nil), 200)
	})
}
