package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/insights"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Insights = db
		apiCfg.Insights = db
	})
}

func TestInsightsDashboardIsForLeads(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	r := b.get("/insights")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `<h1>Insights</h1>`, `id="key-csat"`, `id="key-correlation"`,
		`src="/insights/charts/csat?`, `href="/insights/csv/compassion_teams?`, `id="table-compassion_agents"`,
		`/coaching/`+strconv.FormatInt(d.seed.agent.ID, 10))
	// Every chart has its image, a text alternative and its table.
	for _, id := range insights.IDs() {
		wantContains(t, r, `id="chart-`+id+`"`, `id="table-`+id+`"`)
	}
	if strings.Contains(r.body, `alt=""`) {
		t.Error("a chart has an empty text alternative")
	}

	a := d.browser()
	a.signIn("amina@example.org")
	wantStatus(t, a.get("/insights"), http.StatusForbidden)
	wantStatus(t, a.get("/insights/charts/csat"), http.StatusForbidden)
	wantStatus(t, a.get("/insights/csv/csat"), http.StatusForbidden)
}

func TestInsightsChartsAreSVGAndCSV(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("admin@example.org")
	for _, id := range insights.IDs() {
		r := b.get("/insights/charts/" + id)
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.Contains(r.body, "<svg") {
			t.Errorf("%s: %s %.80s", id, ct, r.body)
		}
	}
	// The seeded reply was scored by the engine: it is in the weekly chart.
	r := b.get("/insights/csv/compassion_agents")
	wantStatus(t, r, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][1] != "Amina Wanjiru" {
		t.Fatalf("csv %q: %v", r.body, err)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="kindred-compassion_agents-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	wantStatus(t, b.get("/insights/charts/pie"), http.StatusNotFound)
	r = b.get("/insights?from=not-a-date")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "From: must be a date")
}

func TestCoachingShowsAnAgentTheirOwn(t *testing.T) {
	d := newTestDesk(t)
	a := d.browser()
	a.signIn("amina@example.org")
	r := a.get("/coaching")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Your three most helpful habits", "One thing to practise", `id="table-trend"`,
		// The seeded reply, "Your payment is being processed. Please wait.", is cold.
		"Your payment is being processed")
	wantStatus(t, a.get("/coaching/"+strconv.FormatInt(d.seed.admin.ID, 10)), http.StatusForbidden)
	wantStatus(t, a.get("/coaching/"+strconv.FormatInt(d.seed.agent.ID, 10)+"/chart"), http.StatusOK)

	b := d.browser()
	b.signIn("admin@example.org")
	r = b.get("/coaching/" + strconv.FormatInt(d.seed.agent.ID, 10))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Coaching for Amina Wanjiru", "The three most helpful habits")
	wantStatus(t, b.get("/coaching/999999"), http.StatusNotFound)
}

