package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// handleContactList serves GET /v1/contact/: paginated like GET /v1/call/, filtered by contact_type
// (call|web) and identifier (exact match).
func handleContactList(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 50)
		f := store.ContactFilter{ContactType: q.Enum("contact_type", store.ContactTypes...)}
		f.Identifier = q.Text("identifier")
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListContacts(r.Context(), principal(r), f, pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}

// handleContactGet serves GET /v1/contact/{id} (ContactResponseSchema).
func handleContactGet(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		c, err := s.GetContact(r.Context(), principal(r), id)
		callsAPI.reply(w, r, log, http.StatusOK, c, err)
	})
}

// contactBulkDeleteResponse is the native answer to POST /v1/contact/bulk-delete. In a dry run the
// counts are what the same request would delete.
type contactBulkDeleteResponse struct {
	Deleted         int                    `json:"deleted"`
	CallsDeleted    int64                  `json:"calls_deleted"`
	MessagesDeleted int64                  `json:"messages_deleted"`
	LogsDetached    int64                  `json:"logs_detached"`
	DryRun          bool                   `json:"dry_run"`
	Results         []store.ContactOutcome `json:"results"`
}

// contactBulkDeleteConflict is the 409 of an all_or_none request with a failing id: the calls
// API's error envelope plus the per-id outcomes.
type contactBulkDeleteConflict struct {
	apiError
	DryRun  bool                   `json:"dry_run"`
	Results []store.ContactOutcome `json:"results"`
}

// handleContactBulkDelete serves POST /v1/contact/bulk-delete:
// {"contact_ids": [1..500 UUIDs], "all_or_none": false, "dry_run": false}.
func handleContactBulkDelete(s *store.Store, log *slog.Logger) http.Handler {
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
		ids := f.UUIDList("contact_ids", true, 1, store.MaxContactDeleteIDs)
		mode := store.DeletePartial
		if v := f.Bool("all_or_none", false); v != nil && *v {
			mode = store.DeleteAllOrNone
		}
		dry := f.Bool("dry_run", false)
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		res, err := s.DeleteContacts(r.Context(), principal(r), ids, mode, dry != nil && *dry)
		if err != nil {
			callsAPI.fail(w, r, log, err)
			return
		}
		if mode == store.DeleteAllOrNone && !res.OK() {
			encode(w, http.StatusConflict, contactBulkDeleteConflict{
				apiError: apiError{Status: "error", ErrorCode: "CONTACTS_NOT_DELETABLE",
					Message: "Nothing was deleted: some contacts were not found or have an active call"},
				DryRun: res.DryRun, Results: res.Results,
			})
			return
		}
		encode(w, http.StatusOK, contactBulkDeleteResponse{
			Deleted: res.Deleted, CallsDeleted: res.Effects.Calls, MessagesDeleted: res.Effects.Messages,
			LogsDetached: res.Effects.Logs, DryRun: res.DryRun, Results: res.Results,
		})
	})
}

// deletedContact is {"id":…,"deleted":true}: an entry of GenLogs's bulk answer, and the answer of
// both dialects' single-contact delete.
type deletedContact struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}
