package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/kindred-desk/kindred"
)

// TestTickedConversationsChangeTogether: from the inbox, an agent assigns
// two conversations at once, then resolves them; a form with a
// conversation that does not exist changes nothing.
func TestTickedConversationsChangeTogether(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	inbox := b.get("/inbox")
	ids := []string{fmt.Sprint(d.seed.conv.ID), fmt.Sprint(d.seed.quiet.ID)}
	wantContains(t, inbox, `id="bulk-actions"`, `id="tick-`+ids[0]+`"`, `id="tick-`+ids[1]+`"`)
	me := fmt.Sprint(d.seed.agent.ID)

	// Nothing ticked, nothing chosen, or a conversation that is not there:
	// nothing changes.
	wantStatus(t, b.post("/conversations/bulk", url.Values{"assignee": {me}}), http.StatusUnprocessableEntity)
	wantStatus(t, b.post("/conversations/bulk", url.Values{"id": ids}), http.StatusUnprocessableEntity)
	wantStatus(t, b.post("/conversations/bulk", url.Values{"id": {ids[0], "999999"}, "status": {"resolved"}}), http.StatusNotFound)
	if c, _ := d.db.Conversation(context.Background(), d.seed.conv.ID, false); c.Status == kindred.StatusResolved {
		t.Fatal("a refused bulk change resolved a conversation")
	}

	r := b.post("/conversations/bulk", url.Values{"id": ids, "assignee": {me}})
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, b.get(r.Header.Get("Location")), "2 conversations changed.")
	for _, id := range []int64{d.seed.conv.ID, d.seed.quiet.ID} {
		if c, _ := d.db.Conversation(context.Background(), id, false); c.AssigneeID == nil || *c.AssigneeID != d.seed.agent.ID {
			t.Errorf("conversation %d assigned to %v", id, c.AssigneeID)
		}
	}
	wantStatus(t, b.post("/conversations/bulk", url.Values{"id": ids, "status": {"resolved"}}), http.StatusSeeOther)
	for _, id := range []int64{d.seed.conv.ID, d.seed.quiet.ID} {
		if c, _ := d.db.Conversation(context.Background(), id, false); c.Status != kindred.StatusResolved {
			t.Errorf("conversation %d is %s", id, c.Status)
		}
	}
	wantContains(t, b.get("/inbox?lang=sw&resolved=1&changed=1"), "Mazungumzo 1 yamebadilishwa.", "Kabidhi kwa")
}
