package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// TestReplyWeeksKeptForEveryWayAReplyIsWritten checks reply_weeks on both
// dialects against a recount of the replies in messages after each step:
// migration 0019 counts the replies already stored, and each way a reply
// is written (posted, or imported, on PostgreSQL by COPY) adds its count;
// an import run again adds nothing for the messages it finds there.
func TestReplyWeeksKeptForEveryWayAReplyIsWritten(t *testing.T) {
	ctx := context.Background()
	week := func(at time.Time) int64 { return replyWeek(at.UnixMilli()) }
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	forEachDialectAt(t, 18, func(t *testing.T, db *DB) {
		// As an older kindred left them: Amina's two replies scored 80
		// on a Monday and one 80 on the Sunday after (the same week),
		// one 60 the next Monday; Baraka's 80; a reply with no score,
		// one by no agent, a customer's message and a note with scores
		// (none counted).
		at := func(d time.Duration) int64 { return monday.Add(d).UnixMilli() }
		day := 24 * time.Hour
		err := db.Tx(ctx, func(tx *Tx) error {
			stmts := []struct {
				q    string
				args []any
			}{
				{`INSERT INTO agents (id, name, email, role, created_at) VALUES (1001, 'Amina', 'amina@example.org', 'agent', 0),
						(1002, 'Baraka', 'baraka@example.org', 'agent', 0)`, nil},
				{`INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES (1001, 'Achieng', '+254722000111', 0, 0)`, nil},
				{`INSERT INTO conversations (id, customer_id, channel, subject, status, priority, created_at, updated_at)
						VALUES (1001, 1001, 'sms', '', 'open', 'normal', 0, 0)`, nil},
				{`INSERT INTO messages (id, conversation_id, direction, author_id, body, created_at, compassion) VALUES
						(1001, 1001, 'out', 1001, 'a', ?, 80), (1002, 1001, 'out', 1001, 'b', ?, 80),
						(1003, 1001, 'out', 1001, 'c', ?, 80), (1004, 1001, 'out', 1001, 'd', ?, 60.5),
						(1005, 1001, 'out', 1002, 'e', ?, 80), (1006, 1001, 'out', 1001, 'f', ?, NULL),
						(1007, 1001, 'out', NULL, 'g', ?, 70), (1008, 1001, 'in', NULL, 'h', ?, 70),
						(1009, 1001, 'note', 1001, 'i', ?, 70)`,
					[]any{at(time.Hour), at(2 * time.Hour), at(7*day - time.Minute), at(7 * day), at(3 * time.Hour),
						at(4 * time.Hour), at(5 * time.Hour), at(6 * time.Hour), at(7 * time.Hour)}},
			}
			for _, s := range stmts {
				if _, err := tx.Exec(ctx, s.q, s.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		w0, w1 := week(monday), week(monday.Add(7*day))
		check := func(step string, want map[replyWeekKey]int64) {
			t.Helper()
			kept, recount := replyWeekRows(t, db, replyWeeksSummed),
				replyWeekRows(t, db, `SELECT (created_at - 345600000) / 604800000, author_id, compassion, COUNT(*) FROM messages
						WHERE direction = 'out' AND author_id IS NOT NULL AND compassion IS NOT NULL GROUP BY 1, 2, 3`)
			if !mapsEqual(kept, want) || !mapsEqual(recount, want) {
				t.Fatalf("%s: reply_weeks %v, recounted from messages %v, want %v", step, kept, recount, want)
			}
		}
		want := map[replyWeekKey]int64{{w0, 1001, 80}: 3, {w1, 1001, 60.5}: 1, {w0, 1002, 80}: 1}
		check("after the migration", want)

		// Posted: one on a count that is there, one on a new one.
		amina := &kindred.Agent{ID: 1001, Name: "Amina"}
		reply(t, db, 1001, amina, monday.Add(8*time.Hour), 80)
		reply(t, db, 1001, amina, monday.Add(9*time.Hour), 75.2)
		want[replyWeekKey{w0, 1001, 80}]++
		want[replyWeekKey{w0, 1001, 75.2}]++
		check("after two posts", want)

		// An older kindred, still serving during a rolling upgrade, counts
		// its reply with its own statement (0019's): it still goes in, and
		// is summed with the rest. (Its message is written as it would be.)
		err = db.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO messages (id, conversation_id, direction, author_id, body, created_at, compassion)
				VALUES (2001, 1001, 'out', 1001, 'j', ?, 80)`, monday.Add(10*time.Hour).UnixMilli()); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO reply_weeks (week, author_id, compassion, replies) VALUES (?, 1001, 80, 1)
				ON CONFLICT (week, author_id, compassion) DO UPDATE SET replies = reply_weeks.replies + excluded.replies`, w0)
			return err
		})
		if err != nil {
			t.Fatalf("an older kindred's count: %v", err)
		}
		want[replyWeekKey{w0, 1001, 80}]++
		check("after an older kindred's post", want)

		// Imported, then imported again: the second run finds them all.
		author, baraka, score := int64(1001), int64(1002), 60.5
		conv := &ImportConversation{SourceID: "t1", Customer: &ImportCustomer{SourceID: "c1", Name: "Juma", Phone: "+254722000222"},
			Channel: kindred.ChannelSMS, Status: kindred.StatusOpen, Priority: kindred.PriorityNormal}
		msgs := []ImportMessage{
			{SourceID: "m1", Conversation: conv, Direction: kindred.Inbound, Body: "Where is my card?", CreatedAt: monday.Add(7*day + time.Hour),
				Analysis: &kindred.Analysis{Compassion: &score}},
			{SourceID: "m2", Conversation: conv, Direction: kindred.Outbound, AuthorID: &author, AuthorName: "Amina", Body: "It is on its way.",
				CreatedAt: monday.Add(7*day + 2*time.Hour), Analysis: &kindred.Analysis{Compassion: &score}},
			{SourceID: "m3", Conversation: conv, Direction: kindred.Outbound, AuthorID: &author, AuthorName: "Amina", Body: "It is at the branch.",
				CreatedAt: monday.Add(7*day + 3*time.Hour), Analysis: &kindred.Analysis{Compassion: &score}},
			{SourceID: "m4", Conversation: conv, Direction: kindred.Outbound, AuthorID: &baraka, AuthorName: "Baraka", Body: "Come on Friday.",
				CreatedAt: monday.Add(7*day + 4*time.Hour), Analysis: &kindred.Analysis{Compassion: &score}},
			{SourceID: "m5", Conversation: conv, Direction: kindred.Outbound, AuthorName: "Someone", Body: "Thanks.",
				CreatedAt: monday.Add(7*day + 5*time.Hour), Analysis: &kindred.Analysis{Compassion: &score}},
		}
		for run := range 2 {
			im, err := db.Import("test")
			if err != nil {
				t.Fatal(err)
			}
			n, err := im.Write(ctx, msgs)
			if err != nil {
				t.Fatal(err)
			}
			if err := im.Close(ctx); err != nil {
				t.Fatal(err)
			}
			if run == 0 {
				if n.Messages != len(msgs) {
					t.Fatalf("first import: %+v", n)
				}
				want[replyWeekKey{w1, 1001, 60.5}] += 2
				want[replyWeekKey{w1, 1002, 60.5}]++
				check("after an import", want)
			} else {
				if n.Messages != 0 || n.Already != len(msgs) {
					t.Fatalf("the import again: %+v, want every message already there", n)
				}
				check("after the import again", want)
			}
		}
	})
}

// replyWeeksSummed reads the counts, each count's rows summed.
const replyWeeksSummed = "SELECT week, author_id, compassion, CAST(SUM(replies) AS BIGINT) FROM " + allReplyWeeks + " w GROUP BY week, author_id, compassion"

// allReplyWeeks is every count's rows: in reply_weeks (before migration
// 0020) and in reply_week_slots.
const allReplyWeeks = "(SELECT week, author_id, compassion, replies FROM reply_weeks UNION ALL SELECT week, author_id, compassion, replies FROM reply_week_slots)"

// replyWeekRows reads (week, author, score, count) rows.
func replyWeekRows(t *testing.T, db *DB, q string) map[replyWeekKey]int64 {
	t.Helper()
	got := map[replyWeekKey]int64{}
	err := db.ReadTx(context.Background(), func(tx *Tx) error {
		rows, err := tx.Query(context.Background(), q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k replyWeekKey
			var n int64
			if err := rows.Scan(&k.week, &k.author, &k.compassion, &n); err != nil {
				return err
			}
			got[k] = n
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mapsEqual(a, b map[replyWeekKey]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func init() {
	featureSuites = append(featureSuites, suiteTest{"ReplyWeeksCountConcurrentRepliesOnce", testReplyWeeksConcurrent})
}

// testReplyWeeksConcurrent posts replies from many goroutines at once, all
// on the same four counts, while an import adds to the same counts: every
// reply is counted once, and no writer fails (on PostgreSQL, none waits on
// another in a circle).
func testReplyWeeksConcurrent(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	agents := []*kindred.Agent{{Name: "Amina", Role: kindred.RoleAgent}, {Name: "Baraka", Role: kindred.RoleAgent}}
	for _, a := range agents {
		if err := db.CreateAgent(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := mustCustomer(t, db, kindred.Customer{Name: "Achieng"})
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	scores := []float64{70, 82.5}
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each+1)
	for w := range workers {
		wg.Go(func() {
			conv := kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS}
			if err := db.CreateConversation(ctx, &conv); err != nil {
				errs <- err
				return
			}
			a := agents[w%2]
			for i := range each {
				score := scores[i%2]
				err := db.AddMessage(ctxAs(a.ID, a.Name), &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound,
					Body: fmt.Sprintf("w%d r%d", w, i), CreatedAt: monday.Add(time.Duration(w*each+i) * time.Minute),
					Analysis: &kindred.Analysis{Compassion: &score, Report: []byte(`{}`)}})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		im, err := db.Import("concurrent")
		if err != nil {
			errs <- err
			return
		}
		conv := &ImportConversation{SourceID: "t1", Customer: &ImportCustomer{SourceID: "c1", Name: "Juma", Phone: "+254722000222"},
			Channel: kindred.ChannelSMS, Status: kindred.StatusOpen, Priority: kindred.PriorityNormal}
		for b := range 4 {
			var msgs []ImportMessage
			for i := range 8 { // two of each agent and score
				a, score := agents[i%2].ID, scores[(i/2)%2]
				msgs = append(msgs, ImportMessage{SourceID: fmt.Sprintf("b%d m%d", b, i), Conversation: conv, Direction: kindred.Outbound,
					AuthorID: &a, Body: "imported", CreatedAt: monday.Add(time.Duration(b*8+i) * time.Second),
					Analysis: &kindred.Analysis{Compassion: &score}})
			}
			if _, err := im.Write(ctx, msgs); err != nil {
				errs <- err
				return
			}
		}
		errs <- im.Close(ctx)
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent: %v", err)
		}
	}
	w := replyWeek(monday.UnixMilli())
	got := replyWeekRows(t, db, replyWeeksSummed)
	// Each agent and score: 4 workers × 10 replies, and 4 batches × 2 imported.
	want := map[replyWeekKey]int64{}
	for _, a := range agents {
		for _, sc := range scores {
			want[replyWeekKey{w, a.ID, sc}] = workers/2*each/2 + 4*2
		}
	}
	if !mapsEqual(got, want) {
		t.Fatalf("reply_weeks %v, want %v", got, want)
	}
}

// TestPostgresRepliesOfOneAgentDoNotWaitForEachOther: a reply does not
// wait for another transaction that has added to the same agent's, week's
// and score's count and not yet committed (with one row a count, it waited
// for that commit: kindred bench --mode replies spent most of its waits
// there). It adds to another slot, and the next reply, with nothing held,
// to the first again.
func TestPostgresRepliesOfOneAgentDoNotWaitForEachOther(t *testing.T) {
	base := postgresURL(t)
	db, _ := suite{fresh: func(t *testing.T) string { return freshPostgresSchema(t, base) }}.open(t)
	ctx := context.Background()
	agent := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: mustCustomer(t, db, kindred.Customer{Name: "Achieng"}).ID, Channel: kindred.ChannelDesk})
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	week := replyWeek(at.UnixMilli())
	reply := func(minute int) error {
		wait, cancel := context.WithTimeout(ctxAs(agent.ID, agent.Name), 5*time.Second)
		defer cancel()
		return db.AddMessage(wait, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "Pole sana",
			CreatedAt: at.Add(time.Duration(minute) * time.Minute), Analysis: &kindred.Analysis{Compassion: ptr(70.0), Report: []byte(`{}`)}})
	}
	if err := reply(1); err != nil {
		t.Fatal(err)
	}

	// Another transaction adds to the same count, and holds it.
	holder, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, db.bind(replyWeekFreeSQL), week, agent.ID, 70.0, week, agent.ID, 70.0, week, agent.ID, 70.0, 1); err != nil {
		t.Fatal(err)
	}
	if err := reply(2); err != nil {
		t.Fatalf("the reply waited for the other transaction's count: %v", err)
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := reply(3); err != nil {
		t.Fatal(err)
	}
	// The first reply and the other transaction in slot 0, the second
	// reply in slot 1, the third in slot 0 again.
	var slots []string
	err = db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT slot, replies FROM reply_week_slots WHERE author_id = ? ORDER BY slot", agent.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var slot, n int64
			if err := rows.Scan(&slot, &n); err != nil {
				return err
			}
			slots = append(slots, fmt.Sprintf("slot %d: %d", slot, n))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(slots, ", "), "slot 0: 3, slot 1: 1"; got != want {
		t.Errorf("reply_weeks holds %s, want %s", got, want)
	}
	if got := replyWeekRows(t, db, replyWeeksSummed)[replyWeekKey{week, agent.ID, 70}]; got != 4 {
		t.Errorf("the count is %d, want 4 (three replies and the other transaction's)", got)
	}
}
