package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/kindred-desk/kindred"
)

// The agents' scored replies are counted by week, author and score in
// reply_weeks (migration 0019), so that a year's weekly compassion
// distributions rank a few hundred thousand counts instead of millions of
// replies (docs/dashboards-10m.md). Each way a reply is stored (AddMessage,
// an import on either database) adds its count in the same transaction,
// and only for a reply it really wrote: an import run again skips what it
// had, and adds nothing for it. Messages are never deleted and their
// scores never change, so a count only ever grows.
//
// On PostgreSQL a count is a row that concurrent replies of one agent in
// one week with the same score all update: each transaction takes its rows
// last, just before it commits, and in one order, so that the row lock is
// held only for the commit and two writers never wait on each other in a
// circle.

// replyWeek is the week of a reply written at unix milliseconds at, as
// weekExpr cuts it (a division that truncates, as SQL's does).
func replyWeek(at int64) int64 { return (at - mondayMS) / weekMS }

// replyWeekKey is one row of reply_weeks.
type replyWeekKey struct {
	week, author int64
	compassion   float64
}

// replyWeekCounts gathers the counts a transaction adds.
type replyWeekCounts map[replyWeekKey]int64

// add counts a message if it is an agent's scored reply, as the dashboard
// counts them (compassionWeeks). A NaN score is kept out: it would not
// equal itself as a key, and SQLite stores it as no score at all.
func (c replyWeekCounts) add(direction kindred.Direction, authorID *int64, a *kindred.Analysis, at int64) {
	if direction != kindred.Outbound || authorID == nil || a == nil || a.Compassion == nil || math.IsNaN(*a.Compassion) {
		return
	}
	c[replyWeekKey{replyWeek(at), *authorID, *a.Compassion}]++
}

// sorted returns the keys in the order their rows are locked.
func (c replyWeekCounts) sorted() []replyWeekKey {
	keys := make([]replyWeekKey, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b replyWeekKey) int {
		return cmp.Or(cmp.Compare(a.week, b.week), cmp.Compare(a.author, b.author), cmp.Compare(a.compassion, b.compassion))
	})
	return keys
}

// replyWeeksSQL adds replies to a count: week, author_id, compassion,
// replies.
const replyWeeksSQL = `INSERT INTO reply_weeks (week, author_id, compassion, replies) VALUES (?, ?, ?, ?)
	ON CONFLICT (week, author_id, compassion) DO UPDATE SET replies = reply_weeks.replies + excluded.replies`

// write adds the counts in tx, one statement a row (a post adds one; an
// import on SQLite, where the writer is alone, a batch's).
func (c replyWeekCounts) write(ctx context.Context, exec func(ctx context.Context, args ...any) error) error {
	for _, k := range c.sorted() {
		if err := exec(ctx, k.week, k.author, k.compassion, c[k]); err != nil {
			return fmt.Errorf("count reply week: %w", err)
		}
	}
	return nil
}

// countReplyWeek counts message m, if it is an agent's scored reply, in the
// transaction. On SQLite the count is written at once (the writer is
// alone). On PostgreSQL the transaction gathers its counts and sends them
// with its last queued writes, just before COMMIT (queueReplyWeeks): the
// rows are locked only for the commit, and a post spends no round trip of
// its own on them. Two replies of one transaction may add to one row, which
// a statement may change only once: they are summed first.
func (tx *Tx) countReplyWeek(ctx context.Context, m *kindred.Message) error {
	if tx.db.dialect == Postgres {
		if tx.weeks == nil {
			tx.weeks = replyWeekCounts{}
		}
		tx.weeks.add(m.Direction, m.AuthorID, m.Analysis, ms(m.CreatedAt))
		return nil
	}
	weeks := replyWeekCounts{}
	weeks.add(m.Direction, m.AuthorID, m.Analysis, ms(m.CreatedAt))
	return weeks.write(ctx, func(ctx context.Context, args ...any) error {
		_, err := tx.Exec(ctx, replyWeeksSQL, args...)
		return err
	})
}

// queueReplyWeeks queues the counts the transaction gathered as one
// INSERT, in key order, after every other queued write.
func (tx *Tx) queueReplyWeeks() {
	if len(tx.weeks) == 0 {
		return
	}
	var q strings.Builder
	q.WriteString("INSERT INTO reply_weeks (week, author_id, compassion, replies) VALUES ")
	args := make([]any, 0, 4*len(tx.weeks))
	for i, k := range tx.weeks.sorted() {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, k.week, k.author, k.compassion, tx.weeks[k])
	}
	q.WriteString(" ON CONFLICT (week, author_id, compassion) DO UPDATE SET replies = reply_weeks.replies + excluded.replies")
	tx.weeks = nil
	tx.pending = append(tx.pending, laterWrite{what: "count reply weeks", query: q.String(), args: args})
}

// writePostgres adds the counts of an import batch in one statement.
func (c replyWeekCounts) writePostgres(ctx context.Context, tx pgx.Tx) error {
	if len(c) == 0 {
		return nil
	}
	keys := c.sorted()
	weeks, authors, scores, counts := make([]int64, len(keys)), make([]int64, len(keys)), make([]float64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		weeks[i], authors[i], scores[i], counts[i] = k.week, k.author, k.compassion, c[k]
	}
	// WITH ORDINALITY … ORDER BY: the rows are taken in the sorted order.
	if _, err := tx.Exec(ctx, `INSERT INTO reply_weeks (week, author_id, compassion, replies)
		SELECT w, a, s, n FROM unnest($1::bigint[], $2::bigint[], $3::double precision[], $4::bigint[]) WITH ORDINALITY AS u(w, a, s, n, i)
		ORDER BY i
		ON CONFLICT (week, author_id, compassion) DO UPDATE SET replies = reply_weeks.replies + excluded.replies`,
		weeks, authors, scores, counts); err != nil {
		return fmt.Errorf("count reply weeks: %w", err)
	}
	return nil
}
