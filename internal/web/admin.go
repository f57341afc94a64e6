package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
)

// adminPage lists agents and API tokens, with forms to add them.
type adminPage struct {
	*view
	Agents   []kindred.Agent // everyone, for the token form
	People   []kindred.Agent // who sign in (or will, once invited)
	Services []kindred.Agent // API-only accounts: no email
	NewLink  *newLink        // an invitation or reset link just made: shown this once
	// HasAccounts says whether invitation and reset links can be made.
	HasAccounts bool
	Tokens      []kindred.Token
	Roles       []kindred.Role
	Problems    []string
	Form        map[string]string
	NewSecret   string // a token just made: shown this once
	NewName     string
	Saved       string // the agent whose changes were just saved, by name
	names       map[int64]string
}

// FormRole is the role the add-agent form shows chosen: what was posted,
// or else the least privileged role that serves customers.
func (p *adminPage) FormRole() string {
	if r := p.Form["role"]; r != "" {
		return r
	}
	return string(kindred.RoleAgent)
}

// AgentName is the name of the agent with id, for the token list.
func (p *adminPage) AgentName(id int64) string { return p.names[id] }

func (c *Console) loadAdmin(r *http.Request, q *request) (*adminPage, error) {
	agents, err := c.cfg.Agents.Agents(r.Context())
	if err != nil {
		return nil, err
	}
	tokens, err := c.cfg.Agents.Tokens(r.Context())
	if err != nil {
		return nil, err
	}
	v := c.view(r, q, "Admin")
	v.Nav = "admin"
	p := &adminPage{view: v, Agents: agents, Tokens: tokens, Roles: kindred.Roles, Form: map[string]string{}, names: map[int64]string{},
		HasAccounts: c.cfg.Accounts != nil}
	for _, a := range agents {
		p.names[a.ID] = a.Name
		if a.Email == "" {
			p.Services = append(p.Services, a)
		} else {
			p.People = append(p.People, a)
		}
	}
	return p, nil
}

func (c *Console) admin(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadAdmin(r, q)
	if err != nil {
		return err
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("saved"), 10, 64); err == nil {
		p.Saved = p.names[id]
	}
	c.pages.render(w, r, c.log, http.StatusOK, "admin", p)
	return nil
}

// adminProblem shows the admin page again with what went wrong.
func (c *Console) adminProblem(w http.ResponseWriter, r *http.Request, q *request, err error) error {
	p, lerr := c.loadAdmin(r, q)
	if lerr != nil {
		return lerr
	}
	p.Problems = problems(p.view, err)
	for name := range r.PostForm {
		if name != "password" {
			p.Form[name] = r.PostForm.Get(name)
		}
	}
	c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "admin", p)
	return nil
}

// createAgent adds an agent, by the API's rules. A person (with an email)
// and no password gets an invitation link, shown at once.
func (c *Console) createAgent(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	var k api.Check
	a := &kindred.Agent{Name: k.Name("name", f.Get("name"), true), Email: k.Email("email", f.Get("email")), Role: k.Role("role", f.Get("role")),
		Team: k.Name("team", f.Get("team"), false)}
	if f.Get("password") != "" {
		k.Password("password", f.Get("password"), a.Email)
	}
	if err := k.Err(); err != nil {
		return c.adminProblem(w, r, q, err)
	}
	var hash string
	if pw := f.Get("password"); pw != "" {
		var err error
		if hash, err = auth.HashPassword(pw); err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
	}
	if err := c.cfg.Agents.CreateAgent(r.Context(), a, hash); err != nil {
		if k := kindred.ErrorKind(err); k == kindred.Invalid || k == kindred.Conflict {
			return c.adminProblem(w, r, q, err)
		}
		return err
	}
	if a.Email != "" && hash == "" && c.cfg.Accounts != nil {
		link, err := c.makePasswordLink(r, a.ID)
		if err != nil {
			return err
		}
		p, err := c.loadAdmin(r, q)
		if err != nil {
			return err
		}
		p.NewLink = link
		c.pages.render(w, r, c.log, http.StatusCreated, "admin", p)
		return nil
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
	return nil
}

// createToken makes an API token and shows its secret, this once.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	var k api.Check
	name := k.Name("name", r.PostForm.Get("name"), true)
	agentID, err := strconv.ParseInt(r.PostForm.Get("agent"), 10, 64)
	var agent *kindred.Agent
	if err != nil || agentID <= 0 {
		k.Add("agent", "choose who the token is for")
	} else if agent, err = c.cfg.Agents.Agent(r.Context(), agentID); kindred.ErrorKind(err) == kindred.NotFound {
		k.Add("agent", "no such agent")
	} else if err != nil {
		return err
	} else if agent.Disabled {
		k.Add("agent", "this agent is disabled")
	}
	if err := k.Err(); err != nil {
		return c.adminProblem(w, r, q, err)
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	t := &kindred.Token{AgentID: agent.ID, Name: name, Hash: hash}
	if err := c.cfg.Agents.CreateToken(r.Context(), t); err != nil {
		return err
	}
	p, err := c.loadAdmin(r, q)
	if err != nil {
		return err
	}
	p.NewSecret, p.NewName = secret, t.Name
	c.pages.render(w, r, c.log, http.StatusCreated, "admin", p)
	return nil
}

// revokeToken stops a token working.
func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := c.cfg.Agents.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin", http.StatusSeeOther)
	return nil
}

