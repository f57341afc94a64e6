package store

import (
	"context"
	"fmt"
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
			kept, recount := replyWeekRows(t, db, "SELECT week, author_id, compassion, replies FROM reply_weeks"),
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
	got := replyWeekRows(t, db, "SELECT week, author_id, compassion, replies FROM reply_weeks")
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
