package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// ServeHTTP sets the security headers every response carries, then routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store")
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unrouted(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// unrouted answers a request no route matched with a problem document: 404,
// or 405 with the Allow header when the path exists under other methods.
func (s *server) unrouted(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h, _ := s.mux.Handler(r)
	cw := &captureWriter{header: http.Header{}}
	h.ServeHTTP(cw, r) // the mux's own 404 or 405 handler: learn which
	p := problem{Type: problemType(kindred.NotFound), Title: http.StatusText(http.StatusNotFound),
		Status: http.StatusNotFound, Detail: "no such endpoint; the API is described at /api/v1/openapi.json"}
	if cw.status == http.StatusMethodNotAllowed {
		allow := cw.header.Get("Allow")
		w.Header().Set("Allow", allow)
		p = problem{Type: "urn:kindred:problem:method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed),
			Status: http.StatusMethodNotAllowed, Detail: fmt.Sprintf("this endpoint answers %s only", allow)}
	}
	writeProblem(w, p)
	method := r.Method
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
	default:
		method = "other" // don't let clients mint label values
	}
	s.metrics.observe(method, unmatchedRoute, p.Status, time.Since(start))
}

// wrap gives a route its metrics, request log, panic recovery, authentication,
// role check and body limit, and turns the error its handler returns into a
// problem document.
func (s *server) wrap(rt route) http.Handler {
	pattern := rt.pattern()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var actor kindred.Actor
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "handler panicked", slog.String("route", pattern),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				if !sw.wroteHeader {
					writeProblem(sw, problemFor(errors.New("panic")))
				}
			}
			d := time.Since(start)
			s.metrics.observe(r.Method, pattern, sw.code(), d)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("route", pattern),
				slog.Int("status", sw.code()), slog.Duration("duration", d),
				slog.Int64("agent", actor.AgentID))
		}()

		if !rt.public {
			a, id, err := s.authenticate(r)
			if err != nil {
				s.writeError(sw, r, err)
				return
			}
			actor = a
			if !rt.allows(a.Role) {
				s.writeError(sw, r, kindred.Errorf(kindred.Forbidden, "the %s role may not use %s", a.Role, pattern))
				return
			}
			ctx := kindred.WithActor(r.Context(), a)
			r = r.WithContext(context.WithValue(ctx, identityKey{}, id))
		}
		if rt.gateway {
			if err := s.gateway.Check(r); err != nil {
				s.log.WarnContext(r.Context(), "gateway callback refused", slog.String("route", pattern), errAttr(err))
				s.writeError(sw, r, err)
				return
			}
		}
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		if err := rt.handler(sw, r); err != nil {
			if sw.wroteHeader { // too late for a problem document: log it
				s.log.ErrorContext(r.Context(), "writing response", slog.String("route", pattern), errAttr(err))
				return
			}
			s.writeError(sw, r, err)
		}
	})
}

// authenticate finds the agent behind the request's bearer token.
func (s *server) authenticate(r *http.Request) (kindred.Actor, identity, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return kindred.Actor{}, identity{}, kindred.Errorf(kindred.Unauthorized, "send an API token: Authorization: Bearer kdr_...")
	}
	secret, err := auth.ParseBearer(header)
	if err != nil {
		return kindred.Actor{}, identity{}, kindred.Errorf(kindred.Unauthorized, "%v", err)
	}
	tok, agent, err := s.cfg.Agents.TokenByHash(r.Context(), auth.HashToken(secret))
	switch {
	case kindred.ErrorKind(err) == kindred.NotFound:
		return kindred.Actor{}, identity{}, kindred.Errorf(kindred.Unauthorized, "unknown or revoked token")
	case err != nil:
		return kindred.Actor{}, identity{}, s.storeFailed("TokenByHash", err)
	case tok.RevokedAt != nil: // the store returns live tokens only; be sure
		return kindred.Actor{}, identity{}, kindred.Errorf(kindred.Unauthorized, "unknown or revoked token")
	case agent.Disabled:
		return kindred.Actor{}, identity{}, kindred.Errorf(kindred.Unauthorized, "this agent is disabled")
	}
	return kindred.Actor{AgentID: agent.ID, Name: agent.Name, Role: agent.Role}, identity{agent, tok}, nil
}

// identity is the agent and token behind a request, carried in its context for /me.
type identity struct {
	agent *kindred.Agent
	token *kindred.Token
}

type identityKey struct{}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if !w.wroteHeader {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// captureWriter records what the mux's fallback handlers would write.
type captureWriter struct {
	header http.Header
	status int
}

func (w *captureWriter) Header() http.Header         { return w.header }
func (w *captureWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *captureWriter) WriteHeader(code int)        { w.status = code }
