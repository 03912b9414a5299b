package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callstore/callstore/db/dbtest"
	"github.com/callstore/callstore/db/sqlcdb"
	"github.com/callstore/callstore/db/sqlctest"
	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// testEnv is one real server over one real database of the suite's engine (db/dbtest: in-memory
// SQLite, or PostgreSQL when CALLSTORE_TEST_POSTGRES is set), with a company and an unrestricted
// key ready.
type testEnv struct {
	t       testing.TB
	Store   *store.Store
	Server  *httptest.Server
	Company store.Company
	Key     string // unrestricted key of Company
	Clock   *clock
}

// clock is an injectable time source; tests move it forward explicitly.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// MustOpenDB opens a fresh database of the suite's engine with the schema applied (dbtest.Open).
func MustOpenDB(tb testing.TB) dbtest.Engine {
	tb.Helper()
	return dbtest.Open(tb)
}

func newEnv(tb testing.TB) *testEnv {
	tb.Helper()
	return newEnvOn(tb, MustOpenDB(tb), nil)
}

// newEnvOn is newEnv over the engine d, with a server configuration of the test's choosing; cfg
// (nil: the default configuration) is given the store (for NewMetrics) before the server starts.
func newEnvOn(tb testing.TB, d store.Engine, cfg func(*store.Store) handlers.Config) *testEnv {
	tb.Helper()
	s, err := store.New(context.Background(), d)
	if err != nil {
		tb.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.Now = c.Now
	var conf handlers.Config
	if cfg != nil {
		conf = cfg(s)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(handlers.NewServer(s, log, conf))
	tb.Cleanup(srv.Close)
	e := &testEnv{t: tb, Store: s, Server: srv, Clock: c}
	e.Company, e.Key = e.newCompany("acme")
	return e
}

// newCompany creates a company with an unrestricted key.
func (e *testEnv) newCompany(name string) (store.Company, string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.Store.CreateCompany(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	k, err := e.Store.CreateAPIKey(ctx, c.ID, nil, store.APIKeyInput{Name: "root"})
	if err != nil {
		e.t.Fatal(err)
	}
	return c, *k.Value
}

// keyWith creates a restricted key of the env's company holding exactly perms.
func (e *testEnv) keyWith(perms ...string) string {
	e.t.Helper()
	k, err := e.Store.CreateAPIKey(context.Background(), e.Company.ID, nil, store.APIKeyInput{Name: "restricted", Restricted: true, Permissions: perms})
	if err != nil {
		e.t.Fatal(err)
	}
	return *k.Value
}

// response is what a test request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// do sends one request with `Authorization: Bearer key` (none when key is ""). body may be nil,
// a string or []byte (sent as is), or any other value (sent as JSON).
func (e *testEnv) do(method, path, key string, body any) *response {
	e.t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return e.doHeaders(method, path, h, body)
}

// doHeaders sends one request with the given headers.
func (e *testEnv) doHeaders(method, path string, h http.Header, body any) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := &response{Status: resp.StatusCode, Header: resp.Header, Body: out}
	validateResponse(e.t, req, r)
	return r
}

// apiDoc is an OpenAPI document loaded for response validation, with a router over its operations.
type apiDoc struct {
	Name   string
	Doc    *openapi3.T
	Router routers.Router
	// Strict documents must list every status a response has; the published contract lists only
	// some of them (no 401 on most operations), so statuses it omits are not checked against it.
	Strict bool
}

var (
	ourDocsOnce    sync.Once
	ourDocs        []*apiDoc
	ourDocsErr     error
	contractOnce   sync.Once
	contractDoc    *apiDoc
	contractDocErr error
)

// loadAPIDoc parses and validates an OpenAPI document. Servers are dropped so that routes match
// the test server's address.
func loadAPIDoc(name string, data []byte, strict bool) (*apiDoc, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiDoc{Name: name, Doc: doc, Router: router, Strict: strict}, nil
}

// servedDocs are the documents callstore serves, one per dialect; the calls API's first.
func servedDocs(tb testing.TB) []*apiDoc {
	tb.Helper()
	ourDocsOnce.Do(func() {
		docs := handlers.OpenAPIDocuments()
		for _, path := range []string{"/openapi.json", "/openapi/koreai.json", "/openapi/genlogs.json"} {
			d, err := loadAPIDoc("callstore "+path, docs[path], true)
			if err != nil {
				ourDocsErr = fmt.Errorf("%s: %w", path, err)
				return
			}
			ourDocs = append(ourDocs, d)
		}
		if len(ourDocs) != len(docs) {
			ourDocsErr = fmt.Errorf("callstore serves %d documents, the tests know %d", len(docs), len(ourDocs))
		}
	})
	if ourDocsErr != nil {
		tb.Fatalf("loading the served OpenAPI documents: %v", ourDocsErr)
	}
	return ourDocs
}

// servedDoc is the calls API's document, served at GET /openapi.json.
func servedDoc(tb testing.TB) *apiDoc { return servedDocs(tb)[0] }

// publishedContract is the published Diga contract named by CALLSTORE_CONTRACT, or nil when the
// variable is unset (the project keeps no copy of it).
func publishedContract(tb testing.TB) *apiDoc {
	tb.Helper()
	path := os.Getenv("CALLSTORE_CONTRACT")
	if path == "" {
		return nil
	}
	contractOnce.Do(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			contractDocErr = err
			return
		}
		contractDoc, contractDocErr = loadAPIDoc("contract "+path, data, false)
	})
	if contractDocErr != nil {
		tb.Fatalf("loading CALLSTORE_CONTRACT: %v", contractDocErr)
	}
	return contractDoc
}

