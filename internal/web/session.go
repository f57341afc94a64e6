package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/kindred-desk/kindred"
)

// Cookie names. The session cookie carries a random 256-bit secret; the
// database keeps only its SHA-256, so a copy of the database signs no one in.
const (
	sessionCookie = "kindred_session"
	langCookie    = "kindred_lang"  // a signed-out visitor's language
	largeCookie   = "kindred_large" // a signed-out visitor's text size
)

// newSecret returns a random 256-bit secret, URL-safe.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is the form in which secrets are stored: random and
// high-entropy, so one SHA-256 is enough (as for API tokens).
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func sessionSecret(r *http.Request) string {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return ck.Value
}

// secure reports whether cookies must be marked Secure: always over TLS,
// and whenever --secure-cookies says a TLS proxy stands in front. Over plain
// http://127.0.0.1 (a desk trying kindred out) a Secure cookie would not be
// sent back by every browser, and signing in would silently fail.
func (c *Console) secure(r *http.Request) bool { return r.TLS != nil || c.cfg.SecureCookies }

// startSession signs agent in: a new session, and its cookie. The cookie
// has no Max-Age: it goes when the browser closes, which suits shared desk
// computers; the server ends it after the idle and absolute limits anyway.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, agent *kindred.Agent) error {
	secret, err := newSecret()
	if err != nil {
		return err
	}
	s := &kindred.Session{AgentID: agent.ID, Hash: hashSecret(secret), ExpiresAt: c.cfg.Now().Add(c.cfg.MaxAge)}
	if err := c.cfg.Sessions.CreateSession(r.Context(), s); err != nil {
		return fmt.Errorf("sign in agent %d: %w", agent.ID, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r),
	})
	return nil
}

// endSession forgets the cookie in the browser.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r),
	})
}

// cookiePreferences reads a signed-out visitor's language and text size.
func cookiePreferences(r *http.Request) kindred.Preferences {
	var p kindred.Preferences
	if ck, err := r.Cookie(langCookie); err == nil {
		if _, ok := supported(ck.Value); ok {
			p.Language = ck.Value
		}
	}
	if ck, err := r.Cookie(largeCookie); err == nil && ck.Value == "on" {
		p.LargeText = true
	}
	return p
}

// setPreferenceCookies remembers a signed-out visitor's choices for a year.
func (c *Console) setPreferenceCookies(w http.ResponseWriter, r *http.Request, p kindred.Preferences) {
	large := "off"
	if p.LargeText {
		large = "on"
	}
	for name, value := range map[string]string{langCookie: p.Language, largeCookie: large} {
		http.SetCookie(w, &http.Cookie{
			Name: name, Value: value, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure(r),
		})
	}
}

// preferences changes the text size or the language and goes back to the
// page the form was on: saved with the agent when signed in, in cookies
// before signing in.
func (c *Console) preferences(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	p := q.prefs
	switch r.PostForm.Get("large") {
	case "on":
		p.LargeText = true
	case "off":
		p.LargeText = false
	}
	if lang := r.PostForm.Get("lang"); lang != "" {
		if _, ok := supported(lang); !ok {
			return kindred.Errorf(kindred.Invalid, "kindred speaks English (en) and Swahili (sw)")
		}
		p.Language = lang
	}
	if q.agent != nil {
		if err := c.cfg.Sessions.SetPreferences(r.Context(), q.agent.ID, p); err != nil {
			return err
		}
	} else {
		c.setPreferenceCookies(w, r, p)
	}
	back := localPath(r.PostForm.Get("back"), "/")
	if r.PostForm.Get("lang") != "" {
		// The language just chosen replaces the page's ?lang=; a change of
		// text size keeps it, so a survey read in English stays English.
		back = withoutLang(back)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
