package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/callstore/callstore/store"
)

// maxBody is the largest request body any endpoint reads (1 MiB); the import endpoint has its own.
const maxBody = 1 << 20

// encode writes v as JSON with the given status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ValidationError is one entry of a FastAPI-style 422 body.
type ValidationError struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// writeValidation writes a FastAPI-style 422 {"detail": [...]}.
func writeValidation(w http.ResponseWriter, errs []ValidationError) {
	encode(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// pageRequest reads the pagination parameters every list endpoint shares:
// after, before, page, limit (1..1000, default def) and order (asc|desc, default desc).
func pageRequest(q *query, def int64) store.PageRequest {
	pg := store.PageRequest{
		After:  q.UUID("after"),
		Before: q.UUID("before"),
		Page:   q.Int("page", 0, 1, 1<<40),
		Limit:  q.Int("limit", def, 1, 1000),
	}
	pg.Desc = q.Enum("order", "asc", "desc") != "asc"
	return pg
}

// newQuery reads the request's query string strictly (see parseQuery).
func newQuery(r *http.Request) *query {
	q := &query{}
	q.v, q.errs = parseQuery(r.URL.RawQuery)
	return q
}

// pathUUID reads a UUID path parameter; a malformed one gets a 422 naming it.
func pathUUID(w http.ResponseWriter, r *http.Request, name string) (string, bool) {
	id, ok := parseUUID(r.PathValue(name))
	if !ok {
		writeValidation(w, []ValidationError{{Loc: []any{"path", name}, Msg: "Input should be a valid UUID", Type: "uuid_parsing"}})
		return "", false
	}
	return id, true
}
