package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/callstore/callstore/db/sqlcdb"
)

// Permissions is every value of the contract's Permission enum, in its order.
var Permissions = []string{
	"companies.delete",
	"companies.update",
	"calls.create",
	"calls.delete",
	"calls.update",
	"calls.view",
	"messages.view",
	"agents.view",
	"agents.create",
	"agents.update",
	"agents.delete",
	"phones.view",
	"phones.purchase",
	"phones.delete",
	"phones.update",
	"phones.import",
	"tools.view",
	"tools.create",
	"tools.delete",
	"tools.update",
	"contacts.view",
	"contacts.delete",
	"conversational_paths.view",
	"conversational_paths.create",
	"conversational_paths.delete",
	"conversational_paths.update",
	"knowledge_bases.view",
	"knowledge_bases.create",
	"knowledge_bases.delete",
	"knowledge_bases.update",
	"webhooks.view",
	"webhooks.create",
	"webhooks.delete",
	"webhooks.update",
	"members.view",
	"members.create",
	"members.delete",
	"members.update",
	"billing.view",
	"billing.update",
	"api_keys.view",
	"api_keys.create",
	"api_keys.delete",
	"api_keys.update",
	"voices.view",
	"transcriptions.view",
	"recordings.view",
	"stats.view",
	"verifications.create",
	"verifications.view",
	"notifications.view",
	"notifications.update",
	"logs.view",
	"integrations.view",
	"integrations.create",
	"integrations.update",
	"integrations.delete",
	"workflows.view",
	"workflows.create",
	"workflows.update",
	"workflows.delete",
}

// PermDeletionsView is the permission that reads the deletion audit trail and the retention
// setting (GET /v1/deletion/, GET /v1/retention): the contract's logs.view, since the trail is an
// audit log. A permission of its own would put a value outside the contract's Permission enum into
// API key answers, which a client generated from the contract refuses.
const PermDeletionsView = "logs.view"

// ValidPermission reports whether p is a value of the contract's Permission enum.
func ValidPermission(p string) bool { return slices.Contains(Permissions, p) }

// Principal is an authenticated caller: the company it acts for and what it may do there.
type Principal struct {
	CompanyID   string
	KeyID       string // the API key (or app) that authenticated the caller
	Restricted  bool
	Permissions []string

	// What the deletion audit trail records of the caller (never a secret): the kind of
	// credential (CredentialAPIKey, CredentialApp, CredentialAccessToken; for an access token
	// KeyID is the key it was issued for), and where the request came in. The server sets Dialect
	// and Route; other callers of the store name themselves (e.g. "cli", "callstore purge").
	Credential string
	Dialect    string
	Route      string
}

// The kinds of credential a Principal can come from.
const (
	CredentialAPIKey      = "api_key"
	CredentialApp         = "app"
	CredentialAccessToken = "access_token"
	CredentialCLI         = "cli"    // a command run on the database file
	CredentialServer      = "server" // the server itself (retention)
)

// Can reports whether the principal holds perm. Unrestricted principals hold every permission.
func (p Principal) Can(perm string) bool {
	return !p.Restricted || slices.Contains(p.Permissions, perm)
}

// APIKey is a key as shown to its company: the secret Value only at creation.
type APIKey struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	CreatedDate    time.Time  `json:"created_date"`
	LastFourDigits string     `json:"last_four_digits"`
	CreatorID      string     `json:"creator_id"`
	Permissions    []string   `json:"permissions"` // null for an unrestricted key
	Restricted     bool       `json:"restricted"`
	ExpiryDate     *time.Time `json:"expiry_date,omitempty"`
	Value          *string    `json:"value,omitempty"`
	CompanyID      string     `json:"-"`
}

// Authenticate resolves an API key secret to its principal. Unknown, deleted and expired keys
// all give the same EUNAUTHORIZED error.
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	unauthorized := Errorf(EUNAUTHORIZED, ReasonAPIKeyInvalid, "the API key is missing, unknown, expired or deleted")
	if secret == "" {
		return Principal{}, unauthorized
	}
	row, err := s.r.GetAPIKeyByHash(ctx, HashSecret(secret))
	if isNoRows(err) {
		return Principal{}, unauthorized
	} else if err != nil {
		return Principal{}, err
	}
	if row.ExpiresAt != nil && !s.now().Before(fromMicros(*row.ExpiresAt)) {
		return Principal{}, unauthorized
	}
	k := apiKeyFromRow(row)
	return Principal{CompanyID: row.CompanyID, KeyID: row.ID, Restricted: k.Restricted, Permissions: k.Permissions, Credential: CredentialAPIKey}, nil
}

// APIKeyInput is what a caller may set on a key.
type APIKeyInput struct {
	Name        string
	Restricted  bool
	Permissions []string
	ExpiryDate  *time.Time
}

