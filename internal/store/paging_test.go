package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"ConversationPagesReachEveryMatchOnce", testConversationPages},
		suiteTest{"MessagesPageBackThroughAHistory", testMessagePages},
		suiteTest{"ForMessageReadsWhatTheSeparateReadsRead", testForMessage},
		suiteTest{"PostMessageHandsPrepareWhatForMessageReads", testPostMessage},
	)
}

// testConversationPages: paging by ConversationFilter.After, with the
// filters applied in SQL, returns every matching conversation once, most
// recently updated first, including those updated in the same millisecond.
func testConversationPages(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	var open, urgent []int64
	for i := range 23 {
		c := kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat, Priority: kindred.PriorityNormal}
		if i%3 == 0 {
			c.Priority = kindred.PriorityUrgent
		}
		conv := mustConversation(t, db, c)
		if i%4 == 1 {
			if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: ptr(kindred.StatusResolved)}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		open = append(open, conv.ID)
		if c.Priority == kindred.PriorityUrgent {
			urgent = append(urgent, conv.ID)
		}
	}
	// Several conversations updated in one millisecond: the id breaks the tie.
	db.now = func() time.Time { return time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) }
	for range 5 {
		conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
		open = append(open, conv.ID)
	}

	tests := []struct {
		name string
		f    kindred.ConversationFilter
		want []int64 // in any order; the pages must give each once
	}{
		{"open", kindred.ConversationFilter{Open: true}, open},
		{"open and urgent", kindred.ConversationFilter{Open: true, Priority: kindred.PriorityUrgent}, urgent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Limit = 4
			seen := map[int64]int{}
			var prev *kindred.Conversation
			for page := 0; ; page++ {
				if page > 20 {
					t.Fatal("more than 20 pages")
				}
				got, err := db.Conversations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for i := range got {
					c := &got[i]
					seen[c.ID]++
					if c.Status == kindred.StatusResolved || (f.Priority != "" && c.Priority != f.Priority) {
						t.Errorf("conversation %d (%s, %s) does not match", c.ID, c.Status, c.Priority)
					}
					if prev != nil && (c.UpdatedAt.After(prev.UpdatedAt) || (c.UpdatedAt.Equal(prev.UpdatedAt) && c.ID > prev.ID)) {
						t.Errorf("conversation %d comes after %d out of order", c.ID, prev.ID)
					}
					prev = c
				}
				if len(got) < f.Limit {
					break
				}
				f.After = &kindred.ConversationKey{UpdatedAt: prev.UpdatedAt, ID: prev.ID}
			}
			for _, id := range tt.want {
				if seen[id] != 1 {
					t.Errorf("conversation %d seen %d times, want once", id, seen[id])
				}
			}
			if len(seen) != len(tt.want) {
				t.Errorf("%d conversations seen, want %d", len(seen), len(tt.want))
			}
		})
	}
}

func testMessagePages(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
	var ids []int64
	for i := range 11 {
		m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: fmt.Sprint("message ", i)}
		if err := db.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	var got [][]int64
	for before := int64(0); ; {
		page, err := db.Messages(ctx, conv.ID, before, 4)
		if err != nil {
			t.Fatal(err)
		}
		var p []int64
		for _, m := range page {
			p = append(p, m.ID)
		}
		got = append(got, p)
		if len(page) < 4 {
			break
		}
		before = page[0].ID
	}
	want := [][]int64{ids[7:], ids[3:7], ids[:3]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages %v, want %v (each oldest first)", got, want)
	}
	if _, err := db.Messages(ctx, 9999, 0, 4); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("messages of a missing conversation: %v, want NotFound", err)
	}
}

