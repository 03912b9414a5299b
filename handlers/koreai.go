package handlers

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"

	"github.com/callstore/callstore/store"
)

// The Kore.ai-style dialect (AgentAssist public API): a JWT in the `auth` header, the account in
// `accountId`, errors as {"errors":[{"msg","code"}]}, partial deletion with a report per record.

// koreaiErrorItem is one entry of the dialect's error body.
type koreaiErrorItem struct {
	Msg  string `json:"msg"`
	Code string `json:"code"`
}

// writeKoreaiError writes {"errors":[{"msg":…,"code":…}]}.
func writeKoreaiError(w http.ResponseWriter, status int, code, msg string) {
	encode(w, status, map[string][]koreaiErrorItem{"errors": {{Msg: msg, Code: code}}})
}

// koreai is the Kore.ai-style dialect: the JWT, then the account, then the permission; the store's
// reasons are the dialect's codes.
var koreai = &dialect{
	name: "koreai",
	authenticate: func(s *store.Store, r *http.Request) (store.Principal, error) {
		return s.AuthenticateAppJWT(r.Context(), r.Header.Get("auth"), r.Header.Get("accountId"))
	},
	write: writeKoreaiError,
	forbidden: func(perm string) (string, string) {
		return "PERMISSION_DENIED", "The app does not hold the permission " + perm
	},
	internal: "Internal Server Error",
}

// koreaiFailedRecord is one entry of failedRecords: the id and a stable reason
// ("not_found" or "has_active_call").
type koreaiFailedRecord struct {
	ID     string        `json:"id"`
	Reason store.Outcome `json:"reason"`
}

// koreaiRecord is one entry of successfulRecords.
type koreaiRecord struct {
	ID string `json:"id"`
}

// koreaiBulkDeleteResponse is the documented response of the bulk delete.
type koreaiBulkDeleteResponse struct {
	TotalRequested    int                  `json:"totalRequested"`
	Successful        int                  `json:"successful"`
	Failed            int                  `json:"failed"`
	SuccessfulRecords []koreaiRecord       `json:"successfulRecords"`
	FailedRecords     []koreaiFailedRecord `json:"failedRecords"`
}

// handleKoreaiBulkDelete serves DELETE /agentassist/api/v1/public/{streamId}/contacts/bulk-delete:
// body {"ids": [...]} (or {"id": [...]}, the name the documentation's parameter table uses).
func handleKoreaiBulkDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			writeKoreaiError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
			return
		}
		body, ok := koreai.readBody(w, r, maxBody)
		if !ok {
			return
		}
		ids, msg := koreaiIDs(body)
		if msg != "" {
			writeKoreaiError(w, http.StatusBadRequest, "INVALID_BODY", msg)
			return
		}
		res, err := s.DeleteContacts(r.Context(), principal(r), ids, store.DeletePartial, false)
		if err != nil {
			koreai.fail(w, r, log, err)
			return
		}
		out := koreaiBulkDeleteResponse{TotalRequested: len(res.Results), Successful: res.Deleted, Failed: res.Failed,
			SuccessfulRecords: []koreaiRecord{}, FailedRecords: []koreaiFailedRecord{}}
		for _, o := range res.Results {
			if o.Outcome == store.OutcomeDeleted {
				out.SuccessfulRecords = append(out.SuccessfulRecords, koreaiRecord{ID: o.ID})
			} else {
				out.FailedRecords = append(out.FailedRecords, koreaiFailedRecord{ID: o.ID, Reason: o.Outcome})
			}
		}
		encode(w, http.StatusOK, out)
	})
}

// koreaiIDs reads the ids of a bulk delete body; a non-empty msg says what is wrong with it.
// Ids are opaque strings: one that is not a contact's id is reported as a failed record, not here.
func koreaiIDs(body []byte) (ids []string, msg string) {
	var m map[string]json.RawMessage
	if t := trimJSONSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &m) != nil {
		return nil, `The request body must be a JSON object such as {"ids": ["<contact id>", ...]}`
	}
	ids1, has1 := m["ids"]
	ids2, has2 := m["id"]
	name, raw := "ids", ids1
	switch {
	case has1 && has2:
		return nil, `Give the contact ids in "ids" or in "id", not both`
	case has2:
		name, raw = "id", ids2
	case !has1:
		return nil, `"ids" is required: an array of contact ids`
	}
	var items []*string // a null item stays nil: json.Unmarshal would read it into a string as ""
	if err := json.Unmarshal(raw, &items); err != nil || items == nil || slices.Contains(items, nil) {
		return nil, fmt.Sprintf("%q must be an array of strings", name)
	}
	ids = make([]string, len(items))
	for i, it := range items {
		ids[i] = *it
	}
	if len(ids) == 0 {
		return nil, fmt.Sprintf("%q must not be empty", name)
	}
	if len(ids) > store.MaxContactDeleteIDs {
		return nil, fmt.Sprintf("%q may hold at most %d ids, got %d", name, store.MaxContactDeleteIDs, len(ids))
	}
	return ids, ""
}

// handleKoreaiDelete serves DELETE /agentassist/api/v1/public/{streamId}/contacts/{id}: one contact,
// 200 {"id":…,"deleted":true}, 404 CONTACT_NOT_FOUND or 409 CONTACT_HAS_ACTIVE_CALL.
func handleKoreaiDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		res, err := s.DeleteContacts(r.Context(), principal(r), []string{id}, store.DeletePartial, false)
		if err != nil {
			koreai.fail(w, r, log, err)
			return
		}
		switch o := res.Results[0]; o.Outcome {
		case store.OutcomeDeleted:
			encode(w, http.StatusOK, deletedContact{ID: o.ID, Deleted: true})
		case store.OutcomeHasActiveCall:
			writeKoreaiError(w, http.StatusConflict, "CONTACT_HAS_ACTIVE_CALL", "Contact "+o.ID+" has a call in progress and cannot be deleted")
		default:
			writeKoreaiError(w, http.StatusNotFound, "CONTACT_NOT_FOUND", "Contact "+o.ID+" not found")
		}
	})
}