func TestKindnessIsRecordedFromTheConsole(t *testing.T) {
	d := newTestDesk(t)
	a := d.browser()
	a.signIn("amina@example.org")
	wantStatus(t, a.get("/kindness"), http.StatusOK)
	r := a.post("/kindness", url.Values{"agent": {strconv.FormatInt(d.seed.admin.ID, 10)}, "what": {"Grace stayed late to call Baba Otieno back."}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/kindness?saved=1" {
		t.Errorf("redirect to %q", loc)
	}
	r = a.get("/kindness?saved=1")
	wantContains(t, r, "Thank you. It is in the log.", "Grace stayed late to call Baba Otieno back.", "Grace Admin, seen by Amina Wanjiru")

	r = a.post("/kindness", url.Values{"agent": {strconv.FormatInt(d.seed.agent.ID, 10)}, "what": {"I was kind."}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Who did it: record what a colleague did, not yourself", "I was kind.")
	r = a.post("/kindness", url.Values{"agent": {""}, "what": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)

	b := d.browser()
	b.signIn("admin@example.org")
	wantContains(t, b.get("/insights"), "Grace stayed late to call Baba Otieno back.")
	if n := len(mustLog(t, d.db)); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

func mustLog(t *testing.T, db *store.DB) []kindred.Kindness {
	t.Helper()
	p, err := insights.ParsePeriod("", "", time.Now(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.KindnessLog(context.Background(), p, kindred.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestInsightsWordsHaveSwahili checks the words the insights pages take
// from the insights package and the habit names, which the scan of T("…")
// in TestEveryStringHasSwahili cannot see.
func TestInsightsWordsHaveSwahili(t *testing.T) {
	sw := swahiliAll()
	var words []string
	for _, tb := range insights.Tables(&kindred.Dashboard{BySatisfaction: make([]kindred.SatisfactionBin, 5)}) {
		words = append(words, tb.Title, tb.Unit)
		words = append(words, tb.Columns...)
		if tb.Kind == insights.Bars && tb.ID != "csat" && tb.ID != "compassion_vs_csat" {
			for _, row := range tb.Rows {
				words = append(words, row[0])
			}
		}
	}
	tr := insights.TrendTable(&kindred.Coaching{})
	words = append(words, tr.Title, tr.Unit, insights.TeamName(""))
	words = append(words, tr.Columns...)
	for _, l := range habitLabels {
		words = append(words, l)
	}
	for _, l := range insightFields {
		words = append(words, l)
	}
	for _, w := range words {
		if _, ok := sw[w]; !ok {
			t.Errorf("no Swahili for %q", w)
		}
	}
}

// TestNamesakesAreToldApart gives the desk a second Amina Wanjiru: every
// list a lead or an agent picks an agent from names both with their email,
// and names everyone else by name alone.
func TestNamesakesAreToldApart(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	twin := &kindred.Agent{Name: " amina wanjiru", Email: "amina.w@example.org", Role: kindred.RoleAgent}
	if err := d.db.CreateAgent(ctx, twin, ""); err != nil {
		t.Fatal(err)
	}
	b := d.browser()
	b.signIn("admin@example.org")
	for _, path := range []string{"/insights", "/coaching/" + strconv.FormatInt(d.seed.agent.ID, 10), "/kindness", "/inbox",
		"/conversations/" + strconv.FormatInt(d.seed.conv.ID, 10), "/admin"} {
		t.Run(path, func(t *testing.T) {
			r := b.get(path)
			wantStatus(t, r, http.StatusOK)
			wantContains(t, r, "Amina Wanjiru (amina@example.org)", "amina wanjiru (amina.w@example.org)")
			if strings.Contains(r.body, "Grace Admin (") && !strings.Contains(r.body, "Grace Admin (Admin") {
				t.Error("an agent with a name of their own is named with more than it")
			}
		})
	}
	if got := agentName([]kindred.Agent{{ID: 1, Name: "Otieno"}, {ID: 2, Name: "Otieno"}}, kindred.Agent{ID: 2, Name: "Otieno"}); got != "Otieno (#2)" {
		t.Errorf("a namesake without an email is %q, want Otieno (#2)", got)
	}
}

// TestInsightsDaysAreTheDesks: on a desk in Nairobi the dates asked for
// are Nairobi's days, and the page says so: a reply written on Monday 30
// November at 01:30 (Sunday 22:30 UTC) is in that day and its week, in the
// table, the CSV and the CSV's name, and the charts and exports are asked
// for the same instants.
func TestInsightsDaysAreTheDesks(t *testing.T) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDesk(t, func(cfg *Config) { cfg.Location = nairobi })
	score := 72.0
	a := d.seed.agent
	if err := d.db.AddMessage(kindred.WithActor(context.Background(), kindred.Actor{AgentID: a.ID, Name: a.Name}), &kindred.Message{
		ConversationID: d.seed.quiet.ID, Direction: kindred.Outbound, Body: "Pole sana. We will post it today.",
		CreatedAt: time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), Analysis: &kindred.Analysis{Compassion: &score, Report: []byte(`{}`)},
	}); err != nil {
		t.Fatal(err)
	}
	b := d.browser()
	b.signIn("admin@example.org")
	r := b.get("/insights?from=2026-11-30&to=2026-12-06")
	wantStatus(t, r, http.StatusOK)
	query := "from=2026-11-29T21%3A00%3A00Z&amp;to=2026-12-06T21%3A00%3A00Z"
	wantContains(t, r, `id="from" name="from" type="date" value="2026-11-30"`, `id="to" name="to" type="date" value="2026-12-06"`,
		"From 2026-11-30 to 2026-12-06, both days included. Days begin at midnight and weeks on Monday, on the desk&#39;s clock (Africa/Nairobi).",
		`src="/insights/charts/compassion_agents?`+query+`"`, `href="/insights/csv/compassion_agents?`+query+`"`,
		`<td data-label="Week">2026-11-30</td>`)
	// Sunday 29 November in Nairobi holds nothing of it.
	if r := b.get("/insights?from=2026-11-29&to=2026-11-29"); strings.Contains(r.body, `<td data-label="Week">`) {
		t.Errorf("a reply of Monday 01:30 in Nairobi is shown on Sunday")
	}
	r = b.get("/insights/csv/compassion_agents?from=2026-11-30&to=2026-12-06")
	wantStatus(t, r, http.StatusOK)
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="kindred-compassion_agents-2026-11-30-to-2026-12-06.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "2026-11-30" || rows[1][1] != "Amina Wanjiru" {
		t.Errorf("csv %q, %v: want Amina's week of 2026-11-30", rows, err)
	}
	// The coaching view's summary names the same days.
	wantContains(t, b.get("/coaching/"+strconv.FormatInt(a.ID, 10)+"?from=2026-11-30&to=2026-12-06"), "1 reply scored from 2026-11-30 to 2026-12-06")
}
