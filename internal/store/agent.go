package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kindred-desk/kindred"
)

// validAgentName and validRole are the rules CreateAgent and UpdateAgent share.
func validAgentName(name string, v *kindred.Validation) {
	if name == "" {
		v.Add("name", "give the agent's name")
	}
}

func validRole(r kindred.Role, v *kindred.Validation) {
	if !r.Valid() {
		v.Add("role", "must be one of admin, lead, agent, kiosk")
	}
}

// CreateAgent stores a new agent; passwordHash may be empty for API-only
// accounts. An email already in use, in any letter case, is a Conflict.
func (db *DB) CreateAgent(ctx context.Context, a *kindred.Agent, passwordHash string) error {
	a.Name = strings.TrimSpace(a.Name)
	a.Email = strings.TrimSpace(a.Email)
	a.Team = strings.TrimSpace(a.Team)
	var v kindred.Validation
	validAgentName(a.Name, &v)
	validRole(a.Role, &v)
	if err := v.Err(); err != nil {
		return err
	}
	var email any // NULL, not "", for accounts without one: the index is unique
	if a.Email != "" {
		email = a.Email
	}
	a.CreatedAt = db.clock()
	a.HasPassword = passwordHash != ""
	err := db.Tx(ctx, func(tx *Tx) error {
		id, err := tx.Insert(ctx, `INSERT INTO agents (name, email, password_hash, role, team, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Name, email, passwordHash, string(a.Role), a.Team, a.Disabled, ms(a.CreatedAt))
		if isUnique(err) {
			return &kindred.Error{Kind: kindred.Conflict, Message: "an agent with this email already exists",
				Fields: []kindred.FieldError{{Field: "email", Reason: "already in use"}}}
		}
		if err != nil {
			return err
		}
		a.ID = id
		return tx.Audit(ctx, "agent.create", "agent", id, "role "+string(a.Role))
	})
	if err != nil {
		return fmt.Errorf("create agent: %w", err)
	}
	return nil
}

const agentColumns = "a.id, a.name, COALESCE(a.email, ''), a.role, a.team, a.disabled, a.password_hash <> '', a.created_at"

func scanAgent(row scanner, a *kindred.Agent, extra ...any) error {
	var created int64
	var role string
	dest := append([]any{&a.ID, &a.Name, &a.Email, &role, &a.Team, &a.Disabled, &a.HasPassword, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	a.Role = kindred.Role(role)
	a.CreatedAt = fromMS(created)
	return nil
}

// Agent returns the agent with this id.
func (db *DB) Agent(ctx context.Context, id int64) (*kindred.Agent, error) {
	var a *kindred.Agent
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		a, err = tx.agent(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read agent %d: %w", id, err)
	}
	return a, nil
}

// agent reads agent id, locking its row for update when lock is set.
func (tx *Tx) agent(ctx context.Context, id int64, lock bool) (*kindred.Agent, error) {
	return byID(ctx, tx, "SELECT "+agentColumns+" FROM agents a WHERE a.id = ?", id, lock, "agent", func(row scanner, a *kindred.Agent) error {
		return scanAgent(row, a)
	})
}

// AgentByEmail returns the agent with this email, in any letter case, and its
// password hash.
func (db *DB) AgentByEmail(ctx context.Context, email string) (*kindred.Agent, string, error) {
	var a kindred.Agent
	var hash string
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return scanAgent(tx.QueryRow(ctx, "SELECT "+agentColumns+", a.password_hash FROM agents a WHERE lower(a.email) = lower(?)",
			strings.TrimSpace(email)), &a, &hash)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", kindred.Errorf(kindred.NotFound, "no agent with this email")
	}
	if err != nil {
		return nil, "", fmt.Errorf("read agent by email: %w", err)
	}
	return &a, hash, nil
}

// Agents returns every agent, by name.
func (db *DB) Agents(ctx context.Context) ([]kindred.Agent, error) {
	var agents []kindred.Agent
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		agents, err = queryAll(ctx, tx, func(row scanner, a *kindred.Agent) error { return scanAgent(row, a) },
			"SELECT "+agentColumns+" FROM agents a ORDER BY a.name, a.id")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return agents, nil
}

// signInAdmin selects, from agents a, the enabled admins who can sign in (an
// email and a password): the ones a desk must never run out of. Its
// arguments are signInAdminArgs.
const signInAdmin = "a.role = ? AND a.disabled = ? AND a.email IS NOT NULL AND a.password_hash <> ''"

var signInAdminArgs = []any{string(kindred.RoleAdmin), false}

// CountAdmins returns how many enabled admins can sign in, so that the last one
// cannot be removed.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM agents a WHERE "+signInAdmin, signInAdminArgs...).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// UpdateAgent changes the non-nil fields of u and returns the agent as it now
// is. Disabling or demoting the last enabled admin who can sign in is a
// Conflict: nobody could then open the admin page to undo it. The audit
// entry says what changed.
func (db *DB) UpdateAgent(ctx context.Context, id int64, u kindred.AgentUpdate) (*kindred.Agent, error) {
	defer db.tokens.forget() // once committed
	var v kindred.Validation
	var name, team string
	if u.Name != nil {
		name = strings.TrimSpace(*u.Name)
		validAgentName(name, &v)
	}
	if u.Role != nil {
		validRole(*u.Role, &v)
	}
	if u.Team != nil {
		team = strings.TrimSpace(*u.Team)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var a *kindred.Agent
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		// Lock the admins who can sign in before the agent, in one order for
		// every update: two admins demoting each other at once then queue,
		// and the second counts after the first has committed. (PostgreSQL
		// re-reads a locked row once its locker commits, and drops it here
		// when it no longer matches; SQLite has a single writer already.)
		admins, err := tx.signInAdmins(ctx)
		if err != nil {
			return err
		}
		if a, err = tx.agent(ctx, id, true); err != nil {
			return err
		}
		var changed []string
		if u.Name != nil && name != a.Name {
			changed = append(changed, fmt.Sprintf("name %q to %q", a.Name, name))
			a.Name = name
		}
		if u.Role != nil && *u.Role != a.Role {
			changed = append(changed, fmt.Sprintf("role %s to %s", a.Role, *u.Role))
			a.Role = *u.Role
		}
		if u.Team != nil && team != a.Team {
			changed = append(changed, fmt.Sprintf("team %q to %q", a.Team, team))
			a.Team = team
		}
		if u.Disabled != nil && *u.Disabled != a.Disabled {
			a.Disabled = *u.Disabled
			if a.Disabled {
				changed = append(changed, "disabled")
			} else {
				changed = append(changed, "enabled")
			}
		}
		if len(changed) == 0 {
			return nil
		}
		// The agent is the last admin who can sign in when they alone are in admins.
		stillAdmin := a.Role == kindred.RoleAdmin && !a.Disabled
		if !stillAdmin && slices.Equal(admins, []int64{id}) {
			return kindred.Errorf(kindred.Conflict,
				"%s is the only administrator who can sign in; make someone else an administrator first, so that the desk can still be managed", a.Name)
		}
		if _, err := tx.Exec(ctx, "UPDATE agents SET name = ?, role = ?, team = ?, disabled = ? WHERE id = ?",
			a.Name, string(a.Role), a.Team, a.Disabled, id); err != nil {
			return err
		}
		if u.Disabled != nil && a.Disabled {
			// Disabling ends every way in: re-enabling later must not bring
			// back a session or token from before (a lost laptop, a leaked
			// script); the agent signs in again and is given new tokens.
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE agent_id = ?", id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE tokens SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL", ms(tx.db.clock()), id); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "agent.update", "agent", id, strings.Join(changed, "; "))
	})
	if err != nil {
		return nil, fmt.Errorf("update agent %d: %w", id, err)
	}
	return a, nil
}

// signInAdmins returns the ids of the enabled admins who can sign in, in
// order, locked until the transaction ends.
func (tx *Tx) signInAdmins(ctx context.Context) ([]int64, error) {
	return tx.ids(ctx, "SELECT a.id FROM agents a WHERE "+signInAdmin+" ORDER BY a.id"+tx.ForUpdate(), signInAdminArgs...)
}

// CreateToken stores t, whose Hash the caller has set. The audit entry names
// the token, never its secret.
func (db *DB) CreateToken(ctx context.Context, t *kindred.Token) error {
	t.Name = strings.TrimSpace(t.Name)
	var v kindred.Validation
	if t.Name == "" {
		v.Add("name", "give the token a name")
	}
	if len(t.Hash) == 0 {
		v.Add("hash", "missing")
	}
	if t.AgentID == 0 {
		v.Add("agent_id", "say which agent the token is for")
	}
	if err := v.Err(); err != nil {
		return err
	}
	t.CreatedAt = db.clock()
	t.RevokedAt = roundMSPtr(t.RevokedAt)
	t.LastUsedAt = roundMSPtr(t.LastUsedAt)
	err := db.Tx(ctx, func(tx *Tx) error {
		ok, err := tx.Exists(ctx, "SELECT 1 FROM agents WHERE id = ?", t.AgentID)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("agent_id", "no such agent")
		}
		id, err := tx.Insert(ctx, `INSERT INTO tokens (agent_id, name, hash, created_at, last_used_at, revoked_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			t.AgentID, t.Name, t.Hash, ms(t.CreatedAt), msPtr(t.LastUsedAt), msPtr(t.RevokedAt))
		if isUnique(err) {
			return kindred.Errorf(kindred.Conflict, "a token with this secret already exists")
		}
		if err != nil {
			return err
		}
		t.ID = id
		return tx.Audit(ctx, "token.create", "agent", t.AgentID, fmt.Sprintf("token %d %q", id, t.Name))
	})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// TokenByHash returns the live (not revoked) token with this hash and its
// agent. The caller decides what a disabled agent's token may do. What it
// read is kept for a moment (see tokenTTL).
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*kindred.Token, *kindred.Agent, error) {
	now := db.now()
	t, a, gen := db.tokens.get(hash, now)
	if t != nil {
		return t, a, nil
	}
	t, a, err := db.tokenByHash(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	db.tokens.put(hash, t, a, now, gen)
	return t, a, nil
}

func (db *DB) tokenByHash(ctx context.Context, hash []byte) (*kindred.Token, *kindred.Agent, error) {
	var t kindred.Token
	var a kindred.Agent
	err := db.read(func(tx *Tx) error {
		var created int64
		var used, revoked sql.NullInt64
		err := scanAgent(tx.QueryRow(ctx, "SELECT "+agentColumns+`, t.id, t.agent_id, t.name, t.hash, t.created_at, t.last_used_at, t.revoked_at
			FROM tokens t JOIN agents a ON a.id = t.agent_id
			WHERE t.hash = ? AND t.revoked_at IS NULL`, hash),
			&a, &t.ID, &t.AgentID, &t.Name, &t.Hash, &created, &used, &revoked)
		t.CreatedAt = fromMS(created)
		t.LastUsedAt = fromNullMS(used)
		t.RevokedAt = fromNullMS(revoked)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kindred.Errorf(kindred.NotFound, "no live token with this secret")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read token: %w", err)
	}
	return &t, &a, nil
}

// Tokens lists every token, revoked ones too, newest first.
func (db *DB) Tokens(ctx context.Context) ([]kindred.Token, error) {
	var out []kindred.Token
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, func(row scanner, t *kindred.Token) error {
			var created int64
			var used, revoked sql.NullInt64
			if err := row.Scan(&t.ID, &t.AgentID, &t.Name, &created, &used, &revoked); err != nil {
				return err
			}
			t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMS(created), fromNullMS(used), fromNullMS(revoked)
			return nil
		}, "SELECT id, agent_id, name, created_at, last_used_at, revoked_at FROM tokens ORDER BY id DESC")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the token with this id; revoking it again changes
// nothing.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	defer db.tokens.forget() // once committed
	err := db.Tx(ctx, func(tx *Tx) error {
		var agentID int64
		var revoked sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT agent_id, revoked_at FROM tokens WHERE id = ?"+tx.ForUpdate(), id).Scan(&agentID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("token", id)
		}
		if err != nil || revoked.Valid {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ?", ms(db.clock()), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "token.revoke", "agent", agentID, fmt.Sprintf("token %d", id))
	})
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}

// SetTeam puts the agent in a team ("" for none), for the insights per team.
func (db *DB) SetTeam(ctx context.Context, id int64, team string) error {
	defer db.tokens.forget() // once committed
	team = strings.TrimSpace(team)
	if len(team) > 100 {
		return invalid("team", "must be at most 100 characters")
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE agents SET team = ? WHERE id = ?", team, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("agent", id)
		}
		return tx.Audit(ctx, "agent.team", "agent", id, fmt.Sprintf("team %q", team))
	})
	if err != nil {
		return fmt.Errorf("set team of agent %d: %w", id, err)
	}
	return nil
}
