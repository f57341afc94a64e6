package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kindred-desk/kindred"
)

// Duplicates returns the other live records (not merged away) with the same
// phone number or the same email address as customer id, by name.
func (db *DB) Duplicates(ctx context.Context, id int64) ([]kindred.Customer, error) {
	var out []kindred.Customer
	err := db.ReadTx(ctx, func(tx *Tx) error {
		c, err := tx.customer(ctx, id, false)
		if err != nil {
			return err
		}
		out = []kindred.Customer{}
		if c.Phone == "" && c.Email == "" {
			return nil
		}
		out, err = queryAll(ctx, tx, scanCustomer, "SELECT "+customerColumns+` FROM customers
			WHERE id <> ? AND merged_into IS NULL AND ((phone <> '' AND phone = ?) OR (email <> '' AND lower(email) = ?))
			ORDER BY name, id LIMIT 20`, id, c.Phone, strings.ToLower(c.Email))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("duplicates of customer %d: %w", id, err)
	}
	return out, nil
}

// mergeTables are the rows that belong to a customer and move with a merge,
// with the field of MergeMoves that records them.
var mergeTables = []struct {
	table string
	ids   func(m *kindred.MergeMoves) *[]int64
}{
	{"conversations", func(m *kindred.MergeMoves) *[]int64 { return &m.Conversations }},
	{"notes", func(m *kindred.MergeMoves) *[]int64 { return &m.Notes }},
	{"helpers", func(m *kindred.MergeMoves) *[]int64 { return &m.Helpers }},
	{"surveys", func(m *kindred.MergeMoves) *[]int64 { return &m.Surveys }},
	{"lobby_tickets", func(m *kindred.MergeMoves) *[]int64 { return &m.Tickets }},
}

// MergeCustomers makes two records of one person one: the conversations,
// notes, helpers, surveys and tickets of mergedID move to keptID, whose empty
// phone, email or preferred name are filled from mergedID, and mergedID is
// marked merged into keptID. What moved is recorded so that UndoMerge can
// move exactly that back.
func (db *DB) MergeCustomers(ctx context.Context, keptID, mergedID int64) (*kindred.CustomerMerge, error) {
	if keptID == mergedID {
		return nil, invalid("merged_id", "a record cannot be merged into itself")
	}
	m := &kindred.CustomerMerge{KeptID: keptID, MergedID: mergedID}
	err := db.Tx(ctx, func(tx *Tx) error {
		kept, err := tx.customer(ctx, keptID, true)
		if err != nil {
			return err
		}
		merged, err := tx.customer(ctx, mergedID, true)
		if kindred.ErrorKind(err) == kindred.NotFound {
			return invalid("merged_id", "no such customer")
		}
		if err != nil {
			return err
		}
		if kept.MergedInto != nil {
			return &kindred.Error{Kind: kindred.Conflict, Message: "the record to keep was itself merged into another"}
		}
		if merged.MergedInto != nil {
			return &kindred.Error{Kind: kindred.Conflict, Message: "that record was already merged"}
		}
		for _, t := range mergeTables {
			ids, err := tx.ids(ctx, "SELECT id FROM "+t.table+" WHERE customer_id = ? ORDER BY id", mergedID)
			if err != nil {
				return err
			}
			*t.ids(&m.Moved) = ids
			if _, err := tx.Exec(ctx, "UPDATE "+t.table+" SET customer_id = ? WHERE customer_id = ?", keptID, mergedID); err != nil {
				return fmt.Errorf("move %s: %w", t.table, err)
			}
		}
		m.Moved.Filled = []string{}
		fill := func(field string, to *string, from string) {
			if *to == "" && from != "" {
				*to = from
				m.Moved.Filled = append(m.Moved.Filled, field)
			}
		}
		fill("phone", &kept.Phone, merged.Phone)
		fill("email", &kept.Email, merged.Email)
		fill("preferred_name", &kept.PreferredName, merged.PreferredName)
		now := tx.db.clock()
		if len(m.Moved.Filled) > 0 {
			if _, err := tx.Exec(ctx, "UPDATE customers SET phone = ?, email = ?, preferred_name = ?, search = ?, updated_at = ? WHERE id = ?",
				kept.Phone, kept.Email, kept.PreferredName, searchText(kept), ms(now), keptID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ?", keptID, ms(now), mergedID); err != nil {
			return err
		}
		moved, err := json.Marshal(m.Moved)
		if err != nil {
			return err
		}
		m.CreatedAt = now
		if m.ID, err = tx.Insert(ctx, `INSERT INTO customer_merges (kept_id, merged_id, moved, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, keptID, mergedID, string(moved), ms(now)); err != nil {
			return err
		}
		return tx.Audit(ctx, "customer.merge", "customer", keptID, fmt.Sprintf("merged customer %d in (merge %d): %d conversations, %d notes, %d helpers",
			mergedID, m.ID, len(m.Moved.Conversations), len(m.Moved.Notes), len(m.Moved.Helpers)))
	})
	if err != nil {
		return nil, fmt.Errorf("merge customer %d into %d: %w", mergedID, keptID, err)
	}
	return m, nil
}

// UndoMerge moves back exactly what merge id moved, clears the fields it
// filled, and makes the merged record stand on its own again.
func (db *DB) UndoMerge(ctx context.Context, id int64) (*kindred.CustomerMerge, error) {
	var m *kindred.CustomerMerge
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		m, err = byID(ctx, tx, "SELECT "+mergeColumns+" FROM customer_merges WHERE id = ?", id, true, "merge", scanMerge)
		if err != nil {
			return err
		}
		if m.UndoneAt != nil {
			return &kindred.Error{Kind: kindred.Conflict, Message: "this merge was already undone"}
		}
		for _, t := range mergeTables {
			if err := inLists(*t.ids(&m.Moved), func(list string, args []any) error {
				_, err := tx.Exec(ctx, "UPDATE "+t.table+" SET customer_id = ? WHERE customer_id = ? AND id IN ("+list+")",
					append([]any{m.MergedID, m.KeptID}, args...)...)
				return err
			}); err != nil {
				return fmt.Errorf("move %s back: %w", t.table, err)
			}
		}
		kept, err := tx.customer(ctx, m.KeptID, true)
		if err != nil {
			return err
		}
		for _, f := range m.Moved.Filled {
			switch f {
			case "phone":
				kept.Phone = ""
			case "email":
				kept.Email = ""
			case "preferred_name":
				kept.PreferredName = ""
			}
		}
		now := tx.db.clock()
		if _, err := tx.Exec(ctx, "UPDATE customers SET phone = ?, email = ?, preferred_name = ?, search = ?, updated_at = ? WHERE id = ?",
			kept.Phone, kept.Email, kept.PreferredName, searchText(kept), ms(now), m.KeptID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE customers SET merged_into = NULL, updated_at = ? WHERE id = ?", ms(now), m.MergedID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE customer_merges SET undone_at = ? WHERE id = ?", ms(now), id); err != nil {
			return err
		}
		m.UndoneAt = &now
		return tx.Audit(ctx, "customer.unmerge", "customer", m.KeptID, fmt.Sprintf("undid merge %d: customer %d stands alone again", id, m.MergedID))
	})
	if err != nil {
		return nil, fmt.Errorf("undo merge %d: %w", id, err)
	}
	return m, nil
}

// Merges lists the merges into or from the customer, newest first.
func (db *DB) Merges(ctx context.Context, customerID int64) ([]kindred.CustomerMerge, error) {
	var out []kindred.CustomerMerge
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanMerge, "SELECT "+mergeColumns+" FROM customer_merges WHERE kept_id = ? OR merged_id = ? ORDER BY id DESC",
			customerID, customerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("merges of customer %d: %w", customerID, err)
	}
	return out, nil
}

const mergeColumns = "id, kept_id, merged_id, moved, created_at, undone_at"

func scanMerge(row scanner, m *kindred.CustomerMerge) error {
	var moved string
	var created int64
	var undone sql.NullInt64
	if err := row.Scan(&m.ID, &m.KeptID, &m.MergedID, &moved, &created, &undone); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(moved), &m.Moved); err != nil {
		return fmt.Errorf("merge %d: %w", m.ID, err)
	}
	m.CreatedAt, m.UndoneAt = fromMS(created), fromNullMS(undone)
	return nil
}
