package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/kindred-desk/kindred"
)

// TestSendThenNextOpensTheNextPersonWaiting: an agent working through the
// morning's messages sends a reply and lands on the next person the inbox
// puts first among those waiting on us, never one a colleague has taken;
// after the last, the inbox says nobody else waits.
func TestSendThenNextOpensTheNextPersonWaiting(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	// A colleague's conversation, waiting too: not offered.
	other := &kindred.Customer{Name: "Otieno Ouma", Email: "otieno@example.org"}
	if err := d.db.CreateCustomer(ctx, other); err != nil {
		t.Fatal(err)
	}
	taken := &kindred.Conversation{CustomerID: other.ID, Channel: kindred.ChannelEmail, Subject: "Taken", AssigneeID: &d.seed.admin.ID}
	if err := d.db.CreateConversation(ctx, taken); err != nil {
		t.Fatal(err)
	}
	if err := d.db.AddMessage(ctx, &kindred.Message{ConversationID: taken.ID, Direction: kindred.Inbound, Body: "Any news on my refund?"}); err != nil {
		t.Fatal(err)
	}
	conv, quiet := strconv.FormatInt(d.seed.conv.ID, 10), strconv.FormatInt(d.seed.quiet.ID, 10)

	agent := d.browser()
	agent.signIn("amina@example.org")
	// At the desk a reply is recorded, not sent, and the button says so.
	wantContains(t, agent.get("/conversations/"+conv), `<button id="send-next" type="submit" name="then" value="next">Record, then open the next person waiting</button>`)
	takenPage := "/conversations/" + strconv.FormatInt(taken.ID, 10)
	wantContains(t, agent.get(takenPage), `<button id="send-next" type="submit" name="then" value="next">Send, then open the next person waiting</button>`)
	// Baba Otieno needs the most care and comes first; after him, the calm one.
	r := agent.post("/conversations/"+conv+"/reply", url.Values{"body": {"I am so sorry, Baba Otieno. I have checked: your pension is paid today."}, "then": {"next"}})
	wantStatus(t, r, http.StatusSeeOther)
	if got, want := r.Header.Get("Location"), "/conversations/"+quiet+"?sent="+conv; got != want {
		t.Fatalf("after sending: %s, want %s", got, want)
	}
	wantContains(t, agent.get(r.Header.Get("Location")), `id="sent-next"`, `<a id="sent-back" href="/conversations/`+conv+`">`)
	got, err := d.db.Conversation(ctx, d.seed.conv.ID, true)
	if err != nil || got.Status != kindred.StatusWaitingOnCustomer || got.Messages[len(got.Messages)-1].Direction != kindred.Outbound {
		t.Fatalf("the reply was not kept: %+v %v", got, err)
	}
	r = agent.post("/conversations/"+quiet+"/reply", url.Values{"body": {"Thank you, I have changed your address today."}, "then": {"next"}})
	wantStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != "/inbox?answered=1" {
		t.Fatalf("after the last: %s", got)
	}
	wantContains(t, agent.get("/inbox?answered=1"), "Nobody else is waiting for an answer from you.")
	// A plain send stays on the conversation.
	r = agent.post("/conversations/"+quiet+"/reply", url.Values{"body": {"PS: the letters go to Nakuru from Friday."}})
	if got := r.Header.Get("Location"); got != "/conversations/"+quiet {
		t.Fatalf("a plain send went to %s", got)
	}
	wantContains(t, agent.get(takenPage+"?lang=sw"), "Tuma, kisha fungua anayefuata anayesubiri")
}