func testForMessage(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno",
		Accommodations: []kindred.Accommodation{kindred.ExtraTime}})
	quiet := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
	busy := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Tags: []string{"pension", "arrears", "Zakat"}})
	for _, m := range []kindred.Message{
		{Direction: kindred.Inbound, Body: "first words"},
		// Read through the outer join on PostgreSQL: every column set.
		{Direction: kindred.Inbound, Body: "last words", Analysis: &kindred.Analysis{Sentiment: -0.4, Distress: ptr(0.7), Report: json.RawMessage(`{"tone":"worried"}`)}},
		{Direction: kindred.Outbound, Body: "our reply"},
	} {
		m.ConversationID = busy.ID
		if err := db.AddMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{quiet.ID, busy.ID} {
		conv, c, last, err := db.ForMessage(ctx, id, kindred.Outbound)
		if err != nil {
			t.Fatal(err)
		}
		_, _, none, err := db.ForMessage(ctx, id, kindred.Inbound)
		if err != nil || none != nil {
			t.Errorf("conversation %d: ForMessage for an inbound message read a latest message %+v, %v; want none", id, none, err)
		}
		wantConv, err := db.Conversation(ctx, id, false)
		if err != nil {
			t.Fatal(err)
		}
		// How a reply reaches the customer is read by the write, not here.
		wantConv.Chat, wantConv.WhatsAppWindowOpen = nil, false
		wantCust, err := db.Customer(ctx, wantConv.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		wantLast, err := db.LatestInbound(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(conv, wantConv) || !reflect.DeepEqual(c, wantCust) || !reflect.DeepEqual(last, wantLast) {
			t.Errorf("conversation %d: ForMessage read\n%+v\n%+v\n%+v\nwant\n%+v\n%+v\n%+v", id, conv, c, last, wantConv, wantCust, wantLast)
		}
	}
	if _, _, _, err := db.ForMessage(ctx, 9999, kindred.Outbound); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("a missing conversation: %v, want NotFound", err)
	}
}

// testPostMessage: PostMessage calls prepare once, before the write, with
// the customer and (for a reply) the latest customer message that ForMessage
// reads, and stores what prepare completed; an error from prepare comes back
// as it is and stores nothing.
func testPostMessage(t *testing.T, s suite) {
	db, _ := s.open(t)
	agent := mustAgent(t, db, "Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	ctx := ctxAs(agent.ID, agent.Name)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno", Phone: "+254700111222"})
	quiet := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelChat})
	busy := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Tags: []string{"pension"}})
	if err := db.AddMessage(ctx, &kindred.Message{ConversationID: busy.ID, Direction: kindred.Inbound, Body: "Where is my card?",
		Analysis: &kindred.Analysis{Sentiment: -0.3, Distress: ptr(0.6), Report: json.RawMessage(`{"tone":"worried"}`)}}); err != nil {
		t.Fatal(err)
	}
	for _, conv := range []*kindred.Conversation{quiet, busy} {
		for _, dir := range []kindred.Direction{kindred.Outbound, kindred.Inbound, kindred.InternalNote, kindred.Outbound} {
			wantConv, wantCust, wantLast, err := db.ForMessage(ctx, conv.ID, dir)
			if err != nil {
				t.Fatal(err)
			}
			m := &kindred.Message{ConversationID: conv.ID, Direction: dir, Body: "Words " + string(dir)}
			if dir != kindred.Inbound {
				m.AuthorID = &agent.ID
			}
			calls := 0
			err = db.PostMessage(ctx, m, func(c *kindred.Conversation, cu *kindred.Customer, latest *kindred.Message) error {
				calls++
				if c.ID != wantConv.ID || c.CustomerID != wantConv.CustomerID || c.Channel != wantConv.Channel || c.Status != wantConv.Status {
					t.Errorf("%s on %d: prepare's conversation %+v, want %+v", dir, conv.ID, c, wantConv)
				}
				if !reflect.DeepEqual(cu, wantCust) || !reflect.DeepEqual(latest, wantLast) {
					t.Errorf("%s on %d: prepare was handed\n%+v\n%+v\nwant\n%+v\n%+v", dir, conv.ID, cu, latest, wantCust, wantLast)
				}
				m.AuthorName = "by prepare"
				m.Analysis = &kindred.Analysis{Compassion: ptr(81.5), Sentiment: 0.25, Report: json.RawMessage(`{"from":"prepare"}`)}
				return nil
			})
			if err != nil || calls != 1 {
				t.Fatalf("%s on %d: PostMessage: %v, prepare called %d times", dir, conv.ID, err, calls)
			}
			got, err := db.Messages(ctx, conv.ID, 0, 1)
			if err != nil || len(got) != 1 || got[0].ID != m.ID {
				t.Fatalf("%s on %d: the newest message is %+v (%v), want %d", dir, conv.ID, got, err, m.ID)
			}
			if a := got[0].Analysis; got[0].AuthorName != "by prepare" || a == nil || a.Compassion == nil || *a.Compassion != 81.5 || string(a.Report) != `{"from":"prepare"}` {
				t.Errorf("%s on %d: stored %+v, analysis %+v; want what prepare set", dir, conv.ID, got[0], a)
			}
		}
	}

	// An error from prepare is the caller's: it comes back as it is, and the
	// message, its effect on the conversation and its outbox row are not kept.
	before, err := db.Conversation(ctx, busy.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	outbox := count(t, db, "SELECT count(*) FROM outbox")
	refused := errors.New("refused by prepare")
	err = db.PostMessage(ctx, &kindred.Message{ConversationID: busy.ID, Direction: kindred.Outbound, Body: "Never sent", AuthorID: &agent.ID},
		func(*kindred.Conversation, *kindred.Customer, *kindred.Message) error { return refused })
	if err != refused {
		t.Errorf("prepare's error came back as %v, want it as it is", err)
	}
	after, err := db.Conversation(ctx, busy.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Messages) != len(before.Messages) || after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) || count(t, db, "SELECT count(*) FROM outbox") != outbox {
		t.Errorf("a refused post changed the conversation: %d messages, %s, %v; want %d, %s, %v and the outbox as it was",
			len(after.Messages), after.Status, after.UpdatedAt, len(before.Messages), before.Status, before.UpdatedAt)
	}
	err = db.PostMessage(ctx, &kindred.Message{ConversationID: 9999, Direction: kindred.Inbound, Body: "Hello"},
		func(*kindred.Conversation, *kindred.Customer, *kindred.Message) error {
			t.Error("prepare called for a conversation that does not exist")
			return nil
		})
	if kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("a missing conversation: %v, want NotFound", err)
	}
}
