package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

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
// Since migration 0020 the counts are written to reply_week_slots, where a
// count may be kept in several rows (slots): a row stays locked until the
// transaction that changed it has committed, so with one row a count an
// agent's replies with one score, posted at once, took turns at the disk's
// flush on PostgreSQL. A post adds to the first of the count's rows that no
// other transaction holds, and opens a new slot only when all are held: an
// agent who replies one reply at a time keeps one row a count. Each
// transaction still takes its rows last, just before it commits, and in
// one order. An import, and SQLite's one writer, add to slot 0.
// reply_weeks keeps the counts written before 0020 (and by an older
// kindred during a rolling upgrade); the dashboard sums both tables.

// replyWeek is the UTC week (from Monday 00:00 UTC) of a reply written at
// unix milliseconds at, as migration 0019 cut them (a division that
// truncates, as SQL's does). The counts are kept by UTC week whatever the desk's
// zone, so that a change of zone changes none of them: compassionWeeks puts
// them right for the desk's weeks.
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

// replyWeeksSQL adds replies to a count, in slot 0 (SQLite's one writer):
// week, author_id, compassion, replies.
const replyWeeksSQL = `INSERT INTO reply_week_slots (week, author_id, compassion, slot, replies) VALUES (?, ?, ?, 0, ?)
	ON CONFLICT (week, author_id, compassion, slot) DO UPDATE SET replies = reply_week_slots.replies + excluded.replies`

// replyWeekFreeSQL adds replies to a count on PostgreSQL, in the first of
// its slots that no other transaction holds, or in a new one: week,
// author_id, compassion three times, then replies. When two transactions
// open the same new slot at once, the second waits for the first, as
// before slots.
const replyWeekFreeSQL = `INSERT INTO reply_week_slots (week, author_id, compassion, slot, replies)
	SELECT ?, ?, ?, COALESCE(
		(SELECT slot FROM reply_week_slots WHERE week = ? AND author_id = ? AND compassion = ? ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED),
		(SELECT COALESCE(MAX(slot) + 1, 0) FROM reply_week_slots WHERE week = ? AND author_id = ? AND compassion = ?)), ?
	ON CONFLICT (week, author_id, compassion, slot) DO UPDATE SET replies = reply_week_slots.replies + excluded.replies`

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
	if tx.pg != nil {
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

// queueReplyWeeks queues the counts the transaction gathered, a statement
// each (sent together, see flush), in key order, after every other queued
// write.
func (tx *Tx) queueReplyWeeks() {
	for _, k := range tx.weeks.sorted() {
		tx.pending = append(tx.pending, laterWrite{what: "count reply weeks", query: replyWeekFreeSQL,
			args: []any{k.week, k.author, k.compassion, k.week, k.author, k.compassion, k.week, k.author, k.compassion, tx.weeks[k]}})
	}
	tx.weeks = nil
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
	if _, err := tx.Exec(ctx, `INSERT INTO reply_week_slots (week, author_id, compassion, slot, replies)
		SELECT w, a, s, 0, n FROM unnest($1::bigint[], $2::bigint[], $3::double precision[], $4::bigint[]) WITH ORDINALITY AS u(w, a, s, n, i)
		ORDER BY i
		ON CONFLICT (week, author_id, compassion, slot) DO UPDATE SET replies = reply_week_slots.replies + excluded.replies`,
		weeks, authors, scores, counts); err != nil {
		return fmt.Errorf("count reply weeks: %w", err)
	}
	return nil
}