// validateResponse checks r against every document that describes the operation req reached:
// the served documents always (an operation of callstore missing from them is caught by
// TestOpenAPIListsEveryRoute), the published contract when CALLSTORE_CONTRACT names it.
func validateResponse(tb testing.TB, req *http.Request, r *response) {
	tb.Helper()
	served := "" // the path template of the served operation req reached
	for _, d := range servedDocs(tb) {
		if route, _, err := d.Router.FindRoute(req); err == nil {
			served = route.Path
			break
		}
	}
	for _, d := range append(servedDocs(tb), publishedContract(tb)) {
		if d == nil {
			continue
		}
		if d == publishedContract(tb) && served != "" {
			// A callstore extension whose path a contract template also matches
			// (GET /v1/call/export against GET /v1/call/{call_id}) is not the contract's operation.
			if route, _, err := d.Router.FindRoute(req); err == nil && route.Path != served {
				continue
			}
		}
		if err := d.validate(req, r); err != nil {
			tb.Errorf("%s %s -> %d does not validate against %s: %v\nbody: %s", req.Method, req.URL.RequestURI(), r.Status, d.Name, err, r.Body)
		}
	}
}

// validate checks one response against the operation of d that req reached; requests that reach
// no operation of d (unknown paths, other dialects) are not d's to check.
func (d *apiDoc) validate(req *http.Request, r *response) error {
	route, params, err := d.Router.FindRoute(req)
	if err != nil {
		return nil
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: d.Strict, MultiError: true, SchemaValidationOptions: formatChecks}
	body := r.Body
	if !d.Strict && r.Status == http.StatusUnprocessableEntity && isFastAPIDetail(body) && documentsEnvelopeOnly(route.Operation, r.Status) {
		// The contract documents only the INVALID_PAGINATION_PARAMETERS envelope as the 422 of its
		// list operations, yet FastAPI answers a malformed parameter with its own {"detail": [...]}
		// (which the issue requires of us too). Such bodies are checked against the contract's own
		// HTTPValidationError schema instead.
		ref := d.Doc.Components.Schemas["HTTPValidationError"]
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return err
		}
		return ref.Value.VisitJSON(v, append(formatChecks, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())...)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// formatChecks asserts the formats kin-openapi leaves unchecked by default: "uuid" (date-time is
// checked already).
var formatChecks = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
}

