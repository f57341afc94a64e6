package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// TestAxeOutboxPage walks the outbox as an administrator uses it on the
// morning the SMS gateway was down: the reply that was not sent, a heads-up
// waiting for its next try and a survey sent; then every given-up message
// sent again at one click, the page saying so. axe-core finds no WCAG 2.2
// AA violation on either screen, in English and Kiswahili, at normal size
// and large text.
func TestAxeOutboxPage(t *testing.T) {
	requireBrowser(t)
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, _ *api.Config) { c.Outbox = db })
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx) // its reply on an SMS conversation is in the outbox
	cust := d.customer.ID
	for _, m := range []*kindred.OutboundMessage{
		{Channel: kindred.ChannelEmail, To: "wanjiku@example.org", Subject: "Your letters", Body: "They go to Nakuru from Friday.", Purpose: "heads_up"},
		{Channel: kindred.ChannelSMS, To: d.customer.Phone, Body: "How did we do?", Purpose: "survey", CustomerID: &cust},
	} {
		if err := d.db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	claimed, err := d.db.Claim(ctx, now.Add(time.Second), time.Minute, 10)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	for _, m := range claimed {
		switch m.Purpose {
		case "heads_up":
			err = d.db.MarkFailed(ctx, m.ID, "dial tcp 10.0.0.5:587: connection refused", now.Add(time.Hour), false)
		case "survey":
			err = d.db.MarkSent(ctx, m.ID, "ATXid_7", now)
		default:
			err = d.db.MarkFailed(ctx, m.ID, "not sent: no SMS gateway is set up", now, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// giveUp fails what is due (what the last run sent again) for good, as
	// the worker does with no gateway.
	giveUp := func(t *testing.T) {
		due, err := d.db.Claim(ctx, time.Now().Add(time.Second), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range due {
			if err := d.db.MarkFailed(ctx, m.ID, "not sent: no SMS gateway is set up", time.Now(), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	inEveryMode(t, d.url, d.admin, func(t *testing.T, tb *tab, mode string, large bool) {
		giveUp(t)
		tb.open("/outbox", http.StatusOK)
		tb.assertMode(large)
		tb.mustExist("table#outbox-dead tbody tr")
		tb.mustExist("table#outbox-pending tbody tr")
		tb.mustExist("table#outbox-sent tbody tr")
		checkAxe(tb, "outbox ("+mode+")")

		tb.submit("button#retry-dead-button", http.StatusOK)
		tb.mustExist("p#requeued")
		tb.assertMode(large)
		checkAxe(tb, "outbox, sent again ("+mode+")")
		if dead, err := d.db.Outbox(ctx, kindred.OutboxFilter{Status: kindred.OutboxDead}); err != nil || len(dead) != 0 {
			t.Fatalf("still given up after sending all again: %d %v", len(dead), err)
		}
	})
}
