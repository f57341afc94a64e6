package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// listener collects what Listen hears.
type listener struct {
	changes chan Change
	mu      sync.Mutex
	errs    []error
}

func listenTo(t *testing.T, db *DB) *listener {
	t.Helper()
	l := &listener{changes: make(chan Change, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- db.Listen(ctx, func(c Change) { l.changes <- c }, func(err error) {
			l.mu.Lock()
			l.errs = append(l.errs, err)
			l.mu.Unlock()
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen returned %v when its context ended", err)
		}
	})
	l.want(t, Change{Kind: ChangeListening})
	return l
}

// want waits for the next change, which must be c.
func (l *listener) want(t *testing.T, c Change) {
	t.Helper()
	select {
	case got := <-l.changes:
		if got != c {
			t.Fatalf("heard %+v, want %+v", got, c)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("heard nothing, want %+v", c)
	}
}

// quiet checks that nothing more was heard.
func (l *listener) quiet(t *testing.T) {
	t.Helper()
	select {
	case got := <-l.changes:
		t.Fatalf("heard %+v, want nothing", got)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestPostgresListenHearsEveryProcess: two stores on one database stand for
// two kindred processes. What one commits, the other hears (a new message,
// a changed conversation, changed tags), in commit order; a rolled-back
// change is not heard; a desk in another schema hears nothing of it; and a
// lost connection is opened again, with a ChangeListening to say that news
// may have been missed.
func TestPostgresListenHearsEveryProcess(t *testing.T) {
	base := postgresURL(t)
	ctx := context.Background()
	dsn := freshPostgresSchema(t, base)
	a, b, other := openDSN(t, dsn), openDSN(t, dsn), openDSN(t, freshPostgresSchema(t, base))
	heard, elsewhere := listenTo(t, b), listenTo(t, other)

	cust := mustCustomer(t, a, kindred.Customer{Name: "Grace Wanjiru", Phone: "+254711000111"})
	conv := mustConversation(t, a, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
	heard.want(t, Change{Kind: ChangeConversation, ConversationID: conv.ID})

	m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Is my card ready?"}
	if err := a.AddMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	heard.want(t, Change{Kind: ChangeMessage, ConversationID: conv.ID, MessageID: m.ID})
	heard.want(t, Change{Kind: ChangeConversation, ConversationID: conv.ID}) // its status and time
	if got, err := b.Message(ctx, m.ID); err != nil || got.Body != m.Body || got.ConversationID != conv.ID {
		t.Fatalf("the other process reads %+v, %v", got, err)
	}
	if _, err := b.Message(ctx, m.ID+1000); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("a message that does not exist: %v", err)
	}

	// Rolled back: nothing to hear.
	err := a.Tx(ctx, func(tx *Tx) error {
		if err := tx.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "never"}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("the transaction did not fail")
	}
	heard.quiet(t)

	tags := []string{"card", "urgent"}
	if _, err := a.UpdateConversation(ctxAs(0, "test"), conv.ID, kindred.ConversationUpdate{Tags: &tags}); err != nil {
		t.Fatal(err)
	}
	heard.want(t, Change{Kind: ChangeConversation, ConversationID: conv.ID})
	heard.quiet(t) // one transaction's identical announcements come once

	// The listening connection is cut (a restart of PostgreSQL, a network
	// fault): it is opened again, and says so.
	var cut int
	if err := a.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN "kindred:' || current_schema() || '"'`).Scan(&cut)
	}); err != nil || cut != 1 {
		t.Fatalf("cut %d listening connections (%v), want 1", cut, err)
	}
	heard.want(t, Change{Kind: ChangeListening})
	heard.mu.Lock()
	lost := len(heard.errs)
	heard.mu.Unlock()
	if lost != 1 {
		t.Errorf("%d errors reported for one lost connection", lost)
	}
	m2 := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Thank you"}
	if err := a.AddMessage(ctx, m2); err != nil {
		t.Fatal(err)
	}
	heard.want(t, Change{Kind: ChangeMessage, ConversationID: conv.ID, MessageID: m2.ID})

	elsewhere.quiet(t)
}

func TestSQLiteListenRefuses(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Listen(context.Background(), func(Change) {}, func(error) {}); err == nil {
		t.Fatal("Listen on SQLite returned no error")
	}
}

// TestPostgresNotifyReachesEveryProcess: news that changes no row (someone
// typing in a web chat) and a chat reply's delivery travel the same road as
// the triggers' news: to every process of the desk, and no other desk.
func TestPostgresNotifyReachesEveryProcess(t *testing.T) {
	base := postgresURL(t)
	ctx := context.Background()
	dsn := freshPostgresSchema(t, base)
	a, b, other := openDSN(t, dsn), openDSN(t, dsn), openDSN(t, freshPostgresSchema(t, base))
	heard, elsewhere := listenTo(t, b), listenTo(t, other)

	typing := Change{Kind: ChangeTyping, ConversationID: 7, Agent: "Amina"}
	if err := a.Notify(ctx, typing); err != nil {
		t.Fatal(err)
	}
	heard.want(t, typing)

	agent := mustAgent(t, a, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	in, err := a.InboundChat(ctx, visitorA, "Hello", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &kindred.Message{ConversationID: in.ConversationID, Direction: kindred.Outbound, Body: "Hello, Amina here."}
	if err := a.AddMessage(ctxAs(agent.ID, agent.Name), r); err != nil {
		t.Fatal(err)
	}
	if ok, err := a.ChatDelivered(ctx, visitorA, r.ID, kindred.DeliveryDelivered); err != nil || !ok {
		t.Fatalf("delivered: %v, %v", ok, err)
	}
	heard.until(t, Change{Kind: ChangeDelivery, ConversationID: in.ConversationID, MessageID: r.ID})
	elsewhere.quiet(t)
}

// until waits for c, passing over whatever else is heard first.
func (l *listener) until(t *testing.T, c Change) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-l.changes:
			if got == c {
				return
			}
		case <-deadline:
			t.Fatalf("never heard %+v", c)
		}
	}
}

// TestPostgresListenHearsTheLobby: a ticket issued, called or recalled, or a
// desk opened, through one process is heard by the other, once a
// transaction, so that every desk's page follows the queue.
func TestPostgresListenHearsTheLobby(t *testing.T) {
	base := postgresURL(t)
	dsn := freshPostgresSchema(t, base)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	heard := listenTo(t, b)
	actx, desk, _ := lobbyFixture(t, a)
	heard.quiet(t) // services and desks made, none open: no queue changed

	lobby := Change{Kind: ChangeLobby}
	if _, err := a.OpenDesk(actx, desk.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	heard.want(t, lobby)
	tk := mustTicket(t, a, actx, kindred.Ticket{QueueCode: "A", Phone: "+254711000444"})
	heard.want(t, lobby)
	heard.quiet(t) // the ticket and its near flag in one transaction: one announcement
	if _, err := a.CallNext(actx, desk.ID); err != nil {
		t.Fatal(err)
	}
	heard.want(t, lobby)
	if _, err := a.RecallTicket(actx, tk.ID); err != nil {
		t.Fatal(err)
	}
	heard.want(t, lobby)
	heard.quiet(t)
}

// TestPostgresAnnouncementsWaitForTheDatabase: what a post announces after
// its commit is kept while the database cannot take it, and sent, in order,
// once it can; the post itself neither waits nor fails for it.
func TestPostgresAnnouncementsWaitForTheDatabase(t *testing.T) {
	base := postgresURL(t)
	ctx := context.Background()
	dsn := freshPostgresSchema(t, base)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	heard := listenTo(t, b)

	// The first three tries fail, as when the database is away.
	var tries atomic.Int32
	send := a.announcer.exec
	a.announcer.exec = func(ctx context.Context, payloads []string) error {
		if tries.Add(1) <= 3 {
			return errors.New("connection refused")
		}
		return send(ctx, payloads)
	}
	cust := mustCustomer(t, a, kindred.Customer{Name: "Grace Wanjiru"})
	conv := mustConversation(t, a, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS})
	m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "Is my card ready?"}
	if err := a.AddMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	// The conversation's news comes first; identical news sent in one
	// batch is heard once.
	heard.want(t, Change{Kind: ChangeConversation, ConversationID: conv.ID})
	heard.until(t, Change{Kind: ChangeMessage, ConversationID: conv.ID, MessageID: m.ID})
	if n := tries.Load(); n < 4 {
		t.Errorf("%d tries, want the three failures and one that went", n)
	}
}
