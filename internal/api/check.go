package api

import (
	"github.com/kindred-desk/kindred"
)

// Check validates and normalises what a person typed by the same rules as
// the JSON API, so that the web console's forms and the API accept and
// refuse the same things. Each method records a field error when the input
// is wrong and returns the normalised value; Err returns them all at once.
// The zero value is ready to use.
type Check struct{ c checker }

// Name checks a one-line name (of a person, a helper's relation, a token).
func (k *Check) Name(field, s string, required bool) string {
	return k.c.line(field, s, required, maxNameLen)
}

// Subject checks a conversation subject.
func (k *Check) Subject(field, s string) string { return k.c.line(field, s, true, maxSubjectLen) }

// Message checks a message body.
func (k *Check) Message(field, s string) string { return k.c.text(field, s, true, maxMessageLen) }

// Note checks a relationship note or an internal note.
func (k *Check) Note(field, s string) string { return k.c.text(field, s, true, maxNoteLen) }

// ShortText checks a consent record or accommodation notes.
func (k *Check) ShortText(field, s string, required bool) string {
	return k.c.text(field, s, required, maxShortTextLen)
}

// Email checks a bare email address; "" stays "".
func (k *Check) Email(field, s string) string { return k.c.email(field, s) }

// Phone checks a phone number and returns it in E.164; numbers without a
// country code are read in region.
func (k *Check) Phone(field, s, region string) string { return k.c.phone(field, s, region) }

// Password checks a password for an agent who signs in with email.
func (k *Check) Password(field, password, email string) { k.c.password(field, password, email) }

// Role checks an agent role.
func (k *Check) Role(field, s string) kindred.Role { return oneOf(&k.c, field, s, kindred.Roles) }

// Status checks a conversation status.
func (k *Check) Status(field, s string) kindred.Status {
	return oneOf(&k.c, field, s, kindred.Statuses)
}

// Priority checks a conversation priority.
func (k *Check) Priority(field, s string) kindred.Priority {
	return oneOf(&k.c, field, s, kindred.Priorities)
}

// Tags checks conversation tags: trimmed, lower-cased, no repeats.
func (k *Check) Tags(field string, tags []string) []string { return k.c.tags(field, tags) }

// Scopes checks helper scopes: at least one, each known.
func (k *Check) Scopes(field string, scopes []string) []kindred.HelperScope {
	return k.c.scopes(field, scopes)
}

// Accommodations maps what people chose to the fixed vocabulary.
func (k *Check) Accommodations(field string, in []string) []kindred.Accommodation {
	return k.c.accommodations(field, in)
}

// Add records a field error of the caller's own.
func (k *Check) Add(field, reason string) { k.c.Add(field, reason) }

// Fields returns the field errors recorded so far.
func (k *Check) Fields() []kindred.FieldError { return k.c.Fields }

// Err returns an Invalid *kindred.Error listing the fields at fault, or nil.
func (k *Check) Err() error { return k.c.Err() }

// Status is the HTTP status the API answers for err: the one mapping of
// error kinds to statuses, shared with the console's error pages.
func Status(err error) int {
	status, _ := statusOf(err)
	return status
}

// Assignee checks that agent a can be given conversations to work.
func (k *Check) Assignee(field string, a *kindred.Agent) { k.c.assignee(field, a) }

// Language checks a BCP 47 language tag ("" for not known) and returns it
// in canonical form.
func (k *Check) Language(field, s string) string { return k.c.language(field, s) }
