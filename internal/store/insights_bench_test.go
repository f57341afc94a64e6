package store

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store/storetest"
)

// The dashboard's queries on a desk with 100,000 conversations (about
// 250,000 messages, 30,000 answered surveys), on SQLite and, when
// KINDRED_TEST_POSTGRES is set, PostgreSQL:
//
//	go test -run '^$' -bench Insights -benchtime 5x ./internal/store/
//
// The rows are loaded with plain multi-row INSERTs in one transaction, not
// through the engine: the numbers matter here, not the words.

const benchConversations = 100_000

func BenchmarkInsights(b *testing.B) {
	dbs := []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }},
	}
	if base := os.Getenv("KINDRED_TEST_POSTGRES"); base != "" {
		dbs = append(dbs, struct {
			name string
			dsn  func(b *testing.B) string
		}{"postgres", func(b *testing.B) string { return storetest.Schema(b, base) }})
	}
	for _, d := range dbs {
		b.Run(d.name, func(b *testing.B) {
			db, err := Open(context.Background(), d.dsn(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			start := time.Now()
			agent := bulkLoad(b, db, end)
			b.Logf("%s: loaded %d conversations in %s", d.name, benchConversations, time.Since(start).Round(time.Millisecond))
			period := kindred.Period{From: end.AddDate(0, 0, -90), To: end}
			db.SetClock(func() time.Time { return end })
			ctx := context.Background()

			b.Run("dashboard", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					d, err := db.Dashboard(ctx, period)
					if err != nil {
						b.Fatal(err)
					}
					if d.Conversations == 0 || d.CompassionVsCSAT.N == 0 {
						b.Fatalf("the dashboard saw nothing: %+v", d)
					}
				}
			})
			b.Run("coaching", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c, err := db.Coaching(ctx, agent, period)
					if err != nil {
						b.Fatal(err)
					}
					if len(c.Habits) == 0 {
						b.Fatal("no habits")
					}
				}
			})
		})
	}
}

// batch gathers rows for one multi-row INSERT.
type batch struct {
	tx     *Tx
	head   string // INSERT INTO t (a, b, c) VALUES
	width  int
	rows   int
	args   []any
	failed error
}

func (bt *batch) add(ctx context.Context, vals ...any) {
	bt.args = append(bt.args, vals...)
	bt.rows++
}

func (bt *batch) flush(ctx context.Context) {
	if bt.rows == 0 || bt.failed != nil {
		return
	}
	row := "(" + placeholders(bt.width) + ")"
	q := bt.head + strings.TrimSuffix(strings.Repeat(row+", ", bt.rows), ", ")
	if _, err := bt.tx.Exec(ctx, q, bt.args...); err != nil {
		bt.failed = fmt.Errorf("%s: %w", bt.head, err)
	}
	bt.rows, bt.args = 0, bt.args[:0]
}

