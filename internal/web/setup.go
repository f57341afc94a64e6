package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
)

// SetupLinkLifetime is how long a first-run setup link works.
const SetupLinkLifetime = 24 * time.Hour

// NewSetupLink makes the one-time link that sets up a desk with no
// administrator: it stores the hash of a new random secret, valid for
// SetupLinkLifetime from now, and returns the address to open,
// base + "/setup?token=" + secret. Only the newest link works.
func NewSetupLink(ctx context.Context, sessions kindred.SessionService, base string, now time.Time) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	if err := sessions.CreateSetupToken(ctx, hashSecret(secret), now.Add(SetupLinkLifetime)); err != nil {
		return "", err
	}
	return base + "/setup?token=" + secret, nil
}

// setupForm is the setup page's data.
type setupForm struct {
	*view
	Valid    bool
	Token    string
	Name     string
	Email    string
	Problems []string
}

func (c *Console) setupPage(w http.ResponseWriter, r *http.Request, q *request) error {
	token := r.URL.Query().Get("token")
	valid := false
	if token != "" {
		ok, err := c.cfg.Sessions.SetupTokenValid(r.Context(), hashSecret(token), c.cfg.Now())
		if err != nil {
			return err
		}
		valid = ok
	}
	v := c.view(r, q, "Set up your desk")
	status := http.StatusOK
	if !valid {
		status = http.StatusForbidden
	}
	// The secret is in this page's address: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	c.pages.render(w, r, c.log, status, "setup", setupForm{view: v, Valid: valid, Token: token, Email: c.cfg.SetupEmail})
	return nil
}

// setup creates the first administrator from the setup form, spends the
// link, and signs them in.
func (c *Console) setup(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	token := f.Get("token")
	v := c.view(r, q, "Set up your desk")
	w.Header().Set("Referrer-Policy", "no-referrer")
	// The token first: it costs one read, where the password costs a
	// second and 64 MiB, and a post without a live link gets nothing else.
	valid := false
	if token != "" {
		ok, err := c.cfg.Sessions.SetupTokenValid(r.Context(), hashSecret(token), c.cfg.Now())
		if err != nil {
			return err
		}
		valid = ok
	}
	if !valid {
		c.pages.render(w, r, c.log, http.StatusForbidden, "setup", setupForm{view: v})
		return nil
	}
	var k api.Check
	admin := &kindred.Agent{Name: k.Name("name", f.Get("name"), true), Email: k.Email("email", f.Get("email")), Role: kindred.RoleAdmin}
	if admin.Email == "" && f.Get("email") == "" {
		k.Add("email", v.T("is required to sign in"))
	}
	k.Password("password", f.Get("password"), admin.Email)
	if f.Get("password") != f.Get("password2") {
		k.Add("password2", v.T("the two passwords are not the same"))
	}
	form := setupForm{view: v, Valid: true, Token: token, Name: f.Get("name"), Email: f.Get("email")}
	if err := k.Err(); err != nil {
		form.Problems = problems(v, err)
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "setup", form)
		return nil
	}
	hash, err := auth.HashPasswordContext(r.Context(), f.Get("password"))
	if errors.Is(err, auth.ErrBusy) {
		w.Header().Set("Retry-After", strconv.Itoa(busyWait))
		return kindred.Errorf(kindred.RateLimited, "The desk is busy. Please send the form again in a few seconds.")
	}
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	ctx := kindred.WithActor(r.Context(), kindred.Actor{Name: "kindred setup link", Role: kindred.RoleAdmin})
	err = c.cfg.Sessions.UseSetupToken(ctx, hashSecret(token), c.cfg.Now(), admin, hash)
	switch kindred.ErrorKind(err) {
	case kindred.Locked:
		form.Valid = false
		c.pages.render(w, r, c.log, http.StatusForbidden, "setup", form)
		return nil
	case kindred.Conflict, kindred.Invalid:
		form.Problems = problems(v, err)
		c.pages.render(w, r, c.log, http.StatusConflict, "setup", form)
		return nil
	default:
		if err != nil {
			return err
		}
	}
	if err := c.startSession(w, r, admin); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}
