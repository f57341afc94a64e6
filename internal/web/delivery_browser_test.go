package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/outbox"
	"github.com/kindred-desk/kindred/internal/sms"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// smsRoundTrip wires a desk to a real SMS gateway simulator, as kindred
// serve --sms-url wires it to a gateway: the outbox worker sends through it,
// and the simulator posts each message's delivery report back to the desk's
// callback, whose news reaches the consoles through the hub.
func smsRoundTrip(t *testing.T, sim *sms.Simulator) feature {
	return func(db *store.DB, base string, console *web.Config, _ *api.Config) {
		gw := httptest.NewServer(sim)
		t.Cleanup(gw.Close)
		sim.ReportURL, sim.ReportDelay = base+"/api/v1/sms/delivery", 300*time.Millisecond
		sim.OnReportError = func(err error) { t.Errorf("the desk refused a delivery report: %v", err) }
		console.Hub = web.NewHub()
		hub := console.Hub
		db.OnDelivery(func(_, messageID int64) {
			if m, err := db.Message(context.Background(), messageID); err == nil {
				hub.DeliveryChanged(*m)
			}
		})
		w := outbox.New(outbox.Config{Store: db, Poll: 100 * time.Millisecond,
			Senders: map[kindred.Channel]outbox.Sender{kindred.ChannelSMS: &sms.Gateway{URL: gw.URL, Username: "sandbox", APIKey: "sim"}}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
}

// An agent answers Baba Otieno's text in the console: the reply leaves by
// SMS through the gateway, and "delivered" appears beside it when the
// gateway reports it, without a reload.
func TestBrowserSMSReplyShowsDeliveredWithoutReload(t *testing.T) {
	requireBrowser(t)
	sim := &sms.Simulator{}
	d := emptyDesk(t, smsRoundTrip(t, sim))
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx)

	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	tb.open(d.conversationPath(), http.StatusOK)
	if label := tb.text("button#send"); label != "Send reply by SMS to "+d.customer.Phone {
		t.Errorf("the send button says %q: it should say where the reply goes", label)
	}
	const reply = "Baba Otieno, I have posted your card today; it reaches you by Friday."
	tb.do("write the reply", chromedp.SendKeys(chromedp.CSS("textarea#reply"), reply))
	// The gateway holds its reports until the page listens, so that the
	// test sees the change arrive rather than a page that loads with it.
	sim.PauseReports(true)
	tb.streamAfter(d.conversation.ID, func() { tb.submit("button#send", http.StatusOK) })
	// A mark on this page: a reload would wipe it.
	eval[bool](tb, `(window.kindredNoReload = true)`)
	sim.PauseReports(false)
	status := waitFor[string](tb, "the reply's delivery status to read delivered",
		`(() => { const p = [...document.querySelectorAll("ol#history p.delivery")].pop();
			return p && p.dataset.status === "delivered" ? p.textContent.trim() : ""; })()`)
	if !eval[bool](tb, `window.kindredNoReload === true`) {
		t.Fatal("the page was reloaded: the status should change in place")
	}
	if want := regexp.MustCompile(`^Delivered to \+254712345678$`); !want.MatchString(status) {
		t.Errorf("the status reads %q", status)
	}
	// The seeded earlier reply went first; this one last.
	got := sim.Deliveries()
	if len(got) != 2 || got[1].To != d.customer.Phone || got[1].Message != reply {
		t.Fatalf("the gateway took %+v, want the reply to %s", got, d.customer.Phone)
	}
	conv, err := d.db.Conversation(ctx, d.conversation.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	last := conv.Messages[len(conv.Messages)-1]
	if last.DeliveryStatus != kindred.DeliveryDelivered || last.Channel != kindred.ChannelSMS {
		t.Errorf("stored reply: %s by %s", last.DeliveryStatus, last.Channel)
	}
	checkAxe(tb, fmt.Sprintf("conversation with a delivered reply (%d)", conv.ID))
	tb.screenshot("conversation-sms-delivered")
	tb.noPageErrors()
}
