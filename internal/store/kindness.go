package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
)

// maxKindnessLen bounds what one entry of the kindness log says.
const maxKindnessLen = 1000

// RecordKindness adds an act of care to the kindness log. The actor in ctx
// is who saw it; they may not record their own.
func (db *DB) RecordKindness(ctx context.Context, k *kindred.Kindness) error {
	k.What = strings.TrimSpace(k.What)
	by, byName := actor(ctx)
	var v kindred.Validation
	switch {
	case k.What == "":
		v.Add("what", "say what they did")
	case utf8.RuneCountInString(k.What) > maxKindnessLen:
		v.Add("what", fmt.Sprintf("must be at most %d characters", maxKindnessLen))
	}
	if k.AgentID <= 0 {
		v.Add("agent_id", "say who did it")
	} else if k.AgentID == by {
		v.Add("agent_id", "record what a colleague did, not yourself")
	}
	if by == 0 {
		v.Add("recorded_by", "only a member of staff can record kindness")
	}
	if err := v.Err(); err != nil {
		return err
	}
	k.RecordedBy, k.RecordedByName = by, byName
	k.CreatedAt = db.clock()
	err := db.Tx(ctx, func(tx *Tx) error {
		var name, role string
		err := tx.QueryRow(ctx, "SELECT name, role FROM agents WHERE id = ?", k.AgentID).Scan(&name, &role)
		if err == sql.ErrNoRows || role == string(kindred.RoleKiosk) {
			return invalid("agent_id", "no such colleague")
		}
		if err != nil {
			return err
		}
		k.AgentName = name
		if k.ConversationID != nil {
			if err := tx.mustExist(ctx, "conversations", "conversation_id", *k.ConversationID); err != nil {
				return err
			}
		}
		k.ID, err = tx.Insert(ctx, `INSERT INTO kindness (agent_id, recorded_by, what, conversation_id, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, k.AgentID, by, k.What, nullInt(k.ConversationID), ms(k.CreatedAt))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "kindness.record", "agent", k.AgentID, fmt.Sprintf("entry %d", k.ID))
	})
	if err != nil {
		return fmt.Errorf("record kindness: %w", err)
	}
	return nil
}

// KindnessLog lists the acts of care recorded in the period, newest first.
func (db *DB) KindnessLog(ctx context.Context, f kindred.Period, p kindred.Page) ([]kindred.Kindness, error) {
	if err := checkPeriod(f); err != nil {
		return nil, err
	}
	limit, offset := limits(p)
	var out []kindred.Kindness
	err := db.ReadTx(ctx, func(tx *Tx) (err error) {
		out, err = tx.kindness(ctx, "WHERE k.created_at >= ? AND k.created_at < ?", []any{ms(f.From), ms(f.To)}, limit, offset)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kindness log: %w", err)
	}
	return out, nil
}

// kindness reads the entries selected by where, newest first.
func (tx *Tx) kindness(ctx context.Context, where string, args []any, limit, offset int) ([]kindred.Kindness, error) {
	out, err := queryAll(ctx, tx, func(row scanner, k *kindred.Kindness) error {
		var conv sql.NullInt64
		var created int64
		err := row.Scan(&k.ID, &k.AgentID, &k.AgentName, &k.RecordedBy, &k.RecordedByName, &k.What, &conv, &created)
		k.ConversationID, k.CreatedAt = fromNullInt(conv), fromMS(created)
		return err
	}, `SELECT k.id, k.agent_id, a.name, k.recorded_by, b.name, k.what, k.conversation_id, k.created_at
		FROM kindness k JOIN agents a ON a.id = k.agent_id JOIN agents b ON b.id = k.recorded_by `+where+`
		ORDER BY k.created_at DESC, k.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("read kindness: %w", err)
	}
	return out, nil
}
