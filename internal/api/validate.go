package api

import (
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/kindred-desk/kindred"
)

// Limits on what people type. Generous for real use, small enough that one
// request cannot fill the database.
const (
	maxNameLen          = 200   // names, preferred names, pronunciations, helper relations
	maxSubjectLen       = 300   // conversation subjects
	maxShortTextLen     = 2000  // consent records, accommodation notes
	maxNoteLen          = 10000 // relationship notes
	maxMessageLen       = 50000 // message bodies, after HTML is stripped
	maxTagLen           = 50
	maxTags             = 20
	maxEmailLen         = 254 // RFC 5321's limit on a forward path
	maxPhoneLen         = 40
	maxLanguageLen      = 35
	maxQueryLen         = 200
	minPasswordLen      = 12
	maxPasswordLen      = 512
	maxOffset           = 1_000_000
	maxLimit            = 500 // the store's cap
	accommodationsLimit = 20
)

// checker collects field errors while normalising input.
type checker struct{ kindred.Validation }

// line checks a one-line text such as a name: trimmed, NFC-normalised, at
// most max characters, no control characters.
func (c *checker) line(field, s string, required bool, max int) string {
	s = norm.NFC.String(strings.TrimSpace(s))
	switch {
	case s == "" && required:
		c.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		c.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(s, isLineControl) >= 0:
		c.Add(field, "must not contain control characters or line breaks")
	}
	return s
}

// text checks a multi-line text such as a note: like line, but line breaks
// and tabs are kept (CRLF becomes LF).
func (c *checker) text(field, s string, required bool, max int) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = norm.NFC.String(strings.TrimSpace(s))
	switch {
	case s == "" && required:
		c.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		c.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.IndexFunc(s, isTextControl) >= 0:
		c.Add(field, "must not contain control characters")
	}
	return s
}

func isLineControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func isTextControl(r rune) bool {
	return r != '\n' && r != '\t' && unicode.IsControl(r)
}

