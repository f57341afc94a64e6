package kindred

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// One-time codes prove that the person at the desk, at the kiosk or on the
// phone is the customer (or a helper they trust): the desk sends six digits
// to a phone the customer gave us and asks for them back.
//
// The rules, in one place:
//   - A code is six digits, written and sent grouped as "482 913"; people may
//     type it with or without the space.
//   - It works for CodeLifetime (10 minutes). "More time" (ExtendCode) gives
//     CodeMoreTime again from the moment it is asked for, up to
//     CodeMaxExtensions times (WCAG 2.2.1 asks for at least ten), and may
//     bring back a code that ran out less than CodeMoreTime ago: a slow
//     reader who missed the clock time need not start again.
//   - CodeMaxTries wrong entries kill the code. An entry that is not six
//     digits is refused without using a try.
//   - A code that is used, killed by wrong tries, replaced by a newer one,
//     or past its time is dead: checking it answers Locked (HTTP 423).
//   - Issuing is limited per customer and per receiving phone
//     (CodeIssueLimit in CodeIssueWindow): RateLimited (HTTP 429).
//   - Only a hash of the digits is stored (salted SHA-256, compared in
//     constant time). Every issue, check, extension and reading is audited;
//     the digits never are.
//   - The digits are derived from a secret the desk keeps and the code's
//     id and random salt (HMAC-SHA256), so the USSD menu can read a live
//     code out again, the same digits each time, without them being
//     stored: a reading neither changes the code nor ends it.
//   - A voice code (CodeByVoice) is read out by the USSD menu: no SMS is
//     sent. It is the default for a customer who has asked for things to
//     be read aloud, or has low vision (DefaultCodeChannel).

// CodeChannel is how a one-time code reaches the person.
type CodeChannel string

// Code channels.
const (
	CodeBySMS    CodeChannel = "sms"    // an SMS to the customer's phone
	CodeByVoice  CodeChannel = "voice"  // read to the caller by the USSD menu, for a phone that hides SMS
	CodeToHelper CodeChannel = "helper" // an SMS to a helper with the receive_codes scope
)

// CodeChannels lists every code channel.
var CodeChannels = []CodeChannel{CodeBySMS, CodeByVoice, CodeToHelper}

// The rules of one-time codes (see above).
const (
	CodeDigits        = 6
	CodeLifetime      = 10 * time.Minute
	CodeMoreTime      = 10 * time.Minute
	CodeMaxExtensions = 10
	CodeMaxTries      = 5
	CodeIssueLimit    = 3
	CodeIssueWindow   = 15 * time.Minute
)

// CodeStatus is where a code stands. Expired is worked out from ExpiresAt;
// the others are stored.
type CodeStatus string

// Code statuses. Only a live code can be checked.
const (
	CodeLive     CodeStatus = "live"
	CodeUsed     CodeStatus = "used"     // checked right once; never again
	CodeLocked   CodeStatus = "locked"   // CodeMaxTries wrong entries
	CodeReplaced CodeStatus = "replaced" // a newer code was issued for the customer
	CodeExpired  CodeStatus = "expired"
)

// Code is one one-time code, without its digits.
type Code struct {
	ID         int64       `json:"id"`
	CustomerID int64       `json:"customer_id"`
	Channel    CodeChannel `json:"channel"`
	HelperID   *int64      `json:"helper_id"`
	To         string      `json:"to"` // the phone it goes to (E.164)
	Status     CodeStatus  `json:"status"`
	Tries      int         `json:"tries"` // wrong entries so far
	TriesLeft  int         `json:"tries_left"`
	Extensions int         `json:"extensions"`
	ExpiresAt  time.Time   `json:"expires_at"`
	CreatedAt  time.Time   `json:"created_at"`
	UsedAt     *time.Time  `json:"used_at"`
	OutboxID   *int64      `json:"outbox_id"` // the SMS that carries it; nil for voice
}

// StatusAt is the code's status at now: a live code past ExpiresAt is expired.
func (c *Code) StatusAt(now time.Time) CodeStatus {
	if c.Status == CodeLive && !now.Before(c.ExpiresAt) {
		return CodeExpired
	}
	return c.Status
}

// CanExtend reports whether "more time" may be given at now.
func (c *Code) CanExtend(now time.Time) bool {
	switch c.StatusAt(now) {
	case CodeLive:
	case CodeExpired:
		if now.Sub(c.ExpiresAt) >= CodeMoreTime {
			return false
		}
	default:
		return false
	}
	return c.Extensions < CodeMaxExtensions
}

