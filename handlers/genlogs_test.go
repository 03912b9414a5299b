package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/handlers"
	"github.com/callstore/callstore/store"

	"github.com/google/uuid"
)

const genlogsBulk = "/onboarded-carrier/bulk/contacts"

func TestGenlogsToken(t *testing.T) {
	e := newEnv(t)
	t.Run("OK", func(t *testing.T) {
		r := e.doHeaders("POST", "/auth/token", http.Header{"X-Api-Key": {e.Key}}, nil)
		wantStatus(t, r, http.StatusOK)
		var body struct {
			Access struct {
				Token   string `json:"token"`
				Expires string `json:"expires"`
			} `json:"access_token_data"`
			Refresh struct {
				Token   string `json:"token"`
				Expires string `json:"expires"`
			} `json:"refresh_token_data"`
			UserID string `json:"user_id"`
		}
		r.JSON(t, &body)
		now := e.Clock.Now()
		if body.Access.Token == "" || body.Refresh.Token == "" || body.Access.Token == body.Refresh.Token {
			t.Fatalf("tokens = %s", r.Body)
		}
		if body.Access.Expires != now.Add(time.Hour).Format(time.RFC3339Nano) || body.Refresh.Expires != now.Add(24*time.Hour).Format(time.RFC3339Nano) {
			t.Fatalf("expires = %s", r.Body)
		}
		if _, err := uuid.Parse(body.UserID); err != nil || len(r.Map(t)) != 3 {
			t.Fatalf("body = %s", r.Body)
		}
		// The GenLogs example's trailing slash (and its ignored query) works too.
		wantStatus(t, e.doHeaders("POST", "/auth/token/?email=a%40b.c&password=x", http.Header{"X-Api-Key": {e.Key}}, nil), http.StatusOK)
	})
	t.Run("ErrKey", func(t *testing.T) {
		wantDetail(t, e.doHeaders("POST", "/auth/token", nil, nil), http.StatusUnauthorized, "API key is missing or invalid!")
		wantDetail(t, e.doHeaders("POST", "/auth/token", http.Header{"X-Api-Key": {"cs_nope"}}, nil), http.StatusUnauthorized, "API key is missing or invalid!")
	})
	t.Run("ConfiguredTTL", func(t *testing.T) {
		srv := httptest.NewServer(handlers.NewServer(e.Store, slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{TokenTTL: 5 * time.Minute}))
		defer srv.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/auth/token", nil)
		req.Header.Set("X-Api-Key", e.Key)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		r := &response{Status: resp.StatusCode, Body: b}
		wantStatus(t, r, http.StatusOK)
		if got := r.Map(t)["access_token_data"].(map[string]any)["expires"]; got != e.Clock.Now().Add(5*time.Minute).Format(time.RFC3339Nano) {
			t.Fatalf("expires = %v", got)
		}
	})
}

