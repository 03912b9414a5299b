package store_test

// Fuzz targets for the three ways a caller authenticates: an API key (Authenticate), a GenLogs
// access token with its key (AuthenticateAccessToken) and a Kore.ai JWT with its account
// (AuthenticateAppJWT). Each target opens one real in-memory store, once per fuzzing process, with
// two companies, their keys, tokens and apps. Secrets are random per run, so the corpus names them
// by placeholder ("$KEY", "$AT", "$APP", "$CO", ...) and each input is expanded before use; the
// oracle knows every valid secret, so it can require that exactly the valid ones authenticate.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"

	"github.com/golang-jwt/jwt/v5"
)

// fuzzNow is the stores' fixed clock: every expiry below is relative to it.
var fuzzNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// authFixture is one store with two companies (A and B) and the secrets of each.
type authFixture struct {
	s      *store.Store
	now    time.Time
	coA    string
	coB    string
	keyA   store.APIKey      // unrestricted key of A
	keyA2  store.APIKey      // second key of A
	keyB   store.APIKey      // key of B
	keyExp store.APIKey      // key of A that has expired
	at     map[string]string // placeholder -> access or refresh token
	repl   *strings.Replacer
	appA   store.App
	appB   store.App
}

func newAuthFixture(tb testing.TB) *authFixture {
	tb.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	s, err := store.New(ctx, d)
	if err != nil {
		tb.Fatal(err)
	}
	fx := &authFixture{s: s, now: fuzzNow.Add(-2 * time.Hour), at: map[string]string{}}
	s.Now = func() time.Time { return fx.now }
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	a, err := s.CreateCompany(ctx, "acme")
	must(err)
	b, err := s.CreateCompany(ctx, "globex")
	must(err)
	fx.coA, fx.coB = a.ID, b.ID
	key := func(co string, in store.APIKeyInput) store.APIKey {
		k, err := s.CreateAPIKey(ctx, co, nil, in)
		must(err)
		return k
	}
	fx.keyA = key(fx.coA, store.APIKeyInput{Name: "a"})
	fx.keyA2 = key(fx.coA, store.APIKeyInput{Name: "a2", Restricted: true, Permissions: []string{"contacts.delete"}})
	fx.keyB = key(fx.coB, store.APIKeyInput{Name: "b"})
	exp := fuzzNow.Add(-time.Hour)
	fx.keyExp = key(fx.coA, store.APIKeyInput{Name: "expiring", ExpiryDate: &exp})
	issue := func(k store.APIKey, ttl time.Duration) store.TokenPair {
		p, err := s.IssueTokens(ctx, *k.Value, ttl)
		must(err)
		return p
	}
	// Two hours before now (issuing drops the key's expired tokens, so A's come first): a pair of
	// A valid until an hour from now, an access token of A that lived one hour, and the expiring
	// key's token.
	pairA := issue(fx.keyA, 3*time.Hour)
	fx.at["$AT"], fx.at["$RT"] = pairA.Access.Token, pairA.Refresh.Token
	fx.at["$ATEXP"] = issue(fx.keyA, time.Hour).Access.Token
	fx.at["$ATX"] = issue(fx.keyExp, 4*time.Hour).Access.Token
	fx.now = fuzzNow
	fx.at["$AT2"] = issue(fx.keyA2, time.Hour).Access.Token
	fx.at["$ATB"] = issue(fx.keyB, time.Hour).Access.Token
	fx.appA, err = s.CreateApp(ctx, fx.coA, store.AppInput{Name: "agentassist", Restricted: true, Permissions: []string{"contacts.delete"}})
	must(err)
	fx.appB, err = s.CreateApp(ctx, fx.coB, store.AppInput{Name: "other"})
	must(err)
	fx.repl = fx.newReplacer()
	return fx
}

// expand replaces the placeholders of a fuzz input by the fixture's secrets and ids.
func (fx *authFixture) expand(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return fx.repl.Replace(s)
}

