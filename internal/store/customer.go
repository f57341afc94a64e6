package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kindred-desk/kindred"
)

func validAccommodations(as []kindred.Accommodation, v *kindred.Validation) {
	for _, a := range as {
		if !slices.Contains(kindred.Accommodations, a) {
			v.Add("accommodations", fmt.Sprintf("%q is not in the list; put anything else in the accommodation notes", a))
			return
		}
	}
}

// encodeList stores a list as JSON text; nil is stored as [].
func encodeList[T any](xs []T) string {
	if xs == nil {
		return "[]"
	}
	b, _ := json.Marshal(xs) // slices of strings cannot fail to encode
	return string(b)
}

func decodeList[T any](s string) ([]T, error) {
	xs := []T{}
	if s == "" {
		return xs, nil
	}
	if err := json.Unmarshal([]byte(s), &xs); err != nil {
		return nil, err
	}
	return xs, nil
}

// CreateCustomer stores a new customer.
func (db *DB) CreateCustomer(ctx context.Context, c *kindred.Customer) error {
	c.Name = strings.TrimSpace(c.Name)
	var v kindred.Validation
	if c.Name == "" {
		v.Add("name", "give the customer's name")
	}
	validAccommodations(c.Accommodations, &v)
	if err := v.Err(); err != nil {
		return err
	}
	if c.Accommodations == nil {
		c.Accommodations = []kindred.Accommodation{}
	}
	c.CreatedAt = db.clock()
	c.UpdatedAt = c.CreatedAt
	err := db.Tx(ctx, func(tx *Tx) error { return tx.insertCustomer(ctx, c) })
	if err != nil {
		return fmt.Errorf("create customer: %w", err)
	}
	return nil
}

// insertCustomer stores the valid new customer c in tx.
func (tx *Tx) insertCustomer(ctx context.Context, c *kindred.Customer) error {
	id, err := tx.Insert(ctx, `INSERT INTO customers (name, preferred_name, pronunciation, language, phone, email,
		accommodations, accommodation_notes, search, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Name, c.PreferredName, c.Pronunciation, c.Language, c.Phone, c.Email,
		encodeList(c.Accommodations), c.AccommodationNotes, searchText(c), ms(c.CreatedAt), ms(c.UpdatedAt))
	if err != nil {
		return err
	}
	c.ID = id
	return tx.Audit(ctx, "customer.create", "customer", id, "")
}

const customerColumns = `id, name, preferred_name, pronunciation, language, phone, email,
	accommodations, accommodation_notes, created_at, updated_at, merged_into`

func scanCustomer(row scanner, c *kindred.Customer) error {
	var acc string
	var created, updated int64
	var merged sql.NullInt64
	if err := row.Scan(&c.ID, &c.Name, &c.PreferredName, &c.Pronunciation, &c.Language, &c.Phone, &c.Email,
		&acc, &c.AccommodationNotes, &created, &updated, &merged); err != nil {
		return err
	}
	c.MergedInto = fromNullInt(merged)
	var err error
	if c.Accommodations, err = decodeList[kindred.Accommodation](acc); err != nil {
		return fmt.Errorf("customer %d accommodations: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return nil
}

func (tx *Tx) customer(ctx context.Context, id int64, lock bool) (*kindred.Customer, error) {
	return byID(ctx, tx, "SELECT "+customerColumns+" FROM customers WHERE id = ?", id, lock, "customer", scanCustomer)
}

// Customer returns the customer with this id.
func (db *DB) Customer(ctx context.Context, id int64) (*kindred.Customer, error) {
	var c *kindred.Customer
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		c, err = tx.customer(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read customer %d: %w", id, err)
	}
	return c, nil
}

// CustomersByID returns the customers with these ids, keyed by id, each as
// Customer returns it; an id with no customer is left out. It reads them in
// one statement (per maxInList ids), where the inbox used to read one per row.
func (db *DB) CustomersByID(ctx context.Context, ids []int64) (map[int64]*kindred.Customer, error) {
	customers := make(map[int64]*kindred.Customer, len(ids))
	if len(ids) == 0 {
		return customers, nil
	}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return inLists(ids, func(list string, args []any) error {
			rows, err := tx.Query(ctx, "SELECT "+customerColumns+" FROM customers WHERE id IN ("+list+")", args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				c := new(kindred.Customer)
				if err := scanCustomer(rows, c); err != nil {
					return err
				}
				customers[c.ID] = c
			}
			return rows.Err()
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read %d customers: %w", len(ids), err)
	}
	return customers, nil
}

// searchText is what a customer search matches as text: name, preferred name
// and email, lower-cased in Go so that "Zoë" finds "ZOË" on SQLite too, whose
// lower() knows only ASCII. A newline keeps a query from spanning two fields.
func searchText(c *kindred.Customer) string {
	return strings.ToLower(c.Name + "\n" + c.PreferredName + "\n" + c.Email)
}

// phoneDigits keeps what a phone search compares: the query without '+',
// spaces and the punctuation people type ("+254 712-345 678"), or "" when
// what is left is not all digits.
func phoneDigits(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	return b.String()
}

// Customers returns customers matching f, by name. The query matches name,
// preferred name or email as a case-insensitive substring, or the digits of
// the phone number.
func (db *DB) Customers(ctx context.Context, f kindred.CustomerFilter) ([]kindred.Customer, error) {
	var w where
	if query := strings.TrimSpace(f.Query); query != "" {
		// Control characters become spaces, so no query matches across the
		// newlines that separate the fields of the search text.
		text := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, strings.ToLower(query))
		match := `search LIKE ? ESCAPE '\'`
		args := []any{likePattern(text)}
		if digits := phoneDigits(query); digits != "" {
			// "0722 000 111" is written with the trunk prefix: the number
			// is stored in international form, +254722000111.
			if national := strings.TrimLeft(digits, "0"); len(national) >= 6 && national != digits {
				digits = national
			}
			match = "(" + match + ` OR replace(replace(phone, '+', ''), ' ', '') LIKE ?)`
			args = append(args, "%"+digits+"%")
		}
		w.add(match, args...)
	}
	// A record merged into another is reached through the one kept.
	w.add("merged_into IS NULL")
	customers, err := listPage(ctx, db, "SELECT "+customerColumns+" FROM customers", w, "name, id", f.Page, scanCustomer)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	return customers, nil
}

