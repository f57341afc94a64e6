package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.SavedReplies = db
	})
}

// TestASavedReplyArrivesWithTheCustomersName: a lead writes a saved reply
// (the coach reads it on the list); an agent starts a reply from it and
// finds the customer's name and their own in the reply box, read by the
// coach; an agent may not add or remove one.
func TestASavedReplyArrivesWithTheCustomersName(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	lead := &kindred.Agent{Name: "Halima Said", Email: "lead@example.org", Role: kindred.RoleLead}
	if err := d.db.CreateAgent(ctx, lead, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	h := d.browser()
	h.signIn("lead@example.org")
	wantContains(t, h.get("/saved-replies"), "No saved replies yet.", `id="add-saved-reply"`)
	r := h.post("/saved-replies", url.Values{"title": {" "}, "body": {"Hello {name}"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "give it a short title", ">Hello {name}</textarea>")
	r = h.post("/saved-replies", url.Values{"title": {"Card ready"},
		"body": {"Hello {name}, I am glad to say your card is ready. You can collect it at desk 3 from tomorrow at 9 am. {agent}"}})
	wantStatus(t, r, http.StatusSeeOther)
	list := h.get("/saved-replies")
	wantContains(t, list, "Card ready", "Hello Mama Grace, I am glad to say your card is ready.", "Halima</p>", "Compassion score ")
	wantStatus(t, h.post("/saved-replies", url.Values{"title": {"card ready"}, "body": {"x"}}), http.StatusUnprocessableEntity)

	a := d.browser()
	a.signIn("amina@example.org")
	wantStatus(t, a.post("/saved-replies", url.Values{"title": {"Mine"}, "body": {"Hello"}}), http.StatusForbidden)
	rs, _ := d.db.SavedReplies(context.Background())
	if len(rs) != 1 {
		t.Fatalf("saved replies: %+v", rs)
	}
	path := fmt.Sprintf("/conversations/%d", d.seed.conv.ID)
	page := a.get(path)
	wantContains(t, page, `<select id="saved" name="saved"><option value="`+fmt.Sprint(rs[0].ID)+`">Card ready</option>`)
	page = a.get(path + "?saved=" + fmt.Sprint(rs[0].ID))
	want := "Hello " + d.seed.customer.AddressAs() + ", I am glad to say your card is ready."
	wantContains(t, page, `<textarea id="reply" name="body" rows="8" required aria-describedby="reply-hint">`+want, "Amina</textarea>", `id="coach-score"`)
	if strings.Contains(page.body, "{name}") {
		t.Error("a placeholder reached the reply box")
	}
	wantStatus(t, a.get(path+"?saved=999999"), http.StatusNotFound)

	wantStatus(t, h.post(fmt.Sprintf("/saved-replies/%d/remove", rs[0].ID), nil), http.StatusSeeOther)
	if strings.Contains(a.get(path).body, `id="use-saved"`) {
		t.Error("the conversation offers saved replies when none is left")
	}
	wantContains(t, h.get("/saved-replies?lang=sw"), "Majibu yaliyohifadhiwa", "Bado hakuna majibu yaliyohifadhiwa.")
}
