package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// The GenLogs-style dialect: an access token from POST /auth/token in `Access-Token` together with
// the API key it was issued for in `X-Api-Key`, errors as {"detail": "..."}, all-or-nothing
// deletion.

// The detail texts the GenLogs documentation lists, and ours where it lists none.
const (
	genlogsForbidden = "User not allowed to access this endpoint"
	genlogsNotFound  = "One or more contacts were not found or do not belong to the customer."
	genlogsInternal  = "Internal Server Error"
)

// genlogs is the GenLogs-style dialect: the access token and the key it was issued for, then the
// permission; every error is {"detail": text}, in GenLogs's words where its documentation gives them.
var genlogs = &dialect{
	name: "genlogs",
	authenticate: func(s *store.Store, r *http.Request) (store.Principal, error) {
		return s.AuthenticateAccessToken(r.Context(), strings.TrimSpace(r.Header.Get("Access-Token")), strings.TrimSpace(r.Header.Get("X-Api-Key")))
	},
	write:     func(w http.ResponseWriter, status int, _, msg string) { writeDetail(w, status, msg) },
	forbidden: func(string) (string, string) { return "", genlogsForbidden },
	internal:  genlogsInternal,
	words: map[string]wording{
		store.ReasonTokenMissing:  {msg: "Token is missing!"},
		store.ReasonTokenExpired:  {msg: "Token is expired!"},
		store.ReasonTokenInvalid:  {msg: "Token is invalid!"},
		store.ReasonAPIKeyInvalid: {msg: "API key is missing or invalid!"},
	},
}

// writeDetail writes the dialect's error body {"detail": msg}.
func writeDetail(w http.ResponseWriter, status int, msg string) {
	encode(w, status, map[string]string{"detail": msg})
}

// handleGenlogsToken serves POST /auth/token: the API key in `x-api-key` gets an access token
// valid for ttl and a refresh token valid for store.RefreshTTLFactor times as long.
func handleGenlogsToken(s *store.Store, log *slog.Logger, ttl time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pair, err := s.IssueTokens(r.Context(), strings.TrimSpace(r.Header.Get("X-Api-Key")), ttl)
		if err != nil {
			genlogs.fail(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, pair)
	})
}

// handleGenlogsBulkDelete serves DELETE /onboarded-carrier/bulk/contacts: {"contact_ids": [UUIDs]},
// all or nothing.
func handleGenlogsBulkDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := genlogs.readBody(w, r, maxBody)
		if !ok {
			return
		}
		ids, msg := genlogsContactIDs(body)
		if msg != "" {
			writeDetail(w, http.StatusBadRequest, msg)
			return
		}
		res, err := s.DeleteContacts(r.Context(), principal(r), ids, store.DeleteAllOrNone, false)
		if err != nil {
			genlogs.fail(w, r, log, err)
			return
		}
		if !deletedContactAll(w, res) {
			return
		}
		out := make([]deletedContact, len(res.Results))
		for i, o := range res.Results {
			out[i] = deletedContact{ID: o.ID, Deleted: true}
		}
		encode(w, http.StatusOK, map[string]any{"contacts": out})
	})
}

// deletedContactAll answers the failure of an all-or-nothing deletion (404 when some id is not the
// customer's, else 409 when some contact has an active call) and reports whether all were deleted.
func deletedContactAll(w http.ResponseWriter, res store.ContactDeletion) bool {
	switch {
	case res.FailedWith(store.OutcomeNotFound):
		writeDetail(w, http.StatusNotFound, genlogsNotFound)
	case res.FailedWith(store.OutcomeHasActiveCall):
		var busy []string
		for _, o := range res.Results {
			if o.Outcome == store.OutcomeHasActiveCall {
				busy = append(busy, o.ID)
			}
		}
		writeDetail(w, http.StatusConflict, "Contacts with a call in progress cannot be deleted; nothing was deleted: "+strings.Join(busy, ", "))
	default:
		return true
	}
	return false
}

// genlogsContactIDs validates the bulk body; a non-empty msg is the 400 detail.
func genlogsContactIDs(body []byte) (ids []string, msg string) {
	var m map[string]json.RawMessage
	if t := trimJSONSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &m) != nil {
		return nil, `Request body must be a JSON object: {"contact_ids": ["<uuid>", ...]}`
	}
	raw, ok := m["contact_ids"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, "Missing required field: contact_ids"
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, "Value error, contact_ids must be a list of UUID strings"
	}
	if len(items) == 0 {
		return nil, "Value error, contact_ids must not be empty"
	}
	if len(items) > store.MaxContactDeleteIDs {
		return nil, fmt.Sprintf("Value error, contact_ids must not contain more than %d ids, got %d", store.MaxContactDeleteIDs, len(items))
	}
	for i, it := range items {
		var s string
		id, ok := "", json.Unmarshal(it, &s) == nil
		if ok {
			id, ok = parseUUID(s)
		}
		if !ok {
			return nil, fmt.Sprintf("Value error, contact_ids[%d] is not a valid UUID: %s", i, it)
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// handleGenlogsDelete serves DELETE /onboarded-carrier/contacts/{contact_id}: one contact, with the
// bulk route's statuses and details.
func handleGenlogsDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.PathValue("contact_id")
		id, ok := parseUUID(raw)
		if !ok {
			writeDetail(w, http.StatusBadRequest, fmt.Sprintf("Value error, contact_id is not a valid UUID: %q", raw))
			return
		}
		res, err := s.DeleteContacts(r.Context(), principal(r), []string{id}, store.DeleteAllOrNone, false)
		if err != nil {
			genlogs.fail(w, r, log, err)
			return
		}
		if !deletedContactAll(w, res) {
			return
		}
		encode(w, http.StatusOK, deletedContact{ID: id, Deleted: true})
	})
}
