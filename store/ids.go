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
