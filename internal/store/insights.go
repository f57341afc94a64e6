package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/insights"
)

// The insights are computed in SQL, the same text on SQLite and PostgreSQL
// except where JSON is read (the coaching view's signals): the database adds
// up, counts and ranks, and only a few rows per chart come back. Percentiles
// are the nearest rank, ceil(p·n), picked with ROW_NUMBER() over the sorted
// rows. Weeks run from Monday 00:00 on the desk's clock (SetLocation): their
// bounds are worked out here, as instants, and given to the database, which
// has no time zones on SQLite.

const (
	weekMS = 7 * 24 * 60 * 60 * 1000
	// mondayMS is the first Monday after the unix epoch (a Thursday).
	mondayMS = 4 * 24 * 60 * 60 * 1000
	day90MS  = 90 * 24 * 60 * 60 * 1000
)

var _ kindred.Insights = (*DB)(nil)

// checkPeriod refuses a period that is empty or backwards.
func checkPeriod(f kindred.Period) error {
	if f.From.IsZero() || f.To.IsZero() {
		return invalid("from", "give both ends of the period")
	}
	if !f.From.Before(f.To) {
		return invalid("to", "must be after from")
	}
	return nil
}

// Dashboard measures the period [f.From, f.To) in one read snapshot.
func (db *DB) Dashboard(ctx context.Context, f kindred.Period) (*kindred.Dashboard, error) {
	if err := checkPeriod(f); err != nil {
		return nil, err
	}
	from, to := ms(f.From), ms(f.To)
	d := &kindred.Dashboard{Period: kindred.Period{From: roundMS(f.From), To: roundMS(f.To)}}
	now := ms(db.clock())
	err := db.ReadTx(ctx, func(tx *Tx) error {
		steps := []func() error{
			func() error { return tx.surveyCounts(ctx, d, from, to) },
			func() error {
				_, p50, p90, err := tx.percentiles(ctx, "first_response_at - created_at",
					"created_at >= ? AND created_at < ? AND first_response_at IS NOT NULL", from, to)
				d.FirstResponseP50, d.FirstResponseP90 = seconds(p50), seconds(p90)
				return err
			},
			func() error {
				n, p50, p90, err := tx.percentiles(ctx, "resolved_at - created_at",
					"created_at >= ? AND created_at < ? AND resolved_at IS NOT NULL", from, to)
				d.Resolved = n
				d.ResolutionP50, d.ResolutionP90 = seconds(p50), seconds(p90)
				return err
			},
			func() error { return tx.retention(ctx, d, from, to) },
			func() error { return tx.headsUps(ctx, d, from, to) },
			func() error { return tx.followUps(ctx, d, from, to, now) },
			func() error {
				var err error
				d.CompassionByTeam, err = tx.compassionWeeks(ctx, "a.team", from, to, 0)
				return err
			},
			func() error {
				var err error
				d.CompassionByAgent, err = tx.compassionWeeks(ctx, "m.author_id", from, to, 0)
				return err
			},
			func() error { return tx.compassionVsCSAT(ctx, d, from, to) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insights: %w", err)
	}
	return d, nil
}

func seconds(msv *int64) *float64 {
	if msv == nil {
		return nil
	}
	s := float64(*msv) / 1000
	return &s
}

func (tx *Tx) surveyCounts(ctx context.Context, d *kindred.Dashboard, from, to int64) error {
	var s [5]int
	var yes, partly, no int
	err := tx.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN satisfaction = 1 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction = 2 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction = 3 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction = 4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN satisfaction = 5 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN felt_heard = 'yes' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN felt_heard = 'partly' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN felt_heard = 'no' THEN 1 ELSE 0 END), 0)
		FROM surveys WHERE answered_at >= ? AND answered_at < ?`, from, to).
		Scan(&s[0], &s[1], &s[2], &s[3], &s[4], &yes, &partly, &no)
	if err != nil {
		return fmt.Errorf("surveys: %w", err)
	}
	d.Satisfaction = s
	total, sum := 0, 0
	for i, n := range s {
		total += n
		sum += (i + 1) * n
	}
	d.Answers = total
	d.CSAT = insights.Share(s[3]+s[4], total)
	if total > 0 {
		m := float64(sum) / float64(total)
		d.CSATMean = &m
	}
	d.FeltHeardCounts = kindred.HeardCount{Yes: yes, Partly: partly, No: no}
	d.FeltHeard = insights.Share(yes, yes+partly+no)
	return nil
}

// percentiles returns how many conversations match where, and the median
// and 90th percentile of expr over them (nil when none).
func (tx *Tx) percentiles(ctx context.Context, expr, where string, args ...any) (n int, p50, p90 *int64, err error) {
	rows, err := tx.Query(ctx, `SELECT rn, n, d FROM (
			SELECT `+expr+` AS d, ROW_NUMBER() OVER (ORDER BY `+expr+`) AS rn, COUNT(*) OVER () AS n
			FROM conversations WHERE `+where+`) t
		WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 90 + 99) / 100`, args...)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("percentiles of %s: %w", expr, err)
	}
	defer rows.Close()
	for rows.Next() {
		var rn, total, v int64
		if err := rows.Scan(&rn, &total, &v); err != nil {
			return 0, nil, nil, fmt.Errorf("percentiles of %s: %w", expr, err)
		}
		n = int(total)
		x := v
		if rn == (total*50+99)/100 {
			p50 = &x
		}
		if rn == (total*90+99)/100 {
			p90 = &x
		}
	}
	return n, p50, p90, rows.Err()
}

func (tx *Tx) retention(ctx context.Context, d *kindred.Dashboard, from, to int64) error {
	r := &d.Retention
	err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(k), 0), COALESCE(SUM(CASE WHEN k > 1 THEN 1 ELSE 0 END), 0)
		FROM (SELECT customer_id, COUNT(*) AS k FROM conversations
			WHERE created_at >= ? AND created_at < ? GROUP BY customer_id) t`, from, to).
		Scan(&r.Customers, &d.Conversations, &r.Returning)
	if err != nil {
		return fmt.Errorf("returning customers: %w", err)
	}
	// The earlier conversation lies within 90 days before the period or in
	// it: said outright, the database reads only those, not every one.
	err = tx.QueryRow(ctx, `SELECT COUNT(DISTINCT c.customer_id) FROM conversations c
		WHERE c.created_at >= ? AND c.created_at < ? AND EXISTS (
			SELECT 1 FROM conversations p WHERE p.customer_id = c.customer_id
			AND p.created_at < c.created_at AND p.created_at >= c.created_at - `+fmt.Sprint(day90MS)+`
			AND p.created_at >= ? AND p.created_at < ?)`, from, to, from-day90MS, to).
		Scan(&r.CameBack90)
	if err != nil {
		return fmt.Errorf("customers who came back: %w", err)
	}
	d.ReturningCustomers = r.Returning
	r.ReturningShare = insights.Share(r.Returning, r.Customers)
	r.CameBack90Share = insights.Share(r.CameBack90, r.Customers)
	return nil
}