func (in *APIKeyInput) validate(creator *Principal) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Errorf(EINVALID, "INVALID_NAME", "name must not be empty")
	}
	if !in.Restricted {
		if len(in.Permissions) > 0 {
			return Errorf(EINVALID, "INVALID_PERMISSIONS", "permissions are only allowed on restricted keys")
		}
		in.Permissions = nil
	}
	seen := map[string]bool{}
	perms := []string{}
	for _, p := range in.Permissions {
		if !ValidPermission(p) {
			return Errorf(EINVALID, "INVALID_PERMISSIONS", "unknown permission %q", p)
		}
		if !seen[p] {
			seen[p] = true
			perms = append(perms, p)
		}
	}
	if in.Restricted {
		in.Permissions = perms
	}
	// A key can hand on only what its creator holds: no escalation through api_keys.create/update.
	if creator != nil && creator.Restricted {
		if !in.Restricted {
			return Errorf(EFORBIDDEN, "PERMISSION_ESCALATION", "A restricted key cannot grant an unrestricted key")
		}
		for _, p := range in.Permissions {
			if !creator.Can(p) {
				return Errorf(EFORBIDDEN, "PERMISSION_ESCALATION", "A key cannot grant the permission %s it does not hold", p)
			}
		}
	}
	return nil
}

// CreateAPIKey creates a key for a company. creator is the calling principal, or nil for the
// command line (the key is then its own creator). The returned key carries the secret Value.
func (s *Store) CreateAPIKey(ctx context.Context, companyID string, creator *Principal, in APIKeyInput) (APIKey, error) {
	if err := in.validate(creator); err != nil {
		return APIKey{}, err
	}
	var k APIKey
	err := s.inTx(ctx, func(tx *txn) error {
		if in.ExpiryDate != nil && !in.ExpiryDate.After(tx.Now) {
			return Errorf(EINVALID, "INVALID_EXPIRY_DATE", "expiry_date must be in the future")
		}
		if err := requireCompany(ctx, tx.Q, companyID); err != nil {
			return err
		}
		id := NewID()
		creatorID := id
		if creator != nil {
			creatorID = creator.KeyID
		}
		secret := NewSecret("cs_")
		row, err := tx.Q.CreateAPIKey(ctx, sqlcdb.CreateAPIKeyParams{
			ID: id, CompanyID: companyID, Name: in.Name, KeyHash: HashSecret(secret),
			LastFour: secret[len(secret)-4:], Restricted: boolInt(in.Restricted), Permissions: encodePermissions(in.Permissions),
			CreatorID: creatorID, ExpiresAt: microsPtr(in.ExpiryDate), CreatedDate: micros(tx.Now),
		})
		if err != nil {
			return err
		}
		k = apiKeyFromRow(row)
		k.Value = &secret
		return nil
	})
	return k, err
}

// GetAPIKey returns one key of the caller's company.
func (s *Store) GetAPIKey(ctx context.Context, p Principal, id string) (APIKey, error) {
	row, err := s.r.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: p.CompanyID, ID: id})
	if isNoRows(err) {
		return APIKey{}, errAPIKeyNotFound(id)
	} else if err != nil {
		return APIKey{}, err
	}
	return apiKeyFromRow(row), nil
}

func errAPIKeyNotFound(id string) error {
	return Errorf(ENOTFOUND, "API_KEY_NOT_FOUND", "API key %s not found", id)
}

// APIKeyUpdate holds the fields of a PATCH; nil means "leave as is".
type APIKeyUpdate struct {
	Name        *string
	Restricted  *bool
	Permissions *[]string // a non-nil pointer to nil means "null": no permissions
}

// UpdateAPIKey changes the name, restriction or permissions of a key of the caller's company.
func (s *Store) UpdateAPIKey(ctx context.Context, p Principal, id string, u APIKeyUpdate) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(tx *txn) error {
		row, err := tx.Q.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return errAPIKeyNotFound(id)
		} else if err != nil {
			return err
		}
		cur := apiKeyFromRow(row)
		in := APIKeyInput{Name: cur.Name, Restricted: cur.Restricted, Permissions: cur.Permissions}
		if u.Name != nil {
			in.Name = *u.Name
		}
		if u.Restricted != nil {
			in.Restricted = *u.Restricted
			if !in.Restricted && u.Permissions == nil {
				in.Permissions = nil
			}
		}
		if u.Permissions != nil {
			in.Permissions = *u.Permissions
		}
		if err := in.validate(&p); err != nil {
			return err
		}
		row, err = tx.Q.UpdateAPIKey(ctx, sqlcdb.UpdateAPIKeyParams{
			Name: in.Name, Restricted: boolInt(in.Restricted), Permissions: encodePermissions(in.Permissions), CompanyID: p.CompanyID, ID: id,
		})
		if err != nil {
			return err
		}
		k = apiKeyFromRow(row)
		return nil
	})
	return k, err
}

// DeleteAPIKey deletes a key of the caller's company; it stops authenticating at once.
func (s *Store) DeleteAPIKey(ctx context.Context, p Principal, id string) error {
	return s.inTx(ctx, func(tx *txn) error {
		n, err := tx.Q.DeleteAPIKey(ctx, sqlcdb.DeleteAPIKeyParams{CompanyID: p.CompanyID, ID: id})
		if err != nil {
			return err
		} else if n == 0 {
			return errAPIKeyNotFound(id)
		}
		return nil
	})
}