// phone parses a phone number, national numbers in region, and returns it in
// E.164; "" stays "".
func (c *checker) phone(field, s, region string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > maxPhoneLen {
		c.Add(field, "is too long for a phone number")
		return s
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		c.Add(field, fmt.Sprintf("is not a phone number; write it with its country code, e.g. +254 712 345 678 (numbers without one are read as %s)", region))
		return s
	}
	if !phonenumbers.IsValidNumber(num) {
		c.Add(field, fmt.Sprintf("is not a valid phone number; check the digits and the country code (numbers without one are read as %s)", region))
		return s
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// email checks a bare email address (no display name) whose domain has a
// dot; "" stays "". The domain is lower-cased; the local part is kept as given.
func (c *checker) email(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > maxEmailLen {
		c.Add(field, fmt.Sprintf("must be at most %d characters", maxEmailLen))
		return s
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		c.Add(field, "is not an email address")
		return s
	}
	if addr.Name != "" || addr.Address != s {
		c.Add(field, "must be a bare address such as amina@example.org, without a name or angle brackets")
		return s
	}
	at := strings.LastIndexByte(s, '@')
	domain := strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		c.Add(field, "must have a full domain with a dot, such as example.org")
		return s
	}
	return s[:at+1] + domain
}

// language checks a BCP 47 tag and returns its canonical form; "" stays "".
func (c *checker) language(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > maxLanguageLen {
		c.Add(field, "is too long for a language tag")
		return s
	}
	tag, err := language.Parse(s)
	if err != nil {
		c.Add(field, fmt.Sprintf("is not a known language tag; use a BCP 47 tag such as en, sw or pt-BR"))
		return s
	}
	return tag.String()
}

// password checks a password for an agent who signs in with email: long
// enough to resist guessing, short enough to hash quickly.
func (c *checker) password(field, password, email string) {
	switch n := utf8.RuneCountInString(password); {
	case n < minPasswordLen:
		c.Add(field, fmt.Sprintf("must be at least %d characters", minPasswordLen))
	case n > maxPasswordLen:
		c.Add(field, fmt.Sprintf("must be at most %d characters", maxPasswordLen))
	case email == "":
		c.Add("email", "is required to sign in with a password")
	}
}

// assignee checks that agent a can be given conversations to work.
func (c *checker) assignee(field string, a *kindred.Agent) {
	switch {
	case a.Disabled:
		c.Add(field, "this agent is disabled")
	case a.Role == kindred.RoleKiosk:
		c.Add(field, "a kiosk cannot be assigned conversations")
	}
}

// accommodations maps what people write to the fixed vocabulary, dropping repeats.
func (c *checker) accommodations(field string, in []string) []kindred.Accommodation {
	out := []kindred.Accommodation{}
	if len(in) > accommodationsLimit {
		c.Add(field, fmt.Sprintf("must list at most %d accommodations", accommodationsLimit))
		return out
	}
	for i, s := range in {
		a, ok := kindred.ParseAccommodation(s)
		if !ok {
			c.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not an accommodation we know; allowed: %s (anything else goes in accommodation_notes)", clip(s), list(kindred.Accommodations)))
			continue
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// tags checks conversation tags: trimmed, lower-cased, no repeats.
func (c *checker) tags(field string, in []string) []string {
	out := []string{}
	if len(in) > maxTags {
		c.Add(field, fmt.Sprintf("must list at most %d tags", maxTags))
		return out
	}
	for i, s := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		t := strings.ToLower(c.line(f, s, true, maxTagLen))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// oneOf checks that s is one of the allowed values, naming them if not.
func oneOf[T ~string](c *checker, field, s string, allowed []T) T {
	for _, a := range allowed {
		if string(a) == s {
			return a
		}
	}
	if s == "" {
		c.Add(field, fmt.Sprintf("is required; allowed: %s", list(allowed)))
	} else {
		c.Add(field, fmt.Sprintf("%q is not allowed; allowed: %s", clip(s), list(allowed)))
	}
	return ""
}

func list[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// clip shortens what a caller sent before it is echoed back in a reason.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// timestamp parses an RFC 3339 time; "" is nil.
func (c *checker) timestamp(field, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.Add(field, "must be an RFC 3339 time such as 2026-12-31T17:00:00+03:00")
		return nil
	}
	return &t
}

// pathID reads the {id} in the path. An id that is not a positive whole
// number names nothing, so it is a 404, like an id that does not exist.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kindred.Errorf(kindred.NotFound, "no such %s: %s ids are positive whole numbers", what, what)
	}
	return id, nil
}

// query reads query parameters, refusing ones the endpoint does not take, so
// that a misspelt filter does not silently return everything.
type query struct {
	checker
	v url.Values
}

func newQuery(r *http.Request, allowed ...string) *query {
	q := &query{v: r.URL.Query()}
	for name := range q.v {
		if !slices.Contains(allowed, name) {
			q.Add(name, fmt.Sprintf("unknown query parameter; this endpoint takes: %s", strings.Join(allowed, ", ")))
		}
	}
	return q
}

func (q *query) str(name string) string { return q.v.Get(name) }

// id reads an optional positive id.
func (q *query) id(name string) int64 {
	s := q.v.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.Add(name, "must be a positive whole number")
		return 0
	}
	return n
}

// page reads limit and offset.
func (q *query) page() kindred.Page {
	var p kindred.Page
	if s := q.v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			q.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", maxLimit))
		}
		p.Limit = n
	}
	if s := q.v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxOffset {
			q.Add("offset", fmt.Sprintf("must be a whole number from 0 to %d", maxOffset))
		}
		p.Offset = n
	}
	return p
}

// writeList writes a list as a bare JSON array (never null). When the page
// is full there may be more, so a Link header names the next page, as
// RFC 8288 describes; clients page with limit and offset.
func writeList[T any](w http.ResponseWriter, r *http.Request, list []T, p kindred.Page) error {
	if list == nil {
		list = []T{}
	}
	if p.Limit == 0 {
		p.Limit = 50 // the store's default
	}
	if len(list) == p.Limit {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(p.Limit))
		q.Set("offset", strconv.Itoa(p.Offset+p.Limit))
		next := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		w.Header().Set("Link", "<"+next.String()+">; rel=\"next\"")
	}
	return writeJSON(w, http.StatusOK, list)
}

// writeAll writes a list that is not paged as a bare JSON array (never null).
func writeAll[T any](w http.ResponseWriter, list []T) error {
	if list == nil {
		list = []T{}
	}
	return writeJSON(w, http.StatusOK, list)
}
