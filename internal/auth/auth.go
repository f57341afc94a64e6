// Package auth hashes human passwords with argon2id and mints API tokens.
//
// Passwords are low-entropy and guessable, so they get a deliberately slow,
// memory-hard hash. API tokens are 256 random bits: nobody can guess them, so
// a single SHA-256 is enough and keeps every API request fast.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters, after RFC 9106's second recommended option (64 MiB, 3 passes).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// TokenPrefix marks kindred API tokens, so that secret scanners and people
// can recognise one.
const TokenPrefix = "kdr_"

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of password in PHC string format.
// It waits for a hashing slot as HashPasswordContext does; servers use that,
// with the request's context.
func HashPassword(password string) (string, error) {
	return HashPasswordContext(context.Background(), password)
}

func hashPassword(password string) (string, error) {
	hashes.Add(1)
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-format hash. It
// waits for a hashing slot as CheckPasswordContext does, and reports false
// when none came free.
func CheckPassword(hash, password string) bool {
	ok, err := CheckPasswordContext(context.Background(), hash, password)
	return ok && err == nil
}

// maxArgonMemory bounds the memory cost a stored hash may ask for (KiB): a
// hash written by hand into the database must not make one check take
// gigabytes.
const maxArgonMemory = 4 * argonMemory

func checkPassword(hash, password string) bool {
	p, ok := parsePHC(hash)
	if !ok {
		return false
	}
	hashes.Add(1)
	got := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(got, p.key) == 1
}

// phc is a parsed argon2id hash.
type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parsePHC reads an argon2id hash in PHC string format, refusing costs
// beyond what kindred writes by more than a margin.
func parsePHC(hash string) (phc, bool) {
	var p phc
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, false
	}
	if p.memory > maxArgonMemory || p.time == 0 || p.time > 4*argonTime || p.threads == 0 {
		return p, false
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, false
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) == 0 || len(p.key) > 1024 {
		return p, false
	}
	return p, true
}

// NewToken returns a new API token secret (shown once to its owner) and the
// hash to store.
func NewToken() (secret string, hash []byte, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	return secret, HashToken(secret), nil
}

// HashToken returns the SHA-256 of a token secret, the form in which tokens are stored.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// ErrMalformedToken is returned by ParseBearer for an Authorization header
// that is not a kindred bearer token.
var ErrMalformedToken = errors.New("authorization must be 'Bearer kdr_...'")

// ParseBearer extracts the token secret from an Authorization header value.
func ParseBearer(header string) (string, error) {
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrMalformedToken
	}
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) < len(TokenPrefix)+20 {
		return "", ErrMalformedToken
	}
	return secret, nil
}

// NewPassword returns a random password for a first-run admin: 20 characters
// from an alphabet without look-alikes (no 0/O, 1/l/I).
func NewPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	raw := make([]byte, 20)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	for i, b := range raw {
		raw[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(raw), nil
}
