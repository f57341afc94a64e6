package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// meResponse is who the caller is, and which of their tokens they used.
type meResponse struct {
	*kindred.Agent
	Token tokenInfo `json:"token"`
}

type tokenInfo struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) me(w http.ResponseWriter, r *http.Request) error {
	id, ok := r.Context().Value(identityKey{}).(identity)
	if !ok {
		return fmt.Errorf("me: no identity in the request context")
	}
	return writeJSON(w, http.StatusOK, meResponse{
		Agent: id.agent,
		Token: tokenInfo{ID: id.token.ID, Name: id.token.Name, CreatedAt: id.token.CreatedAt},
	})
}

func (s *server) listAgents(w http.ResponseWriter, r *http.Request) error {
	agents, err := s.cfg.Agents.Agents(r.Context())
	if err != nil {
		return s.storeFailed("Agents", err)
	}
	return writeAll(w, agents)
}

type agentInput struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Team     string `json:"team"`
	Password string `json:"password"`
}

func (s *server) createAgent(w http.ResponseWriter, r *http.Request) error {
	var in agentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	a := &kindred.Agent{
		Name:  c.line("name", in.Name, true, maxNameLen),
		Email: c.email("email", in.Email),
		Role:  oneOf(&c, "role", in.Role, kindred.Roles),
		Team:  c.line("team", in.Team, false, maxNameLen),
	}
	if in.Password != "" {
		c.password("password", in.Password, a.Email)
	}
	if err := c.Err(); err != nil {
		return err
	}
	var hash string
	if in.Password != "" {
		var err error
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
	}
	if err := s.cfg.Agents.CreateAgent(r.Context(), a, hash); err != nil {
		return s.storeFailed("CreateAgent", err)
	}
	return writeJSON(w, http.StatusCreated, a)
}

// agentPatch is a partial update of an agent: absent fields stay as they
// are; team null clears the team.
type agentPatch struct {
	Name     optional[string] `json:"name"`
	Role     optional[string] `json:"role"`
	Team     optional[string] `json:"team"`
	Disabled optional[bool]   `json:"disabled"`
}

// updateAgent renames, promotes or demotes, moves or disables an agent.
// Disabling takes effect on the agent's next request: every request checks.
func (s *server) updateAgent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	var in agentPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	var u kindred.AgentUpdate
	if in.Name.Set {
		v := c.line("name", in.Name.Value, true, maxNameLen) // null is "": required
		u.Name = &v
	}
	if in.Role.Set {
		v := oneOf(&c, "role", in.Role.Value, kindred.Roles)
		u.Role = &v
	}
	if in.Team.Set {
		v := c.line("team", in.Team.Value, false, maxNameLen)
		u.Team = &v
	}
	if in.Disabled.Null {
		c.Add("disabled", "must be true or false")
	} else if in.Disabled.Set {
		u.Disabled = &in.Disabled.Value
	}
	if err := c.Err(); err != nil {
		return err
	}
	a, err := s.cfg.Agents.UpdateAgent(r.Context(), id, u)
	if err != nil {
		return s.storeFailed("UpdateAgent", err)
	}
	return writeJSON(w, http.StatusOK, a)
}

type tokenInput struct {
	Name string `json:"name"`
}

// newToken is the only time a token's secret is ever shown.
type newToken struct {
	ID        int64     `json:"id"`
	Token     string    `json:"token"`
	AgentID   int64     `json:"agent_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *server) createToken(w http.ResponseWriter, r *http.Request) error {
	agentID, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	in := tokenInput{Name: "api"}
	if err := decodeOptional(r, &in); err != nil {
		return err
	}
	var c checker
	name := c.line("name", in.Name, true, maxNameLen)
	if err := c.Err(); err != nil {
		return err
	}
	a, err := s.cfg.Agents.Agent(r.Context(), agentID)
	if err != nil {
		return s.storeFailed("Agent", err)
	}
	if a.Disabled {
		return kindred.Errorf(kindred.Conflict, "agent %d is disabled; enable it before giving it a token", a.ID)
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	t := &kindred.Token{AgentID: a.ID, Name: name, Hash: hash}
	if err := s.cfg.Agents.CreateToken(r.Context(), t); err != nil {
		return s.storeFailed("CreateToken", err)
	}
	return writeJSON(w, http.StatusCreated, newToken{ID: t.ID, Token: secret, AgentID: a.ID, Name: t.Name, CreatedAt: t.CreatedAt})
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := s.cfg.Agents.RevokeToken(r.Context(), id); err != nil {
		return s.storeFailed("RevokeToken", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "subject", "subject_id", "actor_id", "limit", "offset")
	f := kindred.AuditFilter{
		Subject:   q.line("subject", q.str("subject"), false, maxNameLen),
		SubjectID: q.id("subject_id"),
		ActorID:   q.id("actor_id"),
		Page:      q.page(),
	}
	if err := q.Err(); err != nil {
		return err
	}
	entries, err := s.cfg.Audit.Audit(r.Context(), f)
	if err != nil {
		return s.storeFailed("Audit", err)
	}
	return writeList(w, r, entries, f.Page)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