// CodeRequest asks for a code for a customer.
type CodeRequest struct {
	CustomerID int64
	Channel    CodeChannel
	HelperID   int64 // for CodeToHelper
}

// CodeReading is a code read out to a phone by the USSD menu.
type CodeReading struct {
	Code     Code
	Digits   string // grouped: "482 913"
	Customer string // how to address the customer the code is for
	Helper   bool   // the phone is a helper's, not the customer's own
	Language string // the customer's language
}

// Verification issues and checks one-time codes. Methods that judge time
// take now, so that the rules can be tested without waiting.
type Verification interface {
	// IssueCode makes a code for the customer and, for SMS channels,
	// queues its SMS in the same transaction. A helper who may not receive
	// codes is Forbidden; too many codes is RateLimited.
	IssueCode(ctx context.Context, r CodeRequest, now time.Time) (*Code, error)
	// CheckCode compares digits with the code: the code when right (it is
	// then used), Invalid naming field "code" when wrong, Locked when the
	// code is dead (now or after this try).
	CheckCode(ctx context.Context, id int64, digits string, now time.Time) (*Code, error)
	// ExtendCode gives the code CodeMoreTime from now; Locked when it cannot.
	ExtendCode(ctx context.Context, id int64, now time.Time) (*Code, error)
	Code(ctx context.Context, id int64) (*Code, error)
	// LiveCode returns the newest live code of a customer the phone belongs
	// to (as theirs, or as an active receive_codes helper's); NotFound when
	// there is none.
	LiveCode(ctx context.Context, phone string, now time.Time) (*Code, error)
	// ReadCode gives the phone the digits of LiveCode for reading out: the
	// same digits each time it is read (they are derived, not stored), and
	// the code stays as it was: live, its tries and expiry unchanged.
	ReadCode(ctx context.Context, phone string, now time.Time) (*CodeReading, error)
	// Caller returns the customer whose own phone this is (the newest, if
	// several share it); NotFound when none.
	Caller(ctx context.Context, phone string) (*Customer, error)
}

// DefaultCodeChannel is how a code reaches customer c unless the officer
// chooses otherwise: read out on their phone (CodeByVoice) for someone
// who has asked for things to be read aloud or has low vision, since a
// text they cannot read proves nothing; by SMS for everyone else.
func DefaultCodeChannel(c *Customer) CodeChannel {
	if c.HasAccommodation(ReadAloud) || c.HasAccommodation(LowVision) {
		return CodeByVoice
	}
	return CodeBySMS
}

// GroupCode writes six digits as people read them: "482 913".
func GroupCode(digits string) string {
	if len(digits) != CodeDigits {
		return digits
	}
	return digits[:3] + " " + digits[3:]
}

// NormalizeCode reads what a person typed: digits with or without spaces or
// hyphens ("482 913", "482-913", "482913"). ok is false unless exactly
// CodeDigits digits remain.
func NormalizeCode(s string) (digits string, ok bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\u00a0' || r == '\t':
		default:
			return "", false
		}
	}
	if b.Len() != CodeDigits {
		return "", false
	}
	return b.String(), true
}

// CodeMessage is the SMS that carries a code, in the customer's language
// ("sw" for Swahili, English otherwise). forName is the customer's name when
// the SMS goes to a helper. until is shown as a clock time in its own
// location: give it on the desk's clock (until.In(the desk's zone)), since
// people read times, not countdowns. The Kiswahili says "namba ya
// uthibitisho" (a confirmation number), never "nambari ya siri", which is
// what M-Pesa calls a PIN: nobody should learn to read a PIN out to a desk.
func CodeMessage(lang, digits string, until time.Time, forName string) string {
	clock := until.Format("15:04")
	g := GroupCode(digits)
	if strings.HasPrefix(lang, "sw") {
		if forName != "" {
			return fmt.Sprintf("Namba ya uthibitisho ya %s ni %s. Inatumika hadi saa %s. Mpe afisa wa dawati pekee.", forName, g, clock)
		}
		return fmt.Sprintf("Namba yako ya uthibitisho ni %s. Inatumika hadi saa %s. Usimpe mtu mwingine.", g, clock)
	}
	if forName != "" {
		return fmt.Sprintf("The code for %s is %s. It works until %s. Give it only to the desk officer.", forName, g, clock)
	}
	return fmt.Sprintf("Your code is %s. It works until %s. Do not share it.", g, clock)
}
