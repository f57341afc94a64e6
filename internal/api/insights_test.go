package api

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) { cfg.Insights = db })
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		colleague, _ := d.addAgent("kind colleague", kindred.RoleAgent)
		own := itoa(d.agents[kindred.RoleAgent].ID)
		return []authzCase{
			{"GET /api/v1/insights", "admin lead", "/api/v1/insights", nil},
			{"GET /api/v1/insights/csv/{chart}", "admin lead", "/api/v1/insights/csv/csat", nil},
			{"GET /api/v1/insights/coaching/{id}", "admin lead agent", "/api/v1/insights/coaching/" + own, nil},
			{"GET /api/v1/kindness", "admin lead agent", "/api/v1/kindness", nil},
			{"POST /api/v1/kindness", "admin lead agent", "/api/v1/kindness", func() string {
				return `{"agent_id": ` + itoa(colleague.ID) + `, "what": "Stayed late to help a customer."}`
			}},
		}
	})
}

func TestInsightsAnswersWithNullsOnAnEmptyDesk(t *testing.T) {
	d := newDesk(t)
	m := d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights", nil)
	for _, k := range []string{"csat", "felt_heard", "first_response_p50_seconds", "resolution_p50_seconds"} {
		v, ok := m[k]
		if !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", k, v, ok)
		}
	}
	if m["returning_customers"] != float64(0) {
		t.Errorf("returning_customers = %v, want 0", m["returning_customers"])
	}
	c, ok := m["compassion_vs_csat"].(map[string]any)
	if !ok || c["r"] != nil || c["n"] != float64(0) {
		t.Errorf("compassion_vs_csat = %v, want {r: null, n: 0}", m["compassion_vs_csat"])
	}
	// The default period is the last 90 days.
	p := m["period"].(map[string]any)
	from, _ := time.Parse(time.RFC3339, p["from"].(string))
	to, _ := time.Parse(time.RFC3339, p["to"].(string))
	if got := to.Sub(from); got != 90*24*time.Hour {
		t.Errorf("default period %s to %s, want 90 days", from, to)
	}
}

func TestInsightsMeasureRepliesAndTakeDates(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Joseph Otieno")
	conv := d.newConversation(cust)
	d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/conversations/"+conv+"/messages",
		map[string]any{"direction": "in", "body": "My card has not come and I am worried."})
	// The API analyses replies only when an analyzer is wired; store the
	// score directly as the engine would.
	score := 72.0
	agent := d.agents[kindred.RoleAgent]
	if err := d.db.AddMessage(kindred.WithActor(system, kindred.Actor{AgentID: agent.ID, Name: agent.Name}), &kindred.Message{
		ConversationID: mustInt(t, conv), Direction: kindred.Outbound, Body: "I'm sorry. I'll post it today.",
		Analysis: &kindred.Analysis{Compassion: &score, Report: []byte(`{"reply":{"signals":[{"name":"apology","effect":5,"evidence":[{"text":"I'm sorry"}]}]}}`)},
	}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	m := d.must(kindred.RoleAdmin, http.StatusOK, "GET", "/api/v1/insights?from="+today+"&to="+today, nil)
	if m["conversations"] != float64(1) || m["first_response_p50_seconds"] == nil {
		t.Errorf("one conversation with a reply today: %v", m)
	}
	weeks := m["compassion_by_agent"].([]any)
	if len(weeks) != 1 || weeks[0].(map[string]any)["median"] != score {
		t.Errorf("compassion by agent: %v", weeks)
	}

	// An agent reads their own coaching view, not a colleague's.
	c := d.must(kindred.RoleAgent, http.StatusOK, "GET", "/api/v1/insights/coaching/"+itoa(agent.ID), nil)
	if h := c["habits"].([]any); len(h) != 1 || h[0].(map[string]any)["signal"] != "apology" {
		t.Errorf("habits %v", c["habits"])
	}
	if rec := d.as(kindred.RoleAgent, "GET", "/api/v1/insights/coaching/"+itoa(d.agents[kindred.RoleLead].ID), nil); rec.Code != http.StatusForbidden {
		t.Errorf("an agent reading a colleague's coaching: %d", rec.Code)
	}
	d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights/coaching/"+itoa(agent.ID), nil)
	d.must(kindred.RoleLead, http.StatusNotFound, "GET", "/api/v1/insights/coaching/99999", nil)
}

