package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/callstore/callstore/db/sqlcdb"
)

// App is a client app of the Kore.ai-style dialect. Its callers sign JWTs (HS256) with
// ClientSecret and name the app in the claim appId; the app acts for its company with its
// permissions. ClientSecret is shown only at creation.
type App struct {
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	CompanyID    string    `json:"company_id"`
	Name         string    `json:"name"`
	Permissions  []string  `json:"permissions"` // null for an unrestricted app
	Restricted   bool      `json:"restricted"`
	CreatedDate  time.Time `json:"created_date"`
}

// AppInput is what the creator of an app chooses.
type AppInput struct {
	Name        string
	Restricted  bool
	Permissions []string
}

// CreateApp creates a client app of a company with a fresh random client secret.
func (s *Store) CreateApp(ctx context.Context, companyID string, in AppInput) (App, error) {
	// The same rules as an API key's name and permissions; the command line is the only creator.
	k := APIKeyInput{Name: in.Name, Restricted: in.Restricted, Permissions: in.Permissions}
	if err := k.validate(nil); err != nil {
		return App{}, err
	}
	var a App
	err := s.inTx(ctx, func(tx *txn) error {
		if err := requireCompany(ctx, tx.Q, companyID); err != nil {
			return err
		}
		row, err := tx.Q.CreateApp(ctx, sqlcdb.CreateAppParams{
			ID: NewID(), CompanyID: companyID, Name: k.Name, ClientSecret: NewSecret("cs_app_"),
			Restricted: boolInt(k.Restricted), Permissions: encodePermissions(k.Permissions), CreatedDate: micros(tx.Now),
		})
		if err != nil {
			return err
		}
		a = appFromRow(row)
		a.ClientSecret = row.ClientSecret
		return nil
	})
	return a, err
}

func appFromRow(r sqlcdb.App) App {
	a := App{ClientID: r.ID, CompanyID: r.CompanyID, Name: r.Name, Restricted: r.Restricted != 0, CreatedDate: fromMicros(r.CreatedDate)}
	a.Permissions = decodePermissions(r.Restricted, r.Permissions)
	return a
}

// The reasons of the errors AuthenticateAppJWT returns; the Kore.ai dialect shows them as codes.
const (
	ReasonTokenMissing    = "TOKEN_MISSING"
	ReasonTokenInvalid    = "TOKEN_INVALID"
	ReasonTokenExpired    = "TOKEN_EXPIRED"
	ReasonAccountMissing  = "ACCOUNT_ID_MISSING"
	ReasonAccountMismatch = "ACCOUNT_MISMATCH"
)

// appIDClaim is the claim that names the app whose secret signed the token.
const appIDClaim = "appId"

// JWTIssuedAtLeeway is how far in the future a JWT's iat may lie: the clock skew between the
// signer and the store that is forgiven. A token claiming to be issued later was not minted by a
// signer with a sane clock, and accepting it would let a pre-minted token outlive its keys.
const JWTIssuedAtLeeway = time.Minute

// AuthenticateAppJWT verifies a JWT of the Kore.ai-style dialect and returns the app's principal.
// The token must be HS256 (any other algorithm, "none" included, is refused before any key is
// looked up), signed with the client secret of the app named by its appId claim, and not expired
// (exp is checked when present, against the store's clock). accountID must be the app's company:
// a valid token used for another account is EFORBIDDEN, a missing accountID EINVALID; every
// failure of the token itself is EUNAUTHORIZED.
func (s *Store) AuthenticateAppJWT(ctx context.Context, token, accountID string) (Principal, error) {
	if strings.TrimSpace(token) == "" {
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenMissing, "The auth header with a JWT is required")
	}
	var app sqlcdb.App
	var lookupErr error // a database failure while looking the app up (not "no such app")
	keyFunc := func(t *jwt.Token) (any, error) {
		// typ is optional (RFC 7519 5.1); when present it must say JWT, so that another kind of
		// signed object (e.g. a JWS of another protocol signed with the same secret) is not taken
		// for an auth token.
		if typ, ok := t.Header["typ"]; ok {
			if s, _ := typ.(string); !strings.EqualFold(s, "JWT") {
				return nil, errors.New("typ is not JWT")
			}
		}
		claims, _ := t.Claims.(jwt.MapClaims)
		id, _ := claims[appIDClaim].(string)
		if id == "" {
			return nil, errors.New("no appId claim")
		}
		if strings.ContainsRune(id, 0) {
			// No app id holds U+0000 (they are generated), and the PostgreSQL engine cannot
			// even look such a value up: the token names no app.
			return nil, errors.New("no such app")
		}
		row, err := s.r.GetApp(ctx, id)
		if err != nil {
			if !isNoRows(err) {
				lookupErr = err
			}
			return nil, err
		}
		app = row
		return []byte(row.ClientSecret), nil
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.now),
	)
	t, err := parser.Parse(token, keyFunc)
	if err == nil {
		err = checkIssuedAt(t, s.now())
	}
	switch {
	case err == nil:
	case lookupErr != nil:
		return Principal{}, lookupErr
	case errors.Is(err, jwt.ErrTokenExpired):
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenExpired, "The JWT has expired")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenInvalid, "The JWT is invalid: its iat lies in the future (more than %s ahead of the server's clock)", JWTIssuedAtLeeway)
	default:
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenInvalid, "The JWT is invalid: it must be HS256 (typ JWT, or no typ), name a known app in appId and be signed with that app's client secret")
	}
	if strings.TrimSpace(accountID) == "" {
		return Principal{}, Errorf(EINVALID, ReasonAccountMissing, "The accountId header is required")
	}
	if accountID != app.CompanyID {
		return Principal{}, Errorf(EFORBIDDEN, ReasonAccountMismatch, "The app is not allowed to act for account %s", accountID)
	}
	return Principal{CompanyID: app.CompanyID, KeyID: app.ID, Restricted: app.Restricted != 0,
		Permissions: decodePermissions(app.Restricted, app.Permissions), Credential: CredentialApp}, nil
}

// checkIssuedAt refuses a token whose iat is not a number or lies more than JWTIssuedAtLeeway
// after now. (The parser's own iat check would apply its leeway to exp too, which stays exact.)
func checkIssuedAt(t *jwt.Token, now time.Time) error {
	iat, err := t.Claims.GetIssuedAt()
	if err != nil {
		return err
	}
	if iat != nil && iat.After(now.Add(JWTIssuedAtLeeway)) {
		return jwt.ErrTokenUsedBeforeIssued
	}
	return nil
}
