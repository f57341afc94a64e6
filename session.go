package kindred

import (
	"context"
	"time"
)

// Session is a person signed in to the console from one browser. The browser
// holds a random secret; only its SHA-256 is stored, as for API tokens.
type Session struct {
	ID         int64     `json:"id"`
	AgentID    int64     `json:"agent_id"`
	Hash       []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute end of the session, however active it is.
	ExpiresAt time.Time `json:"expires_at"`
}

// Preferences are how an agent likes the console: remembered across
// sessions and browsers.
type Preferences struct {
	// LargeText turns on the larger, higher-contrast display.
	LargeText bool `json:"large_text"`
	// Language is the console's language tag ("en", "sw"); "" follows the browser.
	Language string `json:"language"`
}

// SessionService keeps console sign-ins, agents' preferences and the
// one-time link that sets up a new desk's first administrator.
type SessionService interface {
	// CreateSession stores s, whose AgentID, Hash and ExpiresAt the caller
	// has set, and forgets sessions that have ended.
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session with this hash and its agent, if it
	// has not passed ExpiresAt nor been idle for longer than idle, and
	// records that it was seen now. An ended session is NotFound.
	SessionByHash(ctx context.Context, hash []byte, now time.Time, idle time.Duration) (*Session, *Agent, error)
	// DeleteSession ends the session with this hash (signing out); ending
	// one that does not exist is not an error.
	DeleteSession(ctx context.Context, hash []byte) error

	// Preferences returns the agent's preferences; the zero value when none are stored.
	Preferences(ctx context.Context, agentID int64) (Preferences, error)
	// SetPreferences stores the agent's preferences.
	SetPreferences(ctx context.Context, agentID int64, p Preferences) error

	// CreateSetupToken stores the hash of a new one-time setup link, valid
	// until expires, and kills every earlier unused one: only the newest
	// link printed works.
	CreateSetupToken(ctx context.Context, hash []byte, expires time.Time) error
	// SetupTokenValid reports whether the link with this hash is unused and
	// unexpired at now.
	SetupTokenValid(ctx context.Context, hash []byte, now time.Time) (bool, error)
	// UseSetupToken spends the link with this hash and creates admin, the
	// first administrator, in one transaction. A used, expired or unknown
	// link is Locked; a desk that already has an administrator who can sign
	// in is a Conflict.
	UseSetupToken(ctx context.Context, hash []byte, now time.Time, admin *Agent, passwordHash string) error
}