// newReplacer builds expand's replacer. Longer names come first, so "$ATB" is not read as "$AT"
// followed by "B".
func (fx *authFixture) newReplacer() *strings.Replacer {
	return strings.NewReplacer(
		"$ATEXP", fx.at["$ATEXP"], "$ATX", fx.at["$ATX"], "$ATB", fx.at["$ATB"], "$AT2", fx.at["$AT2"], "$AT", fx.at["$AT"], "$RT", fx.at["$RT"],
		"$KEYEXP", *fx.keyExp.Value, "$KEYB", *fx.keyB.Value, "$KEY2", *fx.keyA2.Value, "$KEY", *fx.keyA.Value,
		"$APPB", fx.appB.ClientID, "$APP", fx.appA.ClientID, "$COB", fx.coB, "$CO", fx.coA,
		"$JWTEXP", fx.jwt(fx.appA, fuzzNow.Unix()), "$JWTB", fx.jwt(fx.appB, fuzzNow.Add(time.Hour).Unix()), "$JWT", fx.jwt(fx.appA, fuzzNow.Add(time.Hour).Unix()),
	)
}

// jwt is a token of app signed with its secret, expiring at exp.
func (fx *authFixture) jwt(app store.App, exp int64) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"appId": app.ClientID, "exp": exp}).SignedString([]byte(app.ClientSecret))
	if err != nil {
		panic(err)
	}
	return s
}

// liveKeys maps each live key secret to its key and company.
func (fx *authFixture) liveKeys() map[string]struct{ id, company string } {
	return map[string]struct{ id, company string }{
		*fx.keyA.Value:  {fx.keyA.ID, fx.coA},
		*fx.keyA2.Value: {fx.keyA2.ID, fx.coA},
		*fx.keyB.Value:  {fx.keyB.ID, fx.coB},
	}
}

// wantUnauthorized fails unless err is EUNAUTHORIZED with the reason.
func wantUnauthorized(t *testing.T, what string, err error, reason string) {
	t.Helper()
	if store.ErrorCode(err) != store.EUNAUTHORIZED || store.ErrorReason(err) != reason {
		t.Fatalf("%s: err = %v (code %s, reason %q), want EUNAUTHORIZED %s", what, err, store.ErrorCode(err), store.ErrorReason(err), reason)
	}
}

// FuzzAuthenticate: exactly the live keys authenticate, each as its own key of its own company;
// every other secret (an expired key, a token, garbage, a key with a byte changed) is
// EUNAUTHORIZED INVALID_API_KEY, never an internal error.
func FuzzAuthenticate(f *testing.F) {
	for _, s := range []string{"$KEY", "$KEY2", "$KEYB", "$KEYEXP", "$AT", "", " $KEY", "$KEY ", "$KEY\x00", "cs_", "cs_00", "Bearer $KEY",
		"$KEY$KEY", strings.Repeat("x", 5000), "\xff\xfe", "' OR 1=1 --"} {
		f.Add(s)
	}
	fx := newAuthFixture(f)
	live := fx.liveKeys()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, secret string) {
		secret = fx.expand(secret)
		p, err := fx.s.Authenticate(ctx, secret)
		want, ok := live[secret]
		if !ok {
			wantUnauthorized(t, "Authenticate", err, store.ReasonAPIKeyInvalid)
			if p.CompanyID != "" || p.KeyID != "" {
				t.Fatalf("a failed authentication returned a principal: %+v", p)
			}
			return
		}
		if err != nil {
			t.Fatalf("the live key %.8s… does not authenticate: %v", secret, err)
		}
		if p.KeyID != want.id || p.CompanyID != want.company {
			t.Fatalf("principal = %+v, want key %s of company %s", p, want.id, want.company)
		}
	})
}

