package handlers

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// Data lifecycle: purge with preview, erasure by person, the deletion audit trail and the
// retention setting. Native calls API (bearer keys, its envelope); see docs/data-lifecycle.md.

// handleCallPurge: POST /v1/call/purge. The filter is named like the call list's query parameters;
// dry_run defaults to true, so a request that forgets it only counts.
// A long purge keeps its connection: each batch moves the write deadline on, as the import does.
func handleCallPurge(s *store.Store, log *slog.Logger, cfg Config) http.Handler {
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
		filter := store.PurgeFilter{
			Created:   store.DateRange{From: f.Time("start_created_date", false), To: f.Time("end_created_date", false)},
			Status:    f.Enum("status", false, store.TerminalStatuses...),
			AgentID:   f.UUID("agent_id", false),
			ContactID: f.UUID("contact_id", false),
			Type:      f.Enum("type", false, store.CallTypes...),
		}
		dryRun := true
		if b := f.Bool("dry_run", false); b != nil {
			dryRun = *b
		}
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		var progress func(int64)
		if cfg.WriteTimeout > 0 {
			rc := http.NewResponseController(w)
			progress = func(int64) { _ = rc.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout)) }
		}
		res, err := s.Purge(r.Context(), principal(r), filter, dryRun, progress)
		callsAPI.reply(w, r, log, http.StatusOK, res, err)
	})
}

// handleContactErase: POST /v1/contact/erase {"identifier": "...", "dry_run": true}.
func handleContactErase(s *store.Store, log *slog.Logger) http.Handler {
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
		identifier := f.String("identifier", true)
		if identifier != nil && strings.TrimSpace(*identifier) == "" {
			f.fail("identifier", "string_too_short", "String should have at least 1 character")
		}
		dryRun := true
		if b := f.Bool("dry_run", false); b != nil {
			dryRun = *b
		}
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		res, err := s.EraseContact(r.Context(), principal(r), *identifier, dryRun)
		callsAPI.reply(w, r, log, http.StatusOK, res, err)
	})
}

// handleDeletionList: GET /v1/deletion/, newest first by default like every list.
func handleDeletionList(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 100)
		created := store.DateRange{From: q.Time("start_created_date"), To: q.Time("end_created_date")}
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListDeletions(r.Context(), principal(r), created, pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}

// handleDeletionGet: GET /v1/deletion/{id}, with the ids it requested.
func handleDeletionGet(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		d, err := s.GetDeletion(r.Context(), principal(r), id)
		callsAPI.reply(w, r, log, http.StatusOK, d, err)
	})
}

// handleRetentionGet: GET /v1/retention, the company's retention setting (set by the CLI).
func handleRetentionGet(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ret, err := s.GetRetention(r.Context(), principal(r))
		callsAPI.reply(w, r, log, http.StatusOK, ret, err)
	})
}
