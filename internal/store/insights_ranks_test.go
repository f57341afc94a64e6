package store

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites, suiteTest{"InsightsCompassionRanksMatchSortedReplies", testInsightsCompassionRanks})
}

// testInsightsCompassionRanks checks the weekly compassion distributions,
// which the database computes from replies counted by score (whole weeks
// from reply_weeks, put right for the hours where the desk's week and the
// UTC week differ; partial ones from the replies), against the nearest
// ranks of the replies themselves sorted here: many ties, weeks of one, two
// and three replies, agents sharing a team, periods cut inside weeks, and
// an agent who changed team. It does so on the clocks of desks east and
// west of UTC, at a quarter hour (Kathmandu), and across changes of clocks
// (New York's on 8 March 2026, London's on 29 March), with replies on
// either side of each desk's midnight.
func testInsightsCompassionRanks(t *testing.T, s suite) {
	for _, name := range []string{"UTC", "Africa/Nairobi", "Europe/London", "America/New_York", "Asia/Kathmandu"} {
		t.Run(name, func(t *testing.T) {
			loc, err := time.LoadLocation(name)
			if err != nil {
				t.Fatal(err)
			}
			compassionRanksOnClock(t, s, loc)
		})
	}
}

func compassionRanksOnClock(t *testing.T, s suite, loc *time.Location) {
	db, _ := s.open(t)
	db.SetLocation(loc)
	ctx := context.Background()
	now := insightsDay
	fixedClock(db, &now)
	agents := []*kindred.Agent{
		{Name: "Amina", Role: kindred.RoleAgent, Team: "Cards"},
		{Name: "Baraka", Role: kindred.RoleAgent, Team: "Cards"},
		{Name: "Chebet", Role: kindred.RoleAgent, Team: "Pensions"},
		{Name: "Daudi", Role: kindred.RoleAgent},
	}
	for _, a := range agents {
		if err := db.CreateAgent(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS})

	type key struct {
		week  string // the Monday, on the desk's clock
		team  string
		agent int64
	}
	type sent struct {
		at    time.Time
		agent int
		score float64
	}
	var replies []sent
	r := rand.New(rand.NewPCG(7, 15))
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// Around each UTC Monday midnight: Monday 00:30 in Kathmandu, Sunday
	// 23:30 and Monday 00:30 in Nairobi, Sunday 23:30 UTC (Monday 00:30 in
	// London's summer), Monday 00:30 and 01:30 UTC, Sunday 23:30 and
	// Monday 00:30 in New York (EST, then EDT), and a Thursday.
	around := []time.Duration{-5*time.Hour - 15*time.Minute, -3*time.Hour - 30*time.Minute, -2*time.Hour - 30*time.Minute,
		-30 * time.Minute, 30 * time.Minute, 90 * time.Minute, 4*time.Hour + 30*time.Minute, 5*time.Hour + 30*time.Minute, 3 * 24 * time.Hour}
	// Week w, agent i writes counts[w][i] replies.
	counts := [][]int{{1, 2, 3, 0}, {7, 1, 0, 2}, {13, 9, 4, 1}, {2, 0, 5, 3}, {4, 3, 0, 9}}
	for w, row := range counts {
		for i, n := range row {
			for j := range n {
				// Scores on a tenth, from few values: ties are the rule.
				score := float64(r.IntN(6)*15+r.IntN(3)) + float64(r.IntN(2))/10
				at := monday.AddDate(0, 0, 7*w).Add(around[(i+j)%len(around)] + time.Duration(j)*time.Minute)
				reply(t, db, conv.ID, agents[i], at, score, signal("name", 1, ""))
				replies = append(replies, sent{at, i, score})
			}
		}
	}
	local := func(d int, h time.Duration) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, loc).Add(h) }
	hour := time.Hour
	for _, p := range []struct {
		name     string
		from, to time.Time
		team     string // Baraka's team from now on, when set
	}{
		{"whole weeks", local(2, 0), local(2+35, 0), ""},
		// The partial weeks are counted from the replies, the whole ones
		// from reply_weeks.
		{"partial weeks at both ends", local(4, 10*hour), local(25, 12*hour), ""},
		{"cut at UTC's midnights", monday, monday.AddDate(0, 0, 28), ""},
		{"two partial weeks", local(5, 0), local(12, 0), ""},
		{"within one week", local(9, 15*time.Minute), local(9, 5*hour+30*time.Minute), ""},
		// A reply counts for its author's team as it is when the dashboard
		// is read, whenever it was written.
		{"after a change of team", local(2, 2*hour), local(2+35, 0), "Pensions"},
	} {
		if p.team != "" {
			a, err := db.UpdateAgent(ctx, agents[1].ID, kindred.AgentUpdate{Team: &p.team})
			if err != nil {
				t.Fatal(err)
			}
			agents[1] = a
		}
		byTeam, byAgent, aminaOnly := map[key][]float64{}, map[key][]float64{}, map[key][]float64{}
		for _, x := range replies {
			if x.at.Before(p.from) || !x.at.Before(p.to) {
				continue
			}
			a := agents[x.agent]
			day := x.at.In(loc)
			wk := time.Date(day.Year(), day.Month(), day.Day()-(int(day.Weekday())+6)%7, 12, 0, 0, 0, time.UTC).Format(time.DateOnly)
			byTeam[key{wk, a.Team, 0}] = append(byTeam[key{wk, a.Team, 0}], x.score)
			byAgent[key{wk, a.Team, a.ID}] = append(byAgent[key{wk, a.Team, a.ID}], x.score)
			if x.agent == 0 {
				aminaOnly[key{wk, a.Team, a.ID}] = append(aminaOnly[key{wk, a.Team, a.ID}], x.score)
			}
		}
		period := kindred.Period{From: p.from, To: p.to}
		d, err := db.Dashboard(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		co, err := db.Coaching(ctx, agents[0].ID, period)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			got  []kindred.CompassionWeek
			want map[key][]float64
		}{{"by team", d.CompassionByTeam, byTeam}, {"by agent", d.CompassionByAgent, byAgent}, {"coaching trend", co.Trend, aminaOnly}} {
			if len(c.got) != len(c.want) {
				t.Errorf("%s, %s: %d weeks and groups, want %d: %+v", p.name, c.name, len(c.got), len(c.want), c.got)
				continue
			}
			for _, g := range c.got {
				// A week is named by its first moment, midnight on the
				// desk's clock, in the desk's zone.
				if g.Week.Location() != loc || g.Week.Hour() != 0 || g.Week.Minute() != 0 || g.Week.Weekday() != time.Monday {
					t.Errorf("%s, %s: the week of %+v does not start on Monday 00:00 in %s", p.name, c.name, g, loc)
				}
				scores := slices.Clone(c.want[key{g.Week.Format(time.DateOnly), g.Team, g.AgentID}])
				if len(scores) == 0 {
					t.Errorf("%s, %s: unexpected %+v", p.name, c.name, g)
					continue
				}
				slices.Sort(scores)
				n := len(scores)
				at := func(p int) float64 { return scores[(n*p+99)/100-1] }
				sum := 0.0
				for _, x := range scores {
					sum += x
				}
				if g.N != n || g.Min != scores[0] || g.Max != scores[n-1] || g.P25 != at(25) || g.Median != at(50) ||
					g.P75 != at(75) || math.Abs(g.Mean-sum/float64(n)) > 1e-9 {
					t.Errorf("%s, %s: %+v, want n %d min %v p25 %v median %v p75 %v max %v mean %v (scores %v)", p.name, c.name, g,
						n, scores[0], at(25), at(50), at(75), scores[n-1], sum/float64(n), scores)
				}
			}
			// Oldest week first; within a week by team, or by agent's name.
			if !slices.IsSortedFunc(c.got, func(a, b kindred.CompassionWeek) int {
				return cmp.Or(a.Week.Compare(b.Week), cmp.Compare(a.Team, b.Team)*boolInt(c.name == "by team"),
					cmp.Compare(a.Agent, b.Agent))
			}) {
				t.Errorf("%s, %s: out of order: %+v", p.name, c.name, c.got)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
