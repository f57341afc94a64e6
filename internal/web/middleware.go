package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"golang.org/x/text/language"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// contentSecurityPolicy allows this origin's own scripts, styles and images
// and nothing inline: an injected <script> or style attribute does nothing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// handlerFunc answers a request, or returns an error that fail turns into
// an error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// request is what the console knows about a request: who is signed in,
// their preferences, and the language to answer in.
type request struct {
	agent   *kindred.Agent // nil when signed out
	session *kindred.Session
	prefs   kindred.Preferences
	lang    language.Tag
}

// ServeHTTP sets the headers every response carries, refuses cross-origin
// form posts, and routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if _, pattern := c.mux.Handler(r); pattern == "" {
		c.unrouted(w, r)
		return
	}
	c.csrf.Handler(c.mux).ServeHTTP(w, r)
}

// unrouted answers a request no route matched with the console's own page.
func (c *Console) unrouted(w http.ResponseWriter, r *http.Request) {
	q := c.load(r)
	err := kindred.Errorf(kindred.NotFound, "no such page")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		r2 := r.Clone(r.Context())
		r2.Method = http.MethodGet
		if _, p := c.mux.Handler(r2); p != "" {
			w.Header().Set("Allow", "GET, HEAD")
			c.errorPage(w, r, q, http.StatusMethodNotAllowed, "This address cannot take that kind of request.")
			return
		}
	}
	c.fail(w, r, q, err)
}

// crossOrigin answers a form posted from another site: refused, plainly.
func (c *Console) crossOrigin(w http.ResponseWriter, r *http.Request) {
	q := c.load(r)
	c.log.WarnContext(r.Context(), "cross-origin request refused", slog.String("path", logPath(r)),
		slog.String("origin", r.Header.Get("Origin")), slog.String("sec_fetch_site", r.Header.Get("Sec-Fetch-Site")))
	c.errorPage(w, r, q, http.StatusForbidden,
		"This form was sent from another website, so it was not accepted. Open kindred directly and try again.")
}

// wrap gives a route its panic recovery, session, role check and error page.
func (c *Console) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := c.load(r)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				c.log.ErrorContext(r.Context(), "console handler panicked", slog.String("route", rt.pattern),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				c.fail(w, r, q, errors.New("panic"))
			}
		}()
		if rt.roles != nil {
			if q.agent == nil {
				c.toSignIn(w, r)
				return
			}
			if !rt.allows(q.agent.Role) {
				c.forbidden(w, r, q)
				return
			}
		}
		if q.agent != nil {
			actor := kindred.Actor{AgentID: q.agent.ID, Name: q.agent.Name, Role: q.agent.Role}
			r = r.WithContext(kindred.WithActor(r.Context(), actor))
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := rt.handler(w, r, q); err != nil {
			c.fail(w, r, q, err)
		}
	})
}

// maxFormBytes bounds a form post: a long reply and its fields.
const maxFormBytes = 1 << 20

// toSignIn sends a signed-out visitor to the sign-in page, remembering
// where they were going when it was a page.
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/events" || r.Header.Get("Accept") == "text/event-stream" {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	target := "/login"
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// forbidden explains, kindly, that this account cannot use the page.
func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, q *request) {
	msg := "Your account cannot open this page. If you need it for your work, ask an administrator."
	if q.agent.Role == kindred.RoleKiosk {
		msg = "This is a kiosk account for the walk-in screen. The agent console is for desk staff only, to keep customers' records private."
	}
	c.errorPage(w, r, q, http.StatusForbidden, msg)
}

// fail answers with the error page for err, logging internal errors once, here.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	status := api.Status(err)
	var msg string
	switch status {
	case http.StatusNotFound:
		msg = "We could not find that page. It may have moved, or the link may be wrong."
	case http.StatusForbidden:
		c.forbidden(w, r, q)
		return
	case http.StatusInternalServerError:
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelInfo
		}
		c.log.Log(r.Context(), level, "console request failed", slog.String("path", logPath(r)), slog.String("err", err.Error()))
		msg = "Something went wrong on our side. It has been logged. Please try again in a moment."
	default:
		var ke *kindred.Error
		if errors.As(err, &ke) {
			c.errorPageText(w, r, q, status, ke.Message)
			return
		}
		msg = "Something went wrong on our side. It has been logged. Please try again in a moment."
	}
	c.errorPage(w, r, q, status, msg)
}

// errorPage renders a page with a translated message.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, q *request, status int, msg string) {
	v := c.view(r, q, "Sorry")
	c.pages.render(w, r, c.log, status, "error", struct {
		*view
		Message string
		Status  int
	}{v, v.T(msg), status})
}

// errorPageText renders a page with a message that is already words for
// the reader (a domain error's message).
func (c *Console) errorPageText(w http.ResponseWriter, r *http.Request, q *request, status int, msg string) {
	v := c.view(r, q, "Sorry")
	c.pages.render(w, r, c.log, status, "error", struct {
		*view
		Message string
		Status  int
	}{v, msg, status})
}

// load reads the session cookie and the preferences for a request. A
// missing, ended or unreadable session is a signed-out visitor.
func (c *Console) load(r *http.Request) *request {
	q := &request{}
	if secret := sessionSecret(r); secret != "" {
		s, a, err := c.cfg.Sessions.SessionByHash(r.Context(), hashSecret(secret), c.cfg.Now(), c.cfg.IdleTimeout)
		switch {
		case err == nil && !a.Disabled:
			q.agent, q.session = a, s
		case err != nil && kindred.ErrorKind(err) != kindred.NotFound:
			c.log.ErrorContext(r.Context(), "read session", slog.String("err", err.Error()))
		}
	}
	if q.agent != nil {
		p, err := c.cfg.Sessions.Preferences(r.Context(), q.agent.ID)
		if err != nil {
			c.log.ErrorContext(r.Context(), "read preferences", slog.String("err", err.Error()))
		}
		q.prefs = p
	} else {
		q.prefs = cookiePreferences(r)
	}
	q.lang = chooseLanguage(r, q.prefs.Language)
	return q
}

// localPath returns p if it is a path on this site, else fallback: a
// redirect must never leave the console.
func localPath(p, fallback string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return p
}

// logPath is the request's path for the log: its route pattern when it has
// one, so that secrets in paths (a survey link's) stay out of the log.
func logPath(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	if strings.HasPrefix(r.URL.Path, "/survey/") {
		return "/survey/…"
	}
	return r.URL.Path
}
