package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
)

// CreateSavedReply stores r, trimmed. A title in use is Invalid naming
// "title", so that the form can say so beside it.
func (db *DB) CreateSavedReply(ctx context.Context, r *kindred.SavedReply) error {
	r.Title, r.Body = strings.TrimSpace(r.Title), strings.TrimSpace(r.Body)
	var v kindred.Validation
	switch n := utf8.RuneCountInString(r.Title); {
	case n == 0:
		v.Add("title", "give it a short title agents will know it by")
	case n > kindred.MaxSavedReplyTitle:
		v.Add("title", fmt.Sprintf("must be at most %d characters", kindred.MaxSavedReplyTitle))
	}
	switch n := utf8.RuneCountInString(r.Body); {
	case n == 0:
		v.Add("body", "write the reply")
	case n > kindred.MaxSavedReplyBody:
		v.Add("body", fmt.Sprintf("must be at most %d characters", kindred.MaxSavedReplyBody))
	}
	if err := v.Err(); err != nil {
		return err
	}
	actor, _ := kindred.ActorFrom(ctx)
	r.CreatedAt = db.clock()
	if actor.AgentID != 0 {
		r.CreatedBy = &actor.AgentID
	}
	err := db.Tx(ctx, func(tx *Tx) (err error) {
		taken, err := tx.Exists(ctx, "SELECT 1 FROM saved_replies WHERE active = ? AND lower(title) = lower(?)", true, r.Title)
		if err != nil {
			return err
		}
		if taken {
			v.Add("title", "another saved reply has this title")
			return v.Err()
		}
		r.ID, err = tx.Insert(ctx, `INSERT INTO saved_replies (title, body, active, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, r.Title, r.Body, true, nullInt(r.CreatedBy), ms(r.CreatedAt))
		if isUnique(err) {
			v.Add("title", "another saved reply has this title")
			return v.Err()
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "saved_reply.create", "saved_reply", r.ID, r.Title)
	})
	if err != nil {
		return fmt.Errorf("create saved reply: %w", err)
	}
	return nil
}

const savedReplyColumns = "id, title, body, created_by, created_at"

func scanSavedReply(row scanner, r *kindred.SavedReply) error {
	var by sql.NullInt64
	var created int64
	if err := row.Scan(&r.ID, &r.Title, &r.Body, &by, &created); err != nil {
		return err
	}
	r.CreatedBy, r.CreatedAt = fromNullInt(by), fromMS(created)
	return nil
}

// SavedReplies lists the saved replies on the list, by title.
func (db *DB) SavedReplies(ctx context.Context) ([]kindred.SavedReply, error) {
	var out []kindred.SavedReply
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanSavedReply, "SELECT "+savedReplyColumns+" FROM saved_replies WHERE active = ? ORDER BY lower(title), id", true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list saved replies: %w", err)
	}
	return out, nil
}

// SavedReply returns saved reply id, if it is on the list.
func (db *DB) SavedReply(ctx context.Context, id int64) (*kindred.SavedReply, error) {
	var r kindred.SavedReply
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return scanSavedReply(tx.QueryRow(ctx, "SELECT "+savedReplyColumns+" FROM saved_replies WHERE id = ? AND active = ?", id, true), &r)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("saved reply", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read saved reply %d: %w", id, err)
	}
	return &r, nil
}

// RemoveSavedReply takes saved reply id off the list; the row stays for
// the record.
func (db *DB) RemoveSavedReply(ctx context.Context, id int64) error {
	err := db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE saved_replies SET active = ? WHERE id = ? AND active = ?", false, id, true)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("saved reply", id)
		}
		return tx.Audit(ctx, "saved_reply.remove", "saved_reply", id, "")
	})
	if err != nil {
		return fmt.Errorf("remove saved reply %d: %w", id, err)
	}
	return nil
}
