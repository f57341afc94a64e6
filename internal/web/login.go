package web

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// loginForm is the sign-in page's data.
type loginForm struct {
	*view
	Next    string
	Email   string
	Error   string
	Limited bool
	Wait    int // seconds until the next attempt, when Limited
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, q *request) error {
	if q.agent != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	v := c.view(r, q, "Sign in")
	v.Nav = "login"
	c.pages.render(w, r, c.log, http.StatusOK, "login", loginForm{view: v, Next: localPath(r.URL.Query().Get("next"), "")})
	return nil
}

// dummyHash is checked against when the email is unknown, so that a wrong
// email takes as long to refuse as a wrong password. It is made on first use:
// an argon2id hash costs a second and 64 MiB, which no other kindred command
// should pay at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword("kindred dummy password, never used")
	if err != nil {
		panic(err) // only when the system's random source fails
	}
	return h
})

// login signs a person in with email and password. Unknown emails and wrong
// passwords get the same words, so the form does not tell who has an
// account. Failures are limited per address and per email.
func (c *Console) login(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	v := c.view(r, q, "Sign in")
	v.Nav = "login"
	form := loginForm{view: v, Next: localPath(r.PostForm.Get("next"), ""), Email: email}

	now := c.cfg.Now()
	ipKey, emailKey := "ip:"+clientIP(r), "email:"+strings.ToLower(email)
	for _, key := range []string{ipKey, emailKey} {
		if blocked, until := c.limit.blocked(key, now); blocked {
			wait := int(math.Ceil(until.Sub(now).Seconds()))
			form.Limited, form.Wait = true, max(wait, 1)
			w.Header().Set("Retry-After", strconv.Itoa(form.Wait))
			c.pages.render(w, r, c.log, http.StatusTooManyRequests, "login", form)
			return nil
		}
	}

	agent, hash, err := c.cfg.Agents.AgentByEmail(r.Context(), email)
	if err != nil && kindred.ErrorKind(err) != kindred.NotFound {
		return err
	}
	if err != nil || email == "" {
		hash = dummyHash()
	}
	ok := auth.CheckPassword(hash, password) && err == nil && email != ""
	if ok && agent.Disabled {
		ok = false
	}
	if !ok {
		c.limit.fail(ipKey, now)
		c.limit.fail(emailKey, now)
		form.Error = v.T("That email and password do not match an account. Please check them and try again.")
		c.pages.render(w, r, c.log, http.StatusUnauthorized, "login", form)
		return nil
	}
	if err := c.startSession(w, r, agent); err != nil {
		return err
	}
	next := "/inbox"
	if agent.Role == kindred.RoleKiosk {
		next = "/"
	}
	http.Redirect(w, r, localPath(form.Next, next), http.StatusSeeOther)
	return nil
}

// clientIP is the address the request came from. X-Forwarded-For is not
// trusted: anyone can send it, and it would let one client pose as many.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// logout ends the session and goes back to the sign-in page.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, q *request) error {
	if secret := sessionSecret(r); secret != "" {
		if err := c.cfg.Sessions.DeleteSession(r.Context(), hashSecret(secret)); err != nil {
			return fmt.Errorf("sign out: %w", err)
		}
	}
	c.endSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// problems turns a validation error into lines a person can act on, in
// their language where the words are ours.
func problems(v *view, err error) []string {
	var ke *kindred.Error
	if !errors.As(err, &ke) {
		return []string{v.T("Something went wrong on our side. It has been logged. Please try again in a moment.")}
	}
	if len(ke.Fields) == 0 {
		return []string{ke.Message}
	}
	out := make([]string, 0, len(ke.Fields))
	for _, f := range ke.Fields {
		out = append(out, v.T(fieldLabel(f.Field))+": "+f.Reason)
	}
	return out
}

// fieldLabel is the words for a form field in error messages.
func fieldLabel(field string) string {
	base, _, _ := strings.Cut(field, "[")
	switch base {
	case "name":
		return "Name"
	case "email":
		return "Email"
	case "password", "password2":
		return "Password"
	case "current":
		return "Current password"
	case "preferred_name":
		return "Likes to be called"
	case "pronunciation":
		return "Say it like this"
	case "language":
		return "Language"
	case "subject":
		return "What it is about"
	case "said":
		return "What they told you"
	case "channel":
		return "How it starts"
	case "body":
		return "Message"
	case "role":
		return "Role"
	case "relation":
		return "Relation"
	case "phone":
		return "Phone"
	case "scopes":
		return "What they may do"
	case "consent":
		return "How the customer gave consent"
	case "tags":
		return "Tags"
	case "status":
		return "Status"
	case "priority":
		return "Priority"
	case "assignee_id":
		return "Assigned to"
	case "accommodations":
		return "Accommodations"
	case "accommodation_notes":
		return "Other needs"
	case "team":
		return "Team"
	}
	return base
}