// UpdateCustomer changes the non-nil fields of u and returns the customer as
// it now is. The audit entry names the fields changed, not their values.
func (db *DB) UpdateCustomer(ctx context.Context, id int64, u kindred.CustomerUpdate) (*kindred.Customer, error) {
	var v kindred.Validation
	if u.Name != nil && strings.TrimSpace(*u.Name) == "" {
		v.Add("name", "give the customer's name")
	}
	if u.Accommodations != nil {
		validAccommodations(*u.Accommodations, &v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var c *kindred.Customer
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		c, err = tx.customer(ctx, id, true)
		if err != nil {
			return err
		}
		var changed []string
		set := func(field string, dst *string, src *string) {
			if src != nil && *src != *dst {
				*dst = *src
				changed = append(changed, field)
			}
		}
		if u.Name != nil {
			name := strings.TrimSpace(*u.Name)
			set("name", &c.Name, &name)
		}
		set("preferred_name", &c.PreferredName, u.PreferredName)
		set("pronunciation", &c.Pronunciation, u.Pronunciation)
		set("language", &c.Language, u.Language)
		set("phone", &c.Phone, u.Phone)
		set("email", &c.Email, u.Email)
		set("accommodation_notes", &c.AccommodationNotes, u.AccommodationNotes)
		if u.Accommodations != nil && !slices.Equal(*u.Accommodations, c.Accommodations) {
			c.Accommodations = slices.Clone(*u.Accommodations)
			if c.Accommodations == nil {
				c.Accommodations = []kindred.Accommodation{}
			}
			changed = append(changed, "accommodations")
		}
		if len(changed) == 0 {
			return nil
		}
		c.UpdatedAt = db.clock()
		if _, err := tx.Exec(ctx, `UPDATE customers SET name = ?, preferred_name = ?, pronunciation = ?, language = ?,
			phone = ?, email = ?, accommodations = ?, accommodation_notes = ?, search = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.PreferredName, c.Pronunciation, c.Language, c.Phone, c.Email,
			encodeList(c.Accommodations), c.AccommodationNotes, searchText(c), ms(c.UpdatedAt), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "customer.update", "customer", id, "changed "+strings.Join(changed, ", "))
	})
	if err != nil {
		return nil, fmt.Errorf("update customer %d: %w", id, err)
	}
	return c, nil
}

// AddNote stores a note about a customer. Without an author, the actor in ctx
// is the author. The audit entry never holds the body.
func (db *DB) AddNote(ctx context.Context, n *kindred.Note) error {
	if strings.TrimSpace(n.Body) == "" {
		return invalid("body", "write the note")
	}
	if n.AuthorID == 0 && n.AuthorName == "" {
		n.AuthorID, n.AuthorName = actor(ctx)
	}
	n.CreatedAt = db.clock()
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "customers", "customer_id", n.CustomerID); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, `INSERT INTO notes (customer_id, body, sensitive, author_id, author_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			n.CustomerID, n.Body, n.Sensitive, n.AuthorID, n.AuthorName, ms(n.CreatedAt))
		if err != nil {
			return err
		}
		n.ID = id
		detail := fmt.Sprintf("note %d", id)
		if n.Sensitive {
			detail += ", sensitive"
		}
		return tx.Audit(ctx, "note.create", "customer", n.CustomerID, detail)
	})
	if err != nil {
		return fmt.Errorf("add note for customer %d: %w", n.CustomerID, err)
	}
	return nil
}

// Notes returns the customer's notes, newest first. Reading sensitive notes
// is recorded in the audit log, and the notes are returned only once it is.
func (db *DB) Notes(ctx context.Context, customerID int64) ([]kindred.Note, error) {
	notes := []kindred.Note{}
	var sensitive []string
	err := db.ReadTx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "customers", "", customerID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, customer_id, body, sensitive, author_id, author_name, created_at
			FROM notes WHERE customer_id = ? ORDER BY created_at DESC, id DESC`, customerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n kindred.Note
			var created int64
			if err := rows.Scan(&n.ID, &n.CustomerID, &n.Body, &n.Sensitive, &n.AuthorID, &n.AuthorName, &created); err != nil {
				return err
			}
			n.CreatedAt = fromMS(created)
			if n.Sensitive {
				sensitive = append(sensitive, fmt.Sprint(n.ID))
			}
			notes = append(notes, n)
		}
		return rows.Err()
	})
	if err == nil && len(sensitive) > 0 {
		err = db.Tx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, "note.read_sensitive", "customer", customerID, "notes "+strings.Join(sensitive, ", "))
		})
	}
	if err != nil {
		return nil, fmt.Errorf("read notes of customer %d: %w", customerID, err)
	}
	return notes, nil
}

// mustExist returns NotFound (field == "") or Invalid naming field when table
// has no row with this id. Checking inside the transaction gives both
// dialects the same error, where their foreign-key messages differ.
func (tx *Tx) mustExist(ctx context.Context, table, field string, id int64) error {
	ok, err := tx.Exists(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", id)
	if err != nil || ok {
		return err
	}
	what := strings.TrimSuffix(table, "s")
	if field == "" {
		return notFound(what, id)
	}
	return invalid(field, fmt.Sprintf("no %s %d", what, id))
}

func validScopes(ss []kindred.HelperScope, v *kindred.Validation) {
	for _, s := range ss {
		if !slices.Contains(kindred.HelperScopes, s) {
			v.Add("scopes", fmt.Sprintf("%q is not a scope", s))
			return
		}
	}
}

// AddHelper stores a helper a customer has authorised. A zero ConsentAt is
// now; without CreatedBy, the actor in ctx is recorded.
func (db *DB) AddHelper(ctx context.Context, h *kindred.Helper) error {
	h.Name = strings.TrimSpace(h.Name)
	h.Consent = strings.TrimSpace(h.Consent)
	var v kindred.Validation
	if h.Name == "" {
		v.Add("name", "give the helper's name")
	}
	if h.Consent == "" {
		v.Add("consent", "say how the customer gave consent")
	}
	if len(h.Scopes) == 0 {
		v.Add("scopes", "say what the helper may do")
	}
	validScopes(h.Scopes, &v)
	if err := v.Err(); err != nil {
		return err
	}
	now := db.clock()
	h.CreatedAt = now
	if h.ConsentAt.IsZero() {
		h.ConsentAt = now
	}
	h.ConsentAt = roundMS(h.ConsentAt)
	h.ExpiresAt = roundMSPtr(h.ExpiresAt)
	h.RevokedAt = roundMSPtr(h.RevokedAt)
	if h.CreatedBy == 0 {
		h.CreatedBy, _ = actor(ctx)
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "customers", "customer_id", h.CustomerID); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, `INSERT INTO helpers (customer_id, name, relation, phone, scopes, consent, consent_at,
			expires_at, revoked_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			h.CustomerID, h.Name, h.Relation, h.Phone, encodeList(h.Scopes), h.Consent, ms(h.ConsentAt),
			msPtr(h.ExpiresAt), msPtr(h.RevokedAt), h.CreatedBy, ms(h.CreatedAt))
		if err != nil {
			return err
		}
		h.ID = id
		return tx.Audit(ctx, "helper.create", "helper", id, fmt.Sprintf("for customer %d, scopes %s", h.CustomerID, encodeList(h.Scopes)))
	})
	if err != nil {
		return fmt.Errorf("add helper for customer %d: %w", h.CustomerID, err)
	}
	return nil
}

