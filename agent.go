package kindred

import (
	"context"
	"time"
)

// Role says what an agent may do.
type Role string

// Roles, from most to least trusted. A kiosk is a shared walk-in terminal.
const (
	RoleAdmin Role = "admin"
	RoleLead  Role = "lead"
	RoleAgent Role = "agent"
	RoleKiosk Role = "kiosk"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleLead, RoleAgent, RoleKiosk}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleLead, RoleAgent, RoleKiosk:
		return true
	}
	return false
}

// Agent is a person (or a service account) who serves customers.
type Agent struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"` // empty for API-only service accounts
	Role     Role   `json:"role"`
	Team     string `json:"team,omitempty"` // for the insights per team: "Pensions", "Cards"
	Disabled bool   `json:"disabled"`
	// HasPassword is set once the agent has a password (from an invitation
	// link, a reset link or the first-run setup); never the hash itself.
	HasPassword bool      `json:"has_password"`
	CreatedAt   time.Time `json:"created_at"`
}

// Token is an API bearer token. Only the SHA-256 of the secret is stored: the
// secret is random and high-entropy, so a slow hash would add nothing but latency.
type Token struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Hash       []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Actor is who is doing something: recorded in the audit log of every change.
type Actor struct {
	AgentID int64
	Name    string
	Role    Role
}

type actorKey struct{}

// WithActor returns a context that carries the actor making a request.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
