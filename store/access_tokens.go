package store

import (
	"context"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Token kinds of the GenLogs-style dialect. Only access tokens authenticate requests.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// RefreshTTLFactor is how many access-token lifetimes a refresh token lives.
const RefreshTTLFactor = 24

// Token is one issued token and when it stops being valid.
type Token struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

// TokenPair is what POST /auth/token returns (GenLogs's AuthSchema). UserID is the API key's id.
type TokenPair struct {
	Access  Token  `json:"access_token_data"`
	Refresh Token  `json:"refresh_token_data"`
	UserID  string `json:"user_id"`
}

// ReasonAPIKeyInvalid is the reason of a missing, unknown, expired or deleted API key, in the
// bearer flow and the token flow alike; the token flow shares ReasonTokenMissing,
// ReasonTokenInvalid and ReasonTokenExpired with the JWT flow (apps.go).
const ReasonAPIKeyInvalid = "INVALID_API_KEY"

// IssueTokens authenticates an API key secret and issues a fresh access token valid for ttl and a
// refresh token valid for RefreshTTLFactor*ttl, both bound to that key. Only their hashes are
// stored. The key's expired tokens are dropped on the way.
func (s *Store) IssueTokens(ctx context.Context, apiKey string, ttl time.Duration) (TokenPair, error) {
	if ttl <= 0 {
		return TokenPair{}, Errorf(EINVALID, "INVALID_TOKEN_TTL", "token lifetime must be positive")
	}
	p, err := s.Authenticate(ctx, apiKey)
	if err != nil {
		return TokenPair{}, err
	}
	var out TokenPair
	err = s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Q.DeleteExpiredAccessTokens(ctx, sqlcdb.DeleteExpiredAccessTokensParams{ApiKeyID: p.KeyID, Now: micros(tx.Now)}); err != nil {
			return err
		}
		issue := func(kind, prefix string, life time.Duration) (Token, error) {
			t := Token{Token: NewSecret(prefix), Expires: tx.Now.Add(life)}
			return t, tx.Q.CreateAccessToken(ctx, sqlcdb.CreateAccessTokenParams{
				TokenHash: HashSecret(t.Token), ApiKeyID: p.KeyID, Kind: kind, ExpiresAt: micros(t.Expires), CreatedDate: micros(tx.Now),
			})
		}
		if out.Access, err = issue(TokenAccess, "at_", ttl); err != nil {
			return err
		}
		if out.Refresh, err = issue(TokenRefresh, "rt_", RefreshTTLFactor*ttl); err != nil {
			return err
		}
		out.UserID = p.KeyID
		return nil
	})
	return out, err
}

// AuthenticateAccessToken resolves an access token presented together with the API key it was
// issued for. The token is checked first: missing (ReasonTokenMissing), then the key (unknown,
// expired or deleted: ReasonAPIKeyInvalid), then the token again: unknown, a refresh token, or
// issued for another key (ReasonTokenInvalid), expired (ReasonTokenExpired). All are EUNAUTHORIZED.
func (s *Store) AuthenticateAccessToken(ctx context.Context, token, apiKey string) (Principal, error) {
	if token == "" {
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenMissing, "the access token is missing")
	}
	p, err := s.Authenticate(ctx, apiKey)
	if err != nil {
		if ErrorCode(err) == EUNAUTHORIZED {
			return Principal{}, Errorf(EUNAUTHORIZED, ReasonAPIKeyInvalid, "the API key is missing, unknown, expired or deleted")
		}
		return Principal{}, err
	}
	row, err := s.r.GetAccessToken(ctx, HashSecret(token))
	if isNoRows(err) || (err == nil && (row.Kind != TokenAccess || row.ApiKeyID != p.KeyID)) {
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenInvalid, "the access token is unknown, a refresh token, or issued for another API key")
	} else if err != nil {
		return Principal{}, err
	}
	if !s.now().Before(fromMicros(row.ExpiresAt)) {
		return Principal{}, Errorf(EUNAUTHORIZED, ReasonTokenExpired, "the access token has expired")
	}
	p.Credential = CredentialAccessToken
	return p, nil
}
