package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kindred-desk/kindred"
)

// The lobby's day, for the lead who plans tomorrow's desks: how many came
// for each service, how long they waited to be called and stayed at the
// desk, and whether the wait the kiosk told them held. An office that
// tells people "about 10 to 20 minutes" should know how often it was true.

type lobbyReportPage struct {
	lobbyView
	Day         *kindred.LobbyDay
	Date        string // the day shown, as the date field takes it
	Prev, Next  string // the days before and after; Next is "" after today
	Busiest     int    // the most tickets taken in one hour
	DayIsToday  bool
	DateProblem string
}

func (c *Console) lobbyReport(w http.ResponseWriter, r *http.Request, q *request) error {
	v := c.view(r, q, "How the lobby's day went")
	v.Nav = "lobby"
	p := &lobbyReportPage{lobbyView: lobbyView{v}}
	today := c.cfg.Now().In(v.clock()).Format(time.DateOnly)
	day := r.URL.Query().Get("day")
	if day != "" {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			// Shown beside the field; the page shows today meanwhile.
			p.DateProblem, day = v.T("Choose a date from the calendar, or type it as 2026-03-02."), ""
		}
	}
	if day == "" {
		day = today
	}
	d, err := c.cfg.Lobby.LobbyDay(r.Context(), day)
	if err != nil {
		return err
	}
	p.Day, p.Date, p.DayIsToday = d, d.Day, d.Day == today
	at, _ := time.Parse(time.DateOnly, d.Day)
	p.Prev = at.AddDate(0, 0, -1).Format(time.DateOnly)
	if d.Day < today {
		p.Next = at.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	for _, h := range d.Hours {
		p.Busiest = max(p.Busiest, h.Issued)
	}
	c.pages.render(w, r, c.log, http.StatusOK, "lobby_report", p)
	return nil
}

// Seconds is a measured time in words ("12 min"), or a dash with nothing
// to measure.
func (p *lobbyReportPage) Seconds(s *float64) string {
	if s == nil {
		return "–"
	}
	return p.Waited(time.Duration(*s * float64(time.Second)))
}

// DateWords is the day shown, in words.
func (p *lobbyReportPage) DateWords() string {
	at, _ := time.ParseInLocation(time.DateOnly, p.Day.Day, p.clock())
	return p.T(at.Weekday().String()) + " " + strconv.Itoa(at.Day()) + " " + p.T(at.Month().String()) + " " + strconv.Itoa(at.Year())
}

// Percent is part of whole as a whole percentage.
func (p *lobbyReportPage) Percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (200*part + whole) / (2 * whole)
}
