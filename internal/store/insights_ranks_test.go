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
// from reply_weeks, partial ones from the replies), against the nearest
// ranks of the replies themselves sorted here: many ties, weeks of one, two
// and three replies, agents sharing a team, periods cut inside weeks, and
// an agent who changed team.
func testInsightsCompassionRanks(t *testing.T, s suite) {
	db, _ := s.open(t)
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
		week  time.Time
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
	// Week w, agent i writes counts[w][i] replies, at 01:00, 02:00, … on
	// the Monday.
	counts := [][]int{{1, 2, 3, 0}, {7, 1, 0, 2}, {13, 9, 4, 1}}
	for w, row := range counts {
		for i, n := range row {
			for j := range n {
				// Scores on a tenth, from few values: ties are the rule.
				score := float64(r.IntN(6)*15+r.IntN(3)) + float64(r.IntN(2))/10
				at := monday.AddDate(0, 0, 7*w).Add(time.Duration(1+j) * time.Hour)
				reply(t, db, conv.ID, agents[i], at, score, signal("name", 1, ""))
				replies = append(replies, sent{at, i, score})
			}
		}
	}
	hour := time.Hour
	for _, p := range []struct {
		name     string
		from, to time.Time
		team     string // Baraka's team from now on, when set
	}{
		{"whole weeks", monday, monday.AddDate(0, 0, 21), ""},
		// The partial weeks are counted from the replies, the whole one
		// from reply_weeks.
		{"partial weeks at both ends", monday.Add(2*hour + 30*time.Minute), monday.AddDate(0, 0, 14).Add(3*hour + 30*time.Minute), ""},
		{"within one week", monday.AddDate(0, 0, 7).Add(90 * time.Minute), monday.AddDate(0, 0, 7).Add(5*hour + 30*time.Minute), ""},
		// A reply counts for its author's team as it is when the dashboard
		// is read, whenever it was written.
		{"after a change of team", monday.Add(2 * hour), monday.AddDate(0, 0, 21), "Pensions"},
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
			day := x.at.Truncate(24 * time.Hour)
			wk := day.AddDate(0, 0, -(int(day.Weekday())+6)%7) // its Monday
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
				scores := slices.Clone(c.want[key{g.Week, g.Team, g.AgentID}])
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
