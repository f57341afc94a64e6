package web

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

var update = flag.Bool("update", false, "rewrite the golden files (testdata/inbox.golden, ../../docs/routes.md) from the current code")

// inboxDesk is the seeded desk with more people and conversations: one
// person with several conversations, a helper writing, a conversation with
// no message, one we started, a note after the customer's words, a resolved
// one and two messages written in the same millisecond. The store's clock
// moves a minute per reading while the desk is filled, then stops; the
// console reads the same clock, so every wait on the page is known.
func inboxDesk(t *testing.T, tweak ...func(*Config)) *testDesk {
	t.Helper()
	var at, step atomic.Int64
	at.Store(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).UnixNano())
	step.Store(int64(time.Minute))
	tweak = append(tweak, func(c *Config) { c.Now = func() time.Time { return time.Unix(0, at.Load()).UTC() } })
	d := newEmptyDesk(t, tweak...)
	d.db.SetClock(func() time.Time { return time.Unix(0, at.Add(step.Load())).UTC() })
	d.seed = seedDesk(t, d.db)
	db, s := d.db, d.seed
	ctx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: s.agent.ID, Name: s.agent.Name})

	customer := func(c kindred.Customer) *kindred.Customer {
		if err := db.CreateCustomer(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	conversation := func(c kindred.Conversation) *kindred.Conversation {
		if err := db.CreateConversation(ctx, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	say := func(conv *kindred.Conversation, cust *kindred.Customer, m kindred.Message) {
		t.Helper()
		m.ConversationID = conv.ID
		var inReplyTo *kindred.Message
		if m.Direction == kindred.Inbound {
			if m.AuthorName == "" {
				m.AuthorName = cust.AddressAs()
			}
		} else {
			m.AuthorID, m.AuthorName = &s.agent.ID, s.agent.Name
			inReplyTo, _ = db.LatestInbound(ctx, conv.ID, 0)
		}
		m.Analysis = compassion.DeskAnalyzer{}.Analyze(&m, inReplyTo, cust)
		if err := db.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	in := func(body string) kindred.Message { return kindred.Message{Direction: kindred.Inbound, Body: body} }

	wanjiku := customer(kindred.Customer{Name: "Wanjiku Kamau", Accommodations: []kindred.Accommodation{kindred.LargeText}})
	card := conversation(kindred.Conversation{CustomerID: wanjiku.ID, Channel: kindred.ChannelChat, Subject: "Card not delivered",
		Priority: kindred.PriorityHigh})
	say(card, wanjiku, in("I have asked three times where my card is. This is so frustrating and nobody answers me."))
	say(card, wanjiku, kindred.Message{Direction: kindred.InternalNote, Body: "The courier says Tuesday."})
	statement := conversation(kindred.Conversation{CustomerID: wanjiku.ID, Channel: kindred.ChannelEmail, Subject: "Statement request"})
	say(statement, wanjiku, in("Could you send me my statement for February, please?"))
	say(statement, wanjiku, kindred.Message{Direction: kindred.Outbound, Body: "Here it is, attached. Anything else?"})

	writer := &kindred.Helper{CustomerID: s.customer.ID, Name: "Achieng Otieno", Relation: "daughter",
		Scopes: []kindred.HelperScope{kindred.ScopeActOnConversations}, Consent: "on the phone, recorded"}
	if err := db.AddHelper(ctx, writer); err != nil {
		t.Fatal(err)
	}
	letter := conversation(kindred.Conversation{CustomerID: s.customer.ID, Channel: kindred.ChannelPhone, Subject: "Pension letter"})
	say(letter, s.customer, kindred.Message{Direction: kindred.Inbound, HelperID: &writer.ID, AuthorName: writer.Name,
		Body: "I am writing for my father. He is unwell and the letter confused him."})

	kioko := customer(kindred.Customer{Name: "Kioko Mutua", PreferredName: "Kioko"})
	conversation(kindred.Conversation{CustomerID: kioko.ID, Channel: kindred.ChannelDesk, Priority: kindred.PriorityLow})
	loan := conversation(kindred.Conversation{CustomerID: kioko.ID, Channel: kindred.ChannelSMS, Subject: "Loan news"})
	say(loan, kioko, kindred.Message{Direction: kindred.Outbound, Body: "We have news about your loan: please call us."})

	neema := customer(kindred.Customer{Name: "Neema Atieno", Accommodations: []kindred.Accommodation{kindred.ExtraTime}})
	thanks := conversation(kindred.Conversation{CustomerID: neema.ID, Channel: kindred.ChannelChat, Subject: "Thank you"})
	say(thanks, neema, in("Thank you, it all works now."))
	if _, err := db.UpdateConversation(ctx, thanks.ID, kindred.ConversationUpdate{Status: ptr(kindred.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	job := conversation(kindred.Conversation{CustomerID: neema.ID, Channel: kindred.ChannelChat, Subject: "Payment plan",
		Priority: kindred.PriorityUrgent})
	step.Store(0) // from here the clock stands still
	// The same millisecond: the later message is the newer.
	say(job, neema, in("Is anyone there?"))
	say(job, neema, in("I lost my job last week and I cannot pay this month. I am scared."))
	at.Add(int64(90 * time.Minute)) // the desk opens the inbox an hour and a half later
	return d
}

// inboxBody is the rows of the inbox table, without the page around them.
func inboxBody(t *testing.T, r response) string {
	t.Helper()
	wantStatus(t, r, 200)
	start, end := strings.Index(r.body, "<tbody>"), strings.Index(r.body, "</tbody>")
	if start < 0 || end < start {
		t.Fatalf("%s: no inbox rows\n%s", r.Request.URL, r.body)
	}
	return r.body[start : end+len("</tbody>")]
}

// inboxPages are the inbox views the golden file holds.
var inboxPages = []string{"/inbox", "/inbox?resolved=1", "/inbox?priority=urgent&waiting=1"}

func TestInboxShowsEachConversationWithItsPersonAndLastWords(t *testing.T) {
	d := inboxDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	var got strings.Builder
	for _, p := range inboxPages {
		got.WriteString("== " + p + " ==\n" + inboxBody(t, b.get(p)) + "\n")
	}
	const golden = "testdata/inbox.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestInbox -update to write it)", err)
	}
	if got.String() != string(want) {
		t.Errorf("the inbox rows differ from %s (go test -update rewrites it, if the change is meant):\n%s", golden, got.String())
	}
	// The cases the golden file must hold, should it be rewritten.
	for _, want := range []string{
		"Conversation with Kioko",   // no message at all, no subject
		"Loan news",                 // only our message
		"helper writing",            // a helper wrote the last words
		"I lost my job last week",   // of two messages in one millisecond, the later
		"Could you send me my stat", // the customer's words, not our reply
		"I have asked three times",  // the customer's words, not the note after them
		"Thank you, it all works",   // resolved, shown when asked
	} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("the inbox lacks %q", want)
		}
	}
}

// storeCalls counts the reads the inbox makes of the customer and
// conversation services.
type storeCalls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *storeCalls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name]++
}

func (c *storeCalls) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

type countedCustomers struct {
	kindred.CustomerService
	calls *storeCalls
}

func (s countedCustomers) Customer(ctx context.Context, id int64) (*kindred.Customer, error) {
	s.calls.add("Customer")
	return s.CustomerService.Customer(ctx, id)
}

func (s countedCustomers) CustomersByID(ctx context.Context, ids []int64) (map[int64]*kindred.Customer, error) {
	s.calls.add("CustomersByID")
	return s.CustomerService.CustomersByID(ctx, ids)
}

type countedConversations struct {
	kindred.ConversationService
	calls *storeCalls
}

func (s countedConversations) Conversations(ctx context.Context, f kindred.ConversationFilter) ([]kindred.Conversation, error) {
	s.calls.add("Conversations")
	return s.ConversationService.Conversations(ctx, f)
}

func (s countedConversations) LatestInbound(ctx context.Context, id, beforeID int64) (*kindred.Message, error) {
	s.calls.add("LatestInbound")
	return s.ConversationService.LatestInbound(ctx, id, beforeID)
}

func (s countedConversations) LatestInbounds(ctx context.Context, ids []int64) (map[int64]*kindred.Message, error) {
	s.calls.add("LatestInbounds")
	return s.ConversationService.LatestInbounds(ctx, ids)
}

func TestInboxReadsPeopleAndLastWordsInOneCallEach(t *testing.T) {
	calls := &storeCalls{n: map[string]int{}}
	d := inboxDesk(t, func(c *Config) {
		c.Customers = countedCustomers{c.Customers, calls}
		c.Conversations = countedConversations{c.Conversations, calls}
	})
	b := d.browser()
	b.signIn("admin@example.org")
	for _, p := range inboxPages {
		calls.reset()
		inboxBody(t, b.get(p))
		got := calls.reset()
		want := map[string]int{"Conversations": 1, "CustomersByID": 1, "LatestInbounds": 1}
		if len(got) != len(want) || got["Conversations"] != 1 || got["CustomersByID"] != 1 || got["LatestInbounds"] != 1 {
			t.Errorf("%s: store calls %v, want %v", p, got, want)
		}
	}
}

// TestInboxShowsEveryOpenConversationHoweverManyAreResolved: the inbox once
// read the 500 most recently updated conversations and then dropped the
// resolved ones, so an open conversation behind 500 resolved ones never
// showed. Now the store filters and the inbox pages: following "Older
// conversations" reaches every open one, each once.
func TestInboxShowsEveryOpenConversationHoweverManyAreResolved(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: d.seed.agent.ID, Name: d.seed.agent.Name})
	create := func(subject string) *kindred.Conversation {
		c := &kindred.Conversation{CustomerID: d.seed.customer.ID, Channel: kindred.ChannelChat, Subject: subject}
		if err := d.db.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	// The open ones first, so that the resolved ones are all more recent.
	const open, resolved = 130, 520
	for i := range open {
		create(fmt.Sprintf("Open matter %03d", i))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range resolved {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c := create(fmt.Sprintf("Closed matter %03d", i))
			if _, err := d.db.UpdateConversation(ctx, c.ID, kindred.ConversationUpdate{Status: ptr(kindred.StatusResolved)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	b := d.browser()
	b.signIn("admin@example.org")
	seen := map[string]int{}
	pages := 0
	for next := "/inbox"; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages: the next link goes round")
		}
		r := b.get(next)
		body := inboxBody(t, r)
		for _, m := range regexp.MustCompile(`(Open|Closed) matter \d{3}`).FindAllString(body, -1) {
			seen[m]++
		}
		next = ""
		if m := regexp.MustCompile(`<p id="inbox-next"><a href="([^"]+)">`).FindStringSubmatch(r.body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	for i := range open {
		if s := fmt.Sprintf("Open matter %03d", i); seen[s] != 1 {
			t.Errorf("%s shown %d times, want once", s, seen[s])
		}
	}
	for s := range seen {
		if strings.HasPrefix(s, "Closed") {
			t.Errorf("resolved %s shown without asking", s)
		}
	}
	if pages < 2 {
		t.Errorf("%d pages for %d open conversations", pages, open)
	}
}

func TestInboxRefusesADamagedPageLink(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	for _, after := range []string{"x", "12", "12.x", "x.12", "12.-1"} {
		r := b.get("/inbox?after=" + after)
		if r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("after=%s: status %d, want 400 or 422", after, r.StatusCode)
		}
	}
}

// FuzzParseInboxKey: any page link parses to a key or to an Invalid error
// naming "after", and a key written back reads the same.
func FuzzParseInboxKey(f *testing.F) {
	for _, s := range []string{"1741000000000.12", "0.1", "-5.3", "x", "", ".", "1.2.3", "99999999999999999999.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parseInboxKey(s)
		if err != nil {
			var e *kindred.Error
			if !errors.As(err, &e) || e.Kind != kindred.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "after" {
				t.Fatalf("%q: %v, want an Invalid error naming after", s, err)
			}
			return
		}
		if key.ID <= 0 {
			t.Fatalf("%q: id %d", s, key.ID)
		}
		again, err := parseInboxKey(formatInboxKey(key.UpdatedAt, key.ID))
		if err != nil || !again.UpdatedAt.Equal(key.UpdatedAt) || again.ID != key.ID {
			t.Fatalf("%q: %+v written back reads %+v, %v", s, key, again, err)
		}
	})
}
