package handlers_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callstore/callstore/handlers"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	docs := handlers.OpenAPIDocuments()
	if len(docs) != 3 {
		t.Fatalf("%d documents, want one per dialect (3)", len(docs))
	}
	for path, want := range docs {
		t.Run(path, func(t *testing.T) {
			r := e.do("GET", path, "", nil)
			wantStatus(t, r, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type = %q", ct)
			}
			if !bytes.Equal(r.Body, want) {
				t.Fatalf("GET %s differs from handlers.OpenAPIDocuments()", path)
			}
			doc, err := openapi3.NewLoader().LoadFromData(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
				t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
			}
			if err := doc.Validate(t.Context()); err != nil {
				t.Fatalf("served document is not valid: %v", err)
			}
			if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
				t.Fatalf("unresolved refs: %v", err)
			}
			// A generator names a type after each component: one name may not stand for two
			// kinds of component (oapi-codegen refuses "duplicate typename").
			kinds := map[string]string{}
			for kind, names := range map[string][]string{
				"schemas": keys(doc.Components.Schemas), "responses": keys(doc.Components.Responses),
				"parameters": keys(doc.Components.Parameters), "requestBodies": keys(doc.Components.RequestBodies),
			} {
				for _, n := range names {
					if other, ok := kinds[n]; ok {
						t.Errorf("component %q is both a %s and a %s", n, other, kind)
					}
					kinds[n] = kind
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// routePatterns reads the mux patterns of routes.go: the one place every route is listed.
func routePatterns(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Fatalf("a route pattern is not a string literal: %v", call.Args[0])
		}
		p, _ := strconv.Unquote(lit.Value)
		out = append(out, p)
		return true
	})
	if len(out) < 5 {
		t.Fatalf("found only %d routes in routes.go", len(out))
	}
	return out
}

var wildcard = regexp.MustCompile(`\{([^}.$]+)(\.\.\.)?\}`)

// openapiKey turns a ServeMux pattern ("GET /v1/call/{id}", "GET /v1/call/{$}") into the
// OpenAPI operation it serves ("GET /v1/call/{id}", "GET /v1/call/").
func openapiKey(pattern string) (string, bool) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return "", false // a catch-all without a method, e.g. the JSON 404
	}
	path = strings.TrimSuffix(path, "{$}")
	return method + " " + wildcard.ReplaceAllString(path, "{$1}"), true
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	docs := servedDocs(t)
	served := map[string]bool{}
	for _, p := range routePatterns(t) {
		k, ok := openapiKey(p)
		if !ok {
			continue
		}
		served[k] = true
		method, path, _ := strings.Cut(k, " ")
		n := 0
		for _, d := range docs {
			if item := d.Doc.Paths.Value(path); item != nil && item.GetOperation(method) != nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("route %q is described in %d of the served documents, want exactly 1 (handlers/openapi/)", p, n)
		}
	}
	for _, d := range docs {
		for path, item := range d.Doc.Paths.Map() {
			for method := range item.Operations() {
				if !served[method+" "+path] {
					t.Errorf("%s describes %s %s, which routes.go does not serve", d.Name, method, path)
				}
			}
		}
	}
}

