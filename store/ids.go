package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
)

// HashSecret is how secrets are stored and looked up: hex SHA-256. Secrets are 192-bit random,
// so a fast hash is enough (there is nothing to brute-force).
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// NewSecret returns a fresh random secret with the given prefix.
func NewSecret(prefix string) string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + hex.EncodeToString(b)
}

// NewID returns a new time-ordered (v7) UUID.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// canonicalID returns a UUID, given in any form uuid.Parse takes, in its canonical form (lowercase
// hex, hyphenated): the form ids are stored and compared in. An id already in that form, as
// almost every imported id is, comes back as it is, without parsing or a copy.
func canonicalID(s string) (string, bool) {
	if isCanonicalUUID(s) {
		return s, true
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

func isCanonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range 36 {
		switch c := s[i]; i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}
