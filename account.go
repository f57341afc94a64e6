package kindred

import (
	"context"
	"time"
)

// PasswordLinkLifetime is how long an invitation or reset link works: long
// enough to span a weekend, short enough that a forgotten one dies.
const PasswordLinkLifetime = 72 * time.Hour

// PasswordLinkPath is where a password link points, before its secret:
// base + PasswordLinkPath + secret.
const PasswordLinkPath = "/password?token="

// LinkPurpose says why a password link was made.
type LinkPurpose string

// Purposes: an invitation sets a new agent's first password; a reset
// replaces a forgotten one.
const (
	LinkInvite LinkPurpose = "invite"
	LinkReset  LinkPurpose = "reset"
)

// PasswordLink is a one-time link with which an agent sets a password. Only
// the SHA-256 of its secret is stored.
type PasswordLink struct {
	ID        int64       `json:"id"`
	AgentID   int64       `json:"agent_id"`
	Purpose   LinkPurpose `json:"purpose"`
	CreatedBy int64       `json:"created_by,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	ExpiresAt time.Time   `json:"expires_at"`
	UsedAt    *time.Time  `json:"used_at,omitempty"`
}

// AccountService keeps how people sign in: one-time links to set a
// password, and changing one's own.
type AccountService interface {
	// CreatePasswordLink stores the hash of a new link for the agent, valid
	// until expires, and spends the agent's earlier unused links: only the
	// newest works. It is an invitation when the agent has no password yet,
	// a reset otherwise. An account without an email (an API-only service
	// account) or a disabled one is Invalid: neither can sign in.
	CreatePasswordLink(ctx context.Context, agentID int64, hash []byte, expires time.Time) (*PasswordLink, error)
	// PasswordLink returns the unused, unexpired link with this hash at now,
	// and its agent; any other is Locked.
	PasswordLink(ctx context.Context, hash []byte, now time.Time) (*PasswordLink, *Agent, error)
	// UsePasswordLink spends the link with this hash, sets its agent's
	// password hash and ends the agent's sessions, in one transaction. A
	// used, expired or unknown link is Locked.
	UsePasswordLink(ctx context.Context, hash []byte, now time.Time, passwordHash string) (*Agent, error)
	// PasswordHash returns the agent's stored password hash ("" when none),
	// to check the current password before it is changed.
	PasswordHash(ctx context.Context, agentID int64) (string, error)
	// SetPassword replaces the agent's password hash and ends the agent's
	// sessions (a stolen one with them).
	SetPassword(ctx context.Context, agentID int64, passwordHash string) error
}

// ServesCustomers reports whether a is a person who serves customers: one
// who may be assigned a conversation or named as a colleague. Disabled
// agents, kiosks and API-only service accounts (no email) are not.
func (a Agent) ServesCustomers() bool {
	return !a.Disabled && a.Role != RoleKiosk && a.Email != ""
}

// CanSignIn reports whether a can sign in to the console now: enabled, with
// an email and a password.
func (a Agent) CanSignIn() bool { return !a.Disabled && a.Email != "" && a.HasPassword }