// FuzzAuthenticateAccessToken: the exact outcome of every (token, key) pair is known. A missing
// token is TOKEN_MISSING; then a key that is not live is INVALID_API_KEY; then a token that is not
// an access token of that very key (a refresh token, another key's token, garbage) is
// TOKEN_INVALID; an expired one TOKEN_EXPIRED; only the rest authenticate, as the key.
func FuzzAuthenticateAccessToken(f *testing.F) {
	for _, c := range [][2]string{
		{"$AT", "$KEY"}, {"$AT2", "$KEY2"}, {"$ATB", "$KEYB"}, // valid
		{"$AT", "$KEYB"}, {"$ATB", "$KEY"}, {"$AT", "$KEY2"}, // another key's token
		{"$RT", "$KEY"}, {"$ATEXP", "$KEY"}, {"$ATX", "$KEYEXP"}, {"$AT", "$KEYEXP"},
		{"", "$KEY"}, {"$AT", ""}, {"", ""}, {"$KEY", "$AT"}, {"at_", "$KEY"}, {"$AT ", "$KEY"}, {"$AT", "$KEY "},
		{"$AT\x00", "$KEY"}, {"\xff", "\xfe"}, {strings.Repeat("at_", 2000), "$KEY"},
	} {
		f.Add(c[0], c[1])
	}
	fx := newAuthFixture(f)
	live := fx.liveKeys()
	access := map[string]string{fx.at["$AT"]: *fx.keyA.Value, fx.at["$AT2"]: *fx.keyA2.Value, fx.at["$ATB"]: *fx.keyB.Value}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, token, key string) {
		token, key = fx.expand(token), fx.expand(key)
		p, err := fx.s.AuthenticateAccessToken(ctx, token, key)
		k, keyLive := live[key]
		switch {
		case token == "":
			wantUnauthorized(t, "no token", err, store.ReasonTokenMissing)
		case !keyLive:
			wantUnauthorized(t, "key not live", err, store.ReasonAPIKeyInvalid)
		case token == fx.at["$ATEXP"]:
			wantUnauthorized(t, "expired token", err, store.ReasonTokenExpired)
		case access[token] != key:
			wantUnauthorized(t, "not an access token of this key", err, store.ReasonTokenInvalid)
		default:
			if err != nil {
				t.Fatalf("valid token and key do not authenticate: %v", err)
			}
			if p.KeyID != k.id || p.CompanyID != k.company {
				t.Fatalf("principal = %+v, want key %s of company %s", p, k.id, k.company)
			}
			return
		}
		if p.CompanyID != "" || p.KeyID != "" {
			t.Fatalf("a failed authentication returned a principal: %+v", p)
		}
	})
}