// agentForm is what the edit form shows: the agent as stored, or what was
// posted when the form comes back with problems.
type agentForm struct {
	Name, Role, Team string
	Disabled         bool
}

// agentEditPage changes one agent's name, role, team, and whether they may
// sign in.
type agentEditPage struct {
	*view
	Edited   *kindred.Agent // as stored; view.Agent is who is signed in
	Roles    []kindred.Role
	Form     agentForm
	Problems []string
	Errors   map[string]string // by field, shown beside it and linked with aria-describedby
}

func (c *Console) agentEditView(r *http.Request, q *request, a *kindred.Agent) *agentEditPage {
	v := c.view(r, q, "Edit agent")
	v.Nav = "admin"
	return &agentEditPage{view: v, Edited: a, Roles: kindred.Roles, Errors: map[string]string{},
		Form: agentForm{Name: a.Name, Role: string(a.Role), Team: a.Team, Disabled: a.Disabled}}
}

// editAgent shows the form that changes an agent.
func (c *Console) editAgent(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := c.cfg.Agents.Agent(r.Context(), id)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "admin_agent", c.agentEditView(r, q, a))
	return nil
}

// updateAgent saves the edit form, by the API's rules. Disabling takes
// effect on the agent's next request: the session and token checks read the
// agent every time.
func (c *Console) updateAgent(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	var k api.Check
	name := k.Name("name", f.Get("name"), true)
	role := k.Role("role", f.Get("role"))
	team := k.Name("team", f.Get("team"), false)
	disabled := f.Get("disabled") != "" // a checkbox: sent only when ticked
	err = k.Err()
	var a *kindred.Agent
	if err == nil {
		a, err = c.cfg.Agents.UpdateAgent(r.Context(), id, kindred.AgentUpdate{Name: &name, Role: &role, Team: &team, Disabled: &disabled})
	}
	if err != nil {
		if kind := kindred.ErrorKind(err); kind != kindred.Invalid && kind != kindred.Conflict {
			return err // not found, or ours: the error page
		}
		stored, lerr := c.cfg.Agents.Agent(r.Context(), id)
		if lerr != nil {
			return lerr
		}
		p := c.agentEditView(r, q, stored)
		p.Form = agentForm{Name: f.Get("name"), Role: f.Get("role"), Team: f.Get("team"), Disabled: disabled}
		if kindred.ErrorKind(err) == kindred.Conflict {
			// The store's only refusal here: the last admin who can sign in.
			p.Problems = []string{p.T("This is the only administrator who can sign in. Make someone else an administrator first, so that the desk can still be managed.")}
		} else {
			p.Problems = problems(p.view, err)
			var ke *kindred.Error
			errors.As(err, &ke)
			for _, fe := range ke.Fields {
				p.Errors[fe.Field] = p.T(fieldLabel(fe.Field)) + ": " + fe.Reason
			}
		}
		c.pages.render(w, r, c.log, api.Status(err), "admin_agent", p)
		return nil
	}
	if a.Disabled {
		c.cfg.Hub.EndAgent(a.ID) // the store ended their sessions; end their open pages' streams too
	}
	if a.ID == q.agent.ID && (a.Role != kindred.RoleAdmin || a.Disabled) {
		// They stepped down: the admin page is no longer theirs.
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/admin?saved="+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
	return nil
}
