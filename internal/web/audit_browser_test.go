package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// TestAxeAuditPage walks the audit log as an administrator asked "who has
// seen Baba Otieno's record?" uses it: from his page to his record's log,
// then the log of what one agent did, chosen in the filter. axe-core finds
// no WCAG 2.2 AA violation on either screen, in English and Kiswahili, at
// normal size and large text.
func TestAxeAuditPage(t *testing.T) {
	requireBrowser(t)
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, _ *api.Config) { c.Audit = db })
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx)
	inEveryMode(t, d.url, d.admin, func(t *testing.T, tb *tab, mode string, large bool) {
		tb.open("/customers/"+strconv.FormatInt(d.customer.ID, 10), http.StatusOK)
		tb.submit("a#audit-customer-link", http.StatusOK)
		tb.assertMode(large)
		tb.mustExist("table#audit tbody tr td time")
		checkAxe(tb, "audit log, one customer ("+mode+")")

		tb.do("choose the agent and any record",
			chromedp.SetValue(chromedp.CSS("select#audit-actor"), strconv.FormatInt(d.admin.ID, 10)),
			chromedp.SetValue(chromedp.CSS("select#audit-subject"), ""),
		)
		tb.submit("button#audit-show", http.StatusOK)
		tb.mustExist("table#audit tbody tr td time") // signing in is logged
		tb.assertMode(large)
		checkAxe(tb, "audit log, one person ("+mode+")")
	})
}
