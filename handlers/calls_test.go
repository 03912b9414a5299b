package handlers_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// callFixture is a company with calls spread over contacts, agents, phones, statuses, types and
// created dates, several sharing one created_date, and another company with calls of its own.
type callFixture struct {
	e              *testEnv
	t0             time.Time
	contactA       store.Contact
	contactB       store.Contact
	agent1, agent2 string
	phone1, phone2 string
	calls          []fixtureCall // sorted by (created_date, id)
	otherKey       string
	otherCall      string
}

type fixtureCall struct {
	ID string
	callSpec
}

func ptr[T any](v T) *T { return &v }

func newCallFixture(t *testing.T) *callFixture {
	e := newEnv(t)
	f := &callFixture{e: e, t0: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		agent1: store.NewID(), agent2: store.NewID(), phone1: store.NewID(), phone2: store.NewID()}
	s := e.seed(e.Company.ID)
	f.contactA = s.contact("+34600000001", f.t0.Add(-time.Hour))
	f.contactB = s.contact("+34600000002", f.t0.Add(-time.Hour))
	for i := range 60 {
		c := callSpec{
			Contact: f.contactB.ID,
			Status:  store.CallStatuses[i%len(store.CallStatuses)],
			Type:    "inbound",
			At:      f.t0.Add(time.Duration(i/4) * time.Minute), // four calls share each created_date
		}
		if i%3 == 0 {
			c.Contact = f.contactA.ID
		}
		switch {
		case i%2 == 0:
			c.Agent = &f.agent1
		case i%5 == 1:
			c.Agent = &f.agent2
		}
		switch i % 4 {
		case 0:
			c.Phone = &f.phone1
		case 1:
			c.Phone = &f.phone2
		}
		if i%7 >= 4 {
			c.Type = "outbound"
		}
		f.calls = append(f.calls, fixtureCall{ID: s.call(c), callSpec: c})
	}
	slices.SortFunc(f.calls, func(a, b fixtureCall) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	// Another company with a call that matches every filter of the first: it must never show.
	other, key := e.newCompany("other")
	f.otherKey = key
	os := e.seed(other.ID)
	oc := os.contact("+34600000001", f.t0)
	f.otherCall = os.call(callSpec{Contact: oc.ID, Agent: &f.agent1, Phone: &f.phone1, At: f.t0.Add(5 * time.Minute)})
	return f
}

// expect returns the ids of the fixture's calls that match, in the given order.
func (f *callFixture) expect(match func(fixtureCall) bool, desc bool) []string {
	var ids []string
	for _, c := range f.calls {
		if match(c) {
			ids = append(ids, c.ID)
		}
	}
	if desc {
		slices.Reverse(ids)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids
}

// filterCases are the list filters the tests run, each with the rule it must apply.
func (f *callFixture) filterCases() []struct {
	name  string
	query url.Values
	match func(fixtureCall) bool
} {
	at := func(m int) time.Time { return f.t0.Add(time.Duration(m) * time.Minute) }
	is := func(p *string, v string) bool { return p != nil && *p == v }
	return []struct {
		name  string
		query url.Values
		match func(fixtureCall) bool
	}{
		{"None", url.Values{}, func(fixtureCall) bool { return true }},
		{"Agent", url.Values{"agent_id": {f.agent1}}, func(c fixtureCall) bool { return is(c.Agent, f.agent1) }},
		{"Status", url.Values{"status": {"in_progress"}}, func(c fixtureCall) bool { return c.Status == "in_progress" }},
		{"Type", url.Values{"type": {"outbound"}}, func(c fixtureCall) bool { return c.Type == "outbound" }},
		{"Contact", url.Values{"contact_id": {f.contactA.ID}}, func(c fixtureCall) bool { return c.Contact == f.contactA.ID }},
		{"Phone", url.Values{"phone_id": {f.phone2}}, func(c fixtureCall) bool { return is(c.Phone, f.phone2) }},
		{"DatesInclusive", url.Values{"start_created_date": {at(3).Format(time.RFC3339)}, "end_created_date": {at(6).Format(time.RFC3339)}},
			func(c fixtureCall) bool { return !c.At.Before(at(3)) && !c.At.After(at(6)) }},
		{"DateWithOffset", url.Values{"start_created_date": {at(10).In(time.FixedZone("CET", 3600)).Format(time.RFC3339)}},
			func(c fixtureCall) bool { return !c.At.Before(at(10)) }},
		{"ContactStatusType", url.Values{"contact_id": {f.contactB.ID}, "status": {"completed"}, "type": {"inbound"}},
			func(c fixtureCall) bool {
				return c.Contact == f.contactB.ID && c.Status == "completed" && c.Type == "inbound"
			}},
		{"AgentPhone", url.Values{"agent_id": {f.agent1}, "phone_id": {f.phone1}},
			func(c fixtureCall) bool { return is(c.Agent, f.agent1) && is(c.Phone, f.phone1) }},
		{"StatusDates", url.Values{"status": {"dialing"}, "end_created_date": {at(8).Format(time.RFC3339Nano)}},
			func(c fixtureCall) bool { return c.Status == "dialing" && !c.At.After(at(8)) }},
		{"EverythingAtOnce", url.Values{"contact_id": {f.contactA.ID}, "agent_id": {f.agent1}, "phone_id": {f.phone1}, "status": {"dialing"}, "type": {"inbound"},
			"start_created_date": {at(0).Format(time.RFC3339)}, "end_created_date": {at(14).Format(time.RFC3339)}},
			func(c fixtureCall) bool {
				return c.Contact == f.contactA.ID && is(c.Agent, f.agent1) && is(c.Phone, f.phone1) && c.Status == "dialing" && c.Type == "inbound" && !c.At.After(at(14))
			}},
		{"NoMatch", url.Values{"agent_id": {store.NewID()}}, func(fixtureCall) bool { return false }},
	}
}

func withParams(base string, q url.Values, kv ...string) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

func TestCallList(t *testing.T) {
	f := newCallFixture(t)
	e := f.e
	for _, tc := range f.filterCases() {
		for _, order := range []string{"asc", "desc"} {
			want := f.expect(tc.match, order == "desc")
			t.Run(tc.name+"/"+order, func(t *testing.T) {
				t.Run("All", func(t *testing.T) {
					p := e.getPage(t, withParams("/v1/call/", tc.query, "order", order, "limit", "1000"), e.Key)
					if got := p.ids(); !slices.Equal(got, want) {
						t.Fatalf("ids = %v\nwant %v", got, want)
					}
					if p.HasMore || p.CurrentPage != nil || p.TotalPages != nil {
						t.Fatalf("has_more=%v current_page=%v total_pages=%v, want false, null, null", p.HasMore, p.CurrentPage, p.TotalPages)
					}
					if len(want) == 0 && (p.FirstID != nil || p.LastID != nil) {
						t.Fatalf("empty page with first_id=%v last_id=%v", p.FirstID, p.LastID)
					}
				})
				t.Run("CursorWalk", func(t *testing.T) {
					walkCursor(t, e, withParams("/v1/call/", tc.query, "order", order, "limit", "3"), e.Key, want)
				})
				t.Run("Pages", func(t *testing.T) {
					walkPages(t, e, "/v1/call/", tc.query, order, 4, e.Key, want)
				})
				// The list query looks a cursor's key up itself; these are the cases where it
				// finds no row: past either end (an empty page, not an error), and a call of the
				// company that the filter excludes (it still positions the page).
				t.Run("CursorEdges", func(t *testing.T) {
					all := f.expect(func(fixtureCall) bool { return true }, order == "desc")
					last, first := all[len(all)-1], all[0]
					for _, c := range []struct{ param, id string }{{"after", last}, {"before", first}} {
						p := e.getPage(t, withParams("/v1/call/", tc.query, "order", order, c.param, c.id), e.Key)
						if len(p.Data) != 0 || p.HasMore || p.FirstID != nil || p.LastID != nil {
							t.Fatalf("%s=%s: %d rows, has_more=%v, first_id=%v", c.param, c.id, len(p.Data), p.HasMore, p.FirstID)
						}
					}
					for i, c := range f.calls {
						if tc.match(c) {
							continue
						}
						// Every matching call after c in the list's order, whatever c's own fields.
						pos := slices.Index(all, c.ID)
						var rest []string
						for _, id := range all[pos+1:] {
							if slices.Contains(want, id) {
								rest = append(rest, id)
							}
						}
						p := e.getPage(t, withParams("/v1/call/", tc.query, "order", order, "limit", "1000", "after", c.ID), e.Key)
						if got := p.ids(); !slices.Equal(got, rest) && !(len(got) == 0 && len(rest) == 0) {
							t.Fatalf("after excluded call #%d: %v\nwant %v", i, got, rest)
						}
					}
				})
			})
		}
	}
	t.Run("DefaultsDescLimit50", func(t *testing.T) {
		p := e.getPage(t, "/v1/call/", e.Key)
		want := f.expect(func(fixtureCall) bool { return true }, true)[:50]
		if !slices.Equal(p.ids(), want) || !p.HasMore {
			t.Fatalf("default page = %v (has_more %v), want the 50 newest %v", p.ids(), p.HasMore, want)
		}
	})
	t.Run("RowShape", func(t *testing.T) {
		p := e.getPage(t, "/v1/call/?order=asc&limit=6", e.Key)
		for i, row := range p.Data {
			c := f.calls[i]
			contact, _ := row["contact"].(map[string]any)
			if contact["id"] != c.Contact || contact["identifier"] == "" || contact["contact_type"] != "call" {
				t.Fatalf("row %d contact = %v, want contact %s", i, row["contact"], c.Contact)
			}
			if store.IsTerminal(c.Status) {
				if row["duration"] != float64(90) || row["recording_url"] == nil || row["end_time"] == nil {
					t.Fatalf("ended call %s: duration=%v recording_url=%v end_time=%v", c.Status, row["duration"], row["recording_url"], row["end_time"])
				}
			} else if row["duration"] != nil || row["recording_url"] != nil {
				t.Fatalf("active call %s: duration=%v recording_url=%v, want null", c.Status, row["duration"], row["recording_url"])
			}
			for _, k := range []string{"duration", "recording_url", "agent_id", "phone_register_id", "end_reason", "dynamic_variables", "start_time"} {
				if _, ok := row[k]; !ok {
					t.Fatalf("row %d lacks %q: %v", i, k, row)
				}
			}
			if row["created_date"] != c.At.Format(time.RFC3339Nano) {
				t.Fatalf("created_date = %v, want %s", row["created_date"], c.At.Format(time.RFC3339Nano))
			}
		}
	})
	t.Run("TenantIsolation", func(t *testing.T) {
		p := e.getPage(t, "/v1/call/?limit=1000", e.Key)
		if slices.Contains(p.ids(), f.otherCall) {
			t.Fatal("another company's call is listed")
		}
		o := e.getPage(t, "/v1/call/", f.otherKey)
		if !slices.Equal(o.ids(), []string{f.otherCall}) {
			t.Fatalf("other company sees %v", o.ids())
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		wantStatus(t, e.do("GET", "/v1/call/", e.keyWith("calls.view"), nil), 200)
		r := e.do("GET", "/v1/call/", e.keyWith("messages.view", "calls.delete"), nil)
		wantError(t, r, 403, "INTERNAL_SERVER_ERROR")
		if m := r.Map(t)["message"]; m != "Missing required permissions to view calls" {
			t.Fatalf("message = %v", m)
		}
		wantError(t, e.do("GET", "/v1/call/", "", nil), 401, "INVALID_API_KEY")
	})
	t.Run("Errors", func(t *testing.T) {
		id := f.calls[0].ID
		for _, tc := range []struct {
			name, query string
			status      int
			code        string // error_code, or "" for a FastAPI detail
			loc         string // the query parameter the detail must name
		}{
			{"AfterAndBefore", "after=" + id + "&before=" + id, 422, "INVALID_PAGINATION_PARAMETERS", ""},
			{"PageAndAfter", "page=1&after=" + id, 422, "INVALID_PAGINATION_PARAMETERS", ""},
			{"PageAndBefore", "page=2&before=" + id, 422, "INVALID_PAGINATION_PARAMETERS", ""},
			{"AfterNotUUID", "after=42", 422, "", "after"},
			{"BeforeNotUUID", "before=x", 422, "", "before"},
			{"PageZero", "page=0", 422, "", "page"},
			{"PageNotInt", "page=one", 422, "", "page"},
			{"LimitZero", "limit=0", 422, "", "limit"},
			{"LimitTooBig", "limit=1001", 422, "", "limit"},
			{"LimitNotInt", "limit=1.5", 422, "", "limit"},
			{"OrderUnknown", "order=up", 422, "", "order"},
			{"AgentNotUUID", "agent_id=bob", 422, "", "agent_id"},
			{"StatusUnknown", "status=ringing", 422, "", "status"},
			{"TypeUnknown", "type=sideways", 422, "", "type"},
			{"StartNotDate", "start_created_date=yesterday", 422, "", "start_created_date"},
			{"EndNotDate", "end_created_date=2026-13-01T00:00:00Z", 422, "", "end_created_date"},
			{"ContactNotUUID", "contact_id=1", 422, "", "contact_id"},
			{"PhoneNotUUID", "phone_id=%2B34600", 422, "", "phone_id"},
			{"AfterUnknown", "after=" + store.NewID(), 400, "NOT_VALID_FIELD", ""},
			{"BeforeUnknown", "before=" + store.NewID(), 400, "NOT_VALID_FIELD", ""},
			{"AfterOtherCompany", "after=" + f.otherCall, 400, "NOT_VALID_FIELD", ""},
			{"BeforeOtherCompany", "before=" + f.otherCall, 400, "NOT_VALID_FIELD", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("GET", "/v1/call/?"+tc.query, e.Key, nil)
				if tc.code != "" {
					wantError(t, r, tc.status, tc.code)
				} else {
					wantValidation(t, r, "query", tc.loc)
				}
			})
		}
	})
}

// walkCursor walks a cursor list forward with after=last_id to its end, then back with
// before=first_id to its start, checking that each direction sees every row of want exactly once
// and in order, and that has_more tells whether rows remain in the direction of travel.
func walkCursor(t *testing.T, e *testEnv, path, key string, want []string) {
	t.Helper()
	sep := "&"
	if !strings.Contains(path, "?") {
		sep = "?"
	}
	var forward []string
	p := e.getPage(t, path, key)
	var pages []page
	for n := 0; ; n++ {
		if n > len(want)+1 {
			t.Fatal("forward walk does not end")
		}
		pages = append(pages, p)
		forward = append(forward, p.ids()...)
		checkEnds(t, p)
		if p.CurrentPage != nil || p.TotalPages != nil {
			t.Fatalf("cursor page with current_page=%v total_pages=%v", p.CurrentPage, p.TotalPages)
		}
		if p.HasMore != (len(forward) < len(want)) {
			t.Fatalf("forward: has_more=%v after %d of %d rows", p.HasMore, len(forward), len(want))
		}
		if !p.HasMore {
			break
		}
		p = e.getPage(t, path+sep+"after="+*p.LastID, key)
	}
	if !slices.Equal(forward, want) {
		t.Fatalf("forward walk = %v\nwant         %v", forward, want)
	}
	if len(want) == 0 {
		return
	}
	// Back from the last page.
	last := pages[len(pages)-1]
	backward := last.ids()
	p = last
	for n := 0; p.HasMore || n == 0; n++ {
		if n > len(want)+1 {
			t.Fatal("backward walk does not end")
		}
		p = e.getPage(t, path+sep+"before="+*p.FirstID, key)
		checkEnds(t, p)
		backward = append(p.ids(), backward...)
		if p.HasMore != (len(backward) < len(want)) {
			t.Fatalf("backward: has_more=%v with %d of %d rows seen", p.HasMore, len(backward), len(want))
		}
		if len(p.Data) == 0 {
			break
		}
	}
	if !slices.Equal(backward, want) {
		t.Fatalf("backward walk = %v\nwant          %v", backward, want)
	}
}

// checkEnds checks that first_id and last_id are the ids of the first and last rows (null when none).
func checkEnds(t *testing.T, p page) {
	t.Helper()
	ids := p.ids()
	if len(ids) == 0 {
		if p.FirstID != nil || p.LastID != nil {
			t.Fatalf("empty page with first_id=%v last_id=%v", *p.FirstID, *p.LastID)
		}
		return
	}
	if p.FirstID == nil || p.LastID == nil || *p.FirstID != ids[0] || *p.LastID != ids[len(ids)-1] {
		t.Fatalf("first_id/last_id = %v/%v, rows %v", p.FirstID, p.LastID, ids)
	}
}

// walkPages reads every page in page mode and checks current_page, total_pages and has_more.
func walkPages(t *testing.T, e *testEnv, base string, q url.Values, order string, limit int, key string, want []string) {
	t.Helper()
	total := (len(want) + limit - 1) / limit
	var got []string
	for n := 1; n <= total+1; n++ {
		p := e.getPage(t, withParams(base, q, "order", order, "limit", fmt.Sprint(limit), "page", fmt.Sprint(n)), key)
		if p.CurrentPage == nil || *p.CurrentPage != int64(n) || p.TotalPages == nil || *p.TotalPages != int64(total) {
			t.Fatalf("page %d: current_page=%v total_pages=%v, want %d of %d", n, p.CurrentPage, p.TotalPages, n, total)
		}
		if p.HasMore != (n < total) {
			t.Fatalf("page %d of %d: has_more=%v", n, total, p.HasMore)
		}
		checkEnds(t, p)
		if n > total && len(p.Data) != 0 {
			t.Fatalf("page %d beyond %d has rows", n, total)
		}
		got = append(got, p.ids()...)
	}
	if got == nil {
		got = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages = %v\nwant    %v", got, want)
	}
}

func TestCallGet(t *testing.T) {
	f := newCallFixture(t)
	e := f.e
	c := f.calls[0]
	t.Run("OK", func(t *testing.T) {
		r := e.do("GET", "/v1/call/"+c.ID, e.Key, nil)
		wantStatus(t, r, 200)
		m := r.Map(t)
		contact, _ := m["contact"].(map[string]any)
		if m["id"] != c.ID || m["status"] != c.Status || contact["id"] != c.Contact || contact["identifier"] != f.contactA.Identifier {
			t.Fatalf("call = %s", r.Body)
		}
	})
	t.Run("UppercaseID", func(t *testing.T) {
		wantStatus(t, e.do("GET", "/v1/call/"+strings.ToUpper(c.ID), e.Key, nil), 200)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		r := e.do("GET", "/v1/call/"+f.otherCall, e.Key, nil)
		wantError(t, r, 404, "CALL_NOT_FOUND")
		if m := r.Map(t)["message"]; m != "Call "+f.otherCall+" not found" {
			t.Fatalf("message = %v", m)
		}
		wantError(t, e.do("GET", "/v1/call/"+store.NewID(), e.Key, nil), 404, "CALL_NOT_FOUND")
	})
	t.Run("ErrMalformedID", func(t *testing.T) {
		wantValidation(t, e.do("GET", "/v1/call/not-a-uuid", e.Key, nil), "path", "id")
	})
	t.Run("ErrPermission", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/call/"+c.ID, e.keyWith("messages.view"), nil), 403, "INTERNAL_SERVER_ERROR")
		wantError(t, e.do("GET", "/v1/call/"+c.ID, "", nil), 401, "INVALID_API_KEY")
	})
}

func TestCallMessages(t *testing.T) {
	e := newEnv(t)
	s := e.seed(e.Company.ID)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ct := s.contact("+34911111111", t0)
	call := s.call(callSpec{Contact: ct.ID, At: t0})
	empty := s.call(callSpec{Contact: ct.ID, At: t0, Status: store.StatusDialing})
	type msg struct {
		id string
		at time.Time
	}
	var msgs []msg
	tools := []string{
		"",
		`{"type":"function","function_name":"lookup","payload":{"q":"x"},"status":"success"}`,
		`{"type":"call_tool","tool_name":"transfer","payload":{"to":"+34"},"status":"error"}`,
	}
	for i := range 105 {
		at := t0.Add(time.Duration(i/3) * time.Second) // three messages share each created_date
		role := []string{"user", "assistant", "tool"}[i%3]
		content := fmt.Sprintf("message %d", i)
		msgs = append(msgs, msg{s.message(call, at, role, content, tools[i%3]), at})
	}
	slices.SortFunc(msgs, func(a, b msg) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	asc := make([]string, len(msgs))
	for i, m := range msgs {
		asc[i] = m.id
	}
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	other, otherKey := e.newCompany("other")
	os := e.seed(other.ID)
	otherCall := os.call(callSpec{Contact: os.contact("+1", t0).ID, At: t0})
	otherMsg := os.message(otherCall, t0, "user", "hi", "")
	base := "/v1/call/" + call + "/message"

	t.Run("DefaultsDescLimit100", func(t *testing.T) {
		p := e.getPage(t, base, e.Key)
		if !slices.Equal(p.ids(), desc[:100]) || !p.HasMore {
			t.Fatalf("default page: %d rows, has_more %v", len(p.Data), p.HasMore)
		}
	})
	t.Run("Rows", func(t *testing.T) {
		p := e.getPage(t, base+"?order=asc&limit=3", e.Key)
		if p.Data[0]["content"] != nil && p.Data[0]["tool_call"] != nil {
			t.Fatalf("row = %v", p.Data[0])
		}
		for _, row := range p.Data {
			if _, ok := row["tool_call"]; !ok {
				t.Fatalf("row without tool_call: %v", row)
			}
		}
	})
	for _, order := range []string{"asc", "desc"} {
		want := asc
		if order == "desc" {
			want = desc
		}
		t.Run("CursorWalk/"+order, func(t *testing.T) {
			walkCursor(t, e, base+"?limit=8&order="+order, e.Key, want)
		})
		t.Run("Pages/"+order, func(t *testing.T) {
			walkPages(t, e, base, url.Values{}, order, 20, e.Key, want)
		})
	}
	t.Run("ErrNoMessages", func(t *testing.T) {
		r := e.do("GET", "/v1/call/"+empty+"/message", e.Key, nil)
		wantError(t, r, 404, "NO_MESSAGES_FOR_CALL")
		if m := r.Map(t)["message"]; m != "No messages found for call "+empty {
			t.Fatalf("message = %v", m)
		}
	})
	t.Run("ErrCallNotFound", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/call/"+store.NewID()+"/message", e.Key, nil), 404, "CALL_NOT_FOUND")
		wantError(t, e.do("GET", "/v1/call/"+otherCall+"/message", e.Key, nil), 404, "CALL_NOT_FOUND")
		wantStatus(t, e.do("GET", "/v1/call/"+otherCall+"/message", otherKey, nil), 200)
	})
	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct {
			name, path string
			status     int
			code       string
			loc        []any
		}{
			{"MalformedID", "/v1/call/nope/message", 422, "", []any{"path", "id"}},
			{"AfterAndBefore", base + "?after=" + asc[0] + "&before=" + asc[1], 422, "INVALID_PAGINATION_PARAMETERS", nil},
			{"PageAndAfter", base + "?page=1&after=" + asc[0], 422, "INVALID_PAGINATION_PARAMETERS", nil},
			{"PaginationBeforeExistence", "/v1/call/" + store.NewID() + "/message?page=1&before=" + asc[0], 422, "INVALID_PAGINATION_PARAMETERS", nil},
			{"LimitTooBig", base + "?limit=1001", 422, "", []any{"query", "limit"}},
			{"OrderUnknown", base + "?order=random", 422, "", []any{"query", "order"}},
			{"AfterNotUUID", base + "?after=1", 422, "", []any{"query", "after"}},
			{"AfterUnknown", base + "?after=" + store.NewID(), 400, "NOT_VALID_FIELD", nil},
			{"AfterOtherCompanysMessage", base + "?after=" + otherMsg, 400, "NOT_VALID_FIELD", nil},
			{"BeforeCallID", base + "?before=" + call, 400, "NOT_VALID_FIELD", nil},
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
		r := e.do("GET", base, e.keyWith("calls.view"), nil)
		wantError(t, r, 403, "INTERNAL_SERVER_ERROR")
		wantStatus(t, e.do("GET", base, e.keyWith("messages.view"), nil), 200)
	})
}
