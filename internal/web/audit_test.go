package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, _ *api.Config, db *store.DB) {
		cfg.Audit = db
	})
}

func TestAuditLogPage(t *testing.T) {
	d := newTestDesk(t)
	cust := strconv.FormatInt(d.seed.customer.ID, 10)
	admin := d.browser()
	admin.signIn("admin@example.org")
	wantContains(t, admin.get("/admin"), `<a id="audit-link" href="/admin/audit">`)
	wantContains(t, admin.get("/customers/"+cust),
		`<a id="audit-customer-link" href="/admin/audit?subject=customer&amp;subject_id=`+cust+`">Who opened or changed this record</a>`)

	// The admin changes Baba Otieno's phone; the log says who, what and where.
	r := admin.post("/customers/"+cust, url.Values{"name": {"Joseph Otieno"}, "preferred_name": {"Baba Otieno"}, "language": {"sw"},
		"phone": {"+254712000999"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = admin.get("/admin/audit?subject=customer&subject_id=" + cust)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>Audit log</h1>", "Changed a customer&#39;s details", "Grace Admin",
		"Added a customer", "Wrote a note", `<a href="/customers/`+cust+`">customer `+cust+`</a>`,
		`<option value="customer" selected>customer</option>`, `value="`+cust+`"`)
	if !regexp.MustCompile(`<td data-label="Details">changed [a-z_, ]*phone`).MatchString(r.body) {
		t.Error("the change's details (which fields) are not shown")
	}
	// Only his record: the calm customer's creation is not listed.
	if n := strings.Count(r.body, "Added a customer"); n != 1 {
		t.Errorf("a customer's log lists %d creations, want his alone", n)
	}
	// By person: the admin's doing alone, not the seed's.
	r = admin.get("/admin/audit?actor=" + strconv.FormatInt(d.seed.admin.ID, 10))
	wantContains(t, r, "Changed a customer&#39;s details", "Signed in")
	if strings.Contains(r.body, "Added a customer") {
		t.Error("the admin's log lists what the seed did")
	}
	// A filter that cannot be read is left out.
	wantContains(t, admin.get("/admin/audit?subject=nonsense&actor=x"), "Added a customer", "Changed a customer&#39;s details")

	// Fifty to a page, newest first, with the way to the older ones.
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	for i := range 60 {
		if err := d.db.Record(ctx, &kindred.AuditEntry{Action: "agent.sign_in_failed", Subject: "agent", SubjectID: d.seed.agent.ID,
			Detail: "wrong password, try " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	r = admin.get("/admin/audit")
	wantContains(t, r, "wrong password, try 59", `<a id="audit-older" href="/admin/audit?offset=50">`)
	if strings.Contains(r.body, "wrong password, try 9<") || strings.Contains(r.body, "audit-newer") {
		t.Error("the first page holds more than fifty, or leads to newer ones")
	}
	r = admin.get("/admin/audit?offset=50")
	wantContains(t, r, "wrong password, try 9<", "Failed to sign in", `<a id="audit-newer" href="/admin/audit?">`)

	// Only an administrator reads the log.
	agent := d.browser()
	agent.signIn("amina@example.org")
	wantStatus(t, agent.get("/admin/audit"), http.StatusForbidden)
	if strings.Contains(agent.get("/customers/"+cust).body, "audit-customer-link") {
		t.Error("an agent is offered the audit log")
	}
	wantContains(t, admin.get("/admin/audit?lang=sw&subject=customer&subject_id="+cust), "Kumbukumbu za ukaguzi", "Aliongeza mteja", "mteja "+cust)
}