// FuzzAuthenticateAppJWT builds a JWT from a fuzzed header and claims (JSON text, placeholders
// expanded) and a signing mode:
//
//	0: HS256 with app A's secret    1: HS256 with app B's secret    2: HS256 with a wrong key
//	3: empty signature              4: the header string is the whole token (raw mode)
//	5: only two segments
//
// A token that carries no real signature (modes 2, 3, 5, and raw tokens without "$JWT…") must never
// authenticate. When a token does verify (success, or an account error, which comes after the
// token is verified), its header must say HS256, its appId must be the signer's, and its exp and
// nbf must admit the store's clock; a success acts for exactly the signer's company, which must be
// the accountId given. Conversely a plain valid token (header {alg,typ}, claims {appId, exp in the
// future}) must authenticate for its company and be ACCOUNT_MISMATCH for another.
func FuzzAuthenticateAppJWT(f *testing.F) {
	hs := `{"alg":"HS256","typ":"JWT"}`
	exp := func(d time.Duration) string { return `{"appId":"$APP","exp":` + itoa(fuzzNow.Add(d).Unix()) + `}` }
	for _, c := range []struct {
		header, claims string
		mode           uint8
		account        string
	}{
		{hs, exp(time.Hour), 0, "$CO"},                                                         // valid
		{hs, `{"appId":"$APPB"}`, 1, "$COB"},                                                   // valid, no exp
		{hs, exp(time.Hour), 0, "$COB"},                                                        // another account
		{hs, exp(time.Hour), 0, ""},                                                            // no account
		{`{"alg":"none","typ":"JWT"}`, exp(time.Hour), 3, "$CO"},                               // alg=none
		{`{"alg":"none"}`, exp(time.Hour), 0, "$CO"},                                           // alg=none, signed anyway
		{`{"alg":"RS256","typ":"JWT"}`, exp(time.Hour), 0, "$CO"},                              // RS256 header
		{`{"alg":"HS512"}`, exp(time.Hour), 0, "$CO"},                                          // another HMAC
		{`{"alg":"hs256"}`, exp(time.Hour), 0, "$CO"},                                          // case
		{`{"alg":"HS256","typ":"jwt"}`, exp(time.Hour), 0, "$CO"},                              // typ in lower case: valid
		{`{"alg":"HS256","typ":"JWS"}`, exp(time.Hour), 0, "$CO"},                              // another typ
		{`{"alg":"HS256","typ":null}`, exp(time.Hour), 0, "$CO"},                               // typ null
		{hs, `{"appId":"$APP","iat":` + itoa(fuzzNow.Add(time.Hour).Unix()) + `}`, 0, "$CO"},   // issued in the future
		{hs, `{"appId":"$APP","iat":` + itoa(fuzzNow.Add(time.Minute).Unix()) + `}`, 0, "$CO"}, // within the leeway
		{hs, exp(-time.Second), 0, "$CO"},                                                      // expired
		{hs, exp(0), 0, "$CO"},                                                                 // expires now
		{hs, `{"appId":"$APP","exp":"tomorrow"}`, 0, "$CO"},                                    // exp of the wrong type
		{hs, `{"appId":"$APP","exp":1e400}`, 0, "$CO"},                                         // huge number
		{hs, `{"appId":"$APP","nbf":` + itoa(fuzzNow.Add(time.Hour).Unix()) + `}`, 0, "$CO"},   // not yet valid
		{hs, `{"appId":"$APPB","exp":9999999999}`, 0, "$CO"},                                   // A's secret, B's appId
		{hs, `{"appId":42}`, 0, "$CO"},                                                         // appId not a string
		{hs, `{"appId":"$APP","appId":"$APPB"}`, 1, "$COB"},                                    // duplicate claim
		{hs, exp(time.Hour), 2, "$CO"},                                                         // wrong key
		{hs, exp(time.Hour), 5, "$CO"},                                                         // two segments
		{"$JWT", "", 4, "$CO"},                                                                 // raw valid token
		{"$JWTEXP", "", 4, "$CO"},                                                              // raw expired token
		{"$JWT.", "", 4, "$CO"},                                                                // raw, extra segment
		{" $JWT", "", 4, "$CO"},                                                                // raw, leading space
		{"not.a.jwt", "", 4, "$CO"},                                                            // garbage
		{"eyJhbGciOiJub25lIn0.eyJhcHBJZCI6IiJ9.", "", 4, "$CO"},                                // garbage alg=none
		{"", "", 4, "$CO"},                                                                     // empty
		{"\xff\xfe.\x00.", "", 4, "$CO"},                                                       // invalid UTF-8
		{strings.Repeat("[", 5000), `{}`, 0, "$CO"},                                            // deeply nested header
	} {
		f.Add(c.header, c.claims, c.mode, c.account)
	}
	fx := newAuthFixture(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, header, claims string, mode uint8, account string) {
		mode %= 6
		rawHeader := header
		header, claims, account = fx.expand(header), fx.expand(claims), fx.expand(account)
		seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		signing := seg(header) + "." + seg(claims)
		sign := func(key string) string {
			m := hmac.New(sha256.New, []byte(key))
			m.Write([]byte(signing))
			return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		}
		var token string
		var signer *store.App // the app whose secret signed the token, if any
		switch mode {
		case 0:
			token, signer = signing+"."+sign(fx.appA.ClientSecret), &fx.appA
		case 1:
			token, signer = signing+"."+sign(fx.appB.ClientSecret), &fx.appB
		case 2:
			token = signing + "." + sign("cs_app_not-the-secret")
		case 3:
			token = signing + "."
		case 4:
			token = header
		case 5:
			token = signing
		}
		p, err := fx.s.AuthenticateAppJWT(ctx, token, account)

		code, reason := store.ErrorCode(err), store.ErrorReason(err)
		switch {
		case err == nil:
		case code == store.EUNAUTHORIZED && (reason == store.ReasonTokenMissing || reason == store.ReasonTokenInvalid || reason == store.ReasonTokenExpired):
		case code == store.EINVALID && reason == store.ReasonAccountMissing:
		case code == store.EFORBIDDEN && reason == store.ReasonAccountMismatch:
		default:
			t.Fatalf("unexpected error %v (code %s, reason %q)", err, code, reason)
		}
		if err != nil && (p.CompanyID != "" || p.KeyID != "") {
			t.Fatalf("a failed authentication returned a principal: %+v", p)
		}
		verified := err == nil || reason == store.ReasonAccountMissing || reason == store.ReasonAccountMismatch
		if strings.TrimSpace(token) == "" && reason != store.ReasonTokenMissing {
			t.Fatalf("empty token: err = %v, want TOKEN_MISSING", err)
		}

		if mode == 4 {
			// Raw mode: only a token we signed can verify; which app's is read from the principal.
			if verified && !strings.Contains(rawHeader, "$JWT") {
				t.Fatalf("raw token %q verified: err = %v, principal %+v", token, err, p)
			}
			if err == nil && !((p.KeyID == fx.appA.ClientID && p.CompanyID == fx.coA) || (p.KeyID == fx.appB.ClientID && p.CompanyID == fx.coB)) {
				t.Fatalf("principal %+v is not one of the apps", p)
			}
			if err == nil && p.CompanyID != account {
				t.Fatalf("principal of company %s for accountId %q", p.CompanyID, account)
			}
			return
		}
		if verified {
			if signer == nil {
				t.Fatalf("token without a valid signature (mode %d) verified: err = %v, principal %+v\ntoken %s", mode, err, p, token)
			}
			var h map[string]any
			if json.Unmarshal([]byte(header), &h) != nil || h["alg"] != "HS256" {
				t.Fatalf("header %s is not HS256, yet the token verified (err = %v)", header, err)
			}
			if typ, ok := h["typ"]; ok && !(isString(typ) && strings.EqualFold(typ.(string), "JWT")) {
				t.Fatalf("header %s has a typ other than JWT, yet the token verified (err = %v)", header, err)
			}
			var c map[string]any
			if json.Unmarshal([]byte(claims), &c) != nil || c["appId"] != signer.ClientID {
				t.Fatalf("claims %s do not name the signer %s, yet the token verified (err = %v)", claims, signer.ClientID, err)
			}
			now := float64(fuzzNow.Unix())
			if e, ok := c["exp"].(float64); ok && e <= now-1 {
				t.Fatalf("claims %s expired, yet the token verified (err = %v)", claims, err)
			}
			if n, ok := c["nbf"].(float64); ok && n >= now+1 {
				t.Fatalf("claims %s not valid before %v, yet the token verified (err = %v)", claims, n, err)
			}
			if i, ok := c["iat"].(float64); ok && i >= now+store.JWTIssuedAtLeeway.Seconds()+1 {
				t.Fatalf("claims %s issued in the future (%v), yet the token verified (err = %v)", claims, i, err)
			}
		}
		if err == nil && (p.KeyID != signer.ClientID || p.CompanyID != signer.CompanyID || p.CompanyID != account) {
			t.Fatalf("principal = %+v, want app %s of company %s (accountId %q)", p, signer.ClientID, signer.CompanyID, account)
		}

		// The other direction: a plainly valid token must be accepted.
		if signer != nil && plainValidJWT(header, claims, signer.ClientID) {
			switch {
			case strings.TrimSpace(account) == "":
				if reason != store.ReasonAccountMissing {
					t.Fatalf("valid token without accountId: err = %v, want %s", err, store.ReasonAccountMissing)
				}
			case account != signer.CompanyID:
				if reason != store.ReasonAccountMismatch {
					t.Fatalf("valid token for another account: err = %v, want %s", err, store.ReasonAccountMismatch)
				}
			case err != nil:
				t.Fatalf("valid token of app %s refused: %v\nheader %s claims %s", signer.ClientID, err, header, claims)
			}
		}
	})
}

// plainValidJWT reports whether header and claims are strict JSON objects that any HS256 verifier
// must accept for app: header {"alg":"HS256"} with at most typ "JWT" (any case), claims
// {"appId": app} with at most an exp comfortably in the future.
func plainValidJWT(header, claims, app string) bool {
	var h, c map[string]any
	if json.Unmarshal([]byte(header), &h) != nil || json.Unmarshal([]byte(claims), &c) != nil {
		return false
	}
	if typ, ok := h["typ"].(string); h["alg"] != "HS256" || len(h) > 2 || (len(h) == 2 && !(ok && strings.EqualFold(typ, "JWT"))) {
		return false
	}
	if c["appId"] != app || len(c) > 2 {
		return false
	}
	if len(c) == 2 {
		e, ok := c["exp"].(float64)
		if !ok || e < float64(fuzzNow.Unix()+2) || e > 1e10 {
			return false
		}
	}
	return true
}

func isString(v any) bool { _, ok := v.(string); return ok }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
