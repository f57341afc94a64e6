package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// holdWriter runs a write that waits, so that the writes queued behind it
// form one group once release is called.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *Tx) error {
			close(started)
			<-hold
			return tx.AddMessage(context.Background(), &kindred.Message{ConversationID: 1, Direction: kindred.Inbound, Body: "held"})
		})
	}()
	<-started
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Errorf("held write: %v", err)
		}
	}
}

// waitQueued waits until n writes wait in the committer's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.group.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued after 10s, want %d", len(db.group.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitKeepsTheNeighboursOfAFailure(t *testing.T) {
	db := openDSN(t, filepath.Join(t.TempDir(), "kindred.db"))
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
	if conv.ID != 1 {
		t.Fatalf("conversation id %d, holdWriter writes to 1", conv.ID)
	}
	add := func(tx *Tx, body string) error {
		return tx.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: body})
	}
	changedMind := errors.New("changed my mind")

	type write struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		fn      func(tx *Tx) error
		wantErr func(err error, panicked any) bool
	}
	plain := func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }
	ok := func(err error, p any) bool { return err == nil && p == nil }
	failures := []write{
		{"returns an error after writing", plain,
			func(tx *Tx) error {
				if err := add(tx, "fails: error"); err != nil {
					return err
				}
				return changedMind
			},
			func(err error, p any) bool { return errors.Is(err, changedMind) }},
		{"violates a primary key after writing", plain,
			func(tx *Tx) error {
				if err := add(tx, "fails: unique"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'again', 0)")
				return err
			},
			func(err error, p any) bool { return isUnique(err) }},
		{"panics after writing", plain,
			func(tx *Tx) error {
				if err := add(tx, "fails: panic"); err != nil {
					return err
				}
				panic("boom")
			},
			func(err error, p any) bool { return p == "boom" }},
		{"adds to a missing conversation", plain,
			func(tx *Tx) error {
				return tx.AddMessage(ctx, &kindred.Message{ConversationID: 999, Direction: kindred.Inbound, Body: "fails: missing"})
			},
			func(err error, p any) bool { return kindred.ErrorKind(err) == kindred.NotFound }},
	}

	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			// Successful writes on both sides of the failing one, all in one group.
			var ws []write
			for i := range 3 {
				ws = append(ws, write{fmt.Sprintf("before %d", i), plain,
					func(tx *Tx) error { return add(tx, fmt.Sprintf("%s: before %d", f.name, i)) }, ok})
			}
			ws = append(ws, f)
			for i := range 3 {
				ws = append(ws, write{fmt.Sprintf("after %d", i), plain,
					func(tx *Tx) error { return add(tx, fmt.Sprintf("%s: after %d", f.name, i)) }, ok})
			}
			before := db.group.commits.Load()
			release := holdWriter(t, db)
			var wg sync.WaitGroup
			type result struct {
				err      error
				panicked any
			}
			results := make([]result, len(ws))
			for i, w := range ws {
				wctx, cancel := w.ctx()
				defer cancel()
				wg.Go(func() {
					defer func() { results[i].panicked = recover() }()
					results[i].err = db.Tx(wctx, w.fn)
				})
				waitQueued(t, db, i+1) // in this order
			}
			release()
			wg.Wait()
			for i, w := range ws {
				if !w.wantErr(results[i].err, results[i].panicked) {
					t.Errorf("%s: error %v, panic %v", w.name, results[i].err, results[i].panicked)
				}
			}
			if got := db.group.commits.Load() - before; got != 1 {
				t.Errorf("%d commits, want the held write and its queue in one", got)
			}
			c, err := db.Conversation(ctx, conv.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, m := range c.Messages {
				bodies = append(bodies, m.Body)
			}
			for i := range 3 {
				for _, want := range []string{fmt.Sprintf("%s: before %d", f.name, i), fmt.Sprintf("%s: after %d", f.name, i)} {
					if !slices.Contains(bodies, want) {
						t.Errorf("%q missing; messages: %q", want, bodies)
					}
				}
			}
			for _, b := range bodies {
				if len(b) > 6 && b[:6] == "fails:" {
					t.Errorf("the failed write's %q was committed", b)
				}
			}
		})
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCommitSkipsAWriteCancelledInTheQueue(t *testing.T) {
	db := openDSN(t, filepath.Join(t.TempDir(), "kindred.db"))
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})

	release := holdWriter(t, db)
	cctx, cancel := context.WithCancel(ctx)
	ran := false
	errc := make(chan error, 1)
	go func() { errc <- db.Tx(cctx, func(tx *Tx) error { ran = true; return nil }) }()
	waitQueued(t, db, 1)
	cancel()
	release()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled write: %v, want context.Canceled", err)
	}
	if ran {
		t.Error("the cancelled write ran")
	}
}

// TestGroupCommitReadsYourWrites: many writers at once, each reading back
// what it wrote as soon as Tx returns, share commits.
func TestGroupCommitReadsYourWrites(t *testing.T) {
	db := openDSN(t, filepath.Join(t.TempDir(), "kindred.db"))
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
	const writers, each = 32, 10
	commits, writes := db.group.commits.Load(), db.group.writes.Load()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: fmt.Sprintf("%d.%d", w, i)}
				if err := db.AddMessage(ctx, m); err != nil {
					t.Error(err)
					return
				}
				got, err := db.LatestInbound(ctx, conv.ID, m.ID+1)
				if err != nil || got.ID != m.ID || got.Body != m.Body {
					t.Errorf("read back message %d: %+v, %v", m.ID, got, err)
				}
			}
		})
	}
	wg.Wait()
	commits, writes = db.group.commits.Load()-commits, db.group.writes.Load()-writes
	if writes != writers*each {
		t.Errorf("%d writes committed, want %d", writes, writers*each)
	}
	if commits >= writes {
		t.Errorf("%d commits for %d writes: none shared", commits, writes)
	}
	t.Logf("%d writes in %d commits", writes, commits)
}

// BenchmarkAddMessageConcurrently adds customer messages from 16 goroutines
// on SQLite, with group commit and with one commit (one fsync) per message
// as before it, for the ratio.
func BenchmarkAddMessageConcurrently(b *testing.B) {
	for _, mode := range []string{"group", "commit-each"} {
		b.Run(mode, func(b *testing.B) {
			db, err := Open(context.Background(), filepath.Join(b.TempDir(), "kindred.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if mode == "commit-each" {
				db.group.close()
				db.group = nil
			}
			ctx := context.Background()
			cust := &kindred.Customer{Name: "Amina Njeri"}
			if err := db.CreateCustomer(ctx, cust); err != nil {
				b.Fatal(err)
			}
			conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat}
			if err := db.CreateConversation(ctx, conv); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "My pension has not come this month."}
					if err := db.AddMessage(ctx, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