// isFastAPIDetail reports whether body is a FastAPI validation error, {"detail": [...]}.
func isFastAPIDetail(body []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(body, &m) == nil && len(m["detail"]) > 0 && m["detail"][0] == '['
}

// documentsEnvelopeOnly reports whether op documents status with the error envelope only.
func documentsEnvelopeOnly(op *openapi3.Operation, status int) bool {
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return false
	}
	mt := resp.Value.Content.Get("application/json")
	return mt != nil && mt.Schema != nil && strings.HasSuffix(mt.Schema.Ref, "/ErrorResponseSchema")
}

// wantStatus fails the test unless r has the given status.
func wantStatus(tb testing.TB, r *response, status int) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
}

// wantError checks the calls API's error envelope.
func wantError(tb testing.TB, r *response, status int, code string) {
	tb.Helper()
	wantStatus(tb, r, status)
	m := r.Map(tb)
	if m["status"] != "error" || m["error_code"] != code || m["message"] == nil || m["message"] == "" {
		tb.Fatalf("error body = %s, want status=error error_code=%s and a message", r.Body, code)
	}
}

// wantValidation checks a FastAPI-style 422 whose first entry has the given location.
func wantValidation(tb testing.TB, r *response, loc ...any) {
	tb.Helper()
	wantStatus(tb, r, http.StatusUnprocessableEntity)
	var body struct {
		Detail []struct {
			Loc  []any  `json:"loc"`
			Msg  string `json:"msg"`
			Type string `json:"type"`
		} `json:"detail"`
	}
	r.JSON(tb, &body)
	if len(body.Detail) == 0 {
		tb.Fatalf("422 without detail: %s", r.Body)
	}
	got, _ := json.Marshal(body.Detail[0].Loc)
	want, _ := json.Marshal(loc)
	if string(got) != string(want) || body.Detail[0].Msg == "" || body.Detail[0].Type == "" {
		tb.Fatalf("detail[0] = %s, want loc %s with msg and type", r.Body, want)
	}
}

// seeder writes rows of one company straight through the generated queries, so that the read
// endpoints can be tested without depending on any write endpoint.
type seeder struct {
	tb      testing.TB
	q       sqlcdb.Querier
	tq      sqlctest.Querier // queries only tests use
	company string
}

// seed returns a seeder for a company of the env's database.
func (e *testEnv) seed(companyID string) *seeder {
	return &seeder{tb: e.t, q: e.queries(), tq: e.testQueries(), company: companyID}
}

// queries is the engine's production query set on its writer, for rows written or read around
// the store's rules.
func (e *testEnv) queries() sqlcdb.Querier { return dbtest.Queries(e.Store.Engine()) }

// testQueries is the set of queries only tests use (queries/testing), on the engine's writer.
func (e *testEnv) testQueries() sqlctest.Querier { return dbtest.TestQueries(e.Store.Engine()) }

// contact creates a phone contact.
func (s *seeder) contact(identifier string, at time.Time) store.Contact {
	s.tb.Helper()
	r, err := s.tq.CreateContact(context.Background(), sqlctest.CreateContactParams{
		ID: store.NewID(), CompanyID: s.company, Identifier: identifier, ContactType: "call", CreatedDate: at.UnixMicro(),
	})
	if err != nil {
		s.tb.Fatal(err)
	}
	return store.Contact{ID: r.ID, Identifier: r.Identifier, ContactType: r.ContactType, CreatedDate: time.UnixMicro(r.CreatedDate).UTC()}
}

// callSpec describes a call to seed; zero Status and Type mean "completed" and "inbound".
type callSpec struct {
	Contact string
	Agent   *string
	Phone   *string
	Status  string
	Type    string
	At      time.Time
}

