package kindred

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an application error so that the HTTP layer can map it to a
// status code in one place.
type Kind string

// Error kinds.
const (
	Invalid      Kind = "invalid"      // bad input: 422 (or 400 for malformed bodies)
	NotFound     Kind = "not_found"    // 404
	Conflict     Kind = "conflict"     // 409
	Forbidden    Kind = "forbidden"    // 403
	Unauthorized Kind = "unauthorized" // 401
	Locked       Kind = "locked"       // 423: e.g. a one-time code that is dead
	RateLimited  Kind = "rate_limited" // 429
	Internal     Kind = "internal"     // 500
)

// FieldError says which input field was wrong and why, in words a person can act on.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is an application error with a kind, a message safe to show to the
// caller, and for Invalid errors the fields at fault.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	Err     error // the underlying cause, never shown to callers
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err, or Internal when err carries none.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Validation collects field errors; its Err method returns nil when there are none.
type Validation struct {
	Fields []FieldError
}

// Add records a field error.
func (v *Validation) Add(field, reason string) {
	v.Fields = append(v.Fields, FieldError{Field: field, Reason: reason})
}

// Err returns an Invalid *Error listing the fields, or nil.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "some fields need attention", Fields: v.Fields}
}