// ListCompanyAPIKeys returns every key of a company, oldest first, without secrets (for operators:
// the command line's list). An unknown company is ENOTFOUND.
func (s *Store) ListCompanyAPIKeys(ctx context.Context, companyID string) ([]APIKey, error) {
	if _, err := s.GetCompany(ctx, companyID); err != nil {
		return nil, err
	}
	rows, err := s.r.ListCompanyAPIKeys(ctx, companyID)
	if err != nil {
		return nil, err
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = apiKeyFromRow(r)
	}
	return out, nil
}

// RevokeAPIKey deletes a key of a company for an operator, like DeleteAPIKey does for the API:
// the key, and the access tokens issued for it, stop authenticating at once.
func (s *Store) RevokeAPIKey(ctx context.Context, companyID, id string) error {
	if _, err := s.GetCompany(ctx, companyID); err != nil {
		return err
	}
	return s.DeleteAPIKey(ctx, Principal{CompanyID: companyID}, id)
}

// RotateAPIKey gives a key of a company a new secret, returned in Value (the only time it is
// shown). Everything else stays: the id, name, permissions, expiry and creator, so whatever refers
// to the key by id still does. The old secret, and the access tokens issued with it, stop
// authenticating at once. An expired key is not rotated (EINVALID): create a new one.
func (s *Store) RotateAPIKey(ctx context.Context, companyID, id string) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(tx *txn) error {
		if err := requireCompany(ctx, tx.Q, companyID); err != nil {
			return err
		}
		row, err := tx.Q.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: companyID, ID: id})
		if isNoRows(err) {
			return errAPIKeyNotFound(id)
		} else if err != nil {
			return err
		}
		if row.ExpiresAt != nil && !tx.Now.Before(fromMicros(*row.ExpiresAt)) {
			return Errorf(EINVALID, "API_KEY_EXPIRED", "API key %s expired on %s: create a new key instead", id, fromMicros(*row.ExpiresAt).Format(time.RFC3339))
		}
		secret := NewSecret("cs_")
		row, err = tx.Q.RotateAPIKey(ctx, sqlcdb.RotateAPIKeyParams{
			KeyHash: HashSecret(secret), LastFour: secret[len(secret)-4:], CompanyID: companyID, ID: id,
		})
		if err != nil {
			return err
		}
		if _, err := tx.Q.DeleteAPIKeyTokens(ctx, id); err != nil {
			return err
		}
		k = apiKeyFromRow(row)
		k.Value = &secret
		return nil
	})
	return k, err
}

// ListAPIKeys pages through the caller's company's keys.
func (s *Store) ListAPIKeys(ctx context.Context, p Principal, pg PageRequest) (Page[APIKey], error) {
	cursorOf := func(id string) (Cursor, error) {
		row, err := s.r.GetAPIKey(ctx, sqlcdb.GetAPIKeyParams{CompanyID: p.CompanyID, ID: id})
		if isNoRows(err) {
			return Cursor{}, errInvalidCursor()
		}
		return Cursor{Date: row.CreatedDate, ID: row.ID}, err
	}
	list := func(asc bool, w Window) ([]APIKey, error) {
		var rows []sqlcdb.ApiKey
		var err error
		if asc {
			rows, err = s.r.ListAPIKeysAsc(ctx, sqlcdb.ListAPIKeysAscParams{CompanyID: p.CompanyID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		} else {
			rows, err = s.r.ListAPIKeysDesc(ctx, sqlcdb.ListAPIKeysDescParams{CompanyID: p.CompanyID, Lo: w.Lo, Hi: w.Hi, CursorDate: w.Cursor.Date, CursorID: w.Cursor.ID, Off: w.Offset, Lim: w.Limit})
		}
		out := make([]APIKey, len(rows))
		for i, r := range rows {
			out[i] = apiKeyFromRow(r)
		}
		return out, err
	}
	count := func() (int64, error) { return s.r.CountAPIKeys(ctx, p.CompanyID) }
	return paginate(pg, DateRange{}, keyLookup{Key: cursorOf}, list, count, func(k APIKey) string { return k.ID })
}

func apiKeyFromRow(r sqlcdb.ApiKey) APIKey {
	k := APIKey{
		ID: r.ID, Name: r.Name, CreatedDate: fromMicros(r.CreatedDate), LastFourDigits: r.LastFour,
		CreatorID: r.CreatorID, Restricted: r.Restricted != 0, ExpiryDate: fromMicrosPtr(r.ExpiresAt), CompanyID: r.CompanyID,
	}
	k.Permissions = decodePermissions(r.Restricted, r.Permissions)
	return k
}

// encodePermissions is the stored form of a permission list: a JSON array, "[]" for none.
func encodePermissions(perms []string) string {
	if perms == nil {
		return "[]"
	}
	b, _ := json.Marshal(perms) // a []string always marshals
	return string(b)
}

// decodePermissions reads a stored permission list back: nil for an unrestricted key or app
// (which holds every permission), the list otherwise.
func decodePermissions(restricted int64, stored string) []string {
	if restricted == 0 {
		return nil
	}
	perms := []string{}
	_ = json.Unmarshal([]byte(stored), &perms) // written by encodePermissions
	return perms
}