const helperColumns = `id, customer_id, name, relation, phone, scopes, consent, consent_at,
	expires_at, revoked_at, created_by, created_at`

func scanHelper(row scanner, h *kindred.Helper) error {
	var scopes string
	var consent, created int64
	var expires, revoked sql.NullInt64
	if err := row.Scan(&h.ID, &h.CustomerID, &h.Name, &h.Relation, &h.Phone, &scopes, &h.Consent, &consent,
		&expires, &revoked, &h.CreatedBy, &created); err != nil {
		return err
	}
	var err error
	if h.Scopes, err = decodeList[kindred.HelperScope](scopes); err != nil {
		return fmt.Errorf("helper %d scopes: %w", h.ID, err)
	}
	h.ConsentAt, h.CreatedAt = fromMS(consent), fromMS(created)
	h.ExpiresAt, h.RevokedAt = fromNullMS(expires), fromNullMS(revoked)
	return nil
}

func (tx *Tx) helper(ctx context.Context, id int64, lock bool) (*kindred.Helper, error) {
	return byID(ctx, tx, "SELECT "+helperColumns+" FROM helpers WHERE id = ?", id, lock, "helper", scanHelper)
}

// Helper returns the helper with this id, active or not.
func (db *DB) Helper(ctx context.Context, id int64) (*kindred.Helper, error) {
	var h *kindred.Helper
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		h, err = tx.helper(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read helper %d: %w", id, err)
	}
	return h, nil
}

