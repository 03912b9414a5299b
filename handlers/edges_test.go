package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// strictFixture is a company whose lists widen visibly when a filter is dropped: three contacts
// with calls in every status and type, messages, and logs of two calls and of no call.
type strictFixture struct {
	e                   *testEnv
	contactA, contactB  store.Contact
	callA, callB        string // callA is contactA's completed call
	agent, phone        string
	logA                string
	messageA            string
	apiKeyID            string
	firstCreated, later time.Time
}

func newStrictFixture(t *testing.T) *strictFixture {
	e := newEnv(t)
	s := e.seed(e.Company.ID)
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f := &strictFixture{e: e, agent: store.NewID(), phone: store.NewID(), firstCreated: t0, later: t0.Add(48 * time.Hour)}
	f.contactA = s.contact("+34600000001", t0)
	f.contactB = s.contact("+34600000002", t0)
	c := s.contact("+34600000003", t0)
	f.callA = s.call(callSpec{Contact: f.contactA.ID, Agent: &f.agent, Phone: &f.phone, At: t0})
	s.call(callSpec{Contact: f.contactA.ID, Status: store.StatusInProgress, Type: "outbound", At: t0.Add(time.Hour)})
	f.callB = s.call(callSpec{Contact: f.contactB.ID, Status: "failed", At: t0.Add(24 * time.Hour)})
	s.call(callSpec{Contact: f.contactB.ID, Status: "no_answer", Type: "outbound", At: t0.Add(72 * time.Hour)})
	s.call(callSpec{Contact: c.ID, At: t0.Add(96 * time.Hour)})
	s.call(callSpec{Contact: c.ID, Status: store.StatusInProgress, At: t0.Add(120 * time.Hour)})
	f.messageA = s.message(f.callA, t0, "user", "hello", "")
	s.message(f.callA, t0.Add(time.Second), "assistant", "hi", "")
	f.logA = s.log(f.callA, t0, "INFO", "CALL_LIFECYCLE", "started")
	s.log(f.callA, t0.Add(time.Minute), "ERROR", "USER", "hung up")
	s.log(f.callB, t0.Add(24*time.Hour), "WARNING", "AGENT", "slow")
	s.log("", t0.Add(48*time.Hour), "INFO", "SECURITY", "key rotated")
	k, err := e.Store.CreateAPIKey(t.Context(), e.Company.ID, nil, store.APIKeyInput{Name: "second"})
	if err != nil {
		t.Fatal(err)
	}
	f.apiKeyID = k.ID
	return f
}

// strictParam is one query parameter of a list: a value that filters (or positions) validly, and
// a value of the wrong type ("" where the parameter is free text).
type strictParam struct {
	name, valid, wrongType string
}

// strictRoute is one list route with every parameter it reads.
type strictRoute struct {
	path   string
	params []strictParam
}

func (f *strictFixture) routes() []strictRoute {
	pagination := func(after string) []strictParam {
		return []strictParam{
			{"after", after, "not-a-uuid"},
			{"before", after, "12345"},
			{"page", "1", "first"},
			{"limit", "2", "two"},
			{"order", "asc", "sideways"},
		}
	}
	levels := []strictParam{{"category", "USER", "user-ish"}, {"level", "ERROR", "LOUD"}}
	day := f.later.Format(time.RFC3339)
	return []strictRoute{
		{"/v1/call/", append(pagination(f.callA),
			strictParam{"agent_id", f.agent, "agent-7"},
			strictParam{"status", "completed", "done"},
			strictParam{"type", "outbound", "sideways"},
			strictParam{"start_created_date", day, "yesterday"},
			strictParam{"end_created_date", day, "2025-13-45"},
			strictParam{"contact_id", f.contactA.ID, "+34600000001"},
			strictParam{"phone_id", f.phone, "phone-1"},
		)},
		{"/v1/call/" + f.callA + "/message", pagination(f.messageA)},
		{"/v1/log/call/" + f.callA, append(pagination(f.logA), levels...)},
		{"/v1/log/", append(append(pagination(f.logA), levels...),
			strictParam{"call_id", f.callA, "call-1"},
			strictParam{"start_timestamp", day, "noon"},
			strictParam{"end_timestamp", day, "1.5"},
		)},
		{"/v1/contact/", append(pagination(f.contactA.ID),
			strictParam{"contact_type", "call", "phone"},
			strictParam{"identifier", f.contactA.Identifier, ""},
		)},
		{"/v1/api_key/", pagination(f.apiKeyID)},
	}
}

