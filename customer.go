package kindred

import (
	"strings"
	"time"
)

// Accommodation is a need a customer has told us about. The vocabulary is
// fixed so that the console, the lobby and the engine can act on it; anything
// else goes in Customer.AccommodationNotes. Accommodations are for staff only
// and never appear on public screens.
type Accommodation string

// Accommodations in the fixed vocabulary.
const (
	LargeText     Accommodation = "large_text"
	ReadAloud     Accommodation = "read_aloud"
	ExtraTime     Accommodation = "extra_time"
	Seating       Accommodation = "seating"
	SignLanguage  Accommodation = "sign_language"
	HearingLoop   Accommodation = "hearing_loop"
	LowVision     Accommodation = "low_vision"
	Wheelchair    Accommodation = "wheelchair"
	PlainLanguage Accommodation = "plain_language"
)

// Accommodations lists the fixed vocabulary.
var Accommodations = []Accommodation{LargeText, ReadAloud, ExtraTime, Seating, SignLanguage, HearingLoop, LowVision, Wheelchair, PlainLanguage}

// ParseAccommodation accepts the canonical name or the words people write
// ("plain language", "Large-Text") and returns the canonical value.
func ParseAccommodation(s string) (Accommodation, bool) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.NewReplacer(" ", "_", "-", "_").Replace(norm)
	for _, a := range Accommodations {
		if string(a) == norm {
			return a, true
		}
	}
	return "", false
}

// Customer is a person we serve.
type Customer struct {
	ID                 int64           `json:"id"`
	Name               string          `json:"name"`
	PreferredName      string          `json:"preferred_name,omitempty"` // what to call them: "Baba Otieno"
	Pronunciation      string          `json:"pronunciation,omitempty"`  // how to say it: "BAH-bah oh-TYEH-no"
	Language           string          `json:"language,omitempty"`       // BCP 47 tag: "en", "sw"
	Phone              string          `json:"phone,omitempty"`          // E.164
	Email              string          `json:"email,omitempty"`
	Accommodations     []Accommodation `json:"accommodations"`
	AccommodationNotes string          `json:"accommodation_notes,omitempty"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	// MergedInto is the record this one was merged into: the same person,
	// whose timeline now holds everything this record had.
	MergedInto *int64 `json:"merged_into,omitempty"`
}

// CustomerMerge is two records of one person made one: everything the
// merged record had (conversations, notes, helpers, surveys, tickets) moved to
// the record kept. It can be undone, which moves exactly those things back.
type CustomerMerge struct {
	ID        int64      `json:"id"`
	KeptID    int64      `json:"kept_id"`
	MergedID  int64      `json:"merged_id"`
	Moved     MergeMoves `json:"moved"`
	CreatedAt time.Time  `json:"created_at"`
	UndoneAt  *time.Time `json:"undone_at"`
}

// MergeMoves lists the ids of what a merge moved, by kind, and the empty
// contact fields of the kept record that it filled from the merged one.
type MergeMoves struct {
	Conversations []int64  `json:"conversations"`
	Notes         []int64  `json:"notes"`
	Helpers       []int64  `json:"helpers"`
	Surveys       []int64  `json:"surveys"`
	Tickets       []int64  `json:"tickets"`
	Filled        []string `json:"filled"` // "phone", "email", "preferred_name"
}

// HasAccommodation reports whether the customer has told us of need a.
func (c *Customer) HasAccommodation(a Accommodation) bool {
	for _, x := range c.Accommodations {
		if x == a {
			return true
		}
	}
	return false
}

// AddressAs is how staff should address the customer.
func (c *Customer) AddressAs() string {
	if c.PreferredName != "" {
		return c.PreferredName
	}
	return c.Name
}

// Note is something the customer chose to tell us, kept so that the next
// person can greet them as someone known ("his hands go numb in the cold").
// Sensitive notes (health, family) are audited on every read.
type Note struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	Body       string    `json:"body"`
	Sensitive  bool      `json:"sensitive"`
	AuthorID   int64     `json:"author_id"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
}

// HelperScope is what a helper may do on the customer's behalf.
type HelperScope string

// Helper scopes.
const (
	ScopeReceiveCodes       HelperScope = "receive_codes"
	ScopeActOnConversations HelperScope = "act_on_conversations"
)

// HelperScopes lists every scope.
var HelperScopes = []HelperScope{ScopeReceiveCodes, ScopeActOnConversations}

// Helper is a person a customer has authorised to help them: an adult son who
// reads the one-time code, a neighbour who speaks for them.
type Helper struct {
	ID         int64         `json:"id"`
	CustomerID int64         `json:"customer_id"`
	Name       string        `json:"name"`
	Relation   string        `json:"relation"` // "daughter", "neighbour"
	Phone      string        `json:"phone,omitempty"`
	Scopes     []HelperScope `json:"scopes"`
	Consent    string        `json:"consent"` // how consent was given: "in person at desk 3, signed form"
	ConsentAt  time.Time     `json:"consent_at"`
	ExpiresAt  *time.Time    `json:"expires_at,omitempty"`
	RevokedAt  *time.Time    `json:"revoked_at,omitempty"`
	CreatedBy  int64         `json:"created_by"`
	CreatedAt  time.Time     `json:"created_at"`
}

// Active reports whether the helper's authority holds at time now.
func (h *Helper) Active(now time.Time) bool {
	if h.RevokedAt != nil {
		return false
	}
	return h.ExpiresAt == nil || now.Before(*h.ExpiresAt)
}

// Can reports whether the helper may act with scope s at time now.
func (h *Helper) Can(s HelperScope, now time.Time) bool {
	if !h.Active(now) {
		return false
	}
	for _, x := range h.Scopes {
		if x == s {
			return true
		}
	}
	return false
}
