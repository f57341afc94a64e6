package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/kindred-desk/kindred"
)

// Record appends e to the audit log. A zero At is now; an entry without an
// actor is recorded for the actor in ctx.
func (db *DB) Record(ctx context.Context, e *kindred.AuditEntry) error {
	if e.Action == "" || e.Subject == "" {
		v := kindred.Validation{}
		if e.Action == "" {
			v.Add("action", "say what was done")
		}
		if e.Subject == "" {
			v.Add("subject", "say what it was done to")
		}
		return v.Err()
	}
	err := db.Tx(ctx, func(tx *Tx) error { return tx.appendAudit(ctx, e) })
	if err != nil {
		return fmt.Errorf("record audit %s: %w", e.Action, err)
	}
	return nil
}

func (tx *Tx) appendAudit(ctx context.Context, e *kindred.AuditEntry) error {
	if e.ActorID == 0 && e.ActorName == "" {
		e.ActorID, e.ActorName = actor(ctx)
	}
	if e.At.IsZero() {
		e.At = tx.db.clock()
	} else {
		e.At = roundMS(e.At)
	}
	id, err := tx.Insert(ctx, `INSERT INTO audit (at, actor_id, actor_name, action, subject, subject_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ms(e.At), e.ActorID, e.ActorName, e.Action, e.Subject, e.SubjectID, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	e.ID = id
	return nil
}

// Audit returns audit entries matching f, newest first.
func (db *DB) Audit(ctx context.Context, f kindred.AuditFilter) ([]kindred.AuditEntry, error) {
	var where []string
	var args []any
	if f.Subject != "" {
		where = append(where, "subject = ?")
		args = append(args, f.Subject)
	}
	if f.SubjectID != 0 {
		where = append(where, "subject_id = ?")
		args = append(args, f.SubjectID)
	}
	if f.ActorID != 0 {
		where = append(where, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	q := "SELECT id, at, actor_id, actor_name, action, subject, subject_id, detail FROM audit"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit, offset := limits(f.Page)
	q += " ORDER BY id DESC LIMIT ? OFFSET ?"
	args = append(args, limit, offset)

	entries := []kindred.AuditEntry{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e kindred.AuditEntry
			var at int64
			if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Subject, &e.SubjectID, &e.Detail); err != nil {
				return err
			}
			e.At = fromMS(at)
			entries = append(entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return entries, nil
}
