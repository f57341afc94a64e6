package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"LaterWritesAreSeenByTheNextStatement", testLaterWritesAreSeen},
		suiteTest{"AFailedLaterWriteFailsItsTransaction", testFailedLaterWrite},
		suiteTest{"APostTakesFourStatementsOnPostgreSQL", testPostRoundTrips},
		suiteTest{"RepliesOfOneTransactionAreEachCounted", testRepliesOfOneTransactionCounted},
	)
}

const laterAudit = "INSERT INTO audit (at, actor_id, actor_name, action, subject, subject_id, detail) VALUES (1, 0, 'test', ?, 'test', 0, '')"

// Writes queued with later are in place for the transaction's next read,
// each reporting the rows it changed, and committed with it.
func testLaterWritesAreSeen(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	var inserted, updated, missed int64 = -1, -1, -1
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := tx.later(ctx, "first", laterAudit, func(n int64) { inserted = n }, "later.one"); err != nil {
			return err
		}
		if err := tx.later(ctx, "rename", "UPDATE customers SET name = ? WHERE id = ?", func(n int64) { updated = n }, "Amina W.", c.ID); err != nil {
			return err
		}
		if err := tx.later(ctx, "nobody", "UPDATE customers SET name = ? WHERE id = ?", func(n int64) { missed = n }, "x", c.ID+1000); err != nil {
			return err
		}
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM customers WHERE id = ?", c.ID).Scan(&name); err != nil {
			return err
		}
		if name != "Amina W." {
			t.Errorf("read after the queued rename: %q", name)
		}
		// Queued after the read: sent with the commit.
		return tx.later(ctx, "second", laterAudit, nil, "later.two")
	})
	if err != nil {
		t.Fatal(err)
	}
	if inserted != 1 || updated != 1 || missed != 0 {
		t.Errorf("rows changed: insert %d, update %d, update of no row %d; want 1, 1, 0", inserted, updated, missed)
	}
	if n := count(t, db, "SELECT count(*) FROM audit WHERE action IN ('later.one', 'later.two')"); n != 2 {
		t.Errorf("%d queued audit rows committed, want 2", n)
	}
}

// A queued write that fails takes its transaction with it, neighbours
// included, whether the next statement or the commit sends it.
func testFailedLaterWrite(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	broken := "INSERT INTO messages (conversation_id, direction, author_name, body, created_at, channel) VALUES (?, 'in', 'x', 'x', 1, 'chat')"
	for _, readAfter := range []bool{false, true} {
		err := db.Tx(ctx, func(tx *Tx) error {
			if err := tx.later(ctx, "good", laterAudit, nil, "later.lost"); err != nil {
				return err
			}
			// No such conversation: a foreign key fails.
			if err := tx.later(ctx, "the broken insert", broken, nil, int64(987654)); err != nil {
				return err
			}
			if readAfter {
				var name string
				if err := tx.QueryRow(ctx, "SELECT name FROM customers WHERE id = ?", c.ID).Scan(&name); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			t.Fatalf("read after: %v: the transaction committed a foreign key violation", readAfter)
		}
		if db.dialect == Postgres && !strings.Contains(err.Error(), "the broken insert") {
			t.Errorf("read after: %v: error %q does not name the failed write", readAfter, err)
		}
		if n := count(t, db, "SELECT count(*) FROM audit WHERE action = 'later.lost'"); n != 0 {
			t.Errorf("read after: %v: the failed transaction's other write was kept", readAfter)
		}
	}
}

// On PostgreSQL each statement is a round trip: what the API sends for a
// post, after the token's read, is BEGIN, forPosting (which also reads what
// PostMessage's prepare is handed: the customer, and for a reply their
// latest message), the queued writes and COMMIT, for a customer's message
// as for an agent's reply, the first (which takes the conversation) or not,
// sent by SMS through the outbox or on the web chat.
func testPostRoundTrips(t *testing.T, s suite) {
	db, _ := s.open(t)
	if db.dialect != Postgres {
		t.Skip("on SQLite a statement is no round trip")
	}
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Baraka", Phone: "+254700111222"})
	for _, channel := range []kindred.Channel{kindred.ChannelChat, kindred.ChannelSMS} {
		conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: channel})
		for _, dir := range []kindred.Direction{kindred.Inbound, kindred.Outbound, kindred.Outbound} {
			var sent []string
			db.traceSent = func(q string) { sent = append(sent, q) }
			m := &kindred.Message{ConversationID: conv.ID, Direction: dir, Body: "Hello " + string(dir)}
			err := db.PostMessage(ctx, m, func(_ *kindred.Conversation, c *kindred.Customer, latest *kindred.Message) error {
				if c == nil || c.ID != cust.ID || dir == kindred.Outbound && latest == nil {
					t.Errorf("%s message on %s: prepare was handed %+v and %+v", dir, channel, c, latest)
				}
				m.Analysis = &kindred.Analysis{Report: json.RawMessage(`{}`)}
				if dir == kindred.Outbound {
					// Scored, as the engine scores every reply: its count in
					// reply_weeks goes with the other writes.
					m.Analysis.Compassion = ptr(72.5)
				}
				return nil
			})
			db.traceSent = nil
			if err != nil {
				t.Fatal(err)
			}
			// A reply by SMS writes its outbox row, the first reply takes the
			// conversation, and a reply is counted in reply_weeks: still one
			// statement of writes.
			if want := 4; len(sent) != want {
				t.Errorf("%s message on %s: %d statements, want %d:\n%s", dir, channel, len(sent), want, strings.Join(sent, "\n"))
			}
		}
	}
	// The four replies, one agent's in one week with one score, are one count.
	if n := count(t, db, "SELECT CAST(SUM(replies) AS BIGINT) FROM "+allReplyWeeks+" w WHERE author_id = ? AND compassion = 72.5", agent.ID); n != 4 {
		t.Errorf("reply_weeks counts %d of the 4 scored replies", n)
	}
}

// testRepliesOfOneTransactionCounted: two replies of one agent in one week
// with one score, written in one transaction, add to the same reply_weeks
// row; on PostgreSQL they go in one statement, which may change a row once,
// so they must be summed first, not lost or refused.
func testRepliesOfOneTransactionCounted(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: mustCustomer(t, db, kindred.Customer{Name: "Baraka"}).ID, Channel: kindred.ChannelDesk})
	reply := func(score float64) *kindred.Message {
		return &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "Pole sana",
			Analysis: &kindred.Analysis{Compassion: ptr(score), Report: json.RawMessage(`{}`)}}
	}
	err := db.Tx(ctx, func(tx *Tx) error {
		for _, score := range []float64{64, 64, 91} {
			if err := tx.AddMessage(ctx, reply(score)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for score, want := range map[float64]int{64: 2, 91: 1} {
		if n := count(t, db, "SELECT CAST(SUM(replies) AS BIGINT) FROM "+allReplyWeeks+" w WHERE author_id = ? AND compassion = ?", agent.ID, score); n != want {
			t.Errorf("score %v counted %d times, want %d", score, n, want)
		}
	}
}