// call creates a call and returns its id. A call in a terminal status has started, ended, a
// duration and a recording; an active one has none of them yet.
func (s *seeder) call(c callSpec) string {
	s.tb.Helper()
	if c.Status == "" {
		c.Status = store.StatusCompleted
	}
	if c.Type == "" {
		c.Type = "inbound"
	}
	id := store.NewID()
	ct, err := s.q.GetContact(context.Background(), sqlcdb.GetContactParams{CompanyID: s.company, ID: c.Contact})
	if err != nil {
		s.tb.Fatalf("call of contact %s: %v", c.Contact, err)
	}
	p := sqlcdb.CreateCallParams{
		ID: id, CompanyID: s.company, ContactID: c.Contact, ContactIdentifier: ct.Identifier, ContactType: ct.ContactType, ContactCreatedDate: ct.CreatedDate,
		AgentID: c.Agent, PhoneRegisterID: c.Phone, Status: c.Status, Type: c.Type, CreatedDate: c.At.UnixMicro(),
	}
	if store.IsTerminal(c.Status) {
		start, end, dur := c.At.UnixMicro(), c.At.Add(90*time.Second).UnixMicro(), int64(90)
		url, reason, vars := "https://recordings.example/"+id+".mp3", "hangup", `{"lang":"en"}`
		p.StartTime, p.EndTime, p.Duration, p.RecordingUrl, p.EndReason, p.DynamicVariables = &start, &end, &dur, &url, &reason, &vars
	}
	if err := s.q.CreateCall(context.Background(), p); err != nil {
		s.tb.Fatal(err)
	}
	return id
}

// message adds a message to a call; toolCall may be "" (none) or a JSON object.
func (s *seeder) message(callID string, at time.Time, role, content, toolCall string) string {
	s.tb.Helper()
	id := store.NewID()
	p := sqlcdb.CreateMessageParams{CallID: callID, CreatedDate: at.UnixMicro(), ID: id, Role: role}
	if content != "" {
		p.Content = &content
	}
	if toolCall != "" {
		p.ToolCall = &toolCall
	}
	if err := s.q.CreateMessage(context.Background(), p); err != nil {
		s.tb.Fatal(err)
	}
	return id
}

// log adds a log entry of the company; callID may be "" (an entry of no call).
func (s *seeder) log(callID string, at time.Time, level, category, event string) string {
	s.tb.Helper()
	id := store.NewID()
	trace, data := "trace-"+id[:8], `{"message_text":"`+event+`"}`
	p := sqlcdb.CreateCallLogParams{ID: id, CompanyID: s.company, Timestamp: at.UnixMicro(), Level: level, Category: category, Event: event, TraceID: &trace, Data: &data}
	if callID != "" {
		p.CallID = &callID
	}
	if err := s.q.CreateCallLog(context.Background(), p); err != nil {
		s.tb.Fatal(err)
	}
	return id
}

// page is a decoded PaginatedResponse.
type page struct {
	Data        []map[string]any `json:"data"`
	FirstID     *string          `json:"first_id"`
	LastID      *string          `json:"last_id"`
	HasMore     bool             `json:"has_more"`
	CurrentPage *int64           `json:"current_page"`
	TotalPages  *int64           `json:"total_pages"`
}

// ids returns the ids of the page's rows in order.
func (p page) ids() []string {
	out := make([]string, len(p.Data))
	for i, d := range p.Data {
		out[i], _ = d["id"].(string)
	}
	return out
}

// getPage requests a list and decodes it, failing unless the status is 200.
func (e *testEnv) getPage(tb testing.TB, path, key string) page {
	tb.Helper()
	r := e.do("GET", path, key, nil)
	wantStatus(tb, r, http.StatusOK)
	var p page
	r.JSON(tb, &p)
	return p
}
