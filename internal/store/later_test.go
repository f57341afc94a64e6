package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"LaterWritesAreSeenByTheNextStatement", testLaterWritesAreSeen},
		suiteTest{"AFailedLaterWriteFailsItsTransaction", testFailedLaterWrite},
		suiteTest{"APostTakesTwoRoundTripsOnPostgreSQL", testPostRoundTrips},
		suiteTest{"WritesGoWithBeginAndCommit", testPipedWrites},
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

// On PostgreSQL what the API sends for a post, after the token's read, is
// BEGIN with forPosting (which also reads what PostMessage's prepare is
// handed: the customer, and for a reply their latest message), then the
// queued writes with COMMIT: two round trips, for a customer's message as
// for an agent's reply, the first (which takes the conversation) or not,
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
			trips := 0
			db.traceTrips = func(q []string) { sent, trips = append(sent, q...), trips+1 }
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
			db.traceTrips = nil
			if err != nil {
				t.Fatal(err)
			}
			if trips != 2 {
				t.Errorf("%s message on %s: %d round trips, want 2:\n%s", dir, channel, trips, strings.Join(sent, "\n"))
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

// On PostgreSQL a write transaction sends BEGIN with its first write or
// forPosting's read and its queued writes with COMMIT (pipeline.go). What
// fails there is undone whole, and the connection goes back clean; a
// transaction that sends nothing makes no round trip.
func testPipedWrites(t *testing.T, s suite) {
	db, _ := s.open(t)
	if db.dialect != Postgres {
		t.Skip("PostgreSQL's round trips")
	}
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	audits := func(action string) int {
		return count(t, db, "SELECT count(*) FROM audit WHERE action = ?", action)
	}
	traced := func(fn func(tx *Tx) error) (trips [][]string, err error) {
		db.traceTrips = func(q []string) { trips = append(trips, q) }
		defer func() { db.traceTrips = nil }()
		err = db.Tx(ctx, fn)
		return trips, err
	}
	broken := "INSERT INTO messages (conversation_id, direction, author_name, body, created_at, channel) VALUES (987654, 'in', 'x', 'x', 1, 'chat')"

	// Queued writes alone: one round trip.
	trips, err := traced(func(tx *Tx) error { return tx.later(ctx, "audit", laterAudit, nil, "piped.queued") })
	if err != nil || len(trips) != 1 || strings.Join(trips[0], "|") != "BEGIN|"+laterAudit+"|COMMIT" || audits("piped.queued") != 1 {
		t.Errorf("queued write: %v, trips %q, %d rows", err, trips, audits("piped.queued"))
	}

	// A write sent first goes with BEGIN; a later read sees it.
	trips, err = traced(func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE customers SET name = ? WHERE id = ?", "Amina W.", c.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			t.Errorf("rows affected %d, %v", n, err)
		}
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM customers WHERE id = ?", c.ID).Scan(&name); err != nil || name != "Amina W." {
			t.Errorf("read after the piped write: %q, %v", name, err)
		}
		return nil
	})
	if err != nil || len(trips) != 3 || len(trips[0]) != 2 || trips[0][0] != "BEGIN" || strings.Join(trips[2], "|") != "COMMIT" {
		t.Errorf("write first: %v, trips %q", err, trips)
	}

	// A statement without arguments goes alone, by pgx's simple protocol,
	// which takes several in one string (as a migration's script).
	trips, err = traced(func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE customers SET name = 'Amina' WHERE id = 0; UPDATE customers SET name = 'Amina' WHERE id = -1")
		return err
	})
	if err != nil || len(trips) != 3 || strings.Join(trips[0], "|") != "BEGIN" {
		t.Errorf("statements without arguments: %v, trips %q", err, trips)
	}

	// Nothing sent, nothing to commit.
	if trips, err := traced(func(tx *Tx) error { return nil }); err != nil || len(trips) != 0 {
		t.Errorf("empty transaction: %v, trips %q", err, trips)
	}

	// A write that fails with BEGIN, with COMMIT, or whose failure fn
	// ignores: nothing of the transaction is kept.
	for name, fn := range map[string]func(tx *Tx) error{
		"with begin": func(tx *Tx) error {
			tx.later(ctx, "audit", laterAudit, nil, "piped.lost")
			_, err := tx.Exec(ctx, broken)
			return err
		},
		"with commit": func(tx *Tx) error {
			if _, err := tx.Exec(ctx, laterAudit, "piped.lost"); err != nil {
				return err
			}
			return tx.later(ctx, "the broken insert", broken, nil)
		},
		"ignored": func(tx *Tx) error {
			if _, err := tx.Exec(ctx, laterAudit, "piped.lost"); err != nil {
				return err
			}
			tx.Exec(ctx, broken)
			return nil
		},
	} {
		if _, err := traced(fn); err == nil {
			t.Errorf("%s: a failed write committed", name)
		}
	}
	if n := audits("piped.lost"); n != 0 {
		t.Errorf("%d writes of failed transactions kept", n)
	}

	// A request cancelled before its commit: nothing of it is kept.
	cctx, cancel := context.WithCancel(ctx)
	err = db.Tx(cctx, func(tx *Tx) error {
		if _, err := tx.Exec(cctx, laterAudit, "piped.cancelled"); err != nil {
			return err
		}
		cancel()
		return tx.later(cctx, "audit", laterAudit, nil, "piped.cancelled")
	})
	if err == nil || audits("piped.cancelled") != 0 {
		t.Errorf("a transaction cancelled before its commit: %v, %d rows kept", err, audits("piped.cancelled"))
	}

	// One cancelled while the server works on a statement: the same.
	cctx, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err = db.Tx(cctx, func(tx *Tx) error {
		if _, err := tx.Exec(cctx, laterAudit, "piped.cancelled"); err != nil {
			return err
		}
		_, err := tx.Exec(cctx, "SELECT pg_sleep(?)", 2.0)
		return err
	})
	if err == nil || audits("piped.cancelled") != 0 {
		t.Errorf("a transaction cancelled in a statement: %v, %d rows kept", err, audits("piped.cancelled"))
	}

	// A panic rolls back too, and no connection is left behind.
	func() {
		defer func() { recover() }()
		db.Tx(ctx, func(tx *Tx) error {
			tx.Exec(ctx, laterAudit, "piped.panic")
			panic("boom")
		})
	}()
	if n := audits("piped.panic"); n != 0 {
		t.Errorf("a panicking transaction's write was kept")
	}
	if inUse := db.w.Stats().InUse; inUse != 0 {
		t.Errorf("%d connections still in use", inUse)
	}
	// The connections went back clean: the next transactions work.
	for range 30 {
		if err := db.Tx(ctx, func(tx *Tx) error { return tx.later(ctx, "audit", laterAudit, nil, "piped.after") }); err != nil {
			t.Fatal(err)
		}
	}
	if n := audits("piped.after"); n != 30 {
		t.Errorf("%d of 30 transactions after the failures kept", n)
	}
}
