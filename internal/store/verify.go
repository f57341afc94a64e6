package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kindred-desk/kindred"
)

// One-time codes: the rules are written out in kindred's verify.go. Each
// method reads and changes a code in one transaction; a wrong try or a
// refused issue is committed (with its audit entry) before the error is
// returned, so that a refusal cannot be retried into success.

const codeColumns = `id, customer_id, channel, helper_id, recipient, status, tries, extensions,
	expires_at, created_at, used_at, outbox_id`

// storedCode is a code with its salt and hash.
type storedCode struct {
	kindred.Code
	salt, hash []byte
}

func scanCode(row scanner, c *kindred.Code, extra ...any) error {
	var channel, status string
	var helper, used, outbox sql.NullInt64
	var expires, created int64
	dst := []any{&c.ID, &c.CustomerID, &channel, &helper, &c.To, &status, &c.Tries, &c.Extensions,
		&expires, &created, &used, &outbox}
	if err := row.Scan(append(dst, extra...)...); err != nil {
		return err
	}
	c.Channel, c.Status = kindred.CodeChannel(channel), kindred.CodeStatus(status)
	c.HelperID, c.OutboxID = fromNullInt(helper), fromNullInt(outbox)
	c.ExpiresAt, c.CreatedAt, c.UsedAt = fromMS(expires), fromMS(created), fromNullMS(used)
	c.TriesLeft = max(0, kindred.CodeMaxTries-c.Tries)
	return nil
}

