package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
)

// seenEvery is how stale a session's last_seen_at may get before a request
// refreshes it: idle expiry is counted in hours, so writing on every request
// would cost the single SQLite writer for nothing.
const seenEvery = time.Minute

// CreateSession stores a new session for s.AgentID (signing in) and forgets
// sessions whose absolute end has passed. The audit entry never holds the hash.
func (db *DB) CreateSession(ctx context.Context, s *kindred.Session) error {
	var v kindred.Validation
	if s.AgentID == 0 {
		v.Add("agent_id", "say who is signing in")
	}
	if len(s.Hash) == 0 {
		v.Add("hash", "missing")
	}
	if err := v.Err(); err != nil {
		return err
	}
	now := db.clock()
	s.CreatedAt, s.LastSeenAt = now, now
	s.ExpiresAt = roundMS(s.ExpiresAt)
	if !s.ExpiresAt.After(now) {
		return invalid("expires_at", "must be in the future")
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "agents", "agent_id", s.AgentID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ms(now)); err != nil {
			return fmt.Errorf("forget ended sessions: %w", err)
		}
		id, err := tx.Insert(ctx, `INSERT INTO sessions (agent_id, hash, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, s.AgentID, s.Hash, ms(now), ms(now), ms(s.ExpiresAt))
		if isUnique(err) {
			return kindred.Errorf(kindred.Conflict, "a session with this secret already exists")
		}
		if err != nil {
			return err
		}
		s.ID = id
		return tx.Audit(ctx, "session.create", "agent", s.AgentID, fmt.Sprintf("session %d", id))
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash returns the live session with this hash and its agent, and
// moves its last_seen_at to now (at most once a minute). A session past its
// absolute end, or idle for longer than idle, is NotFound. The caller decides
// what a disabled agent may do.
func (db *DB) SessionByHash(ctx context.Context, hash []byte, now time.Time, idle time.Duration) (*kindred.Session, *kindred.Agent, error) {
	now = roundMS(now)
	var s kindred.Session
	var a kindred.Agent
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var created, seen, expires int64
		err := scanAgent(tx.QueryRow(ctx, "SELECT "+agentColumns+`, s.id, s.agent_id, s.hash, s.created_at, s.last_seen_at, s.expires_at
			FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE s.hash = ?`, hash),
			&a, &s.ID, &s.AgentID, &s.Hash, &created, &seen, &expires)
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kindred.Errorf(kindred.NotFound, "no session with this secret")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read session: %w", err)
	}
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeenAt.Add(idle)) {
		return nil, nil, kindred.Errorf(kindred.NotFound, "the session has ended")
	}
	if now.Sub(s.LastSeenAt) >= seenEvery {
		err := db.Tx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?", ms(now), s.ID, ms(now))
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("touch session %d: %w", s.ID, err)
		}
		s.LastSeenAt = now
	}
	return &s, &a, nil
}

// DeleteSession ends the session with this hash (signing out).
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		var id, agentID int64
		err := tx.QueryRow(ctx, "SELECT id, agent_id FROM sessions WHERE hash = ?"+tx.ForUpdate(), hash).Scan(&id, &agentID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE id = ?", id); err != nil {
			return err
		}
		return tx.Audit(ctx, "session.delete", "agent", agentID, fmt.Sprintf("session %d", id))
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Preferences returns the agent's console preferences, or the zero value
// when the agent has never changed them.
func (db *DB) Preferences(ctx context.Context, agentID int64) (kindred.Preferences, error) {
	var p kindred.Preferences
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT large_text, language FROM agent_preferences WHERE agent_id = ?", agentID).
			Scan(&p.LargeText, &p.Language)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return kindred.Preferences{}, nil
	}
	if err != nil {
		return p, fmt.Errorf("read preferences of agent %d: %w", agentID, err)
	}
	return p, nil
}

// SetPreferences stores the agent's console preferences.
func (db *DB) SetPreferences(ctx context.Context, agentID int64, p kindred.Preferences) error {
	p.Language = strings.TrimSpace(p.Language)
	if len(p.Language) > 35 {
		return invalid("language", "is too long for a language tag")
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "agents", "agent_id", agentID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agent_preferences (agent_id, large_text, language, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (agent_id) DO UPDATE SET large_text = excluded.large_text, language = excluded.language,
			updated_at = excluded.updated_at`, agentID, p.LargeText, p.Language, ms(db.clock())); err != nil {
			return err
		}
		return tx.Audit(ctx, "preferences.update", "agent", agentID, fmt.Sprintf("large text %t, language %q", p.LargeText, p.Language))
	})
	if err != nil {
		return fmt.Errorf("set preferences of agent %d: %w", agentID, err)
	}
	return nil
}