// wantQuery422 checks a 422 whose details name the parameter at ["query", name] and that returned
// no rows.
func wantQuery422(t *testing.T, r *response, name, typ string) {
	t.Helper()
	wantStatus(t, r, http.StatusUnprocessableEntity)
	var body struct {
		Detail []ValidationDetail `json:"detail"`
		Data   json.RawMessage    `json:"data"`
	}
	r.JSON(t, &body)
	if body.Data != nil {
		t.Fatalf("a 422 carried rows: %s", r.Body)
	}
	for _, d := range body.Detail {
		if len(d.Loc) == 2 && d.Loc[0] == "query" && d.Loc[1] == name && d.Msg != "" && (typ == "" || d.Type == typ) {
			return
		}
	}
	t.Fatalf("no detail at [query %s] (type %q): %s", name, typ, r.Body)
}

// ValidationDetail is one entry of a FastAPI-style 422.
type ValidationDetail struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// TestListQueryStrict sends every list route every parameter with malformed values: each answers
// 422 naming the parameter and returns no row; the same value given correctly filters.
func TestListQueryStrict(t *testing.T) {
	f := newStrictFixture(t)
	e := f.e
	overlong := strings.Repeat("9", 1025)
	for _, rt := range f.routes() {
		for _, p := range rt.params {
			esc := url.QueryEscape(p.valid)
			cases := []struct {
				name, query, typ string
			}{
				{"semicolonAfter", p.name + "=" + esc + ";", "query_parsing"},
				{"semicolonBetween", p.name + "=" + esc + ";x=1", "query_parsing"},
				{"semicolonInName", p.name + ";x=" + esc, "query_parsing"},
				{"badEscape", p.name + "=" + esc + "%zz", "query_parsing"},
				{"truncatedEscape", p.name + "=%4", "query_parsing"},
				{"empty", p.name + "=", ""},
				{"noValue", p.name, ""},
				{"repeated", p.name + "=" + esc + "&" + p.name + "=" + esc, "query_repeated"},
				{"repeatedEscapedName", p.name + "=" + esc + "&" + url.QueryEscape(p.name)[:len(p.name)-1] + "%" + hexByte(p.name[len(p.name)-1]) + "=" + esc, "query_repeated"},
				{"overlong", p.name + "=" + overlong, "string_too_long"},
			}
			if p.wrongType != "" {
				cases = append(cases, struct{ name, query, typ string }{"wrongType", p.name + "=" + url.QueryEscape(p.wrongType), ""})
			}
			for _, c := range cases {
				t.Run(strings.Trim(rt.path, "/")+"/"+p.name+"/"+c.name, func(t *testing.T) {
					wantQuery422(t, e.do("GET", rt.path+"?"+c.query, e.Key, nil), p.name, c.typ)
					// Malformed beside a good filter: still refused, never the unfiltered list.
					other := "limit=1000&"
					if p.name == "limit" {
						other = "order=asc&"
					}
					wantQuery422(t, e.do("GET", rt.path+"?"+other+c.query, e.Key, nil), p.name, c.typ)
				})
			}
			t.Run(strings.Trim(rt.path, "/")+"/"+p.name+"/valid", func(t *testing.T) {
				wantStatus(t, e.do("GET", rt.path+"?"+p.name+"="+esc, e.Key, nil), http.StatusOK)
			})
		}
	}
}

