package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// TestReplySignalsKeptForEveryWayAReplyIsWritten checks reply_signals on
// both dialects: migration 0018 copies in the replies already stored, and
// each way a reply is written (posted, or imported, which on PostgreSQL is
// a COPY) adds its rows. A report that is not a list of named signals adds
// nothing and fails nothing.
func TestReplySignalsKeptForEveryWayAReplyIsWritten(t *testing.T) {
	ctx := context.Background()
	forEachDialectAt(t, 17, func(t *testing.T, db *DB) {
		// As an older kindred left them (ids far from what the
		// sequences give next): two signals on reply a, one unnamed on
		// b, none on c (null) and d (no report), and a customer's e.
		err := db.Tx(ctx, func(tx *Tx) error {
			stmts := []string{
				`INSERT INTO agents (id, name, email, role, created_at) VALUES (1001, 'Amina', 'amina@example.org', 'agent', 0)`,
				`INSERT INTO customers (id, name, phone, created_at, updated_at) VALUES (1001, 'Achieng', '+254722000111', 0, 0)`,
				`INSERT INTO conversations (id, customer_id, channel, subject, status, priority, created_at, updated_at)
						VALUES (1001, 1001, 'sms', '', 'open', 'normal', 0, 0)`,
				`INSERT INTO messages (id, conversation_id, direction, author_id, body, created_at, compassion, analysis) VALUES
						(1001, 1001, 'out', 1001, 'a', 1000, 80, '{"reply":{"signals":[{"name":"apology","effect":5},{"name":"name","effect":4}]}}'),
						(1002, 1001, 'out', 1001, 'b', 2000, 60, '{"reply":{"signals":[{"effect":3}]}}'),
						(1003, 1001, 'out', 1001, 'c', 3000, 50, '{"reply":{"signals":null}}'),
						(1004, 1001, 'out', 1001, 'd', 4000, NULL, NULL),
						(1005, 1001, 'in', NULL, 'e', 5000, NULL, '{"reply":{"signals":[{"name":"apology","effect":5}]}}')`,
			}
			for _, q := range stmts {
				if _, err := tx.Exec(ctx, q); err != nil {
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
		// signals lists each reply's signals by its body.
		signals := func() map[string][]string {
			got := map[string][]string{}
			err := db.ReadTx(ctx, func(tx *Tx) error {
				rows, err := tx.Query(ctx, `SELECT m.body, r.author_id, r.compassion, r.signals FROM reply_signals r
						JOIN messages m ON m.id = r.message_id AND m.author_id = r.author_id AND m.created_at = r.created_at
						ORDER BY r.message_id`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var body, list string
					var author int64
					var comp *float64
					if err := rows.Scan(&body, &author, &comp, &list); err != nil {
						return err
					}
					if author != 1001 || comp == nil {
						t.Errorf("reply %q: author %d, compassion %v", body, author, comp)
					}
					var sigs []signalJSON
					if err := json.Unmarshal([]byte(list), &sigs); err != nil {
						t.Errorf("reply %q: signals %s: %v", body, list, err)
					}
					for _, s := range sigs {
						got[body] = append(got[body], s.Name)
					}
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := signals(); len(got) != 1 || len(got["a"]) != 2 || got["a"][0] != "apology" || got["a"][1] != "name" {
			t.Fatalf("after the migration: %v, want reply a's apology and name", got)
		}

		// Posted.
		amina := &kindred.Agent{ID: 1001, Name: "Amina"}
		reply(t, db, 1001, amina, time.UnixMilli(6000), 70, signal("next_step_when", 4, "by Friday"))
		// Imported.
		im, err := db.Import("test")
		if err != nil {
			t.Fatal(err)
		}
		author, score := int64(1001), 90.0
		report, _ := json.Marshal(map[string]any{"reply": map[string]any{"signals": []any{signal("blame", -8, "you should have")}}})
		conv := &ImportConversation{SourceID: "t1", Customer: &ImportCustomer{SourceID: "c1", Name: "Juma", Phone: "+254722000222"},
			Channel: kindred.ChannelSMS, Status: kindred.StatusOpen, Priority: kindred.PriorityNormal}
		if _, err := im.Write(ctx, []ImportMessage{{SourceID: "m1", Conversation: conv, Direction: kindred.Outbound,
			AuthorID: &author, AuthorName: "Amina", Body: "Fill the form again.", CreatedAt: time.UnixMilli(7000),
			Analysis: &kindred.Analysis{Compassion: &score, Report: report}}}); err != nil {
			t.Fatal(err)
		}
		if err := im.Close(ctx); err != nil {
			t.Fatal(err)
		}
		got := signals()
		if len(got) != 3 || len(got["reply"]) != 1 || got["reply"][0] != "next_step_when" ||
			len(got["Fill the form again."]) != 1 || got["Fill the form again."][0] != "blame" {
			t.Fatalf("after a post and an import: %v, want the post's next_step_when and the import's blame", got)
		}
		co, err := db.Coaching(ctx, 1001, kindred.Period{From: time.UnixMilli(0), To: time.UnixMilli(10000)})
		if err != nil {
			t.Fatal(err)
		}
		if co.Practise == nil || co.Practise.Signal != "blame" || co.Practise.Example == nil || co.Practise.Example.Evidence != "you should have" ||
			len(co.Habits) != 3 || co.Habits[0].Signal != "apology" || co.Habits[0].Example == nil || co.Habits[0].Example.Body != "a" {
			t.Errorf("coaching from the signals: habits %+v, practise %+v", co.Habits, co.Practise)
		}
	})
}