func TestGenlogsBulkDelete(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t)
		a, _ := e.seedContact(e.Company.ID, "completed", "failed")
		b, _ := e.seedContact(e.Company.ID, "no_answer")
		keep, _ := e.seedContact(e.Company.ID, "completed")
		before := e.rowsOf(e.Company.ID)
		r := e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(e.accessToken(e.Key), e.Key), map[string]any{"contact_ids": []string{a, b, strings.ToUpper(a)}})
		wantStatus(t, r, http.StatusOK)
		want := `{"contacts":[{"id":"` + a + `","deleted":true},{"id":"` + b + `","deleted":true}]}`
		if strings.TrimSpace(string(r.Body)) != want {
			t.Fatalf("body = %s, want %s", r.Body, want)
		}
		e.wantCounts(t, e.Company.ID, rowCounts{Contacts: before.Contacts - 2, Calls: before.Calls - 3, Messages: before.Messages - 6, Logs: before.Logs, Detached: 3})
		if !e.contactExists(e.Company.ID, keep) {
			t.Fatal("an unrequested contact was deleted")
		}
	})
	t.Run("ErrAllOrNothing", func(t *testing.T) {
		e := newEnv(t)
		other, _ := e.newCompany("other")
		a, _ := e.seedContact(e.Company.ID, "completed", "failed")
		b, _ := e.seedContact(e.Company.ID, "completed")
		busy, _ := e.seedContact(e.Company.ID, "completed", "in_progress")
		theirs, _ := e.seedContact(other.ID, "completed")
		h := genlogsHeaders(e.accessToken(e.Key), e.Key)
		before, otherBefore := e.rowsOf(e.Company.ID), e.rowsOf(other.ID)
		for name, c := range map[string]struct {
			ids    []string
			status int
			detail string
		}{
			"unknown":      {[]string{a, uuid.NewString(), b}, 404, "One or more contacts were not found or do not belong to the customer."},
			"otherCompany": {[]string{a, b, theirs}, 404, "One or more contacts were not found or do not belong to the customer."},
			"notFoundWins": {[]string{busy, uuid.NewString()}, 404, "One or more contacts were not found or do not belong to the customer."},
			"activeCall":   {[]string{a, busy, b}, 409, "Contacts with a call in progress cannot be deleted; nothing was deleted: " + busy},
		} {
			t.Run(name, func(t *testing.T) {
				wantDetail(t, e.doHeaders("DELETE", genlogsBulk, h, map[string]any{"contact_ids": c.ids}), c.status, c.detail)
				e.wantCounts(t, e.Company.ID, before)
				e.wantCounts(t, other.ID, otherBefore)
			})
		}
	})
	t.Run("ErrBody", func(t *testing.T) {
		e := newEnv(t)
		h := genlogsHeaders(e.accessToken(e.Key), e.Key)
		id, _ := e.seedContact(e.Company.ID, "completed")
		before := e.rowsOf(e.Company.ID)
		many := make([]string, 501)
		for i := range many {
			many[i] = uuid.NewString()
		}
		for name, c := range map[string]struct {
			body   any
			detail string
		}{
			"missing":   {`{}`, "Missing required field: contact_ids"},
			"null":      {`{"contact_ids": null}`, "Missing required field: contact_ids"},
			"noBody":    {``, `Request body must be a JSON object: {"contact_ids": ["<uuid>", ...]}`},
			"empty":     {`{"contact_ids": []}`, "Value error, contact_ids must not be empty"},
			"notJSON":   {`{"contact_ids": [`, `Request body must be a JSON object: {"contact_ids": ["<uuid>", ...]}`},
			"notObject": {`["` + id + `"]`, `Request body must be a JSON object: {"contact_ids": ["<uuid>", ...]}`},
			"notList":   {`{"contact_ids": "` + id + `"}`, "Value error, contact_ids must be a list of UUID strings"},
			"notUUID":   {`{"contact_ids": ["` + id + `", "abc"]}`, `Value error, contact_ids[1] is not a valid UUID: "abc"`},
			"notString": {`{"contact_ids": [12]}`, `Value error, contact_ids[0] is not a valid UUID: 12`},
			"tooMany":   {map[string]any{"contact_ids": many}, "Value error, contact_ids must not contain more than 500 ids, got 501"},
		} {
			t.Run(name, func(t *testing.T) {
				wantDetail(t, e.doHeaders("DELETE", genlogsBulk, h, c.body), http.StatusBadRequest, c.detail)
			})
		}
		wantDetail(t, e.doHeaders("DELETE", genlogsBulk, h, `{"contact_ids":["`+strings.Repeat("a", 1<<20)+`"]}`), http.StatusRequestEntityTooLarge, "Request body exceeds the limit of 1048576 bytes")
		e.wantCounts(t, e.Company.ID, before)
	})
	t.Run("ErrAuth", func(t *testing.T) {
		e := newEnv(t)
		id, _ := e.seedContact(e.Company.ID, "completed")
		before := e.rowsOf(e.Company.ID)
		token := e.accessToken(e.Key)
		otherKey := e.keyWith("contacts.delete")
		otherToken := e.accessToken(otherKey)
		var refresh struct {
			Refresh struct {
				Token string `json:"token"`
			} `json:"refresh_token_data"`
		}
		e.doHeaders("POST", "/auth/token", http.Header{"X-Api-Key": {e.Key}}, nil).JSON(t, &refresh)
		weakKey := e.keyWith("contacts.view")
		weakToken := e.accessToken(weakKey)
		_, foreignKey := e.newCompany("other")
		foreignToken := e.accessToken(foreignKey)

		body := map[string]any{"contact_ids": []string{id}}
		for _, c := range []struct {
			name, token, key string
			status           int
			detail           string
		}{
			{"missingToken", "", e.Key, 401, "Token is missing!"},
			{"missingBoth", "", "", 401, "Token is missing!"},
			{"missingKey", token, "", 401, "API key is missing or invalid!"},
			{"unknownKey", token, "cs_nope", 401, "API key is missing or invalid!"},
			{"garbageToken", "at_garbage", e.Key, 401, "Token is invalid!"},
			{"tokenOfAnotherKey", otherToken, e.Key, 401, "Token is invalid!"},
			{"tokenOfAnotherCompany", foreignToken, e.Key, 401, "Token is invalid!"},
			{"keyOfAnotherCompany", token, foreignKey, 401, "Token is invalid!"},
			{"refreshToken", refresh.Refresh.Token, e.Key, 401, "Token is invalid!"},
			{"withoutPermission", weakToken, weakKey, 403, "User not allowed to access this endpoint"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantDetail(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(c.token, c.key), body), c.status, c.detail)
				wantDetail(t, e.doHeaders("DELETE", "/onboarded-carrier/contacts/"+id, genlogsHeaders(c.token, c.key), nil), c.status, c.detail)
			})
		}
		// Auth comes before the body: a bad body without a token is still 401.
		wantDetail(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders("", e.Key), `{}`), 401, "Token is missing!")
		e.wantCounts(t, e.Company.ID, before)
	})
	t.Run("ErrTokenExpires", func(t *testing.T) {
		e := newEnv(t)
		id, _ := e.seedContact(e.Company.ID, "completed")
		token := e.accessToken(e.Key) // valid for the default hour
		h := genlogsHeaders(token, e.Key)
		e.Clock.Advance(time.Hour)
		wantDetail(t, e.doHeaders("DELETE", genlogsBulk, h, map[string]any{"contact_ids": []string{id}}), 401, "Token is expired!")
		if !e.contactExists(e.Company.ID, id) {
			t.Fatal("deleted with an expired token")
		}
		// A fresh token works; issuing it dropped the expired one, which stays refused.
		wantStatus(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(e.accessToken(e.Key), e.Key), map[string]any{"contact_ids": []string{id}}), 200)
		wantDetail(t, e.doHeaders("DELETE", genlogsBulk, h, map[string]any{"contact_ids": []string{id}}), 401, "Token is invalid!")
	})
	t.Run("ErrKeyDeleted", func(t *testing.T) {
		e := newEnv(t)
		k, err := e.Store.CreateAPIKey(context.Background(), e.Company.ID, nil, store.APIKeyInput{Name: "temp"})
		if err != nil {
			t.Fatal(err)
		}
		token := e.accessToken(*k.Value)
		wantStatus(t, e.do("DELETE", "/v1/api_key/"+k.ID, e.Key, nil), 200)
		wantDetail(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(token, *k.Value), map[string]any{"contact_ids": []string{uuid.NewString()}}), 401, "API key is missing or invalid!")
	})
}