func hexByte(b byte) string {
	return strings.ToUpper(string("0123456789abcdef"[b>>4]) + string("0123456789abcdef"[b&15]))
}

// TestListQueryNeverWidens replays the reported cases: each malformed filter used to be dropped
// and answer rows outside it; the well-formed filter shows which rows are inside.
func TestListQueryNeverWidens(t *testing.T) {
	f := newStrictFixture(t)
	e := f.e
	for _, c := range []struct {
		path, good, bad, param string
	}{
		{"/v1/call/", "contact_id=" + f.contactA.ID, "contact_id=" + f.contactA.ID + ";", "contact_id"},
		{"/v1/call/", "status=completed", "status=completed;x", "status"},
		{"/v1/call/", "status=completed", "status=completed%zz", "status"},
		{"/v1/log/", "call_id=" + f.callB, "call_id=" + f.callB + ";", "call_id"},
		{"/v1/contact/", "identifier=%2B34600000001", "identifier=%2B34600000001;", "identifier"},
		{"/v1/contact/", "identifier=%2B34600000001", "identifier=", "identifier"},
		{"/v1/call/", "limit=1", "limit=1;", "limit"},
		{"/v1/call/", "order=asc", "order=asc%", "order"},
	} {
		t.Run(c.bad, func(t *testing.T) {
			all := e.getPage(t, c.path+"?limit=1000", e.Key)
			good := e.getPage(t, c.path+"?"+c.good, e.Key)
			if len(good.Data) == 0 || len(good.Data) >= len(all.Data) && c.param != "order" {
				t.Fatalf("fixture does not show widening: %d of %d rows", len(good.Data), len(all.Data))
			}
			wantQuery422(t, e.do("GET", c.path+"?"+c.bad, e.Key, nil), c.param, "")
		})
	}
	t.Run("unknownParameterIgnored", func(t *testing.T) {
		p := e.getPage(t, "/v1/call/?contact_id="+f.contactA.ID+"&utm_source=mail", e.Key)
		if len(p.Data) != 2 {
			t.Fatalf("got %d calls, want contact A's 2", len(p.Data))
		}
	})
	t.Run("emptySegmentsIgnored", func(t *testing.T) {
		p := e.getPage(t, "/v1/call/?&contact_id="+f.contactA.ID+"&&", e.Key)
		if len(p.Data) != 2 {
			t.Fatalf("got %d calls, want contact A's 2", len(p.Data))
		}
	})
	t.Run("escapedSemicolonIsData", func(t *testing.T) {
		p := e.getPage(t, "/v1/contact/?identifier=%2B34600000001%3B", e.Key)
		if len(p.Data) != 0 {
			t.Fatalf("identifier with an escaped ';' matched %d contacts", len(p.Data))
		}
	})
}

