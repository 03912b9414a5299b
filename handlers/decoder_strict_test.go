package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDecodersStrict replays the four decoder bugs the fuzz targets found: each body or query is
// refused in the route's envelope, and nothing is deleted or written.
func TestDecodersStrict(t *testing.T) {
	e := newEnv(t)
	app := e.newApp(e.Company.ID)
	contact, calls := e.seedContact(e.Company.ID, "completed")
	before := e.rowsOf(e.Company.ID)
	check := func(t *testing.T, r *response, status int, in string) {
		t.Helper()
		wantStatus(t, r, status)
		if !strings.Contains(string(r.Body), in) {
			t.Fatalf("body %s lacks %s", r.Body, in)
		}
		if after := e.rowsOf(e.Company.ID); after != before {
			t.Fatalf("rows changed: %+v -> %+v", before, after)
		}
	}
	t.Run("TrailingAfterJSON", func(t *testing.T) {
		for _, body := range []string{`{"call_ids":["` + calls[0] + `"]}}`, `{"call_ids":["` + calls[0] + `"]}]x`, `{"call_ids":["` + calls[0] + `"]} {}`} {
			check(t, e.do("POST", "/v1/call/bulk-delete", e.Key, body), http.StatusUnprocessableEntity, `"json_invalid"`)
		}
		check(t, e.do("POST", "/v1/contact/bulk-delete", e.Key, `{"contact_ids":["`+contact+`"]}}`), http.StatusUnprocessableEntity, `"json_invalid"`)
		check(t, e.do("POST", "/v1/log/call/"+calls[0], e.Key, `{"level":"INFO","category":"USER","event":"e"}}`), http.StatusUnprocessableEntity, `"json_invalid"`)
		// Whitespace after the value is JSON's own and stays allowed.
		wantStatus(t, e.do("POST", "/v1/call/purge", e.Key, "{\"end_created_date\":\"2000-01-01T00:00:00Z\"} \r\n\t"), http.StatusOK)
	})
	t.Run("NonJSONSpace", func(t *testing.T) {
		for _, pad := range []string{"\v", "\f", "\u0085", "\u00a0"} {
			check(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID), pad+`{"ids":["`+contact+`"]}`), http.StatusBadRequest, "JSON object")
			check(t, e.doHeaders("DELETE", genlogsBulk, genlogsHeaders(e.accessToken(e.Key), e.Key), `{"contact_ids":["`+contact+`"]}`+pad), http.StatusBadRequest, "JSON object")
		}
	})
	t.Run("KoreaiNullID", func(t *testing.T) {
		check(t, e.doHeaders("DELETE", koreaiBulk, koreaiHeaders(e.appJWT(app), e.Company.ID), `{"ids":["`+contact+`",null]}`), http.StatusBadRequest, "array of strings")
	})
	t.Run("TooManyQueryParameters", func(t *testing.T) {
		q := strings.Repeat("a=1&", 10000) + "limit=1"
		check(t, e.do("GET", "/v1/call/?"+q, e.Key, nil), http.StatusUnprocessableEntity, "at most 10000 parameters")
		wantStatus(t, e.do("GET", "/v1/call/?"+strings.Repeat("a=1&", 9998)+"limit=1", e.Key, nil), http.StatusOK)
	})
}