func (tx *Tx) code(ctx context.Context, id int64, lock bool) (*storedCode, error) {
	q := "SELECT " + codeColumns + ", salt, hash FROM codes WHERE id = ?"
	if lock {
		q += tx.ForUpdate()
	}
	var c storedCode
	err := scanCode(tx.QueryRow(ctx, q, id), &c.Code, &c.salt, &c.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("code", id)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// A code's digits are derived, not drawn: HMAC-SHA256 under the desk's
// code key (server_keys "codes", made at random on first use) of the code's
// id and its 16 random bytes of salt, taken modulo 10^6. With the key
// secret and the salt random, the digits are as unpredictable as drawn
// ones; and the USSD menu can read a live code out again, the same digits
// each time, while the codes table keeps only their salted hash, as for
// every code. The key lives in the database, beside the hashes: whoever
// holds the database could work the digits out from it, as they could by
// trying the million possible digits against a hash. What it keeps is the
// promise that no row, backup or log holds a code's digits in clear.

// codeKey caches the desk's code key once it is read.
type codeKey struct {
	mu  sync.Mutex
	key []byte
}

// codeSecret returns the desk's code key, making it on first use. ServerKey
// runs its own transaction, so that a key is cached only once it is
// committed: a rolled-back first use cannot leave this process deriving
// digits from a key that no other process (nor this one after a restart) has.
func (db *DB) codeSecret(ctx context.Context) ([]byte, error) {
	k := &db.codeKey
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	key, err := db.ServerKey(ctx, "codes")
	if err != nil {
		return nil, fmt.Errorf("code key: %w", err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("code key: %d bytes stored, want 32", len(key))
	}
	k.key = key
	return key, nil
}

// codeDigits derives the CodeDigits digits of code id with salt.
func codeDigits(key []byte, id int64, salt []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kindred one-time code\x00"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	m.Write(b[:])
	m.Write(salt)
	sum := m.Sum(nil)
	// 2^64 is not a multiple of 10^6; the bias is below 10^-13.
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(sum[:8])%1_000_000)
}

// codeHash is what is stored of a code. Six digits are a small space, so
// the hash keeps the digits out of sight (backups, a glance at a table)
// rather than safe from a determined offline search; the short lifetime
// and the tries limit are the real guards.
func codeHash(salt []byte, digits string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(digits))
	return h.Sum(nil)
}

// IssueCode makes a code for the customer and queues its SMS in the same
// transaction (none for a voice code). Older live codes of the customer are
// replaced: only the newest works.
func (db *DB) IssueCode(ctx context.Context, r kindred.CodeRequest, now time.Time) (*kindred.Code, error) {
	now = roundMS(now)
	key, err := db.codeSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("issue code for customer %d: %w", r.CustomerID, err)
	}
	var out *kindred.Code
	var refused error
	err = db.Tx(ctx, func(tx *Tx) error {
		refused = nil
		cust, err := tx.customer(ctx, r.CustomerID, true)
		if err != nil {
			return err
		}
		c := &storedCode{Code: kindred.Code{CustomerID: cust.ID, Channel: r.Channel, Status: kindred.CodeLive,
			CreatedAt: now, ExpiresAt: now.Add(kindred.CodeLifetime), TriesLeft: kindred.CodeMaxTries}}
		lang, forName := cust.Language, ""
		switch r.Channel {
		case kindred.CodeBySMS, kindred.CodeByVoice:
			if cust.Phone == "" {
				return invalid("channel", "the customer has no phone number; add one, or send the code to a helper")
			}
			c.To = cust.Phone
		case kindred.CodeToHelper:
			if r.HelperID <= 0 {
				return invalid("helper_id", "choose the helper to send the code to")
			}
			h, err := tx.helper(ctx, r.HelperID, false)
			if kindred.ErrorKind(err) == kindred.NotFound {
				return invalid("helper_id", "no such helper")
			}
			if err != nil {
				return err
			}
			if reason := helperCannotReceive(h, cust.ID, now); reason != "" {
				return &kindred.Error{Kind: kindred.Forbidden, Message: "this helper may not receive codes: " + reason,
					Fields: []kindred.FieldError{{Field: "helper_id", Reason: reason}}}
			}
			c.HelperID, c.To, forName = &h.ID, h.Phone, cust.AddressAs()
		default:
			return invalid("channel", "must be one of sms, voice, helper")
		}

		since := ms(now.Add(-kindred.CodeIssueWindow))
		var byCustomer, byPhone int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM codes WHERE customer_id = ? AND created_at > ?", cust.ID, since).Scan(&byCustomer); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM codes WHERE recipient = ? AND created_at > ?", c.To, since).Scan(&byPhone); err != nil {
			return err
		}
		if byCustomer >= kindred.CodeIssueLimit || byPhone >= kindred.CodeIssueLimit {
			who := "this customer"
			if byPhone >= kindred.CodeIssueLimit {
				who = "this phone"
			}
			refused = kindred.Errorf(kindred.RateLimited, "%s has had %d codes in the last %d minutes; wait a little, or check the customer another way",
				who, kindred.CodeIssueLimit, int(kindred.CodeIssueWindow.Minutes()))
			return tx.Audit(ctx, "code.refuse", "customer", cust.ID, "rate limit: "+who+", "+string(r.Channel))
		}

		c.salt = make([]byte, 16)
		if _, err := rand.Read(c.salt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE codes SET status = 'replaced' WHERE customer_id = ? AND status = 'live'", cust.ID); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, `INSERT INTO codes (customer_id, channel, helper_id, recipient, salt, status,
			expires_at, created_at) VALUES (?, ?, ?, ?, ?, 'live', ?, ?) RETURNING id`,
			cust.ID, string(c.Channel), nullInt(c.HelperID), c.To, c.salt, ms(c.ExpiresAt), ms(c.CreatedAt))
		if err != nil {
			return err
		}
		c.ID = id
		// The digits depend on the id, known only now.
		digits := codeDigits(key, id, c.salt)
		c.hash = codeHash(c.salt, digits)
		if _, err := tx.Exec(ctx, "UPDATE codes SET hash = ? WHERE id = ?", c.hash, id); err != nil {
			return err
		}
		if r.Channel != kindred.CodeByVoice {
			m := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: c.To, Purpose: "code", CustomerID: &cust.ID,
				Body: kindred.CodeMessage(lang, digits, c.ExpiresAt.In(db.location()), forName)}
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
			c.OutboxID = &m.ID
			if _, err := tx.Exec(ctx, "UPDATE codes SET outbox_id = ? WHERE id = ?", m.ID, id); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("for customer %d by %s", cust.ID, c.Channel)
		if c.HelperID != nil {
			detail += fmt.Sprintf(" (helper %d)", *c.HelperID)
		}
		out = &c.Code
		return tx.Audit(ctx, "code.issue", "code", id, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("issue code for customer %d: %w", r.CustomerID, err)
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// helperCannotReceive says why helper h may not receive the codes of
// customer at now, or "" when it may.
func helperCannotReceive(h *kindred.Helper, customer int64, now time.Time) string {
	switch {
	case h.CustomerID != customer:
		return "the helper acts for another customer"
	case h.RevokedAt != nil:
		return "the customer's authorisation was revoked"
	case !h.Active(now):
		return "the customer's authorisation has expired"
	case !h.Can(kindred.ScopeReceiveCodes, now):
		return "the helper lacks the receive_codes scope"
	case h.Phone == "":
		return "the helper has no phone number"
	}
	return ""
}

// deadError explains why a code cannot be checked; loc is the desk's zone,
// for the clock time a code ran out.
func deadError(c *kindred.Code, now time.Time, loc *time.Location) error {
	var why string
	switch c.StatusAt(now) {
	case kindred.CodeUsed:
		why = "it was already used"
	case kindred.CodeLocked:
		why = fmt.Sprintf("it was typed wrong %d times", kindred.CodeMaxTries)
	case kindred.CodeReplaced:
		why = "a newer code was sent"
	case kindred.CodeExpired:
		why = "its time ran out at " + c.ExpiresAt.In(loc).Format("15:04") + "; ask for more time or a new code"
	default:
		return nil
	}
	return kindred.Errorf(kindred.Locked, "this code no longer works: %s", why)
}

// CheckCode compares digits with the code. A right code is used at once; a
// wrong one uses a try, and the last try locks it. Typing that is not six
// digits uses no try.
func (db *DB) CheckCode(ctx context.Context, id int64, typed string, now time.Time) (*kindred.Code, error) {
	now = roundMS(now)
	var out *kindred.Code
	var verdict error
	err := db.Tx(ctx, func(tx *Tx) error {
		verdict = nil
		c, err := tx.code(ctx, id, true)
		if err != nil {
			return err
		}
		out = &c.Code
		if dead := deadError(&c.Code, now, db.location()); dead != nil {
			verdict = dead
			return tx.Audit(ctx, "code.check", "code", id, "refused: "+string(c.StatusAt(now)))
		}
		digits, ok := kindred.NormalizeCode(typed)
		if !ok {
			verdict = invalid("code", fmt.Sprintf("type the %d digits of the code, with or without the space", kindred.CodeDigits))
			return tx.Audit(ctx, "code.check", "code", id, "not six digits; no try used")
		}
		if c.hash != nil && subtle.ConstantTimeCompare(codeHash(c.salt, digits), c.hash) == 1 {
			c.Status, c.UsedAt = kindred.CodeUsed, &now
			if _, err := tx.Exec(ctx, "UPDATE codes SET status = 'used', used_at = ? WHERE id = ?", ms(now), id); err != nil {
				return err
			}
			return tx.Audit(ctx, "code.check", "code", id, "right")
		}
		c.Tries++
		c.TriesLeft = max(0, kindred.CodeMaxTries-c.Tries)
		detail := fmt.Sprintf("wrong, try %d of %d", c.Tries, kindred.CodeMaxTries)
		if c.Tries >= kindred.CodeMaxTries {
			c.Status = kindred.CodeLocked
			detail += "; locked"
			verdict = kindred.Errorf(kindred.Locked, "that was not the code, and it was the last try: the code no longer works; send a new one")
		} else {
			reason := fmt.Sprintf("that is not the code; %d tries left", c.TriesLeft)
			if c.TriesLeft == 1 {
				reason = "that is not the code; 1 try left"
			}
			verdict = &kindred.Error{Kind: kindred.Invalid, Message: "that is not the code",
				Fields: []kindred.FieldError{{Field: "code", Reason: reason}}}
		}
		if _, err := tx.Exec(ctx, "UPDATE codes SET tries = ?, status = ? WHERE id = ?", c.Tries, string(c.Status), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "code.check", "code", id, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("check code %d: %w", id, err)
	}
	return out, verdict
}

// ExtendCode gives the code CodeMoreTime from now.
func (db *DB) ExtendCode(ctx context.Context, id int64, now time.Time) (*kindred.Code, error) {
	now = roundMS(now)
	var out *kindred.Code
	err := db.Tx(ctx, func(tx *Tx) error {
		c, err := tx.code(ctx, id, true)
		if err != nil {
			return err
		}
		if !c.CanExtend(now) {
			if c.Extensions >= kindred.CodeMaxExtensions && c.StatusAt(now) == kindred.CodeLive {
				return kindred.Errorf(kindred.Locked, "this code has had more time %d times already; send a new one", kindred.CodeMaxExtensions)
			}
			if dead := deadError(&c.Code, now, db.location()); dead != nil && c.StatusAt(now) != kindred.CodeExpired {
				return dead
			}
			return kindred.Errorf(kindred.Locked, "this code ran out too long ago to get more time; send a new one")
		}
		c.Extensions++
		c.ExpiresAt = now.Add(kindred.CodeMoreTime)
		if _, err := tx.Exec(ctx, "UPDATE codes SET expires_at = ?, extensions = ? WHERE id = ?", ms(c.ExpiresAt), c.Extensions, id); err != nil {
			return err
		}
		out = &c.Code
		return tx.Audit(ctx, "code.extend", "code", id, fmt.Sprintf("more time %d of %d", c.Extensions, kindred.CodeMaxExtensions))
	})
	if err != nil {
		return nil, fmt.Errorf("extend code %d: %w", id, err)
	}
	return out, nil
}

// Code returns one code, without its digits.
func (db *DB) Code(ctx context.Context, id int64) (*kindred.Code, error) {
	var out *kindred.Code
	err := db.ReadTx(ctx, func(tx *Tx) error {
		c, err := tx.code(ctx, id, false)
		if err == nil {
			out = &c.Code
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read code %d: %w", id, err)
	}
	return out, nil
}

// phoneCustomers returns the customers the phone may read codes for: those
// whose own phone it is, and those who made its owner a helper with
// receive_codes, still active at now. helperOf is true for the latter.
func (tx *Tx) phoneCustomers(ctx context.Context, phone string, now time.Time) (own []int64, helperOf []int64, err error) {
	if own, err = tx.ids(ctx, "SELECT id FROM customers WHERE phone = ? ORDER BY id", phone); err != nil {
		return nil, nil, err
	}
	helpers, err := queryAll(ctx, tx, scanHelper, "SELECT "+helperColumns+" FROM helpers WHERE phone = ? ORDER BY id", phone)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range helpers {
		if h.Can(kindred.ScopeReceiveCodes, now) {
			helperOf = append(helperOf, h.CustomerID)
		}
	}
	return own, helperOf, nil
}

// liveCode finds the newest live code the phone may read, and whether the
// phone reads it as a helper.
func (tx *Tx) liveCode(ctx context.Context, phone string, now time.Time, lock bool) (*storedCode, bool, error) {
	if phone == "" {
		return nil, false, kindred.Errorf(kindred.NotFound, "no live code for this phone")
	}
	own, helperOf, err := tx.phoneCustomers(ctx, phone, now)
	if err != nil {
		return nil, false, err
	}
	ids := append(append([]int64{}, own...), helperOf...)
	if len(ids) == 0 {
		return nil, false, kindred.Errorf(kindred.NotFound, "no live code for this phone")
	}
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, ms(now))
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM codes WHERE customer_id IN (`+placeholders(len(ids))+`)
		AND status = 'live' AND expires_at > ? ORDER BY created_at DESC, id DESC LIMIT 1`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, kindred.Errorf(kindred.NotFound, "no live code for this phone")
	}
	if err != nil {
		return nil, false, err
	}
	c, err := tx.code(ctx, id, lock)
	if err != nil {
		return nil, false, err
	}
	asHelper := true
	for _, o := range own {
		if o == c.CustomerID {
			asHelper = false
		}
	}
	return c, asHelper, nil
}