// TestCanonicalPaths: paths ServeMux would redirect answer a JSON 404 in the dialect's envelope.
func TestCanonicalPaths(t *testing.T) {
	e := newEnv(t)
	client := e.Server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, c := range []struct {
		method, path, canonical string
		check                   func(t *testing.T, r *response)
	}{
		{"GET", "//v1/call/", "/v1/call/", nil},
		{"GET", "/v1/call/../api_key/", "/v1/api_key/", nil},
		{"GET", "/v1/call/./", "/v1/call/", nil},
		{"GET", "/v1//call/", "/v1/call/", nil},
		{"GET", "/v1/call", "/v1/call/", nil},
		{"POST", "/v1/call", "/v1/call/", nil},
		{"GET", "/v1/log", "/v1/log/", nil},
		{"GET", "/v1/contact", "/v1/contact/", nil},
		{"GET", "/v1/api_key", "/v1/api_key/", nil},
		{"POST", "/v1/call/../call/bulk-delete", "/v1/call/bulk-delete", nil},
		{"DELETE", "//agentassist/api/v1/public/st-1/contacts/bulk-delete", "/agentassist/api/v1/public/st-1/contacts/bulk-delete", func(t *testing.T, r *response) {
			wantKoreaiError(t, r, http.StatusNotFound, "NOT_FOUND")
		}},
		{"DELETE", "/onboarded-carrier/bulk/./contacts", "/onboarded-carrier/bulk/contacts", func(t *testing.T, r *response) {
			if m := r.Map(t); !strings.Contains(m["detail"].(string), "/onboarded-carrier/bulk/contacts") {
				t.Fatalf("detail does not name the canonical path: %s", r.Body)
			}
		}},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, err := http.NewRequest(c.method, e.Server.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+e.Key)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r := &response{Status: resp.StatusCode, Header: resp.Header, Body: body}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q, status %d: %s", ct, resp.StatusCode, body)
			}
			if c.check != nil {
				c.check(t, r)
				return
			}
			wantError(t, r, http.StatusNotFound, "NOT_FOUND")
			if msg := r.Map(t)["message"].(string); !strings.Contains(msg, c.canonical) {
				t.Fatalf("message %q does not name %s", msg, c.canonical)
			}
		})
	}
	t.Run("everyDocumentedCollectionWithoutSlash", func(t *testing.T) {
		n := 0
		paths := servedDoc(t).Doc.Paths
		for path := range paths.Map() {
			bare := strings.TrimSuffix(path, "/")
			if bare == path || bare == "" || strings.Contains(path, "{") || paths.Value(bare) != nil {
				continue
			}
			n++
			for _, m := range []string{"GET", "POST"} {
				req, err := http.NewRequest(m, e.Server.URL+bare, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("%s %s: %d %s", m, bare, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
		}
		if n < 4 {
			t.Fatalf("only %d collections in the served document", n)
		}
	})
	t.Run("canonicalStillServed", func(t *testing.T) {
		wantStatus(t, e.do("GET", "/v1/call/", e.Key, nil), http.StatusOK)
		wantStatus(t, e.do("GET", "/openapi.json", "", nil), http.StatusOK)
	})
}

// TestMethodNotAllowed: a known path with a method it does not serve is 405 with Allow, in the
// envelope of the path's dialect, before any authentication.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	callID := store.NewID()
	for _, c := range []struct {
		method, path, allow string
		check               func(t *testing.T, r *response)
	}{
		{"PUT", "/v1/call/", "GET, HEAD, POST", nil},
		{"DELETE", "/v1/call/" + callID, "GET, HEAD, PATCH", nil},
		{"DELETE", "/v1/log/call/" + callID, "GET, HEAD, POST", nil},
		{"PUT", "/v1/api_key/" + callID, "GET, HEAD, PATCH, DELETE", nil},
		{"POST", "/openapi.json", "GET, HEAD", nil},
		{"GET", koreaiBulk, "DELETE", func(t *testing.T, r *response) {
			wantKoreaiError(t, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
		}},
		{"GET", "/auth/token", "POST", func(t *testing.T, r *response) {
			if d, _ := r.Map(t)["detail"].(string); !strings.Contains(d, "not allowed") {
				t.Fatalf("detail = %s", r.Body)
			}
		}},
		{"POST", "/onboarded-carrier/bulk/contacts", "DELETE", nil},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := e.do(c.method, c.path, "", nil) // no credentials: the method is refused first
			wantStatus(t, r, http.StatusMethodNotAllowed)
			if got := r.Header.Get("Allow"); got != c.allow {
				t.Fatalf("Allow = %q, want %q", got, c.allow)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type = %q", ct)
			}
			switch {
			case c.check != nil:
				c.check(t, r)
			case strings.HasPrefix(c.path, "/onboarded-carrier/"):
				if _, ok := r.Map(t)["detail"].(string); !ok {
					t.Fatalf("not GenLogs's envelope: %s", r.Body)
				}
			default:
				wantError(t, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
			}
		})
	}
	t.Run("unknownPathStill404", func(t *testing.T) {
		wantError(t, e.do("PUT", "/v1/nothing/", e.Key, nil), http.StatusNotFound, "NOT_FOUND")
	})
}