func (tx *Tx) headsUps(ctx context.Context, d *kindred.Dashboard, from, to int64) error {
	h := &d.HeadsUps
	err := tx.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN promised_at IS NOT NULL AND sent_at <= promised_at THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN promised_at IS NOT NULL AND sent_at > promised_at THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN promised_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM delays WHERE sent_at >= ? AND sent_at < ?`, from, to).Scan(&h.Before, &h.After, &h.NoPromise)
	if err != nil {
		return fmt.Errorf("heads-ups: %w", err)
	}
	return nil
}

func (tx *Tx) followUps(ctx context.Context, d *kindred.Dashboard, from, to, now int64) error {
	f := &d.FollowUps
	err := tx.QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'pending' AND due_at < ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'pending' AND due_at >= ? THEN 1 ELSE 0 END), 0)
		FROM follow_ups WHERE due_at >= ? AND due_at < ?`, now, now, from, to).
		Scan(&f.Done, &f.Skipped, &f.Overdue, &f.Pending)
	if err != nil {
		return fmt.Errorf("follow-ups: %w", err)
	}
	return nil
}

// deskWeek is one week on the desk's clock that a period holds some of.
type deskWeek struct {
	start, end time.Time // its first moment, and the next week's
	lo, hi     int64     // the part of it in the period, in unix milliseconds
	// utc is the week of reply_weeks (UTC weeks, see replyweeks.go) that
	// holds its middle, and names it in the queries: consecutive weeks
	// have consecutive numbers, as no zone is more than half a week away
	// from UTC.
	utc int64
	// whole: the period holds all of it, and its count is read from
	// reply_weeks, put right for the hours in which its UTC week and it
	// differ.
	whole bool
}