// Helpers returns every helper the customer has authorised, revoked and
// expired ones included, oldest first; Helper.Active tells them apart.
func (db *DB) Helpers(ctx context.Context, customerID int64) ([]kindred.Helper, error) {
	helpers := []kindred.Helper{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		if err := tx.mustExist(ctx, "customers", "", customerID); err != nil {
			return err
		}
		var err error
		helpers, err = queryAll(ctx, tx, scanHelper, "SELECT "+helperColumns+" FROM helpers WHERE customer_id = ? ORDER BY id", customerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list helpers of customer %d: %w", customerID, err)
	}
	return helpers, nil
}

// RevokeHelper ends a helper's authority at time at. Revoking a helper
// already revoked keeps the first revocation and records nothing new.
func (db *DB) RevokeHelper(ctx context.Context, id int64, at time.Time) (*kindred.Helper, error) {
	if at.IsZero() {
		at = db.now()
	}
	at = roundMS(at)
	var h *kindred.Helper
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		h, err = tx.helper(ctx, id, true)
		if err != nil || h.RevokedAt != nil {
			return err
		}
		h.RevokedAt = &at
		if _, err := tx.Exec(ctx, "UPDATE helpers SET revoked_at = ? WHERE id = ?", ms(at), id); err != nil {
			return err
		}
		return tx.Audit(ctx, "helper.revoke", "helper", id, fmt.Sprintf("for customer %d", h.CustomerID))
	})
	if err != nil {
		return nil, fmt.Errorf("revoke helper %d: %w", id, err)
	}
	return h, nil
}
