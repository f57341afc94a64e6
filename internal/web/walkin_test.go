package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestAnAgentRegistersAWalkInAndStartsAConversation(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	wantContains(t, b.get("/customers?q=Wairimu"), `<a id="add-customer" href="/customers/new?name=Wairimu">Add a customer</a>`)
	wantContains(t, b.get("/customers/new?name=Wairimu"), `<input id="cust-name" name="name" type="text" required autocomplete="off" value="Wairimu">`)

	// Bad input: every reason, what was typed kept, nothing stored.
	r := b.post("/customers", url.Values{"name": {""}, "phone": {"12"}, "email": {"not an email"}, "accommodations": {"read_aloud"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Name: ", "Phone: ", "Email: ", `value="12"`, `id="cust-acc-read_aloud" type="checkbox" name="accommodations" value="read_aloud" checked`)
	if n := countRows(t, d, "SELECT COUNT(*) FROM customers"); n != 2 {
		t.Fatalf("%d customers after a refused form, want the 2 seeded", n)
	}

	r = b.post("/customers", url.Values{"name": {"Wairimu Njeri"}, "preferred_name": {"Mama Njeri"}, "language": {"sw"},
		"phone": {"0712 000 111"}, "accommodations": {"read_aloud", "seating"}})
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	idText, ok := strings.CutPrefix(strings.TrimSuffix(loc, "?added#start"), "/customers/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil {
		t.Fatalf("redirected to %q", loc)
	}
	cust, err := d.db.Customer(context.Background(), id)
	if err != nil || cust.Phone != "+254712000111" || cust.Language != "sw" || !cust.HasAccommodation(kindred.ReadAloud) {
		t.Fatalf("stored %+v %v", cust, err)
	}
	wantContains(t, b.get(loc), `id="customer-added"`, "Mama Njeri is added.", `<input id="start-desk" type="radio" name="channel" value="desk" checked>`)

	// Edit: every field is the form's; an emptied one is cleared.
	edit := "/customers/" + idText + "/edit"
	wantContains(t, b.get(edit), `value="Mama Njeri"`, `<option value="sw" selected>`)
	r = b.post("/customers/"+idText, url.Values{"name": {"Wairimu Njeri Kamau"}, "preferred_name": {""}, "language": {"sw"},
		"phone": {"0712 000 111"}, "accommodations": {"seating"}})
	wantStatus(t, r, http.StatusSeeOther)
	cust, _ = d.db.Customer(context.Background(), id)
	if cust.Name != "Wairimu Njeri Kamau" || cust.PreferredName != "" || cust.HasAccommodation(kindred.ReadAloud) {
		t.Errorf("after the edit: %+v", cust)
	}
	wantStatus(t, b.post("/customers/"+idText, url.Values{"name": {"Wairimu"}, "language": {"no such language!"}}), http.StatusUnprocessableEntity)

	start := "/customers/" + idText + "/conversations"
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no subject", url.Values{"channel": {"desk"}}, http.StatusUnprocessableEntity, "What it is about: "},
		{"unknown way", url.Values{"channel": {"pigeon"}, "subject": {"x"}}, http.StatusUnprocessableEntity, "How it starts: choose how the conversation starts"},
		{"email without an address", url.Values{"channel": {"email"}, "subject": {"x"}}, http.StatusUnprocessableEntity, "this customer has no email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post(start, tt.form)
			wantStatus(t, r, tt.status)
			wantContains(t, r, tt.want)
		})
	}
	if n := countRows(t, d, "SELECT COUNT(*) FROM conversations WHERE customer_id = ?", id); n != 0 {
		t.Fatalf("%d conversations after refused forms", n)
	}

	r = b.post(start, url.Values{"channel": {"desk"}, "subject": {"Pension card"}, "said": {"My pension card has not come and I am worried."}})
	wantStatus(t, r, http.StatusSeeOther)
	convs, err := d.db.Conversations(context.Background(), kindred.ConversationFilter{CustomerID: id})
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations: %v %v", convs, err)
	}
	c := convs[0]
	if r.Header.Get("Location") != "/conversations/"+strconv.FormatInt(c.ID, 10)+"#reply" {
		t.Errorf("redirected to %q", r.Header.Get("Location"))
	}
	full, err := d.db.Conversation(context.Background(), c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if full.Channel != kindred.ChannelDesk || full.AssigneeID == nil || *full.AssigneeID != d.seed.agent.ID || len(full.Messages) != 1 ||
		full.Messages[0].Direction != kindred.Inbound || full.Messages[0].Analysis == nil {
		t.Fatalf("the walk-in's conversation: %+v", full)
	}
	// An SMS the desk sends first: no message yet, the reply box waits.
	r = b.post(start, url.Values{"channel": {"sms"}, "subject": {"Your card is ready"}, "said": {"ignored for an outbound start"}})
	wantStatus(t, r, http.StatusSeeOther)
	if n := countRows(t, d, "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.customer_id = ? AND c.channel = 'sms'", id); n != 0 {
		t.Errorf("an outbound start stored %d messages", n)
	}
	// In Kiswahili too.
	wantContains(t, b.get("/customers/new?lang=sw"), "Ongeza mteja", "Haijulikani")
}
