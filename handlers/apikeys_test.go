package handlers_test

import (
	"net/http"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	e := newEnv(t)
	t.Run("ErrMissingKey", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/api_key/", "", nil), 401, "INVALID_API_KEY")
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		wantError(t, e.do("GET", "/v1/api_key/", "cs_nope", nil), 401, "INVALID_API_KEY")
	})
	t.Run("ErrNotBearer", func(t *testing.T) {
		r := e.doHeaders("GET", "/v1/api_key/", http.Header{"Authorization": {"Basic " + e.Key}}, nil)
		wantError(t, r, 401, "INVALID_API_KEY")
	})
	t.Run("ErrExpiredKey", func(t *testing.T) {
		r := e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "short", "restricted": false, "expiry_date": e.Clock.Now().Add(time.Hour).Format(time.RFC3339)})
		wantStatus(t, r, 200)
		secret := r.Map(t)["value"].(string)
		wantStatus(t, e.do("GET", "/v1/api_key/", secret, nil), 200)
		e.Clock.Advance(time.Hour)
		wantError(t, e.do("GET", "/v1/api_key/", secret, nil), 401, "INVALID_API_KEY")
	})
	t.Run("ErrDeletedKey", func(t *testing.T) {
		r := e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "temp", "restricted": false})
		wantStatus(t, r, 200)
		m := r.Map(t)
		secret, id := m["value"].(string), m["id"].(string)
		wantStatus(t, e.do("DELETE", "/v1/api_key/"+id, e.Key, nil), 200)
		wantError(t, e.do("GET", "/v1/api_key/", secret, nil), 401, "INVALID_API_KEY")
	})
	t.Run("ErrMissingPermission", func(t *testing.T) {
		k := e.keyWith("calls.view")
		r := e.do("GET", "/v1/api_key/", k, nil)
		wantError(t, r, 403, "INTERNAL_SERVER_ERROR")
		if msg := r.Map(t)["message"]; msg != "Missing required permissions to view api keys" {
			t.Fatalf("message = %q", msg)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	t.Run("CreateGetListUpdateDelete", func(t *testing.T) {
		r := e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "reader", "restricted": true, "permissions": []string{"calls.view", "calls.view", "logs.view"}})
		wantStatus(t, r, 200)
		m := r.Map(t)
		id, value := m["id"].(string), m["value"].(string)
		if m["last_four_digits"] != value[len(value)-4:] || m["restricted"] != true || len(m["permissions"].([]any)) != 2 {
			t.Fatalf("created = %s", r.Body)
		}
		g := e.do("GET", "/v1/api_key/"+id, e.Key, nil)
		wantStatus(t, g, 200)
		if _, has := g.Map(t)["value"]; has {
			t.Fatalf("value shown after creation: %s", g.Body)
		}
		l := e.do("GET", "/v1/api_key/?order=asc", e.Key, nil)
		wantStatus(t, l, 200)
		if data := l.Map(t)["data"].([]any); len(data) != 2 {
			t.Fatalf("list = %s", l.Body)
		}
		u := e.do("PATCH", "/v1/api_key/"+id, e.Key, map[string]any{"name": "renamed", "permissions": []string{"calls.delete"}})
		wantStatus(t, u, 200)
		um := u.Map(t)
		if um["name"] != "renamed" || len(um["permissions"].([]any)) != 1 {
			t.Fatalf("updated = %s", u.Body)
		}
		// The key now holds calls.delete only.
		wantError(t, e.do("GET", "/v1/api_key/", value, nil), 403, "INTERNAL_SERVER_ERROR")
		wantStatus(t, e.do("DELETE", "/v1/api_key/"+id, e.Key, nil), 200)
		wantError(t, e.do("GET", "/v1/api_key/"+id, e.Key, nil), 404, "API_KEY_NOT_FOUND")
	})
	t.Run("ErrValidation", func(t *testing.T) {
		wantValidation(t, e.do("POST", "/v1/api_key/", e.Key, map[string]any{"restricted": true}), "body", "name")
		wantValidation(t, e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "x"}), "body", "restricted")
		wantValidation(t, e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "x", "restricted": true, "permissions": []string{"calls.fly"}}), "body", "permissions", 0)
		wantValidation(t, e.do("POST", "/v1/api_key/", e.Key, "{"), "body", 1)
		wantValidation(t, e.do("GET", "/v1/api_key/not-a-uuid", e.Key, nil), "path", "id")
	})
	t.Run("ErrEscalation", func(t *testing.T) {
		k := e.keyWith("api_keys.create", "calls.view")
		wantStatus(t, e.do("POST", "/v1/api_key/", k, map[string]any{"name": "ok", "restricted": true, "permissions": []string{"calls.view"}}), 200)
		wantError(t, e.do("POST", "/v1/api_key/", k, map[string]any{"name": "root", "restricted": false}), 403, "PERMISSION_ESCALATION")
		wantError(t, e.do("POST", "/v1/api_key/", k, map[string]any{"name": "more", "restricted": true, "permissions": []string{"calls.delete"}}), 403, "PERMISSION_ESCALATION")
	})
	t.Run("TenantIsolation", func(t *testing.T) {
		_, otherKey := e.newCompany("other")
		r := e.do("POST", "/v1/api_key/", e.Key, map[string]any{"name": "mine", "restricted": false})
		id := r.Map(t)["id"].(string)
		wantError(t, e.do("GET", "/v1/api_key/"+id, otherKey, nil), 404, "API_KEY_NOT_FOUND")
		wantError(t, e.do("PATCH", "/v1/api_key/"+id, otherKey, map[string]any{"name": "stolen"}), 404, "API_KEY_NOT_FOUND")
		wantError(t, e.do("DELETE", "/v1/api_key/"+id, otherKey, nil), 404, "API_KEY_NOT_FOUND")
		l := e.do("GET", "/v1/api_key/", otherKey, nil)
		if data := l.Map(t)["data"].([]any); len(data) != 1 {
			t.Fatalf("other company sees %d keys: %s", len(data), l.Body)
		}
		wantStatus(t, e.do("GET", "/v1/api_key/"+id, e.Key, nil), 200)
	})
}
