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
// which the database computes from replies counted by score, against the
// nearest ranks of the replies themselves sorted here: many ties, weeks
// of one, two and three replies, and agents sharing a team.
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
	byTeam, byAgent := map[key][]float64{}, map[key][]float64{}
	r := rand.New(rand.NewPCG(7, 15))
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// Week w, agent i writes counts[w][i] replies.
	counts := [][]int{{1, 2, 3, 0}, {7, 1, 0, 2}, {13, 9, 4, 1}}
	for w, row := range counts {
		for i, n := range row {
			a := agents[i]
			for j := range n {
				// Scores on a tenth, from few values: ties are the rule.
				score := float64(r.IntN(6)*15+r.IntN(3)) + float64(r.IntN(2))/10
				at := monday.AddDate(0, 0, 7*w).Add(time.Duration(1+j) * time.Hour)
				reply(t, db, conv.ID, a, at, score, signal("name", 1, ""))
				wk := monday.AddDate(0, 0, 7*w)
				byTeam[key{wk, a.Team, 0}] = append(byTeam[key{wk, a.Team, 0}], score)
				byAgent[key{wk, a.Team, a.ID}] = append(byAgent[key{wk, a.Team, a.ID}], score)
			}
		}
	}
	period := kindred.Period{From: monday, To: monday.AddDate(0, 0, 21)}
	d, err := db.Dashboard(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	co, err := db.Coaching(ctx, agents[0].ID, period)
	if err != nil {
		t.Fatal(err)
	}
	aminaOnly := map[key][]float64{}
	for k, v := range byAgent {
		if k.agent == agents[0].ID {
			aminaOnly[k] = v
		}
	}
	for _, c := range []struct {
		name string
		got  []kindred.CompassionWeek
		want map[key][]float64
	}{{"by team", d.CompassionByTeam, byTeam}, {"by agent", d.CompassionByAgent, byAgent}, {"coaching trend", co.Trend, aminaOnly}} {
		if len(c.got) != len(c.want) {
			t.Errorf("%s: %d weeks and groups, want %d: %+v", c.name, len(c.got), len(c.want), c.got)
			continue
		}
		for _, g := range c.got {
			scores := slices.Clone(c.want[key{g.Week, g.Team, g.AgentID}])
			if len(scores) == 0 {
				t.Errorf("%s: unexpected %+v", c.name, g)
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
				t.Errorf("%s: %+v, want n %d min %v p25 %v median %v p75 %v max %v mean %v (scores %v)", c.name, g,
					n, scores[0], at(25), at(50), at(75), scores[n-1], sum/float64(n), scores)
			}
		}
		// Oldest week first; within a week by team, or by agent's name.
		if !slices.IsSortedFunc(c.got, func(a, b kindred.CompassionWeek) int {
			return cmp.Or(a.Week.Compare(b.Week), cmp.Compare(a.Team, b.Team)*boolInt(c.name == "by team"),
				cmp.Compare(a.Agent, b.Agent))
		}) {
			t.Errorf("%s: out of order: %+v", c.name, c.got)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
