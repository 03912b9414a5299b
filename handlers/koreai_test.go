package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/store"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const koreaiBulk = "/agentassist/api/v1/public/st-1234/contacts/bulk-delete"

// koreaiResult is the documented response of the bulk delete.
type koreaiResult struct {
	TotalRequested    int `json:"totalRequested"`
	Successful        int `json:"successful"`
	Failed            int `json:"failed"`
	SuccessfulRecords []struct {
		ID string `json:"id"`
	} `json:"successfulRecords"`
	FailedRecords []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"failedRecords"`
}

func TestKoreaiBulkDelete(t *testing.T) {
	t.Run("OKPartial", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID)
		a, _ := e.seedContact(e.Company.ID, "completed", "failed")
		b, _ := e.seedContact(e.Company.ID, "completed")
		busy, _ := e.seedContact(e.Company.ID, "in_progress")
		other, _ := e.newCompany("other")
		theirs, _ := e.seedContact(other.ID, "completed")
		before, otherBefore := e.rowsOf(e.Company.ID), e.rowsOf(other.ID)

		r := e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID),
			map[string]any{"ids": []string{a, "6960cbe9b155d194e2fxxxxx", busy, b, theirs, a}})
		wantStatus(t, r, http.StatusOK)
		var got koreaiResult
		r.JSON(t, &got)
		if got.TotalRequested != 5 || got.Successful != 2 || got.Failed != 3 || len(got.SuccessfulRecords) != 2 || len(got.FailedRecords) != 3 {
			t.Fatalf("body = %s", r.Body)
		}
		if got.SuccessfulRecords[0].ID != a || got.SuccessfulRecords[1].ID != b {
			t.Fatalf("successfulRecords = %s", r.Body)
		}
		wantFailed := [][2]string{{"6960cbe9b155d194e2fxxxxx", "not_found"}, {busy, "has_active_call"}, {theirs, "not_found"}}
		for i, f := range got.FailedRecords {
			if f.ID != wantFailed[i][0] || f.Reason != wantFailed[i][1] {
				t.Fatalf("failedRecords = %s", r.Body)
			}
		}
		e.wantCounts(t, e.Company.ID, rowCounts{Contacts: before.Contacts - 2, Calls: before.Calls - 3, Messages: before.Messages - 6, Logs: before.Logs, Detached: 3})
		e.wantCounts(t, other.ID, otherBefore)
	})
	t.Run("OKDocumentedShape", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID, "contacts.delete")
		a, _ := e.seedContact(e.Company.ID)
		// The parameter table names the field "id": accepted too.
		r := e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID), `{"id": ["`+a+`"]}`)
		wantStatus(t, r, http.StatusOK)
		want := `{"totalRequested":1,"successful":1,"failed":0,"successfulRecords":[{"id":"` + a + `"}],"failedRecords":[]}`
		if strings.TrimSpace(string(r.Body)) != want {
			t.Fatalf("body = %s, want %s", r.Body, want)
		}
	})
	t.Run("ErrBody", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID)
		h := koreaiHeaders(e.appJWT(app), e.Company.ID)
		many := make([]string, 501)
		for i := range many {
			many[i] = "x"
		}
		id, _ := e.seedContact(e.Company.ID, "completed")
		before := e.rowsOf(e.Company.ID)
		for name, body := range map[string]any{
			"notJSON":   "{",
			"notObject": `["` + id + `"]`,
			"missing":   `{}`,
			"null":      `{"ids": null}`,
			"empty":     `{"ids": []}`,
			"notList":   `{"ids": "` + id + `"}`,
			"notString": `{"ids": ["` + id + `", 7]}`,
			"both":      `{"ids": ["` + id + `"], "id": ["` + id + `"]}`,
			"tooMany":   map[string]any{"ids": many},
		} {
			t.Run(name, func(t *testing.T) {
				wantKoreaiError(t, e.doHeaders("DELETE", koreaiBulk, h, body), http.StatusBadRequest, "INVALID_BODY")
			})
		}
		wantKoreaiError(t, e.doHeaders("DELETE", koreaiBulk, h, `{"ids":["`+strings.Repeat("a", 1<<20)+`"]}`), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
		h.Set("Content-Type", "text/plain")
		wantKoreaiError(t, e.doHeaders("DELETE", koreaiBulk, h, `{"ids":["`+id+`"]}`), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
		e.wantCounts(t, e.Company.ID, before)
	})
	t.Run("ErrAuth", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID)
		other, _ := e.newCompany("other")
		otherApp := e.newApp(other.ID)
		id, _ := e.seedContact(e.Company.ID, "completed")
		before := e.rowsOf(e.Company.ID)
		body := map[string]any{"ids": []string{id}}
		exp := e.Clock.Now().Add(time.Hour).Unix()
		claims := jwt.MapClaims{"appId": app.ClientID, "exp": exp}
		noneToken := signJWT(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims)
		// A token signed correctly, then its payload swapped for another app's: the signature breaks.
		good := e.appJWT(app)
		parts := strings.Split(good, ".")
		swapped := strings.Split(signJWT(t, jwt.SigningMethodHS256, []byte("whatever"), jwt.MapClaims{"appId": otherApp.ClientID, "exp": exp}), ".")
		tampered := parts[0] + "." + swapped[1] + "." + parts[2]

		for _, c := range []struct {
			name, token, account string
			status               int
			code                 string
		}{
			{"missingToken", "", e.Company.ID, 401, "TOKEN_MISSING"},
			{"garbage", "not.a.jwt", e.Company.ID, 401, "TOKEN_INVALID"},
			{"algNone", noneToken, e.Company.ID, 401, "TOKEN_INVALID"},
			{"HS512", signJWT(t, jwt.SigningMethodHS512, []byte(app.ClientSecret), claims), e.Company.ID, 401, "TOKEN_INVALID"},
			{"wrongSecret", signJWT(t, jwt.SigningMethodHS256, []byte("not-the-secret"), claims), e.Company.ID, 401, "TOKEN_INVALID"},
			{"otherAppsSecret", signJWT(t, jwt.SigningMethodHS256, []byte(otherApp.ClientSecret), claims), e.Company.ID, 401, "TOKEN_INVALID"},
			{"tamperedPayload", tampered, e.Company.ID, 401, "TOKEN_INVALID"},
			{"unknownApp", signJWT(t, jwt.SigningMethodHS256, []byte(app.ClientSecret), jwt.MapClaims{"appId": uuid.NewString(), "exp": exp}), e.Company.ID, 401, "TOKEN_INVALID"},
			{"noAppID", signJWT(t, jwt.SigningMethodHS256, []byte(app.ClientSecret), jwt.MapClaims{"exp": exp}), e.Company.ID, 401, "TOKEN_INVALID"},
			{"expired", signJWT(t, jwt.SigningMethodHS256, []byte(app.ClientSecret), jwt.MapClaims{"appId": app.ClientID, "exp": e.Clock.Now().Add(-time.Second).Unix()}), e.Company.ID, 401, "TOKEN_EXPIRED"},
			{"missingAccount", good, "", 400, "ACCOUNT_ID_MISSING"},
			{"otherAccount", good, other.ID, 403, "ACCOUNT_MISMATCH"},
			{"otherCompanysAppForUs", e.appJWT(otherApp), e.Company.ID, 403, "ACCOUNT_MISMATCH"},
			{"withoutPermission", e.appJWT(e.newApp(e.Company.ID, "contacts.view")), e.Company.ID, 403, "PERMISSION_DENIED"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantKoreaiError(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(c.token, c.account), body), c.status, c.code)
				wantKoreaiError(t, e.doHeaders("DELETE", "/agentassist/api/v1/public/st-1/contacts/"+id, koreaiHeaders(c.token, c.account), nil), c.status, c.code)
			})
		}
		e.wantCounts(t, e.Company.ID, before)
		// No exp claim: accepted (exp is honoured only when present).
		wantStatus(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(signJWT(t, jwt.SigningMethodHS256, []byte(app.ClientSecret), jwt.MapClaims{"appId": app.ClientID}), e.Company.ID), body), http.StatusOK)
	})
	t.Run("TypAndIssuedAt", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID)
		now := e.Clock.Now()
		secret := []byte(app.ClientSecret)
		withTyp := func(typ any, claims jwt.MapClaims) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
			if typ == nil {
				delete(tok.Header, "typ")
			} else {
				tok.Header["typ"] = typ
			}
			s, err := tok.SignedString(secret)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		claims := func(kv ...any) jwt.MapClaims {
			c := jwt.MapClaims{"appId": app.ClientID, "exp": now.Add(time.Hour).Unix()}
			for i := 0; i < len(kv); i += 2 {
				c[kv[i].(string)] = kv[i+1]
			}
			return c
		}
		for _, c := range []struct {
			name  string
			token string
			code  string // "" when accepted
		}{
			{"typJWT", withTyp("JWT", claims()), ""},
			{"typLowercase", withTyp("jwt", claims()), ""},
			{"noTyp", withTyp(nil, claims()), ""},
			{"typJWS", withTyp("JWS", claims()), "TOKEN_INVALID"},
			{"typAtJWT", withTyp("at+jwt", claims()), "TOKEN_INVALID"},
			{"typNotAString", withTyp(1, claims()), "TOKEN_INVALID"},
			{"iatNow", withTyp("JWT", claims("iat", now.Unix())), ""},
			{"iatPast", withTyp("JWT", claims("iat", now.Add(-24*time.Hour).Unix())), ""},
			{"iatWithinLeeway", withTyp("JWT", claims("iat", now.Add(store.JWTIssuedAtLeeway).Unix())), ""},
			{"iatBeyondLeeway", withTyp("JWT", claims("iat", now.Add(store.JWTIssuedAtLeeway+time.Second).Unix())), "TOKEN_INVALID"},
			{"iatFarFuture", withTyp("JWT", claims("iat", now.Add(365*24*time.Hour).Unix())), "TOKEN_INVALID"},
			{"iatNotANumber", withTyp("JWT", claims("iat", "yesterday")), "TOKEN_INVALID"},
		} {
			t.Run(c.name, func(t *testing.T) {
				id, _ := e.seedContact(e.Company.ID, "completed")
				r := e.doHeaders("DELETE", "/agentassist/api/v1/public/st-1/contacts/"+id, koreaiHeaders(c.token, e.Company.ID), nil)
				if c.code == "" {
					wantStatus(t, r, http.StatusOK)
					return
				}
				wantKoreaiError(t, r, http.StatusUnauthorized, c.code)
				if !e.contactExists(e.Company.ID, id) {
					t.Fatal("a refused token deleted the contact")
				}
			})
		}
	})
	t.Run("ErrExpiresWithTheClock", func(t *testing.T) {
		e := newEnv(t)
		app := e.newApp(e.Company.ID)
		token := e.appJWT(app) // exp = now + 1h
		id, _ := e.seedContact(e.Company.ID)
		e.Clock.Advance(time.Hour)
		wantKoreaiError(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(token, e.Company.ID), map[string]any{"ids": []string{id}}), http.StatusUnauthorized, "TOKEN_EXPIRED")
		if !e.contactExists(e.Company.ID, id) {
			t.Fatal("deleted with an expired token")
		}
		e.Clock.Advance(-time.Minute)
		wantStatus(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(token, e.Company.ID), map[string]any{"ids": []string{id}}), http.StatusOK)
	})
}

func TestKoreaiDeleteOne(t *testing.T) {
	e := newEnv(t)
	app := e.newApp(e.Company.ID)
	h := koreaiHeaders(e.appJWT(app), e.Company.ID)
	path := func(id string) string { return "/agentassist/api/v1/public/st-1/contacts/" + id }
	t.Run("OK", func(t *testing.T) {
		id, _ := e.seedContact(e.Company.ID, "completed")
		r := e.doHeaders("DELETE", path(id), h, nil)
		wantStatus(t, r, http.StatusOK)
		if m := r.Map(t); m["id"] != id || m["deleted"] != true {
			t.Fatalf("body = %s", r.Body)
		}
		if e.contactExists(e.Company.ID, id) {
			t.Fatal("not deleted")
		}
		wantKoreaiError(t, e.doHeaders("DELETE", path(id), h, nil), http.StatusNotFound, "CONTACT_NOT_FOUND")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		other, _ := e.newCompany("other")
		theirs, _ := e.seedContact(other.ID, "completed")
		wantKoreaiError(t, e.doHeaders("DELETE", path(theirs), h, nil), http.StatusNotFound, "CONTACT_NOT_FOUND")
		wantKoreaiError(t, e.doHeaders("DELETE", path("6960cbe9b155d194e2fxxxxx"), h, nil), http.StatusNotFound, "CONTACT_NOT_FOUND")
		if !e.contactExists(other.ID, theirs) {
			t.Fatal("another company's contact was deleted")
		}
	})
	t.Run("ErrActiveCall", func(t *testing.T) {
		id, _ := e.seedContact(e.Company.ID, "completed", "dialing")
		before := e.rowsOf(e.Company.ID)
		wantKoreaiError(t, e.doHeaders("DELETE", path(id), h, nil), http.StatusConflict, "CONTACT_HAS_ACTIVE_CALL")
		e.wantCounts(t, e.Company.ID, before)
	})
}