// CreateSetupToken stores a new one-time setup link valid until expires and
// spends every earlier unused one, so that only the newest link works.
func (db *DB) CreateSetupToken(ctx context.Context, hash []byte, expires time.Time) error {
	if len(hash) == 0 {
		return invalid("hash", "missing")
	}
	now := db.clock()
	err := db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL", ms(now)); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, "INSERT INTO setup_tokens (hash, created_at, expires_at) VALUES (?, ?, ?) RETURNING id",
			hash, ms(now), ms(roundMS(expires)))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "setup.create", "setup", id, "expires "+roundMS(expires).Format(time.RFC3339))
	})
	if err != nil {
		return fmt.Errorf("create setup link: %w", err)
	}
	return nil
}

// setupTokenLive returns the id of the unused, unexpired setup link with this
// hash, or 0.
func (tx *Tx) setupTokenLive(ctx context.Context, hash []byte, now time.Time, lock bool) (int64, error) {
	q := "SELECT id FROM setup_tokens WHERE hash = ? AND used_at IS NULL AND expires_at > ?"
	if lock {
		q += tx.ForUpdate()
	}
	var id int64
	err := tx.QueryRow(ctx, q, hash, ms(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// SetupTokenValid reports whether the setup link with this hash can still be used at now.
func (db *DB) SetupTokenValid(ctx context.Context, hash []byte, now time.Time) (bool, error) {
	var id int64
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		id, err = tx.setupTokenLive(ctx, hash, now, false)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read setup link: %w", err)
	}
	return id != 0, nil
}

// UseSetupToken spends the setup link with this hash and creates the first
// administrator in the same transaction, so that a link cannot make two.
func (db *DB) UseSetupToken(ctx context.Context, hash []byte, now time.Time, admin *kindred.Agent, passwordHash string) error {
	admin.Name = strings.TrimSpace(admin.Name)
	admin.Email = strings.TrimSpace(admin.Email)
	var v kindred.Validation
	if admin.Name == "" {
		v.Add("name", "give the administrator's name")
	}
	if admin.Email == "" {
		v.Add("email", "is required to sign in")
	}
	if passwordHash == "" {
		v.Add("password", "is required to sign in")
	}
	if err := v.Err(); err != nil {
		return err
	}
	admin.Role = kindred.RoleAdmin
	admin.Disabled = false
	admin.HasPassword = true
	admin.CreatedAt = db.clock()
	now = roundMS(now)
	err := db.Tx(ctx, func(tx *Tx) error {
		tokenID, err := tx.setupTokenLive(ctx, hash, now, true)
		if err != nil {
			return err
		}
		if tokenID == 0 {
			return kindred.Errorf(kindred.Locked, "this setup link has been used or has expired")
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM agents
			WHERE role = ? AND disabled = ? AND email IS NOT NULL AND password_hash <> ''`, string(kindred.RoleAdmin), false).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return kindred.Errorf(kindred.Conflict, "this desk already has an administrator who can sign in")
		}
		if _, err := tx.Exec(ctx, "UPDATE setup_tokens SET used_at = ? WHERE id = ?", ms(now), tokenID); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, `INSERT INTO agents (name, email, password_hash, role, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			admin.Name, admin.Email, passwordHash, string(admin.Role), false, ms(admin.CreatedAt))
		if isUnique(err) {
			return &kindred.Error{Kind: kindred.Conflict, Message: "an agent with this email already exists",
				Fields: []kindred.FieldError{{Field: "email", Reason: "already in use"}}}
		}
		if err != nil {
			return err
		}
		admin.ID = id
		if err := tx.Audit(ctx, "setup.use", "setup", tokenID, fmt.Sprintf("first administrator is agent %d", id)); err != nil {
			return err
		}
		return tx.Audit(ctx, "agent.create", "agent", id, "role admin, by the setup link")
	})
	if err != nil {
		return fmt.Errorf("use setup link: %w", err)
	}
	return nil
}

var _ kindred.SessionService = (*DB)(nil)
