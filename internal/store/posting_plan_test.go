package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// smallTables may be read whole: a desk has a few of each.
var smallTables = []string{"agents", "lobby_queues", "lobby_desks", "webhooks", "saved_replies", "schema_migrations", "server_keys"}

// TestPostsFindTheirRowsByIndex catches every statement that the busy
// paths send (a new customer with a conversation and a first message, a
// customer's message, a reply on each channel, the outbox delivering it
// and the gateway's report on it) and asks SQLite for each one's plan: none
// may read a whole table that grows with the desk. The load generator
// starts each run on a new database, where a scan costs nothing; on a desk
// of 45,000 customers one such scan (a chat reply reading every customer)
// cut replies from 2,672 a second to 163.
func TestPostsFindTheirRowsByIndex(t *testing.T) {
	ctx := ctxAs(0, "test")
	db := planDB(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	as := ctxAs(agent.ID, agent.Name)

	var caught []caughtQuery
	db.traceQuery = func(query string, args []any) {
		caught = append(caught, caughtQuery{caller: storeCaller(), query: query, args: slices.Clone(args)})
	}
	cust := &kindred.Customer{Name: "Joseph Otieno", Phone: "+254712345678", Email: "joseph@example.org"}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []kindred.Channel{kindred.ChannelDesk, kindred.ChannelChat, kindred.ChannelSMS, kindred.ChannelEmail, kindred.ChannelWhatsApp} {
		conv := &kindred.Conversation{CustomerID: cust.ID, Channel: ch, Subject: "Card"}
		if err := db.CreateConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*kindred.Message{
			{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "My card has not come."},
			{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "I am sorry. It is posted today.", AuthorID: &agent.ID, AuthorName: agent.Name},
		} {
			if err := db.PostMessage(as, m, func(*kindred.Conversation, *kindred.Customer, *kindred.Message) error { return nil }); err != nil {
				t.Fatalf("%s %s: %v", ch, m.Direction, err)
			}
		}
	}
	// The lobby's: a ticket with a phone taken, called, served; a code sent
	// and checked.
	if err := db.CreateQueue(ctx, &kindred.Queue{Code: "A", Name: "Registration"}); err != nil {
		t.Fatal(err)
	}
	desk := &kindred.Desk{Name: "1"}
	if err := db.CreateDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenDesk(as, desk.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A", Phone: "+254711000001", CustomerID: &cust.ID}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := db.CallNext(as, desk.ID); err != nil {
			t.Fatal(err)
		}
	}
	code, err := db.IssueCode(as, kindred.CodeRequest{CustomerID: cust.ID, Channel: kindred.CodeBySMS}, db.clock())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckCode(as, code.ID, "000000", db.clock()); err != nil && kindred.ErrorKind(err) != kindred.Invalid {
		t.Fatal(err)
	}
	due, err := db.Claim(ctx, db.clock().Add(time.Minute), time.Minute, 20)
	if err != nil || len(due) == 0 {
		t.Fatalf("claim: %d %v", len(due), err)
	}
	for i, m := range due {
		if err := db.MarkSent(ctx, m.ID, "gw-"+string(rune('a'+i)), db.clock()); err != nil {
			t.Fatal(err)
		}
		if m.Channel == kindred.ChannelSMS {
			if _, err := db.RecordDelivery(ctx, kindred.DeliveryReport{Channel: m.Channel, ProviderID: "gw-" + string(rune('a'+i)), Delivered: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.traceQuery = nil
	if n := searchedByIndex(t, db, caught); n < 20 {
		t.Fatalf("checked the plans of %d statements: the trace misses some", n)
	}
}

// TestPagesFindTheirRowsByIndex does the same for what the console's busy
// pages read: the inbox, a conversation, a customer, the desk page and the
// public board, the outbox's lists (the sent one grows with every message)
// and a record's audit log.
func TestPagesFindTheirRowsByIndex(t *testing.T) {
	ctx := ctxAs(0, "test")
	db := planDB(t)
	cust := &kindred.Customer{Name: "Joseph Otieno", Phone: "+254712345678"}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"}
	if err := db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "My card has not come."}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateQueue(ctx, &kindred.Queue{Code: "A", Name: "Registration"}); err != nil {
		t.Fatal(err)
	}
	desk := &kindred.Desk{Name: "1"}
	if err := db.CreateDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenDesk(ctx, desk.ID, []string{"A"}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // one at the desk, one waiting
		if err := db.IssueTicket(ctx, &kindred.Ticket{QueueCode: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CallNext(ctx, desk.ID); err != nil {
		t.Fatal(err)
	}

	var caught []caughtQuery
	db.traceQuery = func(query string, args []any) {
		caught = append(caught, caughtQuery{caller: storeCaller(), query: query, args: slices.Clone(args)})
	}
	reads := []func() error{
		func() error {
			_, err := db.Conversations(ctx, kindred.ConversationFilter{Open: true, Page: kindred.Page{Limit: 101}})
			return err
		},
		func() error {
			_, err := db.Conversations(ctx, kindred.ConversationFilter{Status: kindred.StatusWaitingOnUs, Page: kindred.Page{Limit: 101}})
			return err
		},
		func() error { _, err := db.CustomersByID(ctx, []int64{cust.ID}); return err },
		func() error { _, err := db.LatestInbounds(ctx, []int64{conv.ID}); return err },
		func() error { _, err := db.Conversation(ctx, conv.ID, true); return err },
		func() error { _, err := db.Customer(ctx, cust.ID); return err },
		func() error { _, err := db.Desks(ctx); return err },
		func() error { _, err := db.WaitingTickets(ctx, ""); return err },
		func() error { _, err := db.QueueStatuses(ctx); return err },
		func() error { _, err := db.Board(ctx); return err },
		func() error {
			_, err := db.Outbox(ctx, kindred.OutboxFilter{Status: kindred.OutboxDead, Page: kindred.Page{Limit: 51}})
			return err
		},
		func() error {
			_, err := db.Outbox(ctx, kindred.OutboxFilter{Status: kindred.OutboxSent, Page: kindred.Page{Limit: 50}})
			return err
		},
		func() error {
			_, err := db.Audit(ctx, kindred.AuditFilter{Subject: "customer", SubjectID: cust.ID, Page: kindred.Page{Limit: 51}})
			return err
		},
	}
	for _, read := range reads {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	db.traceQuery = nil
	if n := searchedByIndex(t, db, caught); n < len(reads) {
		t.Fatalf("checked the plans of %d statements for %d reads: the trace misses some", n, len(reads))
	}
}

// searchedByIndex asks SQLite for the plan of each caught statement and
// fails the test for each one that reads a whole table growing with the
// desk, or sorts a page's matches before its LIMIT. It returns how many it
// checked.
func searchedByIndex(t *testing.T, db *DB, caught []caughtQuery) int {
	t.Helper()
	checked := 0
	for _, q := range caught {
		// An INSERT's plan lists the child tables SQLite would search to
		// settle deferred foreign-key violations; it searches them only
		// while such violations are outstanding, which kindred never
		// leaves. Its own reads are in the other statements.
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q.query)), "INSERT") {
			continue
		}
		checked++
		plan, err := db.plan(context.Background(), q.query, q.args)
		if err != nil {
			t.Fatalf("plan of %s: %v\n%s", q.caller, err, q.query)
		}
		for _, step := range strings.Split(plan, "\n") {
			// A page of a list (LIMIT … OFFSET) is read off an index in
			// its order: sorting first reads every row that matches (each
			// message the outbox ever sent) to keep fifty, a search or not.
			if strings.HasPrefix(step, "USE TEMP B-TREE FOR ORDER BY") && strings.Contains(q.query, " OFFSET ") {
				t.Errorf("%s sorts every row it matches to keep one page:\n%s\n%s", q.caller, strings.TrimSpace(q.query), plan)
			}
			f := strings.Fields(step)
			if len(f) < 2 || f[0] != "SCAN" || slices.Contains(smallTables, f[1]) {
				continue
			}
			// Walking an index in its order and stopping at the LIMIT is
			// how a newest-first page is read (the inbox's keyset paging).
			if strings.Contains(step, " USING ") && strings.Contains(strings.ToUpper(q.query), " LIMIT ") {
				continue
			}
			if exists, _ := db.tableExists(f[1]); exists {
				t.Errorf("%s reads the whole of %s:\n%s\n%s", q.caller, f[1], strings.TrimSpace(q.query), plan)
			}
		}
	}
	return checked
}

// planDB opens a new SQLite desk for a plan test, closed when it ends.
func planDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tableExists reports whether name is a table of the database (not a
// subquery's or a view's name in a plan).
func (db *DB) tableExists(name string) (bool, error) {
	var n int
	err := db.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name).Scan(&n)
	return n > 0, err
}

// TestInsightWeeksFindTheirRowsByIndex holds the weekly compassion
// queries, on a desk east of UTC (whose weeks are put right from the
// replies of the hours between its midnight and UTC's), to reading the
// replies by index: the dashboard's and an agent's coaching view, over
// whole weeks and cut ones.
func TestInsightWeeksFindTheirRowsByIndex(t *testing.T) {
	ctx := ctxAs(0, "test")
	db := planDB(t)
	loc, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	db.SetLocation(loc)
	amina := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", Phone: "+254712345678"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, loc)
	for _, at := range []time.Time{monday.Add(90 * time.Minute), monday.AddDate(0, 0, 8)} {
		reply(t, db, conv.ID, amina, at, 70)
	}
	var caught []caughtQuery
	db.traceQuery = func(query string, args []any) {
		if c := storeCaller(); strings.Contains(c, "compassionWeeks") {
			caught = append(caught, caughtQuery{caller: c, query: query, args: slices.Clone(args)})
		}
	}
	for _, p := range []kindred.Period{
		{From: monday, To: monday.AddDate(0, 0, 14)},
		{From: monday.Add(time.Hour), To: monday.AddDate(0, 0, 20)},
	} {
		if _, err := db.Dashboard(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Coaching(ctx, amina.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	db.traceQuery = nil
	if n := searchedByIndex(t, db, caught); n != 6 {
		t.Fatalf("checked the plans of %d statements, want 6 (three a period)", n)
	}
}
