package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/kindred-desk/kindred"
)

// problem is an RFC 9457 problem document, with the fields at fault for
// validation failures.
type problem struct {
	Type   string               `json:"type"`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail,omitempty"`
	Errors []kindred.FieldError `json:"errors,omitempty"`
}

// problemType names each kind of problem. URNs: they identify the problem
// without promising a page to read.
func problemType(k kindred.Kind) string { return "urn:kindred:problem:" + string(k) }

// requestError is a request the API could not read at all (malformed or
// oversized JSON, a wrong media type): the kind is Invalid, but the status
// is 400, 413 or 415 rather than 422.
type requestError struct {
	status int
	msg    string
	fields []kindred.FieldError
}

func (e *requestError) Error() string { return e.msg }

func badRequest(msg string, fields ...kindred.FieldError) error {
	return &requestError{status: http.StatusBadRequest, msg: msg, fields: fields}
}

// statusOf is the one place where an error becomes an HTTP status.
func statusOf(err error) (int, kindred.Kind) {
	var re *requestError
	if errors.As(err, &re) {
		return re.status, kindred.Invalid
	}
	switch k := kindred.ErrorKind(err); k {
	case kindred.Invalid:
		return http.StatusUnprocessableEntity, k
	case kindred.NotFound:
		return http.StatusNotFound, k
	case kindred.Conflict:
		return http.StatusConflict, k
	case kindred.Forbidden:
		return http.StatusForbidden, k
	case kindred.Unauthorized:
		return http.StatusUnauthorized, k
	case kindred.Locked:
		return http.StatusLocked, k
	case kindred.RateLimited:
		return http.StatusTooManyRequests, k
	default:
		return http.StatusInternalServerError, kindred.Internal
	}
}

// problemFor builds the problem document for err. Internal errors get a
// generic detail: their cause is for the log, never for the caller.
func problemFor(err error) problem {
	status, kind := statusOf(err)
	p := problem{Type: problemType(kind), Title: http.StatusText(status), Status: status}
	var re *requestError
	var ke *kindred.Error
	switch {
	case kind == kindred.Internal:
		p.Detail = "something went wrong on our side; it has been logged"
	case errors.As(err, &re):
		p.Detail, p.Errors = re.msg, re.fields
	case errors.As(err, &ke):
		p.Detail, p.Errors = ke.Message, ke.Fields
	}
	return p
}

// writeError answers with the problem document for err, logging internal
// errors (once, here).
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status >= 500 {
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelInfo // the client went away
		}
		s.log.Log(r.Context(), level, "request failed", slog.String("route", r.Pattern), errAttr(err))
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kindred"`)
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p problem) {
	b, err := json.Marshal(p)
	if err != nil { // a problem is plain strings and ints: cannot happen
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	w.Write(append(b, '\n'))
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}

func errAttr(err error) slog.Attr { return slog.String("err", err.Error()) }

// invalid returns an Invalid error naming one field.
func invalid(field, reason string) error {
	return &kindred.Error{Kind: kindred.Invalid, Message: "some fields need attention",
		Fields: []kindred.FieldError{{Field: field, Reason: reason}}}
}

// storeFailed counts an internal failure of a service call, named by op, and
// wraps the error so that the log says which call failed.
func (s *server) storeFailed(op string, err error) error {
	if kindred.ErrorKind(err) == kindred.Internal && !errors.Is(err, context.Canceled) {
		s.metrics.storeErrors.WithLabelValues(op).Inc()
	}
	return fmt.Errorf("%s: %w", op, err)
}