// TestInsightsDatesAreTheDesksDays: on a desk in Nairobi, a date asked for
// is Nairobi's day, and a week is Nairobi's: a reply written on Monday 30
// November at 01:30 (Sunday 22:30 UTC) is in that Monday's day and week, in
// the JSON and in the CSV and its name.
func TestInsightsDatesAreTheDesksDays(t *testing.T) {
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, func(cfg *Config) { cfg.Location = nairobi })
	d.db.SetLocation(nairobi)
	conv := d.newConversation(d.newCustomer("Joseph Otieno"))
	score := 72.0
	agent := d.agents[kindred.RoleAgent]
	if err := d.db.AddMessage(kindred.WithActor(system, kindred.Actor{AgentID: agent.ID, Name: agent.Name}), &kindred.Message{
		ConversationID: mustInt(t, conv), Direction: kindred.Outbound, Body: "I'm sorry. I'll post it today.",
		CreatedAt: time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), Analysis: &kindred.Analysis{Compassion: &score, Report: []byte(`{}`)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		from, to, wantFrom, wantTo, week string
	}{
		{"2026-11-30", "2026-11-30", "2026-11-29T21:00:00Z", "2026-11-30T21:00:00Z", "2026-11-30T00:00:00+03:00"},
		{"2026-11-29", "2026-11-29", "2026-11-28T21:00:00Z", "2026-11-29T21:00:00Z", ""},
		{"2026-11-30", "2026-12-06", "2026-11-29T21:00:00Z", "2026-12-06T21:00:00Z", "2026-11-30T00:00:00+03:00"},
	} {
		m := d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights?from="+tt.from+"&to="+tt.to, nil)
		p := m["period"].(map[string]any)
		from, _ := time.Parse(time.RFC3339, p["from"].(string))
		to, _ := time.Parse(time.RFC3339, p["to"].(string))
		if from.Format(time.RFC3339) != tt.wantFrom || to.Format(time.RFC3339) != tt.wantTo {
			t.Errorf("%s to %s: the period is %v to %v, want %s to %s", tt.from, tt.to, p["from"], p["to"], tt.wantFrom, tt.wantTo)
		}
		weeks := m["compassion_by_agent"].([]any)
		switch {
		case tt.week == "" && len(weeks) != 0:
			t.Errorf("%s to %s: %v, want no weeks", tt.from, tt.to, weeks)
		case tt.week != "" && (len(weeks) != 1 || weeks[0].(map[string]any)["week"] != tt.week):
			t.Errorf("%s to %s: %v, want the week of %s", tt.from, tt.to, weeks, tt.week)
		}
	}
	rec := d.as(kindred.RoleLead, "GET", "/api/v1/insights/csv/compassion_agents?from=2026-11-30&to=2026-12-06", nil)
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "kindred-compassion_agents-2026-11-30-to-2026-12-06.csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "2026-11-30" {
		t.Errorf("csv %q, %v: want the week of 2026-11-30", rows, err)
	}
}

func TestInsightsRefuseBadPeriods(t *testing.T) {
	d := newDesk(t)
	tests := []struct{ name, query, field string }{
		{"not a date", "from=yesterday", "from"},
		{"backwards", "from=2026-05-01&to=2026-04-01", "to"},
		{"too long", "from=2020-01-01&to=2026-01-01", "from"},
		{"unknown parameter", "since=2026-01-01", "since"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.as(kindred.RoleLead, "GET", "/api/v1/insights?"+tt.query, nil)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			p := problemOf(t, rec)
			if len(p.Errors) == 0 || p.Errors[0].Field != tt.field {
				t.Errorf("problem %+v, want field %s", p, tt.field)
			}
		})
	}
}

