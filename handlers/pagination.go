package handlers

import (
	"net/http"

	"callstore/store"
)

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
