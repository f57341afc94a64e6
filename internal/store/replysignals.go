package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/kindred-desk/kindred"
)

// The signals the engine found in each agent's reply are kept one row each
// in reply_signals (migration 0018), beside the reply's report: the
// coaching view tallies them for an agent's period from one index, where
// reading them out of every report (a few kilobytes of JSON each) took
// seconds on a big desk. Each way a reply is stored (AddMessage, an import
// on either database) writes its rows in the same transaction; reports are
// never changed afterwards.

// replySignals are the signals kept for a message: an agent's analysed
// reply's, as the analysis lists them, or read from its report when it
// does not. Anything else has none.
func replySignals(direction kindred.Direction, authorID *int64, a *kindred.Analysis) []kindred.Signal {
	if direction != kindred.Outbound || authorID == nil || a == nil || len(a.Report) == 0 {
		return nil
	}
	if a.Signals != nil {
		return a.Signals
	}
	var r struct {
		Reply *struct {
			Signals []struct {
				Name   *string  `json:"name"`
				Effect *float64 `json:"effect"`
			} `json:"signals"`
		} `json:"reply"`
	}
	if err := json.Unmarshal(a.Report, &r); err != nil || r.Reply == nil {
		return nil // a report that is not the engine's has nothing to tally
	}
	out := make([]kindred.Signal, 0, len(r.Reply.Signals))
	for _, s := range r.Reply.Signals {
		if s.Name == nil {
			continue
		}
		sig := kindred.Signal{Name: *s.Name}
		if s.Effect != nil {
			sig.Effect = *s.Effect
		}
		out = append(out, sig)
	}
	return out
}

// replySignalRow is one row of reply_signals.
type replySignalRow struct {
	message, author, created int64
	compassion               any
	kindred.Signal
}

// appendReplySignals adds message id's rows to rows.
func appendReplySignals(rows []replySignalRow, id int64, direction kindred.Direction, authorID *int64, createdMS int64, a *kindred.Analysis) []replySignalRow {
	for _, s := range replySignals(direction, authorID, a) {
		rows = append(rows, replySignalRow{message: id, author: *authorID, created: createdMS, compassion: floatOrNil(a.Compassion), Signal: s})
	}
	return rows
}

// insertReplySignals writes rows, a few hundred to a statement.
func (tx *Tx) insertReplySignals(ctx context.Context, rows []replySignalRow) error {
	const chunk = 500 // 3,000 parameters, well under SQLite's limit
	for len(rows) > 0 {
		n := min(len(rows), chunk)
		var b strings.Builder
		b.WriteString("INSERT INTO reply_signals (message_id, author_id, created_at, compassion, name, effect) VALUES ")
		args := make([]any, 0, 6*n)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, r.message, r.author, r.created, r.compassion, r.Name, r.Effect)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
