package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
)

// accountRoutes are the pages with which people set and change their own
// passwords, and the admin's button that makes them a link.
func (c *Console) accountRoutes() []route {
	return []route{
		{"GET /password", nil, c.passwordPage},
		{"POST /password", nil, c.setPassword},
		{"GET /account", signedIn, c.accountPage},
		{"POST /account/password", signedIn, c.changePassword},
		{"POST /admin/agents/{id}/link", admins, c.createPasswordLink},
	}
}

// newLink is a password link just made, shown to the administrator once.
type newLink struct {
	URL     string
	Agent   string
	Invite  bool // an invitation, not a reset
	Expires time.Time
}

// makePasswordLink stores a new link for agent id and returns what the
// admin page shows of it.
func (c *Console) makePasswordLink(r *http.Request, id int64) (*newLink, error) {
	secret, hash, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	l, err := c.cfg.Accounts.CreatePasswordLink(r.Context(), id, hash, c.cfg.Now().Add(kindred.PasswordLinkLifetime))
	if err != nil {
		return nil, err
	}
	a, err := c.cfg.Agents.Agent(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &newLink{URL: c.baseURL(r) + kindred.PasswordLinkPath + secret, Agent: a.Name,
		Invite: l.Purpose == kindred.LinkInvite, Expires: l.ExpiresAt}, nil
}

// baseURL is the desk's public address: the configured one, or else the
// address this request came to.
func (c *Console) baseURL(r *http.Request) string {
	if c.cfg.BaseURL != "" {
		return strings.TrimRight(c.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// createPasswordLink makes an invitation (no password yet) or a reset link
// for an agent, and shows it once on the admin page.
func (c *Console) createPasswordLink(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	link, err := c.makePasswordLink(r, id)
	if kindred.ErrorKind(err) == kindred.Invalid {
		return c.adminProblem(w, r, q, err)
	}
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

// passwordForm is the page where a link's owner sets their password.
type passwordForm struct {
	*view
	Valid    bool
	Token    string
	Invite   bool
	Person   *kindred.Agent // whose link it is
	Problems []string
}

func (c *Console) passwordView(r *http.Request, q *request, token string) (passwordForm, error) {
	v := c.view(r, q, "Set your password")
	form := passwordForm{view: v, Token: token}
	if token == "" {
		return form, nil
	}
	l, a, err := c.cfg.Accounts.PasswordLink(r.Context(), auth.HashToken(token), c.cfg.Now())
	if kindred.ErrorKind(err) == kindred.Locked {
		return form, nil
	}
	if err != nil {
		return form, err
	}
	form.Valid, form.Invite, form.Person = true, l.Purpose == kindred.LinkInvite, a
	if form.Invite {
		v.Title = v.T("Welcome to kindred")
	}
	return form, nil
}

func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, q *request) error {
	// The secret is in this page's address: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	form, err := c.passwordView(r, q, r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !form.Valid {
		status = http.StatusForbidden
	}
	c.pages.render(w, r, c.log, status, "password", form)
	return nil
}

// setPassword spends the link, sets the password and signs its owner in.
func (c *Console) setPassword(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	f := r.PostForm
	form, err := c.passwordView(r, q, f.Get("token"))
	if err != nil {
		return err
	}
	if !form.Valid {
		c.pages.render(w, r, c.log, http.StatusForbidden, "password", form)
		return nil
	}
	if err := newPasswordCheck(form.view, f.Get("password"), f.Get("password2"), form.Person.Email); err != nil {
		form.Problems = problems(form.view, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "password", form)
		return nil
	}
	hash, err := auth.HashPasswordContext(r.Context(), f.Get("password"))
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	ctx := kindred.WithActor(r.Context(), kindred.Actor{AgentID: form.Person.ID, Name: form.Person.Name, Role: form.Person.Role})
	a, err := c.cfg.Accounts.UsePasswordLink(ctx, auth.HashToken(f.Get("token")), c.cfg.Now(), hash)
	if kindred.ErrorKind(err) == kindred.Locked {
		// Spent between showing the form and sending it.
		form.Valid = false
		c.pages.render(w, r, c.log, http.StatusForbidden, "password", form)
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.startSession(w, r, a); err != nil {
		return err
	}
	next := "/inbox"
	if a.Role == kindred.RoleKiosk {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// newPasswordCheck applies the password rules, and that both copies agree.
func newPasswordCheck(v *view, password, again, email string) error {
	var k api.Check
	k.Password("password", password, email)
	if password != again {
		k.Add("password2", v.T("the two passwords are not the same"))
	}
	return k.Err()
}

// accountPage is the signed-in person's own account: who they are, and a
// form to change their password.
type accountPage struct {
	*view
	Problems []string
	Changed  bool
}

func (c *Console) accountPage(w http.ResponseWriter, r *http.Request, q *request) error {
	v := c.view(r, q, "Your account")
	v.Nav = "account"
	c.pages.render(w, r, c.log, http.StatusOK, "account", accountPage{view: v, Changed: r.URL.Query().Has("changed")})
	return nil
}

// changePassword changes the signed-in person's password once they have
// given the current one. Every session of theirs ends (a stolen one too);
// this browser gets a new one.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	v := c.view(r, q, "Your account")
	v.Nav = "account"
	page := accountPage{view: v}
	current, err := c.cfg.Accounts.PasswordHash(r.Context(), q.agent.ID)
	if err != nil {
		return err
	}
	// The same limit as signing in: the attempt is reserved before the
	// hash, so parallel guesses cannot slip past it, and given back when the
	// current password was right or never checked.
	now := c.cfg.Now()
	keys := []string{"email:" + strings.ToLower(q.agent.Email)}
	if ok, _ := c.limit.reserve(keys, now); !ok {
		page.Problems = []string{v.T("Too many wrong passwords. Please wait a minute, then try again.")}
		c.pages.render(w, r, c.log, http.StatusTooManyRequests, "account", page)
		return nil
	}
	var k api.Check
	match := false
	if current != "" {
		if match, err = auth.CheckPasswordContext(r.Context(), current, f.Get("current")); err != nil {
			c.limit.refund(keys, now)
			return err
		}
	}
	if match {
		c.limit.refund(keys, now)
	} else {
		k.Add("current", v.T("is not your current password"))
	}
	if err := k.Err(); err == nil {
		err = newPasswordCheck(v, f.Get("password"), f.Get("password2"), q.agent.Email)
		if err != nil {
			page.Problems = problems(v, err)
		}
	} else {
		page.Problems = problems(v, err)
	}
	if page.Problems != nil {
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "account", page)
		return nil
	}
	hash, err := auth.HashPasswordContext(r.Context(), f.Get("password"))
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := c.cfg.Accounts.SetPassword(r.Context(), q.agent.ID, hash); err != nil {
		return err
	}
	if err := c.startSession(w, r, q.agent); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?changed", http.StatusSeeOther)
	return nil
}
