package demo

import (
	"math"
	"time"

	"github.com/kindred-desk/kindred"
)

// The walk-in side of the office: two services, three desks (desk 2 has a
// chair for the customer), and the last lobbyDays office days of visitors,
// played through the lobby's own services with the store's clock set back.
// Each ticket is told the wait the kiosk would have told it then, from the
// visits before it, and each desk calls as the desk page does: so the day
// reports measure the estimate against what happened, as at a real desk.

const lobbyDays = 10

// arrivalsPerHour is how many people come in each office hour, from 08:00:
// a morning rush, a lunch lull, a quiet end of the day.
var arrivalsPerHour = []float64{14, 20, 18, 12, 7, 11, 9, 4}

type lobbyDesk struct {
	desk     *kindred.Desk
	services []string // the codes it opens for
	staff    *agent
	free     time.Time       // when the desk next calls
	missing  *kindred.Ticket // called and not come: marked so when free
	done     bool            // after closing, nobody left to call
}

func (g *generator) makeLobby(loc *time.Location) error {
	for _, q := range []kindred.Queue{{Code: "A", Name: "Registration"}, {Code: "B", Name: "Payments"}} {
		if err := g.db.CreateQueue(g.ctx, &q); err != nil && kindred.ErrorKind(err) != kindred.Conflict {
			return err
		}
	}
	var front []*agent
	for _, a := range g.agents {
		if a.Team == "Front desk" {
			front = append(front, a)
		}
	}
	if len(front) == 0 {
		front = g.agents
	}
	plan := []struct {
		name     string
		seated   bool
		services []string
	}{{"1", false, []string{"A", "B"}}, {"2", true, []string{"A"}}, {"3", false, []string{"B"}}}
	desks := make([]*lobbyDesk, len(plan))
	existing, err := g.db.Desks(g.ctx)
	if err != nil {
		return err
	}
	for i, p := range plan {
		d := &kindred.Desk{Name: p.name, Seated: p.seated}
		for _, e := range existing {
			if e.Name == p.name {
				d = &e
			}
		}
		if d.ID == 0 {
			if err := g.db.CreateDesk(g.ctx, d); err != nil {
				return err
			}
		}
		desks[i] = &lobbyDesk{desk: d, services: p.services, staff: front[i%len(front)]}
	}
	today := g.now.In(loc)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	var days []time.Time
	for len(days) < lobbyDays {
		day = day.AddDate(0, 0, -1)
		if day.Weekday() != time.Saturday && day.Weekday() != time.Sunday {
			days = append(days, day)
		}
	}
	for i := len(days) - 1; i >= 0; i-- {
		if err := g.lobbyDay(days[i], desks); err != nil {
			return err
		}
	}
	return nil
}

// lobbyDay plays one office day: desks open at 08:00, people come until
// 16:00, and the desks call until nobody is left.
func (g *generator) lobbyDay(day time.Time, desks []*lobbyDesk) error {
	open := day.Add(8 * time.Hour)
	closing := day.Add(time.Duration(len(arrivalsPerHour)) * time.Hour)
	// Arrivals: a Poisson stream at each hour's rate.
	var arrivals []time.Time
	for h, rate := range arrivalsPerHour {
		at := open.Add(time.Duration(h) * time.Hour)
		end := at.Add(time.Hour)
		for {
			at = at.Add(time.Duration(g.r.ExpFloat64() / rate * float64(time.Hour)))
			if !at.Before(end) {
				break
			}
			arrivals = append(arrivals, at)
		}
	}
	for _, d := range desks {
		g.at = open.Add(time.Duration(g.r.IntN(10)) * time.Minute)
		actor := kindred.WithActor(g.ctx, kindred.Actor{AgentID: d.staff.ID, Name: d.staff.Name, Role: d.staff.Role})
		if _, err := g.db.OpenDesk(actor, d.desk.ID, d.services); err != nil {
			return err
		}
		d.free, d.missing, d.done = g.at, nil, false
	}
	next := 0 // the next arrival
	for {
		var desk *lobbyDesk
		for _, d := range desks {
			if !d.done && (desk == nil || d.free.Before(desk.free)) {
				desk = d
			}
		}
		if desk == nil {
			break
		}
		if next < len(arrivals) && !arrivals[next].After(desk.free) {
			g.at = arrivals[next]
			next++
			if err := g.ticket(); err != nil {
				return err
			}
			continue
		}
		g.at = desk.free
		if desk.missing != nil {
			if _, err := g.db.NoShow(g.ctx, desk.missing.ID); err != nil {
				return err
			}
			desk.missing = nil
		}
		called, err := g.db.CallNext(g.ctx, desk.desk.ID)
		if err != nil {
			return err
		}
		switch {
		case called != nil && g.r.Float64() < 0.04:
			// Stepped out and did not come back: called twice, then marked.
			desk.missing, desk.free = called, g.at.Add(3*time.Minute)
		case called != nil:
			desk.free = g.at.Add(g.visit())
		case next < len(arrivals):
			desk.free = arrivals[next].Add(time.Duration(1+g.r.IntN(30)) * time.Second)
		case g.at.After(closing):
			desk.done = true
		default:
			desk.free = closing.Add(time.Minute)
		}
	}
	for _, d := range desks {
		g.at = d.free
		if _, err := g.db.CloseDesk(g.ctx, d.desk.ID); err != nil {
			return err
		}
	}
	return nil
}

// ticket issues the next arrival's ticket: Registration for three in five;
// one in twelve is an elder or a parent the desk calls sooner or seats.
func (g *generator) ticket() error {
	t := &kindred.Ticket{QueueCode: "A"}
	if g.r.Float64() < 0.4 {
		t.QueueCode = "B"
	}
	if err := g.db.IssueTicket(g.ctx, t); err != nil {
		return err
	}
	g.sum.Tickets++
	if g.r.Float64() < 1.0/12 {
		if _, err := g.db.SetTicketNeeds(g.ctx, t.ID, true, g.r.Float64() < 0.5); err != nil {
			return err
		}
	}
	return nil
}

// visit is how long a person stays at the desk: most visits are short, a
// few are long (a lost card, a form filled in at the desk).
func (g *generator) visit() time.Duration {
	m := 3 + math.Min(g.r.ExpFloat64()*6, 30)
	return time.Duration(m * float64(time.Minute))
}
