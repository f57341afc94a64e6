package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/demo"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// insightsDesk is a desk with the insights wired, filled by the demo
// generator with two months of history, and a lead who can sign in.
func insightsDesk(t *testing.T) (*desk, person) {
	t.Helper()
	d := emptyDesk(t, func(db *store.DB, _ string, c *web.Config, a *api.Config) { c.Insights, a.Insights = db, db })
	ctx := kindred.WithActor(context.Background(), seedActor)
	if _, err := demo.Fill(ctx, d.db, demo.Options{Months: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	lead := d.addAgent(t, ctx, "Neema Lead", "neema@desk.example", kindred.RoleLead)
	return d, lead
}

// TestBrowserInsightsDashboardAndCoaching opens the dashboard, a coaching
// view and the kindness log as a lead, at normal size and in large-text
// mode: every chart image loads under the console's Content-Security-Policy,
// axe-core finds no WCAG 2.2 AA violation, and screenshots are written
// (screenshots/insights-*.png).
func TestBrowserInsightsDashboardAndCoaching(t *testing.T) {
	requireBrowser(t)
	startFindings(t)
	d, lead := insightsDesk(t)
	agents, err := d.db.Agents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var coached kindred.Agent
	for _, a := range agents {
		if a.Name == "Brian Mwangi" { // the demo's agent who grows most
			coached = a
		}
	}
	for _, large := range []bool{false, true} {
		mode, suffix := "normal", ""
		if large {
			mode, suffix = "large-text", "-large"
		}
		t.Run(mode, func(t *testing.T) {
			tb := newTab(t, d.url)
			tb.signIn(lead)
			tb.setLargeText(large)

			tb.open("/insights", http.StatusOK)
			tb.assertMode(large)
			waitFor[bool](tb, "every chart image to load",
				`Array.from(document.querySelectorAll("section.chart img")).every(i => i.complete && i.naturalWidth > 0)`)
			if n := eval[int](tb, `document.querySelectorAll("section.chart img").length`); n != 9 {
				t.Errorf("%d chart images, want 9", n)
			}
			if r := tb.text("#key-correlation"); r == "–" {
				t.Errorf("the demo's surveys give no correlation: %q", r)
			}
			checkAxe(tb, "insights dashboard ("+mode+")")
			tb.screenshot("insights-dashboard" + suffix)

			tb.open(fmt.Sprintf("/coaching/%d", coached.ID), http.StatusOK)
			tb.assertMode(large)
			tb.mustExist("ol.habits li.habit blockquote")
			waitFor[bool](tb, "the trend chart to load", `(i => i.complete && i.naturalWidth > 0)(document.querySelector("section.chart img"))`)
			checkAxe(tb, "coaching view ("+mode+")")
			tb.screenshot("insights-coaching" + suffix)

			tb.open("/kindness", http.StatusOK)
			tb.assertMode(large)
			checkAxe(tb, "kindness log ("+mode+")")
			if !large {
				tb.do("record an act of kindness",
					chromedp.SetValue(chromedp.CSS("select#kindness-agent"), fmt.Sprint(coached.ID)),
					chromedp.SendKeys(chromedp.CSS("textarea#kindness-what"), "Brian rang Mama Akinyi back at 5 pm, as he had promised."),
				)
				tb.submit("button#record-kindness-button", http.StatusOK)
				tb.mustExist("#kindness-saved")
				checkAxe(tb, "kindness log after saving ("+mode+")")
				tb.screenshot("insights-kindness")
			}
			tb.noPageErrors()
		})
	}
}
