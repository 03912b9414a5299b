package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// logFilter reads the filters both log lists share: category and level.
func logFilter(q *query) store.LogFilter {
	return store.LogFilter{
		Category: q.optEnum("category", store.LogCategories...),
		Level:    q.optEnum("level", store.LogLevels...),
	}
}

// handleCallLogs serves GET /v1/log/call/{call_id} (PaginatedResponse[CallLogResponse]).
func handleCallLogs(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 100)
		f := logFilter(q)
		callID, ok := parseUUID(r.PathValue("call_id"))
		if !ok {
			q.errs = append([]ValidationError{{Loc: []any{"path", "call_id"}, Msg: "Input should be a valid UUID", Type: "uuid_parsing"}}, q.errs...)
		}
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListCallLogs(r.Context(), principal(r), callID, f, pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}

// handleLogList serves GET /v1/log/: the company's whole log, including the entries of deleted
// calls, filterable by call_id, category, level and a timestamp range.
func handleLogList(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 100)
		f := logFilter(q)
		f.CallID = q.optUUID("call_id")
		f.Time = store.DateRange{From: q.Time("start_timestamp"), To: q.Time("end_timestamp")}
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListLogs(r.Context(), principal(r), f, pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}
