package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

// TestLongHistoryIsShownAPageAtATime: the conversation page shows the newest
// messages, and "Show earlier messages" walks back to the first, each
// message on exactly one page.
func TestLongHistoryIsShownAPageAtATime(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{AgentID: d.seed.agent.ID, Name: d.seed.agent.Name})
	conv := &kindred.Conversation{CustomerID: d.seed.customer.ID, Channel: kindred.ChannelChat, Subject: "A long story"}
	if err := d.db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	const total = 2*historyPage + 37
	for i := range total {
		m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: fmt.Sprintf("Installment %03d of my story.", i)}
		if err := d.db.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	b := d.browser()
	b.signIn("admin@example.org")
	installment := regexp.MustCompile(`Installment (\d{3}) of my story`)
	earlier := regexp.MustCompile(`<p id="history-earlier"><a href="([^"]+)">`)

	seen := map[string]int{}
	var pages []int // messages per page, newest page first
	next := fmt.Sprintf("/conversations/%d", conv.ID)
	for next != "" {
		if len(pages) > 5 {
			t.Fatal("more than 5 pages: the earlier link goes round")
		}
		r := b.get(next)
		wantStatus(t, r, http.StatusOK)
		n := 0
		for _, m := range installment.FindAllStringSubmatch(r.body, -1) {
			seen[m[1]]++
			n++
		}
		pages = append(pages, n)
		if len(pages) > 1 && !strings.Contains(r.body, `id="history-newest"`) {
			t.Errorf("page %d of earlier messages has no way back to the newest", len(pages))
		}
		next = ""
		if m := earlier.FindStringSubmatch(r.body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	if want := []int{historyPage, historyPage, 37}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("messages per page %v, want %v", pages, want)
	}
	for i := range total {
		if k := fmt.Sprintf("%03d", i); seen[k] != 1 {
			t.Errorf("installment %s shown %d times, want once", k, seen[k])
		}
	}
	if r := b.get(fmt.Sprintf("/conversations/%d", conv.ID)); !strings.Contains(r.body, fmt.Sprintf("Installment %03d", total-1)) {
		t.Error("the first page lacks the newest message")
	}
	for _, bad := range []string{"x", "-3", "0"} {
		if r := b.get(fmt.Sprintf("/conversations/%d?before=%s", conv.ID, bad)); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("before=%s: status %d, want 400 or 422", bad, r.StatusCode)
		}
	}
}