func TestInsightsCSVExportsEachChart(t *testing.T) {
	d := newDesk(t)
	for _, chart := range []string{"csat", "felt_heard", "response_times", "returning_customers", "heads_ups", "follow_ups",
		"compassion_teams", "compassion_agents", "compassion_vs_csat"} {
		rec := d.as(kindred.RoleLead, "GET", "/api/v1/insights/csv/"+chart+"?from=2026-01-01&to=2026-03-31", nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", chart, rec.Code, rec.Header().Get("Content-Type"))
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "kindred-"+chart+"-2026-01-01-to-2026-03-31.csv") {
			t.Errorf("%s: Content-Disposition %q", chart, cd)
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v %v", chart, rows, err)
		}
	}
	rec := d.as(kindred.RoleLead, "GET", "/api/v1/insights/csv/pie", nil)
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown chart: %d", rec.Code)
	}
}

func TestKindnessIsRecordedAndListed(t *testing.T) {
	d := newDesk(t)
	colleague, _ := d.addAgent("Baraka", kindred.RoleAgent)
	k := d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/kindness",
		map[string]any{"agent_id": colleague.ID, "what": "Walked Baba Otieno to the bus in the rain."})
	if k["agent_name"] != "Baraka" || k["recorded_by"] != float64(d.agents[kindred.RoleAgent].ID) {
		t.Errorf("recorded %v", k)
	}
	for name, body := range map[string]map[string]any{
		"empty":  {"agent_id": colleague.ID, "what": " "},
		"self":   {"agent_id": d.agents[kindred.RoleAgent].ID, "what": "I was kind."},
		"nobody": {"agent_id": 0, "what": "Someone was kind."},
	} {
		if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/kindness", body); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	list := d.mustList(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/kindness", nil)
	if len(list) != 1 || list[0]["what"] != "Walked Baba Otieno to the bus in the rain." {
		t.Errorf("log %v", list)
	}
	m := d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights", nil)
	if ks := m["kindness"].([]any); len(ks) != 1 {
		t.Errorf("the dashboard shows %d acts of kindness, want 1", len(ks))
	}
}

// countingInsights counts the dashboards computed.
type countingInsights struct {
	kindred.Insights
	mu sync.Mutex
	n  int
}

func (c *countingInsights) Dashboard(ctx context.Context, p kindred.Period) (*kindred.Dashboard, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Insights.Dashboard(ctx, p)
}

func (c *countingInsights) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// TestInsightsDashboardIsComputedOncePerMinute: the dashboard and the CSV of
// each of its charts, for the default period or a given one, read the
// conversations once a minute, not once a request.
func TestInsightsDashboardIsComputedOncePerMinute(t *testing.T) {
	var counter *countingInsights
	d := newDesk(t, func(cfg *Config) {
		counter = &countingInsights{Insights: cfg.Insights}
		cfg.Insights = counter
	})
	for _, query := range []string{"", "?from=2026-01-01&to=2026-03-31"} {
		before := counter.count()
		d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights"+query, nil)
		for _, chart := range []string{"csat", "felt_heard", "response_times", "returning_customers", "heads_ups", "follow_ups",
			"compassion_teams", "compassion_agents", "compassion_vs_csat"} {
			if rec := d.as(kindred.RoleLead, "GET", "/api/v1/insights/csv/"+chart+query, nil); rec.Code != http.StatusOK {
				t.Fatalf("%s%s: %d", chart, query, rec.Code)
			}
		}
		// The default period ends now, rounded up to the second: a request
		// that crosses into the next second may compute it once more.
		if n := counter.count() - before; n < 1 || n > 2 {
			t.Errorf("%q: the dashboard was computed %d times for ten requests", query, n)
		}
	}
	before := counter.count()
	d.clock.advance(2 * time.Minute)
	d.must(kindred.RoleLead, http.StatusOK, "GET", "/api/v1/insights?from=2026-01-01&to=2026-03-31", nil)
	if counter.count() != before+1 {
		t.Error("a dashboard older than a minute was served again")
	}
}
