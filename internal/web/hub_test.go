package web

import (
	"testing"

	"github.com/kindred-desk/kindred"
)

// drain returns the events waiting on s.
func drain(s *subscription) []event {
	var out []event
	for {
		select {
		case e := <-s.events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestHubFollowingTheDatabaseIgnoresLocalNews(t *testing.T) {
	h := NewHub()
	s, _ := h.subscribe(1, 1)
	defer h.unsubscribe(s)
	m := kindred.Message{ID: 7, ConversationID: 3, Body: "hello"}

	h.Publish(m)
	h.InboxChanged(4)
	if got := drain(s); len(got) != 3 || got[0].kind != "message" || got[0].message.ID != 7 || got[1].kind != "inbox" || got[2].conversationID != 4 {
		t.Fatalf("a hub of its own: %+v", got)
	}

	// Following the database, the same news comes back through it: told
	// directly too, the consoles would hear it twice.
	h.Follow()
	h.Publish(m)
	h.InboxChanged(4)
	if got := drain(s); len(got) != 0 {
		t.Fatalf("a following hub passed on local news: %+v", got)
	}
	h.MessageAdded(m)
	h.ConversationChanged(0)
	if got := drain(s); len(got) != 3 || got[0].kind != "message" || got[0].message.Body != "hello" || got[1].kind != "inbox" || got[2].conversationID != 0 {
		t.Fatalf("news from the database: %+v", got)
	}
}
