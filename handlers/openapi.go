package handlers

import (
	"bytes"
	_ "embed"
	"net/http"
)

// The OpenAPI 3.1 documents callstore serves, one per wire dialect, each complete on its own:
// the calls API with callstore's native endpoints under /v1/, the Kore.ai-style contact deletes,
// and the GenLogs-style contact deletes. They are written by hand next to the code they describe;
// the tests check every response against them, and CI generates the Go client from calls.json.
var (
	//go:embed openapi/calls.json
	openapiCalls []byte
	//go:embed openapi/koreai.json
	openapiKoreai []byte
	//go:embed openapi/genlogs.json
	openapiGenlogs []byte
)

// OpenAPIDocuments returns every OpenAPI document callstore serves, by the path it is served at.
func OpenAPIDocuments() map[string][]byte {
	return map[string][]byte{
		"/openapi.json":         bytes.Clone(openapiCalls),
		"/openapi/koreai.json":  bytes.Clone(openapiKoreai),
		"/openapi/genlogs.json": bytes.Clone(openapiGenlogs),
	}
}

// OpenAPI returns the calls API's document, served at GET /openapi.json.
func OpenAPI() []byte { return bytes.Clone(openapiCalls) }

// handleOpenAPI serves one OpenAPI document.
func handleOpenAPI(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
}