// TestOpenAPIMatchesContract checks that every operation of the published contract that callstore
// serves keeps its operationId and parameters, so a client generated from the contract calls it
// the same way.
func TestOpenAPIMatchesContract(t *testing.T) {
	contract := publishedContract(t)
	if contract == nil {
		t.Skip("CALLSTORE_CONTRACT is not set")
	}
	ours := servedDoc(t).Doc
	for path, item := range contract.Doc.Paths.Map() {
		for method, op := range item.Operations() {
			mine := ours.Paths.Value(path)
			if mine == nil || mine.GetOperation(method) == nil {
				t.Logf("not served yet: %s %s", method, path)
				continue
			}
			o := mine.GetOperation(method)
			if o.OperationID != op.OperationID {
				t.Errorf("%s %s: operationId %q, contract %q", method, path, o.OperationID, op.OperationID)
			}
			var want, got []string
			for _, p := range op.Parameters {
				want = append(want, p.Value.In+":"+p.Value.Name)
			}
			for _, p := range o.Parameters {
				got = append(got, p.Value.In+":"+p.Value.Name)
			}
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("%s %s: parameter %s of the contract is missing", method, path, w)
				}
			}
			for status := range op.Responses.Map() {
				if o.Responses.Status(atoi(t, status)) == nil {
					t.Errorf("%s %s: response %s of the contract is missing", method, path, status)
				}
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResponseValidation checks that the validation every test request goes through really
// rejects what the documents forbid, and accepts 3.1 nullable fields.
func TestResponseValidation(t *testing.T) {
	call := func(mut func(m map[string]any)) []byte {
		m := map[string]any{
			"id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "agent_id": nil, "agent_version_id": nil, "status": "completed",
			"recording_url": nil, "start_time": nil, "end_time": nil, "duration": nil, "type": "inbound", "end_reason": nil,
			"contact":           map[string]any{"id": "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c", "created_date": "2026-01-02T03:04:05Z", "identifier": "+34", "contact_type": "call"},
			"phone_register_id": nil, "dynamic_variables": nil, "created_date": "2026-01-02T03:04:05.123456Z",
		}
		if mut != nil {
			mut(m)
		}
		b, _ := json.Marshal(m)
		return b
	}
	get, _ := http.NewRequest("GET", "http://callstore.test/v1/call/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", nil)
	list, _ := http.NewRequest("GET", "http://callstore.test/v1/call/", nil)
	resp := func(status int, body []byte) *response {
		return &response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
	}
	cases := []struct {
		name  string
		req   *http.Request
		r     *response
		valid bool
	}{
		{"NullsValid", get, resp(200, call(nil)), true},
		{"ValuesValid", get, resp(200, call(func(m map[string]any) {
			m["agent_id"], m["duration"], m["dynamic_variables"] = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d", 12, map[string]any{"a": 1}
		})), true},
		{"AgentNotUUID", get, resp(200, call(func(m map[string]any) { m["agent_id"] = "agent-7" })), false},
		{"DurationString", get, resp(200, call(func(m map[string]any) { m["duration"] = "12" })), false},
		{"StatusUnknown", get, resp(200, call(func(m map[string]any) { m["status"] = "ringing" })), false},
		{"CreatedNotDate", get, resp(200, call(func(m map[string]any) { m["created_date"] = "yesterday" })), false},
		{"MissingContact", get, resp(200, call(func(m map[string]any) { delete(m, "contact") })), false},
		{"ListWithoutHasMore", list, resp(200, []byte(`{"data":[]}`)), false},
		{"ListOK", list, resp(200, []byte(`{"data":[],"first_id":null,"last_id":null,"has_more":false,"current_page":null,"total_pages":null}`)), true},
		{"ErrorWithoutCode", get, resp(404, []byte(`{"status":"error","message":"x"}`)), false},
	}
	docs := []*apiDoc{servedDoc(t)}
	if c := publishedContract(t); c != nil {
		docs = append(docs, c)
	} else {
		t.Log("CALLSTORE_CONTRACT is not set: checking the served document only")
	}
	for _, d := range docs {
		for _, tc := range cases {
			t.Run(d.Name+"/"+tc.name, func(t *testing.T) {
				err := d.validate(tc.req, tc.r)
				if tc.valid && err != nil {
					t.Fatalf("rejected a valid response: %v", err)
				}
				if !tc.valid && err == nil {
					t.Fatal("accepted an invalid response")
				}
			})
		}
	}
	t.Run("ServedDocumentListsEveryStatus", func(t *testing.T) {
		if err := servedDoc(t).validate(get, resp(418, []byte(`{"status":"error","error_code":"TEAPOT","message":"x"}`))); err == nil {
			t.Fatal("an undocumented status passed the served document")
		}
	})
}
