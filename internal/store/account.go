package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kindred-desk/kindred"
)

// CreatePasswordLink stores the hash of a new one-time password link for the
// agent and spends the agent's earlier unused ones. The audit entry says
// which kind of link and until when, never its secret.
func (db *DB) CreatePasswordLink(ctx context.Context, agentID int64, hash []byte, expires time.Time) (*kindred.PasswordLink, error) {
	if len(hash) == 0 {
		return nil, invalid("hash", "missing")
	}
	now := db.clock()
	l := &kindred.PasswordLink{AgentID: agentID, CreatedAt: now, ExpiresAt: roundMS(expires)}
	if !l.ExpiresAt.After(now) {
		return nil, invalid("expires_at", "must be in the future")
	}
	if actor, ok := kindred.ActorFrom(ctx); ok {
		l.CreatedBy = actor.AgentID
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		a, err := tx.agent(ctx, agentID, true)
		if err != nil {
			return err
		}
		switch {
		case a.Email == "":
			return invalid("email", "this is an API-only account: give it an email before it can have a password")
		case a.Disabled:
			return invalid("disabled", "this agent is disabled: enable them first")
		}
		l.Purpose = kindred.LinkInvite
		if a.HasPassword {
			l.Purpose = kindred.LinkReset
		}
		if _, err := tx.Exec(ctx, "UPDATE password_links SET used_at = ? WHERE agent_id = ? AND used_at IS NULL", ms(now), agentID); err != nil {
			return err
		}
		l.ID, err = tx.Insert(ctx, `INSERT INTO password_links (agent_id, purpose, hash, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, agentID, string(l.Purpose), hash, l.CreatedBy, ms(now), ms(l.ExpiresAt))
		if isUnique(err) {
			return kindred.Errorf(kindred.Conflict, "a link with this secret already exists")
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "password_link.create", "agent", agentID,
			fmt.Sprintf("%s link %d, expires %s", l.Purpose, l.ID, l.ExpiresAt.Format(time.RFC3339)))
	})
	if err != nil {
		return nil, fmt.Errorf("create password link for agent %d: %w", agentID, err)
	}
	return l, nil
}

// passwordLink reads the live link with this hash at now, and its agent; a
// used, expired or unknown one is Locked.
func (tx *Tx) passwordLink(ctx context.Context, hash []byte, now time.Time, lock bool) (*kindred.PasswordLink, *kindred.Agent, error) {
	q := `SELECT id, agent_id, purpose, created_by, created_at, expires_at FROM password_links
		WHERE hash = ? AND used_at IS NULL AND expires_at > ?`
	if lock {
		q += tx.ForUpdate()
	}
	var l kindred.PasswordLink
	var purpose string
	var created, expires int64
	err := tx.QueryRow(ctx, q, hash, ms(now)).Scan(&l.ID, &l.AgentID, &purpose, &l.CreatedBy, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kindred.Errorf(kindred.Locked, "this link has been used, has been replaced by a newer one, or has expired")
	}
	if err != nil {
		return nil, nil, err
	}
	l.Purpose, l.CreatedAt, l.ExpiresAt = kindred.LinkPurpose(purpose), fromMS(created), fromMS(expires)
	a, err := tx.agent(ctx, l.AgentID, lock)
	if err != nil {
		return nil, nil, err
	}
	if a.Disabled || a.Email == "" {
		return nil, nil, kindred.Errorf(kindred.Locked, "this account cannot sign in")
	}
	return &l, a, nil
}

// PasswordLink returns the live link with this hash at now, and its agent.
func (db *DB) PasswordLink(ctx context.Context, hash []byte, now time.Time) (*kindred.PasswordLink, *kindred.Agent, error) {
	var l *kindred.PasswordLink
	var a *kindred.Agent
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		l, a, err = tx.passwordLink(ctx, hash, roundMS(now), false)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read password link: %w", err)
	}
	return l, a, nil
}

// UsePasswordLink spends the link, sets the password and ends the agent's
// sessions, in one transaction: a link works once however fast it is clicked.
func (db *DB) UsePasswordLink(ctx context.Context, hash []byte, now time.Time, passwordHash string) (*kindred.Agent, error) {
	if passwordHash == "" {
		return nil, invalid("password", "is required")
	}
	now = roundMS(now)
	var a *kindred.Agent
	err := db.Tx(ctx, func(tx *Tx) error {
		l, agent, err := tx.passwordLink(ctx, hash, now, true)
		if err != nil {
			return err
		}
		a = agent
		if _, err := tx.Exec(ctx, "UPDATE password_links SET used_at = ? WHERE id = ?", ms(now), l.ID); err != nil {
			return err
		}
		if err := tx.setPassword(ctx, a.ID, passwordHash); err != nil {
			return err
		}
		a.HasPassword = true
		return tx.Audit(ctx, "password_link.use", "agent", a.ID, fmt.Sprintf("%s link %d: password set", l.Purpose, l.ID))
	})
	if err != nil {
		return nil, fmt.Errorf("use password link: %w", err)
	}
	return a, nil
}

// setPassword stores the hash and ends every session of the agent.
func (tx *Tx) setPassword(ctx context.Context, agentID int64, passwordHash string) error {
	if _, err := tx.Exec(ctx, "UPDATE agents SET password_hash = ? WHERE id = ?", passwordHash, agentID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE agent_id = ?", agentID)
	return err
}

// PasswordHash returns the agent's stored password hash, "" when none.
func (db *DB) PasswordHash(ctx context.Context, agentID int64) (string, error) {
	var hash string
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT password_hash FROM agents WHERE id = ?", agentID).Scan(&hash)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("agent", agentID)
	}
	if err != nil {
		return "", fmt.Errorf("read password of agent %d: %w", agentID, err)
	}
	return hash, nil
}

// SetPassword replaces the agent's password hash and ends the agent's
// sessions; the audit entry says so, never the hash.
func (db *DB) SetPassword(ctx context.Context, agentID int64, passwordHash string) error {
	if passwordHash == "" {
		return invalid("password", "is required")
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "agents", "agent_id", agentID); err != nil {
			return err
		}
		if err := tx.setPassword(ctx, agentID, passwordHash); err != nil {
			return err
		}
		return tx.Audit(ctx, "agent.password", "agent", agentID, "password changed; sessions ended")
	})
	if err != nil {
		return fmt.Errorf("set password of agent %d: %w", agentID, err)
	}
	return nil
}

var _ kindred.AccountService = (*DB)(nil)