// deskWeeks cuts the period [from, to) into the weeks of loc's clock.
func deskWeeks(from, to int64, loc *time.Location) []deskWeek {
	var out []deskWeek
	start := insights.WeekStart(fromMS(from), loc)
	for ms(start) < to {
		y, m, d := start.In(loc).Date()
		end := insights.DayStart(y, m, d+7, loc)
		w := deskWeek{start: start.In(loc), end: end, lo: max(from, ms(start)), hi: min(to, ms(end)),
			utc: floorDiv(ms(start)+weekMS/2-mondayMS, weekMS)}
		// Before 1970-01-05, replyWeek's division truncates towards zero:
		// such weeks are counted from the replies.
		w.whole = w.lo == ms(start) && w.hi == ms(end) && w.utc >= 0
		out = append(out, w)
		start = end
	}
	for i := range out {
		if out[i].utc != out[0].utc+int64(i) {
			// Not expected of any zone: every reply is counted, and the
			// numbers only name the weeks.
			for i := range out {
				out[i].utc, out[i].whole = out[0].utc+int64(i), false
			}
			break
		}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// compassionWeeks is the weekly distribution of reply compassion scores,
// per group (a.team or m.author_id), of one agent's replies when agentID is
// set: the count, mean, lowest, 25th, median, 75th and highest rank.
//
// The replies are first counted by week, group and score. A score is
// rounded to a tenth between 0 and 100, so a group's week is at most 1,001
// rows however many replies it holds: the database never sorts the
// replies themselves (a year of a big desk's is millions). The whole weeks
// of the period are counted already, by author, in reply_weeks (see
// replyweeks.go), but by UTC week, while the desk's weeks start at its own
// midnight: a Nairobi week starts three hours before its UTC week, and
// ends three hours before it. So a desk's whole week is its UTC week's
// counts, with the replies of those hours added or taken away, read from
// the replies by index; the partial weeks at the period's ends are counted
// from the replies. A reply counts for its author's team as it is now.
// Running sums over the counts, in score order, say which score holds
// each rank, and only the rows holding one come back.
func (tx *Tx) compassionWeeks(ctx context.Context, group string, from, to, agentID int64) ([]kindred.CompassionWeek, error) {
	weeks := deskWeeks(from, to, tx.db.location())
	// spans holds, for each stretch of replies read here: its bounds, the
	// week (by utc) its replies are added to, and the week they are taken
	// from, either one nil (NULL).
	var spans []any
	var spansLo, spansHi int64 // the first stretch's start, the last's end
	span := func(lo, hi int64, add, take any) {
		if lo < hi && (add != nil || take != nil) {
			if len(spans) == 0 || lo < spansLo {
				spansLo = lo
			}
			spansHi = max(spansHi, hi)
			spans = append(spans, lo, hi, add, take)
		}
	}
	// The whole weeks, weeks[first:last], are consecutive: only the first
	// and the last week can be cut, and weeks before 1970 come first.
	first, last := -1, -1
	for i, w := range weeks {
		if !w.whole {
			span(w.lo, w.hi, w.utc, nil)
			continue
		}
		if first < 0 {
			first = i
		}
		last = i + 1
	}
	// Where a whole week meets its neighbour, the hours between the desk's
	// midnight b and UTC's u belong to one week and are counted in
	// reply_weeks for the other.
	for i := first; first >= 0 && i <= last; i++ {
		var prev, next *deskWeek
		if i > 0 {
			prev = &weeks[i-1]
		}
		if i < len(weeks) {
			next = &weeks[i]
		}
		var b, u int64
		if next != nil {
			b, u = ms(next.start), next.utc*weekMS+mondayMS
		} else {
			b, u = ms(prev.end), (prev.utc+1)*weekMS+mondayMS
		}
		whole := func(w *deskWeek) any {
			if w == nil || !w.whole {
				return nil
			}
			return w.utc
		}
		if b < u { // east of UTC: [b, u) is next's, counted in prev's UTC week
			span(b, u, whole(next), whole(prev))
		} else { // west: [u, b) is prev's, counted in next's UTC week
			span(u, b, whole(prev), whole(next))
		}
	}

	var args []any
	var parts []string
	if len(spans) > 0 {
		// A stretch's replies are counted once, and each count given to
		// the week it is added to (sign 1) and the one it is taken from
		// (−1). CROSS JOIN keeps SQLite reading the stretches first, each
		// by index.
		row := "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
		rows := strings.Repeat(row+", ", len(spans)/4-1) + row
		// The stretches' own bounds as well, which PostgreSQL can search by:
		// with only the join's, it read one agent's replies of all time for
		// the coaching trend (7,145 index entries for 112 replies at a
		// million messages, 55 ms where it took 4).
		where := "m.direction = 'out' AND m.compassion IS NOT NULL AND m.created_at >= s.column1 AND m.created_at < s.column2 AND m.created_at >= ? AND m.created_at < ?"
		args = append(args, spans...)
		args = append(args, spansLo, spansHi)
		if agentID != 0 {
			where += " AND m.author_id = ?"
			args = append(args, agentID)
		}
		read, count := `(VALUES `+rows+`) s CROSS JOIN messages m WHERE `+where, "COUNT(*)"
		if tx.db.dialect == Postgres {
			// PostgreSQL takes one agent's replies in the stretches for
			// few, reads all of the period's and checks each against every
			// stretch (76 ms over a year at a million messages, where a
			// search of each stretch takes 11). A LATERAL subquery that
			// counts cannot be merged into the join: it is run for each
			// stretch, a search of the index by its bounds, as SQLite does.
			read = `(VALUES ` + rows + `) s CROSS JOIN LATERAL (SELECT m.author_id, m.compassion, COUNT(*) AS k
				FROM messages m WHERE ` + where + ` GROUP BY m.author_id, m.compassion) m`
			count = "CAST(SUM(m.k) AS BIGINT)"
		}
		parts = append(parts, `SELECT wk, author, c, k FROM (
				SELECT CASE WHEN x.sign > 0 THEN t.added ELSE t.taken END AS wk, t.author, t.c, x.sign * t.k AS k
				FROM (SELECT s.column3 AS added, s.column4 AS taken, m.author_id AS author, m.compassion AS c, `+count+` AS k
					FROM `+read+`
					GROUP BY s.column3, s.column4, m.author_id, m.compassion) t
				CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) x) moved
			WHERE wk IS NOT NULL`)
	}
	if first >= 0 {
		// A count's rows summed: the one in reply_weeks (before migration
		// 0020) and its slots (see replyweeks.go).
		kept := ""
		for i, table := range []string{"reply_weeks", "reply_week_slots"} {
			if i > 0 {
				kept += " UNION ALL "
			}
			kept += "SELECT week, author_id, compassion, replies FROM " + table + " WHERE week >= ? AND week < ?"
			args = append(args, weeks[first].utc, weeks[last-1].utc+1)
			if agentID != 0 {
				kept += " AND author_id = ?"
				args = append(args, agentID)
			}
		}
		parts = append(parts, `SELECT week AS wk, author_id AS author, compassion AS c, CAST(SUM(replies) AS BIGINT) AS k
			FROM (`+kept+`) kept GROUP BY week, author_id, compassion`)
	}
	out := []kindred.CompassionWeek{}
	if len(parts) == 0 {
		return out, nil
	}
	counts := strings.Join(parts, " UNION ALL ")
	byTeam := group == "a.team"
	// The counts by week, group g (the team, or the author) and score,
	// ranked within each week and group; per agent the names join after
	// ranking, to the few rows that hold a rank. A count put right may
	// come to nothing.
	counted := `SELECT wk, author AS g, c, CAST(SUM(k) AS BIGINT) AS k FROM (` + counts + `) u
		GROUP BY wk, author, c HAVING SUM(k) > 0`
	cols, join, order := "t.wk, t.g AS author, a.team, a.name", " JOIN agents a ON a.id = t.g", "t.wk, a.name, t.g, t.c"
	if byTeam {
		counted = `SELECT u.wk, a.team AS g, u.c, CAST(SUM(u.k) AS BIGINT) AS k
			FROM (` + counts + `) u JOIN agents a ON a.id = u.author GROUP BY u.wk, a.team, u.c HAVING SUM(u.k) > 0`
		cols, join, order = "t.wk, 0 AS author, t.g AS team, '' AS name", "", "t.wk, t.g, t.c"
	}
	// A row holds the ranks r with below < r <= below + k.
	holds := func(r string) string { return "(below < " + r + " AND " + r + " <= below + k)" }
	rows, err := tx.Query(ctx, `SELECT `+cols+`, t.n, t.total, t.c, t.below, t.k FROM (
			SELECT wk, g, c, k,
				CAST(SUM(k) OVER (PARTITION BY wk, g ORDER BY c ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) - k AS below,
				CAST(SUM(k) OVER (PARTITION BY wk, g) AS BIGINT) AS n,
				SUM(c * k) OVER (PARTITION BY wk, g) AS total
			FROM (`+counted+`) s) t`+join+`
		WHERE below = 0 OR below + k = n OR `+holds("(n * 25 + 99) / 100")+` OR `+holds("(n * 50 + 99) / 100")+
		` OR `+holds("(n * 75 + 99) / 100")+`
		ORDER BY `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("compassion by week: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			week, author, below, k, n int64
			team, name                string
			total, c                  float64
		)
		if err := rows.Scan(&week, &author, &team, &name, &n, &total, &c, &below, &k); err != nil {
			return nil, fmt.Errorf("compassion by week: %w", err)
		}
		i := week - weeks[0].utc
		if i < 0 || i >= int64(len(weeks)) {
			return nil, fmt.Errorf("compassion by week: week %d is not in the period", week)
		}
		start := weeks[i].start
		last := len(out) - 1
		if last < 0 || !out[last].Week.Equal(start) || out[last].Team != team || out[last].AgentID != author {
			w := kindred.CompassionWeek{Week: start, Team: team, N: int(n), Mean: total / float64(n)}
			if !byTeam {
				w.AgentID, w.Agent = author, name
			}
			out = append(out, w)
			last++
		}
		w := &out[last]
		holds := func(r int64) bool { return below < r && r <= below+k }
		if holds(1) {
			w.Min = c
		}
		if holds(n) {
			w.Max = c
		}
		if holds((n*25 + 99) / 100) {
			w.P25 = c
		}
		if holds((n*50 + 99) / 100) {
			w.Median = c
		}
		if holds((n*75 + 99) / 100) {
			w.P75 = c
		}
	}
	return out, rows.Err()
}

// compassionVsCSAT relates each answered survey's satisfaction to the mean
// compassion of its conversation's replies. The database groups the pairs by
// answer; their sums give both the chart and Pearson's r.
func (tx *Tx) compassionVsCSAT(ctx context.Context, d *kindred.Dashboard, from, to int64) error {
	// The inner GROUP BY gives each survey its conversation's mean once; a
	// scalar subquery in its place would be run again for every use of x.
	// CROSS JOIN makes SQLite start from the period's surveys (PostgreSQL
	// plans it as any join): left to itself, without statistics, it read
	// every reply ever written and looked for a survey for each.
	rows, err := tx.Query(ctx, `SELECT y, COUNT(*), SUM(x), SUM(x * x) FROM (
			SELECT s.id AS id, s.satisfaction AS y, AVG(m.compassion) AS x
			FROM surveys s CROSS JOIN messages m
			WHERE s.answered_at >= ? AND s.answered_at < ? AND s.satisfaction IS NOT NULL
				AND m.conversation_id = s.conversation_id AND m.direction = 'out' AND m.compassion IS NOT NULL
			GROUP BY s.id, s.satisfaction) t
		GROUP BY y ORDER BY y`, from, to)
	if err != nil {
		return fmt.Errorf("compassion and satisfaction: %w", err)
	}
	defer rows.Close()
	var s insights.Sums
	bins := map[int]kindred.SatisfactionBin{}
	for rows.Next() {
		var y, n int
		var sx, sxx float64
		if err := rows.Scan(&y, &n, &sx, &sxx); err != nil {
			return fmt.Errorf("compassion and satisfaction: %w", err)
		}
		fy := float64(y)
		s.N += n
		s.X += sx
		s.XX += sxx
		s.Y += fy * float64(n)
		s.YY += fy * fy * float64(n)
		s.XY += fy * sx
		mean := sx / float64(n)
		bins[y] = kindred.SatisfactionBin{Satisfaction: y, N: n, MeanCompassion: &mean}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compassion and satisfaction: %w", err)
	}
	for y := 1; y <= 5; y++ {
		b, ok := bins[y]
		if !ok {
			b = kindred.SatisfactionBin{Satisfaction: y}
		}
		d.BySatisfaction = append(d.BySatisfaction, b)
	}
	d.CompassionVsCSAT = insights.Pearson(s)
	return nil
}

// Coaching is one agent's coaching view for the period: their weekly trend,
// the three signals that added most to their replies' scores and the one
// that cost most, each with an example from their own replies.
func (db *DB) Coaching(ctx context.Context, agentID int64, f kindred.Period) (*kindred.Coaching, error) {
	if err := checkPeriod(f); err != nil {
		return nil, err
	}
	a, err := db.Agent(ctx, agentID)
	if err != nil {
		return nil, err
	}
	from, to := ms(f.From), ms(f.To)
	c := &kindred.Coaching{Agent: *a, Period: kindred.Period{From: roundMS(f.From), To: roundMS(f.To)}, Habits: []kindred.Habit{}}
	err = db.ReadTx(ctx, func(tx *Tx) error {
		var mean *float64
		var n int
		var m sql.NullFloat64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), AVG(compassion) FROM messages
			WHERE author_id = ? AND direction = 'out' AND compassion IS NOT NULL AND created_at >= ? AND created_at < ?`,
			agentID, from, to).Scan(&n, &m); err != nil {
			return fmt.Errorf("replies: %w", err)
		}
		if m.Valid {
			mean = &m.Float64
		}
		c.Replies, c.Mean = n, mean
		if c.Trend, err = tx.compassionWeeks(ctx, "m.author_id", from, to, agentID); err != nil {
			return err
		}
		habits, err := tx.signals(ctx, agentID, from, to)
		if err != nil {
			return err
		}
		for _, h := range habits {
			if h.total > 0 && len(c.Habits) < 3 {
				c.Habits = append(c.Habits, h.Habit)
			}
		}
		if last := len(habits) - 1; last >= 0 && habits[last].total < 0 {
			p := habits[last].Habit
			c.Practise = &p
		}
		for i := range c.Habits {
			if c.Habits[i].Example, err = tx.example(ctx, agentID, from, to, c.Habits[i].Signal, true); err != nil {
				return err
			}
		}
		if c.Practise != nil {
			if c.Practise.Example, err = tx.example(ctx, agentID, from, to, c.Practise.Signal, false); err != nil {
				return err
			}
		}
		c.Kindness, err = tx.kindness(ctx, "WHERE k.agent_id = ? AND k.created_at >= ? AND k.created_at < ?",
			[]any{agentID, from, to}, 10, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("coaching for agent %d: %w", agentID, err)
	}
	return c, nil
}

// habit is a signal's tally, with its total effect for ranking.
type habit struct {
	kindred.Habit
	total float64
}

// signalRows is the FROM clause that gives each signal kept for an agent's
// replies (reply_signals, see replysignals.go) as a row s, with its name
// and effect: JSON is where the dialects differ.
func (tx *Tx) signalRows() (from, name, effect string) {
	if tx.db.dialect == Postgres {
		return "reply_signals r CROSS JOIN LATERAL jsonb_array_elements(r.signals) AS s(v)",
			"(s.v ->> 'name')", "((s.v ->> 'effect')::double precision)"
	}
	return "reply_signals r, json_each(r.signals) s", "json_extract(s.value, '$.name')", "json_extract(s.value, '$.effect')"
}

// signals tallies the signals on the agent's replies in the period, most
// helpful first (by total effect).
func (tx *Tx) signals(ctx context.Context, agentID, from, to int64) ([]habit, error) {
	src, name, effect := tx.signalRows()
	rows, err := tx.Query(ctx, `SELECT `+name+`, COUNT(*), SUM(`+effect+`) FROM `+src+`
		WHERE r.author_id = ? AND r.created_at >= ? AND r.created_at < ?
		GROUP BY `+name, agentID, from, to)
	if err != nil {
		return nil, fmt.Errorf("signals: %w", err)
	}
	defer rows.Close()
	var out []habit
	for rows.Next() {
		var h habit
		if err := rows.Scan(&h.Signal, &h.Replies, &h.total); err != nil {
			return nil, fmt.Errorf("signals: %w", err)
		}
		h.MeanEffect = h.total / float64(h.Replies)
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b habit) int {
		switch {
		case a.total > b.total:
			return -1
		case a.total < b.total:
			return 1
		}
		return 0
	})
	return out, rows.Err()
}

// example finds the agent's reply in the period that best shows signal:
// the kindest reply where it counted (best), or the one where it cost most
// (!best), newest first among equals, with the words that showed it and the
// engine's first suggestion on it.
func (tx *Tx) example(ctx context.Context, agentID, from, to int64, signal string, best bool) (*kindred.Example, error) {
	src, name, effect := tx.signalRows()
	// A habit is best shown by a reply where it counted and the reply as a
	// whole was kind; the thing to practise, where it cost most.
	order, sign := "r.compassion DESC, "+effect+" DESC", " > 0"
	if !best {
		order, sign = effect+" ASC", " < 0"
	}
	var e kindred.Example
	var created int64
	var comp sql.NullFloat64
	var report string
	err := tx.QueryRow(ctx, `SELECT m.id, m.conversation_id, m.body, m.compassion, m.created_at, m.analysis
		FROM messages m WHERE m.id = (SELECT r.message_id FROM `+src+`
			WHERE r.author_id = ? AND r.created_at >= ? AND r.created_at < ? AND `+name+` = ? AND `+effect+sign+`
			ORDER BY `+order+`, r.message_id DESC LIMIT 1)`, agentID, from, to, signal).
		Scan(&e.MessageID, &e.ConversationID, &e.Body, &comp, &created, &report)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("example of %s: %w", signal, err)
	}
	e.At = fromMS(created)
	if comp.Valid {
		e.Compassion = &comp.Float64
	}
	var r struct {
		Reply *struct {
			Signals []struct {
				Name     string `json:"name"`
				Evidence []struct {
					Text string `json:"text"`
				} `json:"evidence"`
			} `json:"signals"`
			Suggestions []struct {
				Text string `json:"text"`
			} `json:"suggestions"`
		} `json:"reply"`
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil || r.Reply == nil {
		return &e, nil // an unreadable report still has its reply
	}
	for _, s := range r.Reply.Signals {
		if s.Name == signal && len(s.Evidence) > 0 {
			e.Evidence = s.Evidence[0].Text
			break
		}
	}
	if !best && len(r.Reply.Suggestions) > 0 {
		e.Suggestion = r.Reply.Suggestions[0].Text
	}
	return &e, nil
}