// LiveCode returns the newest live code the phone may read.
func (db *DB) LiveCode(ctx context.Context, phone string, now time.Time) (*kindred.Code, error) {
	var out *kindred.Code
	err := db.ReadTx(ctx, func(tx *Tx) error {
		c, _, err := tx.liveCode(ctx, phone, roundMS(now), false)
		if err == nil {
			out = &c.Code
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find live code: %w", err)
	}
	return out, nil
}

// ReadCode gives the digits of the phone's newest live code for reading
// out. They are derived again (codeDigits), the same each time; the code
// stays as it was. A code made before digits were derived (a voice code
// never read, or one whose digits were drawn at random) gets derived
// digits at its first reading, once.
func (db *DB) ReadCode(ctx context.Context, phone string, now time.Time) (*kindred.CodeReading, error) {
	now = roundMS(now)
	key, err := db.codeSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("read code out: %w", err)
	}
	var out *kindred.CodeReading
	err = db.Tx(ctx, func(tx *Tx) error {
		c, asHelper, err := tx.liveCode(ctx, phone, now, true)
		if err != nil {
			return err
		}
		cust, err := tx.customer(ctx, c.CustomerID, false)
		if err != nil {
			return err
		}
		digits := codeDigits(key, c.ID, c.salt)
		detail := "read out to the customer's phone"
		if asHelper {
			detail = "read out to a helper's phone"
		}
		if hash := codeHash(c.salt, digits); c.hash == nil || subtle.ConstantTimeCompare(hash, c.hash) != 1 {
			if _, err := tx.Exec(ctx, "UPDATE codes SET hash = ? WHERE id = ?", hash, c.ID); err != nil {
				return err
			}
			detail += "; digits made at this first reading"
		}
		out = &kindred.CodeReading{Code: c.Code, Digits: kindred.GroupCode(digits), Customer: cust.AddressAs(),
			Helper: asHelper, Language: cust.Language}
		return tx.Audit(ctx, "code.read", "code", c.ID, detail)
	})
	if err != nil {
		return nil, fmt.Errorf("read code out: %w", err)
	}
	return out, nil
}

// Caller returns the newest customer whose own phone this is.
func (db *DB) Caller(ctx context.Context, phone string) (*kindred.Customer, error) {
	var out *kindred.Customer
	err := db.ReadTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRow(ctx, "SELECT id FROM customers WHERE phone = ? ORDER BY id DESC LIMIT 1", phone).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return kindred.Errorf(kindred.NotFound, "no customer has this phone")
		}
		if err != nil {
			return err
		}
		out, err = tx.customer(ctx, id, false)
		return err
	})
	if err != nil || phone == "" {
		if err == nil {
			err = kindred.Errorf(kindred.NotFound, "no customer has this phone")
		}
		return nil, fmt.Errorf("find caller: %w", err)
	}
	return out, nil
}

var _ kindred.Verification = (*DB)(nil)