// bulkLoad fills db with benchConversations conversations over the 180
// days before end, and returns the id of an agent with replies.
func bulkLoad(b *testing.B, db *DB, end time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	const (
		agents    = 12
		customers = 30_000
		span      = 180 * 24 * time.Hour
	)
	signals := []string{"apology", "name", "next_step_when", "blame", "vague", "ownership"}
	report := func(score float64) string {
		a, c := signals[r.IntN(len(signals))], signals[r.IntN(len(signals))]
		return fmt.Sprintf(`{"compassion":%.1f,"reply":{"signals":[{"name":%q,"effect":%.1f,"evidence":[{"text":"x","start":0,"end":1}]},{"name":%q,"effect":%.1f,"evidence":[]}],"suggestions":[{"text":"Say when."}]}}`,
			score, a, r.Float64()*10-4, c, r.Float64()*10-4)
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		newBatch := func(head string, width int) *batch { return &batch{tx: tx, head: head, width: width} }
		ag := newBatch("INSERT INTO agents (id, name, role, team, created_at) VALUES ", 5)
		for i := 1; i <= agents; i++ {
			ag.add(ctx, i, fmt.Sprintf("Agent %d", i), "agent", []string{"Cards", "Pensions", "Front desk"}[i%3], ms(end.Add(-span)))
		}
		ag.flush(ctx)
		if ag.failed != nil {
			return ag.failed
		}
		cu := newBatch("INSERT INTO customers (id, name, created_at, updated_at) VALUES ", 4)
		for i := 1; i <= customers; i++ {
			cu.add(ctx, i, fmt.Sprintf("Customer %d", i), ms(end.Add(-span)), ms(end.Add(-span)))
			if i%500 == 0 {
				cu.flush(ctx)
			}
		}
		cu.flush(ctx)
		if cu.failed != nil {
			return cu.failed
		}
		conv := newBatch(`INSERT INTO conversations (id, customer_id, channel, subject, status, priority, assignee_id,
			created_at, updated_at, first_response_at, resolved_at) VALUES `, 11)
		msg := newBatch(`INSERT INTO messages (id, conversation_id, direction, author_id, author_name, body, created_at,
			compassion, sentiment, distress, analysis) VALUES `, 11)
		// Each reply's signals, as the store writes them with the reply.
		rs := newBatch(`INSERT INTO reply_signals (author_id, created_at, message_id, compassion, signals) VALUES `, 5)
		sv := newBatch(`INSERT INTO surveys (conversation_id, customer_id, agent_id, channel, token_hash, created_at, expires_at,
			answered_at, satisfaction, felt_heard) VALUES `, 10)
		dl := newBatch(`INSERT INTO delays (conversation_id, reason, promised_at, new_date, draft, status, created_at, sent_at) VALUES `, 8)
		fu := newBatch(`INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, created_at) VALUES `, 6)
		flush := func() error {
			// Conversations first: the other rows point at them.
			for _, bt := range []*batch{conv, msg, rs, sv, dl, fu} {
				bt.flush(ctx)
				if bt.failed != nil {
					return bt.failed
				}
			}
			return nil
		}
		var mid int64
		for i := 1; i <= benchConversations; i++ {
			if i%500 == 0 {
				if err := flush(); err != nil {
					return err
				}
			}
			created := end.Add(-time.Duration(r.Int64N(int64(span))))
			agent := 1 + r.IntN(agents)
			first := created.Add(time.Duration(r.ExpFloat64() * float64(2*time.Hour)))
			resolved := first.Add(time.Duration(r.ExpFloat64() * float64(24*time.Hour)))
			status, res := "resolved", any(ms(resolved))
			if resolved.After(end) {
				status, res = "waiting_on_customer", nil
			}
			conv.add(ctx, i, 1+r.IntN(customers), "sms", "Card", status, "normal", agent, ms(created), ms(resolved), ms(first), res)
			mid++
			msg.add(ctx, mid, i, "in", nil, "Customer", "My card has not come.", ms(created), nil, -0.3, 0.4, `{"customer":{}}`)
			replies := 1 + r.IntN(2)
			sum := 0.0
			for j := range replies {
				score := math.Round((20+r.Float64()*75)*10) / 10 // the engine gives a tenth
				sum += score
				mid++
				at, rep, author := ms(first.Add(time.Duration(j)*time.Hour)), report(score), int64(agent)
				msg.add(ctx, mid, i, "out", agent, "Agent", "We are on it.", at, score, 0.2, nil, rep)
				rs.add(ctx, author, at, mid, score, string(replySignals(kindred.Outbound, &author, &kindred.Analysis{Report: json.RawMessage(rep)})))
			}
			if status == "resolved" && r.IntN(10) < 3 {
				sat := min(5, max(1, int(1+4*(sum/float64(replies)-20)/75+r.NormFloat64())))
				h := make([]byte, 16)
				crand.Read(h)
				sv.add(ctx, i, 1, agent, "sms", h, ms(resolved), ms(resolved.AddDate(0, 0, 14)), ms(resolved.Add(time.Hour)), sat,
					[]string{"yes", "partly", "no"}[r.IntN(3)])
			}
			if r.IntN(20) == 0 {
				promised := created.AddDate(0, 0, 7)
				dl.add(ctx, i, "printer", ms(promised), ms(promised.AddDate(0, 0, 5)), "Sorry", "sent", ms(created), ms(created.Add(time.Duration(r.Int64N(int64(9*24*time.Hour))))))
			}
			if r.IntN(10) == 0 {
				fu.add(ctx, i, agent, "call", ms(resolved.AddDate(0, 0, 3)), []string{"done", "skipped", "pending"}[r.IntN(3)], ms(resolved))
			}
		}
		if err := flush(); err != nil {
			return err
		}
		if db.dialect == Postgres {
			// Rows given explicit ids leave the identity sequences behind.
			for _, t := range []string{"agents", "customers", "conversations", "messages"} {
				if _, err := tx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT MAX(id) FROM "+t+"))"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as a live database gathers them, for the planners.
	if _, err := db.w.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return 1
}
