package store

import (
	"context"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"LaterWritesAreSeenByTheNextStatement", testLaterWritesAreSeen},
		suiteTest{"AFailedLaterWriteFailsItsTransaction", testFailedLaterWrite},
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