func TestGenlogsDeleteOne(t *testing.T) {
	e := newEnv(t)
	h := genlogsHeaders(e.accessToken(e.Key), e.Key)
	path := func(id string) string { return "/onboarded-carrier/contacts/" + id }
	t.Run("OK", func(t *testing.T) {
		id, _ := e.seedContact(e.Company.ID, "completed")
		r := e.doHeaders("DELETE", path(id), h, nil)
		wantStatus(t, r, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"id":"`+id+`","deleted":true}` {
			t.Fatalf("body = %s", r.Body)
		}
		wantDetail(t, e.doHeaders("DELETE", path(id), h, nil), 404, "One or more contacts were not found or do not belong to the customer.")
	})
	t.Run("ErrNotFoundOrInvalid", func(t *testing.T) {
		other, _ := e.newCompany("other")
		theirs, _ := e.seedContact(other.ID, "completed")
		wantDetail(t, e.doHeaders("DELETE", path(theirs), h, nil), 404, "One or more contacts were not found or do not belong to the customer.")
		wantDetail(t, e.doHeaders("DELETE", path("abc"), h, nil), 400, `Value error, contact_id is not a valid UUID: "abc"`)
		if !e.contactExists(other.ID, theirs) {
			t.Fatal("another company's contact was deleted")
		}
	})
	t.Run("ErrActiveCall", func(t *testing.T) {
		id, _ := e.seedContact(e.Company.ID, "in_progress")
		before := e.rowsOf(e.Company.ID)
		wantDetail(t, e.doHeaders("DELETE", path(id), h, nil), 409, "Contacts with a call in progress cannot be deleted; nothing was deleted: "+id)
		e.wantCounts(t, e.Company.ID, before)
	})
}
