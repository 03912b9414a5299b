package handlers

import (
	"log/slog"
	"net/http"

	"github.com/callstore/callstore/store"
)

// handleAPIKeyList serves GET /v1/api_key/.
func handleAPIKeyList(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		pg := pageRequest(q, 50)
		if len(q.errs) > 0 {
			writeValidation(w, q.errs)
			return
		}
		page, err := s.ListAPIKeys(r.Context(), principal(r), pg)
		callsAPI.reply(w, r, log, http.StatusOK, page, err)
	})
}

// handleAPIKeyCreate serves POST /v1/api_key/ (ApiKeyRequestSchema -> ApiKeyResponse with value).
func handleAPIKeyCreate(s *store.Store, log *slog.Logger) http.Handler {
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
		in := store.APIKeyInput{}
		if v := f.String("name", true); v != nil {
			in.Name = *v
		}
		if v := f.Bool("restricted", true); v != nil {
			in.Restricted = *v
		}
		in.Permissions = permissionList(f, "permissions")
		in.ExpiryDate = f.Time("expiry_date", false)
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		p := principal(r)
		k, err := s.CreateAPIKey(r.Context(), p.CompanyID, &p, in)
		callsAPI.reply(w, r, log, http.StatusOK, k, err)
	})
}

// permissionList reads an optional list of Permission values.
func permissionList(f *fields, name string) []string {
	raw := f.get(name, false)
	if raw == nil {
		return nil
	}
	items, ok := f.list(name, raw)
	if !ok {
		return nil
	}
	out := []string{}
	for i, it := range items {
		s, ok := it.(string)
		if !ok || !store.ValidPermission(s) {
			f.errs = append(f.errs, ValidationError{Loc: append(append([]any{}, f.loc...), name, i), Msg: "Input should be a valid Permission value", Type: "enum"})
			continue
		}
		out = append(out, s)
	}
	return out
}

// handleAPIKeyGet serves GET /v1/api_key/{id}.
func handleAPIKeyGet(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		k, err := s.GetAPIKey(r.Context(), principal(r), id)
		callsAPI.reply(w, r, log, http.StatusOK, k, err)
	})
}

// handleAPIKeyUpdate serves PATCH /v1/api_key/{id} (ApiKeyUpdateRequest).
func handleAPIKeyUpdate(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		body, ok := callsAPI.readBody(w, r, maxBody)
		if !ok {
			return
		}
		f, errs := parseObject(body)
		if errs != nil {
			writeValidation(w, errs)
			return
		}
		u := store.APIKeyUpdate{Name: f.String("name", false), Restricted: f.Bool("restricted", false)}
		if f.has("permissions") {
			perms := permissionList(f, "permissions")
			u.Permissions = &perms
		}
		if len(f.Errs()) > 0 {
			writeValidation(w, f.Errs())
			return
		}
		k, err := s.UpdateAPIKey(r.Context(), principal(r), id, u)
		callsAPI.reply(w, r, log, http.StatusOK, k, err)
	})
}

// handleAPIKeyDelete serves DELETE /v1/api_key/{id}.
func handleAPIKeyDelete(s *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathUUID(w, r, "id")
		if !ok {
			return
		}
		if err := s.DeleteAPIKey(r.Context(), principal(r), id); err != nil {
			callsAPI.fail(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"deleted": true, "id": id})
	})
}
