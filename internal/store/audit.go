package store

import (
	"context"
	"fmt"

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
	tx.fillAudit(ctx, e)
	id, err := tx.Insert(ctx, `INSERT INTO audit (at, actor_id, actor_name, action, subject, subject_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ms(e.At), e.ActorID, e.ActorName, e.Action, e.Subject, e.SubjectID, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	e.ID = id
	return nil
}

// fillAudit gives e its actor (from ctx) and time when it has none.
func (tx *Tx) fillAudit(ctx context.Context, e *kindred.AuditEntry) {
	if e.ActorID == 0 && e.ActorName == "" {
		e.ActorID, e.ActorName = actor(ctx)
	}
	if e.At.IsZero() {
		e.At = tx.db.clock()
	} else {
		e.At = roundMS(e.At)
	}
}

// Audit returns audit entries matching f, newest first.
func (db *DB) Audit(ctx context.Context, f kindred.AuditFilter) ([]kindred.AuditEntry, error) {
	var w where
	if f.Subject != "" {
		w.add("subject = ?", f.Subject)
	}
	if f.SubjectID != 0 {
		w.add("subject_id = ?", f.SubjectID)
	}
	if f.ActorID != 0 {
		w.add("actor_id = ?", f.ActorID)
	}
	entries, err := listPage(ctx, db, "SELECT id, at, actor_id, actor_name, action, subject, subject_id, detail FROM audit",
		w, "id DESC", f.Page, func(row scanner, e *kindred.AuditEntry) error {
			var at int64
			err := row.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Subject, &e.SubjectID, &e.Detail)
			e.At = fromMS(at)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return entries, nil
}
