package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
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

// dummyHash is checked against when the email is unknown, or its agent has
// no password yet, so that every refusal takes as long as a wrong password:
// the timing tells no one who has an account. It is made on first use: an
// argon2id hash costs a second and 64 MiB, which no other kindred command
// should pay at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword("kindred dummy password, never used")
	if err != nil {
		panic(err) // only when the system's random source fails
	}
	return h
})

// busyWait is the Retry-After, in seconds, when every password-hashing slot
// is taken.
const busyWait = 5

// login signs a person in with email and password. Unknown emails and wrong
// passwords get the same words and take the same time, so the form does not
// tell who has an account. Attempts are limited per client and per email:
// one is reserved before the password is hashed (so parallel guesses count
// at once) and given back when it succeeds.
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
	client := c.clientAddr(r)
	keys := []string{"ip:" + client, "email:" + strings.ToLower(email)}
	if ok, until := c.limit.reserve(keys, now); !ok {
		wait := int(math.Ceil(until.Sub(now).Seconds()))
		form.Limited, form.Wait = true, max(wait, 1)
		c.log.WarnContext(r.Context(), "sign-in refused: too many attempts", slog.String("client", client))
		w.Header().Set("Retry-After", strconv.Itoa(form.Wait))
		c.pages.render(w, r, c.log, http.StatusTooManyRequests, "login", form)
		return nil
	}

	agent, hash, err := c.cfg.Agents.AgentByEmail(r.Context(), email)
	if err != nil && kindred.ErrorKind(err) != kindred.NotFound {
		c.limit.refund(keys, now)
		return err
	}
	known := err == nil && email != ""
	if !known || hash == "" {
		hash = dummyHash()
	}
	match, err := auth.CheckPasswordContext(r.Context(), hash, password)
	if err != nil {
		// The password was never checked: the attempt does not count.
		c.limit.refund(keys, now)
		if !errors.Is(err, auth.ErrBusy) {
			return err
		}
		c.log.WarnContext(r.Context(), "sign-in refused: every password check slot is busy", slog.String("client", client))
		form.Error = v.T("The desk is busy checking other sign-ins. Please try again in a few seconds.")
		w.Header().Set("Retry-After", strconv.Itoa(busyWait))
		c.pages.render(w, r, c.log, http.StatusServiceUnavailable, "login", form)
		return nil
	}
	if !known || !match || agent.Disabled {
		c.signInFailed(r, agent, known && match, client)
		form.Error = v.T("That email and password do not match an account. Please check them and try again.")
		c.pages.render(w, r, c.log, http.StatusUnauthorized, "login", form)
		return nil
	}
	c.limit.refund(keys, now)
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

// signInFailed logs and audits a refused sign-in: which account (never the
// email typed when it matches none, which is often a password typed in the
// wrong box), why, and from where. Never the password.
func (c *Console) signInFailed(r *http.Request, agent *kindred.Agent, disabled bool, client string) {
	reason := "unknown email"
	var id int64
	if agent != nil {
		id, reason = agent.ID, "wrong password"
		if disabled {
			reason = "account disabled"
		}
	}
	c.log.WarnContext(r.Context(), "sign-in failed", slog.Int64("agent", id), slog.String("reason", reason), slog.String("client", client))
	if c.cfg.Audit == nil {
		return
	}
	// The request may be cancelled by a client that hangs up on its
	// refusal; the record must be written anyway.
	ctx := kindred.WithActor(context.WithoutCancel(r.Context()), kindred.Actor{Name: "sign-in form"})
	e := &kindred.AuditEntry{Action: "agent.sign_in_failed", Subject: "agent", SubjectID: id, Detail: reason + " from " + client}
	if err := c.cfg.Audit.Record(ctx, e); err != nil {
		c.log.ErrorContext(r.Context(), "audit failed sign-in", slog.String("err", err.Error()))
	}
}

// logout ends the session and goes back to the sign-in page.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, q *request) error {
	if secret := sessionSecret(r); secret != "" {
		if err := c.cfg.Sessions.DeleteSession(r.Context(), hashSecret(secret)); err != nil {
			return fmt.Errorf("sign out: %w", err)
		}
	}
	if q.session != nil {
		c.cfg.Hub.EndSession(q.session.ID)
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
