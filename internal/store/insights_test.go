package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/insights"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"InsightsDashboardMeasures", testInsightsDashboard},
		suiteTest{"InsightsWeeksAndDaysOnTheDesksClock", testInsightsDesksClock},
		suiteTest{"InsightsEmptyPeriodHasNulls", testInsightsEmpty},
		suiteTest{"InsightsCoachingFromSignals", testInsightsCoaching},
		suiteTest{"InsightsKindnessLog", testKindnessLog},
		suiteTest{"AgentTeamRoundTrips", testAgentTeam},
	)
}

// insightsDay is a Wednesday: its week starts on Monday 2026-03-02.
var insightsDay = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)

// fixedClock sets db's clock to *at, which the test moves.
func fixedClock(db *DB, at *time.Time) { db.SetClock(func() time.Time { return *at }) }

// reply is an analysed agent reply with a given score and signals.
func reply(t *testing.T, db *DB, conv int64, by *kindred.Agent, at time.Time, score float64, signals ...map[string]any) {
	t.Helper()
	report, err := json.Marshal(map[string]any{"compassion": score, "reply": map[string]any{
		"signals":     signals,
		"suggestions": []map[string]any{{"text": "Say when it will be ready.", "why": "so they can plan"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := score
	mustMessage(t, db, ctxAs(by.ID, by.Name), kindred.Message{ConversationID: conv, Direction: kindred.Outbound, Body: "reply",
		CreatedAt: at, Analysis: &kindred.Analysis{Compassion: &s, Report: report}})
}

func signal(name string, effect float64, evidence string) map[string]any {
	s := map[string]any{"name": name, "effect": effect, "detail": name, "evidence": []map[string]any{}}
	if evidence != "" {
		s["evidence"] = []map[string]any{{"text": evidence, "start": 0, "end": len(evidence)}}
	}
	return s
}

func testInsightsDashboard(t *testing.T, s suite) {
	db, _ := s.open(t)
	db.SetLocation(nairobiZone(t))
	ctx := context.Background()
	now := insightsDay
	fixedClock(db, &now)

	amina := &kindred.Agent{Name: "Amina", Role: kindred.RoleAgent, Team: "Cards"}
	baraka := &kindred.Agent{Name: "Baraka", Role: kindred.RoleAgent, Team: "Pensions"}
	for _, a := range []*kindred.Agent{amina, baraka} {
		if err := db.CreateAgent(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	joseph := mustCustomer(t, db, kindred.Customer{Name: "Joseph"})
	wanjiku := mustCustomer(t, db, kindred.Customer{Name: "Wanjiku"})
	old := mustCustomer(t, db, kindred.Customer{Name: "Old friend"})

	// An old conversation, 60 days before the period: the old friend comes
	// back within 90 days, but only once in the period.
	now = insightsDay.AddDate(0, 0, -60)
	mustConversation(t, db, kindred.Conversation{CustomerID: old.ID, Channel: kindred.ChannelEmail})

	// Four conversations in the period, first replies after 1, 2, 3 and 10
	// minutes (median 2, 90th percentile 10), the first three resolved
	// after 1, 2 and 4 hours.
	var convs []*kindred.Conversation
	who := []*kindred.Customer{joseph, joseph, wanjiku, old}
	firsts := []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute, 10 * time.Minute}
	scores := [][]float64{{80, 90}, {40}, {60}, {20}}
	by := []*kindred.Agent{amina, amina, baraka, baraka}
	for i := range who {
		start := insightsDay.Add(time.Duration(i) * time.Hour)
		now = start
		c := mustConversation(t, db, kindred.Conversation{CustomerID: who[i].ID, Channel: kindred.ChannelDesk})
		convs = append(convs, c)
		mustMessage(t, db, context.Background(), kindred.Message{ConversationID: c.ID, Direction: kindred.Inbound, Body: "help", CreatedAt: start})
		for j, sc := range scores[i] {
			reply(t, db, c.ID, by[i], start.Add(firsts[i]+time.Duration(j)*time.Minute), sc)
		}
	}
	for i, h := range []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour} {
		now = convs[i].CreatedAt.Add(h)
		resolved := kindred.StatusResolved
		if _, err := db.UpdateConversation(ctx, convs[i].ID, kindred.ConversationUpdate{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
	}

	// Surveys: satisfaction 5, 2, 4, 1 and felt heard yes, no, partly, yes;
	// one survey answered outside the period does not count.
	answered := insightsDay.Add(48 * time.Hour)
	care := DemoCare{}
	for i, a := range []struct {
		sat   int
		heard string
	}{{5, "yes"}, {2, "no"}, {4, "partly"}, {1, "yes"}} {
		care.Surveys = append(care.Surveys, DemoSurvey{ConversationID: convs[i].ID, CustomerID: convs[i].CustomerID,
			Channel: "sms", SentAt: answered.Add(-time.Hour), AnsweredAt: answered, Satisfaction: a.sat, FeltHeard: a.heard})
	}
	care.Surveys = append(care.Surveys, DemoSurvey{ConversationID: convs[0].ID, CustomerID: convs[0].CustomerID,
		Channel: "sms", SentAt: answered, AnsweredAt: insightsDay.AddDate(0, 2, 0), Satisfaction: 1, FeltHeard: "no"})
	promised := insightsDay.Add(72 * time.Hour)
	for _, sent := range []time.Duration{24 * time.Hour, 96 * time.Hour, 100 * time.Hour} {
		care.Delays = append(care.Delays, DemoDelay{ConversationID: convs[0].ID, Reason: "the printer broke", Draft: "sorry",
			PromisedAt: &promised, NewDate: promised.Add(96 * time.Hour), CreatedAt: insightsDay, SentAt: insightsDay.Add(sent), CreatedBy: amina.ID})
	}
	care.Delays = append(care.Delays, DemoDelay{ConversationID: convs[1].ID, Reason: "checks", Draft: "sorry",
		NewDate: promised, CreatedAt: insightsDay, SentAt: insightsDay.Add(time.Hour), CreatedBy: amina.ID})
	closed := insightsDay.Add(30 * time.Hour)
	for _, f := range []struct {
		status string
		due    time.Duration
	}{{"done", 24 * time.Hour}, {"done", 25 * time.Hour}, {"skipped", 26 * time.Hour}, {"pending", 27 * time.Hour}, {"pending", 20 * 24 * time.Hour}} {
		fu := DemoFollowUp{ConversationID: convs[0].ID, AgentID: amina.ID, What: "call", Status: f.status,
			DueAt: insightsDay.Add(f.due), CreatedAt: insightsDay}
		if f.status != "pending" {
			fu.ClosedAt = &closed
		}
		care.FollowUps = append(care.FollowUps, fu)
	}
	if err := db.LoadDemoCare(ctx, care); err != nil {
		t.Fatal(err)
	}

	now = insightsDay.Add(10 * 24 * time.Hour) // the 27-hour follow-up is overdue, the 20-day one not yet due
	d, err := db.Dashboard(ctx, kindred.Period{From: insightsDay.Add(-24 * time.Hour), To: insightsDay.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}

	wantF := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, show(got), want)
		}
	}
	if d.Answers != 4 || d.Satisfaction != [5]int{1, 1, 0, 1, 1} {
		t.Errorf("answers %d %v, want 4 [1 1 0 1 1]", d.Answers, d.Satisfaction)
	}
	wantF("csat", d.CSAT, 0.5)
	wantF("csat mean", d.CSATMean, 3)
	wantF("felt heard", d.FeltHeard, 0.5)
	if d.FeltHeardCounts != (kindred.HeardCount{Yes: 2, Partly: 1, No: 1}) {
		t.Errorf("felt heard %+v", d.FeltHeardCounts)
	}
	wantF("first response p50", d.FirstResponseP50, 120)
	wantF("first response p90", d.FirstResponseP90, 600)
	wantF("resolution p50", d.ResolutionP50, 7200)
	wantF("resolution p90", d.ResolutionP90, 14400)
	if d.Conversations != 4 || d.Resolved != 3 {
		t.Errorf("conversations %d resolved %d, want 4 and 3", d.Conversations, d.Resolved)
	}
	if d.ReturningCustomers != 1 || d.Retention.Customers != 3 || d.Retention.CameBack90 != 2 {
		t.Errorf("retention %+v, returning %d; want 3 customers, 1 returning, 2 came back", d.Retention, d.ReturningCustomers)
	}
	if d.HeadsUps != (kindred.HeadsUps{Before: 1, After: 2, NoPromise: 1}) {
		t.Errorf("heads-ups %+v, want 1 before, 2 after, 1 without a date", d.HeadsUps)
	}
	if d.FollowUps != (kindred.FollowUps{Done: 2, Skipped: 1, Overdue: 1, Pending: 1}) {
		t.Errorf("follow-ups %+v", d.FollowUps)
	}

	// Weekly compassion: Cards (Amina) scored 80, 90, 40; Pensions 60, 20,
	// in the week from Monday 2 March, midnight in Nairobi.
	week := time.Date(2026, 3, 2, 0, 0, 0, 0, nairobiZone(t))
	if len(d.CompassionByTeam) != 2 {
		t.Fatalf("by team: %+v", d.CompassionByTeam)
	}
	cards, pensions := d.CompassionByTeam[0], d.CompassionByTeam[1]
	if !cards.Week.Equal(week) || cards.Week.Location().String() != "Africa/Nairobi" || cards.Team != "Cards" || cards.N != 3 || cards.Min != 40 || cards.Median != 80 || cards.Max != 90 ||
		cards.P25 != 40 || cards.P75 != 90 || math.Abs(cards.Mean-70) > 1e-9 {
		t.Errorf("Cards week: %+v", cards)
	}
	if pensions.Team != "Pensions" || pensions.N != 2 || pensions.Median != 20 || pensions.Max != 60 || math.Abs(pensions.Mean-40) > 1e-9 {
		t.Errorf("Pensions week: %+v", pensions)
	}
	if len(d.CompassionByAgent) != 2 || d.CompassionByAgent[0].Agent != "Amina" || d.CompassionByAgent[0].AgentID != amina.ID ||
		d.CompassionByAgent[1].Agent != "Baraka" || d.CompassionByAgent[1].N != 2 {
		t.Errorf("by agent: %+v", d.CompassionByAgent)
	}

	// Compassion vs satisfaction: conversation means 85, 40, 60, 20 against 5, 2, 4, 1.
	xs, ys := []float64{85, 40, 60, 20}, []float64{5, 2, 4, 1}
	c := d.CompassionVsCSAT
	if c.N != 4 || c.R == nil || math.Abs(*c.R-pearson(xs, ys)) > 1e-9 {
		t.Errorf("compassion vs csat %+v (r %v), want n 4, r %.4f", c, show(c.R), pearson(xs, ys))
	}
	if c.Low == nil || c.High == nil || *c.Low > *c.R || *c.High < *c.R || c.Caution == "" {
		t.Errorf("a sample of 4 needs an interval around r and a caution: %+v", c)
	}
	if len(d.BySatisfaction) != 5 || d.BySatisfaction[4].N != 1 || *d.BySatisfaction[4].MeanCompassion != 85 || d.BySatisfaction[2].MeanCompassion != nil {
		t.Errorf("by satisfaction: %+v", d.BySatisfaction)
	}
}

// testInsightsDesksClock: on a desk in Nairobi (UTC+3), what an agent wrote
// on Monday 01:30 (Sunday 22:30 UTC) is in Monday's week, and what they
// wrote on Sunday 23:30 in the week before; a date asked for is the desk's
// day, not UTC's. The weeks are read whole (from reply_weeks) and cut.
func testInsightsDesksClock(t *testing.T, s suite) {
	db, _ := s.open(t)
	loc := nairobiZone(t)
	db.SetLocation(loc)
	ctx := context.Background()
	now := insightsDay
	fixedClock(db, &now)
	amina := &kindred.Agent{Name: "Amina", Role: kindred.RoleAgent, Team: "Cards"}
	if err := db.CreateAgent(ctx, amina, ""); err != nil {
		t.Fatal(err)
	}
	c := mustConversation(t, db, kindred.Conversation{CustomerID: mustCustomer(t, db, kindred.Customer{Name: "Joseph"}).ID, Channel: kindred.ChannelSMS})
	at := func(d int, hm string) time.Time {
		h, err := time.ParseInLocation("2006-01-02 15:04", fmt.Sprintf("2026-03-%02d %s", d, hm), loc)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	reply(t, db, c.ID, amina, at(1, "23:30"), 40)  // Sunday: the week of 23 February
	reply(t, db, c.ID, amina, at(2, "01:30"), 80)  // Monday 01:30, Sunday 22:30 UTC
	reply(t, db, c.ID, amina, at(8, "23:30"), 60)  // Sunday: still the week of 2 March
	reply(t, db, c.ID, amina, at(9, "01:30"), 70)  // Monday: the week of 9 March
	reply(t, db, c.ID, amina, at(16, "02:59"), 10) // Monday 16 March, in UTC's week of 9 March

	type week struct {
		day    string
		n      int
		median float64
	}
	weeks := func(ws []kindred.CompassionWeek) []week {
		var out []week
		for _, w := range ws {
			if w.Week.Location() != loc || w.Week.Hour() != 0 {
				t.Errorf("week %v does not start at midnight in Nairobi", w.Week)
			}
			out = append(out, week{w.Week.Format(time.DateOnly), w.N, w.Median})
		}
		return out
	}
	for _, tt := range []struct {
		name, from, to string
		want           []week
	}{
		{"two whole weeks", "2026-03-02", "2026-03-15", []week{{"2026-03-02", 2, 60}, {"2026-03-09", 1, 70}}},
		{"Sunday 1 March", "2026-03-01", "2026-03-01", []week{{"2026-02-23", 1, 40}}},
		{"Monday 2 March", "2026-03-02", "2026-03-02", []week{{"2026-03-02", 1, 80}}},
		{"Sunday to Monday", "2026-03-08", "2026-03-09", []week{{"2026-03-02", 1, 60}, {"2026-03-09", 1, 70}}},
		{"three weeks, cut", "2026-03-01", "2026-03-14", []week{{"2026-02-23", 1, 40}, {"2026-03-02", 2, 60}, {"2026-03-09", 1, 70}}},
	} {
		p := deskDays(t, tt.from, tt.to, loc)
		d, err := db.Dashboard(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		co, err := db.Coaching(ctx, amina.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][]kindred.CompassionWeek{"by team": d.CompassionByTeam, "by agent": d.CompassionByAgent, "trend": co.Trend} {
			if g := weeks(got); !slices.Equal(g, tt.want) {
				t.Errorf("%s, %s: %+v, want %+v", tt.name, name, g, tt.want)
			}
		}
		want := 0
		for _, w := range tt.want {
			want += w.n
		}
		if co.Replies != want {
			t.Errorf("%s: %d replies, want %d", tt.name, co.Replies, want)
		}
	}
	// The trend's table and CSV name each week by its Monday in Nairobi.
	co, err := db.Coaching(ctx, amina.ID, deskDays(t, "2026-03-02", "2026-03-15", loc))
	if err != nil {
		t.Fatal(err)
	}
	if rows := insights.TrendTable(co).Rows; len(rows) != 2 || rows[0][0] != "2026-03-02" || rows[1][0] != "2026-03-09" {
		t.Errorf("trend table %q", rows)
	}
}

// deskDays is the period from the start of day from to the end of day to,
// on loc's clock.
func deskDays(t *testing.T, from, to string, loc *time.Location) kindred.Period {
	t.Helper()
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		t.Fatal(err)
	}
	l, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		t.Fatal(err)
	}
	return kindred.Period{From: f, To: l.AddDate(0, 0, 1)}
}

func nairobiZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func pearson(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i] / float64(len(xs))
		my += ys[i] / float64(len(ys))
	}
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func show(f *float64) any {
	if f == nil {
		return "null"
	}
	return *f
}

func testInsightsEmpty(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	d, err := db.Dashboard(ctx, kindred.Period{From: insightsDay, To: insightsDay.AddDate(0, 0, 90)})
	if err != nil {
		t.Fatal(err)
	}
	if d.CSAT != nil || d.CSATMean != nil || d.FeltHeard != nil || d.FirstResponseP50 != nil || d.ResolutionP90 != nil ||
		d.CompassionVsCSAT.R != nil || d.CompassionVsCSAT.N != 0 || d.Retention.ReturningShare != nil {
		t.Errorf("an empty period has no measures, got %+v", d)
	}
	if d.CompassionByTeam == nil || d.CompassionByAgent == nil || len(d.BySatisfaction) != 5 {
		t.Errorf("lists are empty, not null: %+v", d)
	}
	_, err = db.Dashboard(ctx, kindred.Period{From: insightsDay, To: insightsDay})
	wantField(t, err, "to")
	_, err = db.Coaching(ctx, 999, kindred.Period{From: insightsDay, To: insightsDay.Add(time.Hour)})
	wantKind(t, err, kindred.NotFound)
}

func testInsightsCoaching(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	now := insightsDay
	fixedClock(db, &now)
	amina := &kindred.Agent{Name: "Amina", Role: kindred.RoleAgent, Team: "Cards"}
	if err := db.CreateAgent(ctx, amina, ""); err != nil {
		t.Fatal(err)
	}
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph"})
	c := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS})
	at := insightsDay.Add(time.Hour)
	// Names help most (3 × 4), then apology (2 × 5), then when (1 × 4), then
	// address (1 × 2); blame costs most (−8), vague less (−2).
	reply(t, db, c.ID, amina, at, 70, signal("name", 4, "Baba Otieno"), signal("apology", 5, "I'm sorry"), signal("blame", -8, "you should have"))
	reply(t, db, c.ID, amina, at.Add(time.Hour), 80, signal("name", 4, "Mama Akinyi"), signal("apology", 5, "so sorry"), signal("next_step_when", 4, "by Friday"))
	reply(t, db, c.ID, amina, at.Add(2*time.Hour), 60, signal("name", 4, "Baba"), signal("vague", -2, "soon"), signal("personal_address", 2, "you"))
	// Another week, and outside the period: not counted.
	reply(t, db, c.ID, amina, at.AddDate(0, 0, 7), 50, signal("blame", -8, "your fault"))
	reply(t, db, c.ID, amina, at.AddDate(0, 2, 0), 10, signal("dismissive", -15, "nothing we can do"))

	co, err := db.Coaching(ctx, amina.ID, kindred.Period{From: insightsDay, To: insightsDay.AddDate(0, 0, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if co.Agent.ID != amina.ID || co.Replies != 4 || co.Mean == nil || *co.Mean != 65 {
		t.Errorf("coaching %+v mean %v", co, show(co.Mean))
	}
	if len(co.Trend) != 2 || co.Trend[0].N != 3 || co.Trend[0].Median != 70 || co.Trend[1].N != 1 {
		t.Errorf("trend %+v", co.Trend)
	}
	var names []string
	for _, h := range co.Habits {
		names = append(names, h.Signal)
	}
	if len(co.Habits) != 3 || names[0] != "name" || names[1] != "apology" || names[2] != "next_step_when" {
		t.Fatalf("habits %v, want name, apology, next_step_when", names)
	}
	if h := co.Habits[0]; h.Replies != 3 || h.MeanEffect != 4 || h.Example == nil || h.Example.Evidence == "" {
		t.Errorf("name habit %+v", h)
	}
	if co.Practise == nil || co.Practise.Signal != "blame" || co.Practise.Replies != 2 || co.Practise.Example == nil ||
		co.Practise.Example.Suggestion != "Say when it will be ready." || co.Practise.Example.Evidence == "" {
		t.Errorf("practise %+v", co.Practise)
	}
}

func testKindnessLog(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	now := insightsDay
	fixedClock(db, &now)
	amina := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	lead := mustAgent(t, db, "Wanjiru", "wanjiru@example.org", kindred.RoleLead)
	kiosk := mustAgent(t, db, "Lobby", "", kindred.RoleKiosk)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph"})
	c := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelDesk})

	asLead := ctxAs(lead.ID, lead.Name)
	k := &kindred.Kindness{AgentID: amina.ID, What: "  Walked Baba Otieno to the bus stop in the rain. ", ConversationID: &c.ID}
	if err := db.RecordKindness(asLead, k); err != nil {
		t.Fatal(err)
	}
	if k.ID == 0 || k.RecordedBy != lead.ID || k.AgentName != "Amina" || k.What != "Walked Baba Otieno to the bus stop in the rain." {
		t.Errorf("recorded %+v", k)
	}
	now = insightsDay.Add(time.Hour)
	if err := db.RecordKindness(ctxAs(amina.ID, amina.Name), &kindred.Kindness{AgentID: lead.ID, What: "Covered my desk."}); err != nil {
		t.Fatal(err)
	}
	wantField(t, db.RecordKindness(asLead, &kindred.Kindness{AgentID: lead.ID, What: "I was kind."}), "agent_id")
	wantField(t, db.RecordKindness(asLead, &kindred.Kindness{AgentID: amina.ID, What: "  "}), "what")
	wantField(t, db.RecordKindness(asLead, &kindred.Kindness{AgentID: kiosk.ID, What: "Beeped kindly."}), "agent_id")
	wantField(t, db.RecordKindness(context.Background(), &kindred.Kindness{AgentID: amina.ID, What: "Nice."}), "recorded_by")
	bad := int64(999)
	wantField(t, db.RecordKindness(asLead, &kindred.Kindness{AgentID: amina.ID, What: "Nice.", ConversationID: &bad}), "conversation_id")

	log, err := db.KindnessLog(ctx, kindred.Period{From: insightsDay, To: insightsDay.AddDate(0, 0, 1)}, kindred.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].AgentName != "Wanjiru" || log[1].RecordedByName != "Wanjiru" || *log[1].ConversationID != c.ID {
		t.Errorf("log %+v", log)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'kindness.record'"); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	co, err := db.Coaching(ctx, amina.ID, kindred.Period{From: insightsDay, To: insightsDay.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(co.Kindness) != 1 || co.Kindness[0].ID != k.ID || len(co.Habits) != 0 || co.Practise != nil {
		t.Errorf("coaching of an agent with no replies: %+v", co)
	}
}

func testAgentTeam(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := &kindred.Agent{Name: "Amina", Email: "amina@example.org", Role: kindred.RoleAgent, Team: " Cards "}
	if err := db.CreateAgent(ctx, a, "h"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Agent(ctx, a.ID)
	if err != nil || got.Team != "Cards" {
		t.Fatalf("team %q, %v", got.Team, err)
	}
	if err := db.SetTeam(ctx, a.ID, "Pensions"); err != nil {
		t.Fatal(err)
	}
	byEmail, _, err := db.AgentByEmail(ctx, "amina@example.org")
	if err != nil || byEmail.Team != "Pensions" {
		t.Fatalf("team after SetTeam %q, %v", byEmail.Team, err)
	}
	wantKind(t, db.SetTeam(ctx, 999, "Cards"), kindred.NotFound)
}
