package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// handleCallList serves GET /v1/call/ (PaginatedResponse[CallResponse]).
func handleCallList(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 50)
		f := callFilter(q)
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListCalls(r.Context(), principal(r), f, pg)
		if err != nil {
			callsAPI.fail(w, r, log, err)
			return
		}
		writeCallPage(w, page)
	})
}

// callFilter reads the call list's filters (the export takes the same ones).
func callFilter(q *query) store.CallFilter {
	return store.CallFilter{
		AgentID:   q.optUUID("agent_id"),
		Status:    q.optEnum("status", store.CallStatuses...),
		Type:      q.optEnum("type", store.CallTypes...),
		Created:   store.DateRange{From: q.Time("start_created_date"), To: q.Time("end_created_date")},
		ContactID: q.optUUID("contact_id"),
		PhoneID:   q.optUUID("phone_id"),
	}
}

// handleCallGet serves GET /v1/call/{id} (CallResponse).
func handleCallGet(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		c, err := s.GetCall(r.Context(), principal(r), id)
		if err != nil {
			callsAPI.fail(w, r, log, err)
			return
		}
		writeCall(w, c)
	})
}

// handleCallMessages serves GET /v1/call/{id}/message (PaginatedResponse[MessageResponse]).
func handleCallMessages(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 100)
		id, ok := parseUUID(r.PathValue("id"))
		if !ok {
			q.errs = append([]ValidationError{{Loc: []any{"path", "id"}, Msg: "Input should be a valid UUID", Type: "uuid_parsing"}}, q.errs...)
		}
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListMessages(r.Context(), principal(r), id, pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}

// handleCallBulkDelete serves POST /v1/call/bulk-delete (BulkDeleteCallRequest ->
// BulkDeleteCallResponse): the caller's terminal calls among call_ids are deleted, the rest ignored.
func handleCallBulkDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := callsAPI.readBody(w, r, maxBody)
		if !ok {
			return
		}
		f, errs := parseObject(body)
		if errs != nil {
			writeValidation(w, errs)
			return
		}
		ids := f.UUIDList("call_ids", true, 1, store.MaxBulkDelete)
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		n, err := s.BulkDeleteCalls(r.Context(), principal(r), ids)
		callsAPI.reply(w, r, log, http.StatusOK, map[string]int64{"deleted": n}, err)
	})
}

// optUUID reads an optional UUID query parameter; nil when absent (or malformed, which is reported).
func (q *query) optUUID(name string) *string {
	if id := q.UUID(name); id != "" {
		return &id
	}
	return nil
}

// optEnum reads an optional query parameter that must be one of values; nil when absent (or
// invalid, which is reported).
func (q *query) optEnum(name string, values ...string) *string {
	if v := q.Enum(name, values...); v != "" {
		return &v
	}
	return nil
}
