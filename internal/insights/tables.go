package insights

import (
	"strconv"
	"time"

	"github.com/kindred-desk/kindred"
)

// Kind is how a table's numbers are drawn.
type Kind int

// Chart kinds.
const (
	None  Kind = iota // a table only
	Bars              // one bar per row: Label column against Value column
	Lines             // one line per Series value: Week column against Value column
)

// Table is one chart's numbers: what the dashboard shows beside the chart,
// and what its CSV export holds. Titles, column names and the labels of the
// first column are English; the console translates them.
type Table struct {
	ID      string     // csat, felt_heard, ...: the chart's address
	Title   string     // what the chart shows
	Unit    string     // of the Value column, for the axis
	Columns []string   // headers
	Rows    [][]string // cells, numbers written plainly ("0.82", "" for none)

	Kind   Kind
	Value  int // the column drawn
	Series int // Lines: the column naming each line
}

// Tables lists the dashboard's charts, in the order they are shown.
func Tables(d *kindred.Dashboard) []Table {
	return []Table{
		csatTable(d), feltHeardTable(d), responseTable(d), retentionTable(d),
		headsUpTable(d), followUpTable(d),
		teamTable(d), agentTable(d), compassionCSATTable(d),
	}
}

// TableByID returns the table with id, if there is one.
func TableByID(d *kindred.Dashboard, id string) (Table, bool) {
	for _, t := range Tables(d) {
		if t.ID == id {
			return t, true
		}
	}
	return Table{}, false
}

// IDs lists the tables' ids, for the API's validation and documentation.
func IDs() []string {
	var ids []string
	for _, t := range Tables(&kindred.Dashboard{}) {
		ids = append(ids, t.ID)
	}
	return ids
}

func csatTable(d *kindred.Dashboard) Table {
	t := Table{ID: "csat", Title: "Satisfaction answers", Unit: "Answers",
		Columns: []string{"Answer (1 to 5)", "Answers", "Share"}, Kind: Bars, Value: 1}
	for i, n := range d.Satisfaction {
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), strconv.Itoa(n), num(Share(n, d.Answers), 3)})
	}
	return t
}

func feltHeardTable(d *kindred.Dashboard) Table {
	h := d.FeltHeardCounts
	all := h.Yes + h.Partly + h.No
	return Table{ID: "felt_heard", Title: "Did the customer feel heard?", Unit: "Answers",
		Columns: []string{"Answer", "Answers", "Share"}, Kind: Bars, Value: 1,
		Rows: [][]string{
			{"Yes, felt heard", strconv.Itoa(h.Yes), num(Share(h.Yes, all), 3)},
			{"Partly heard", strconv.Itoa(h.Partly), num(Share(h.Partly, all), 3)},
			{"Not heard", strconv.Itoa(h.No), num(Share(h.No, all), 3)},
		}}
}

func responseTable(d *kindred.Dashboard) Table {
	return Table{ID: "response_times", Title: "First response and resolution times", Unit: "Hours",
		Columns: []string{"Measure", "Hours", "Seconds"}, Kind: Bars, Value: 1,
		Rows: [][]string{
			{"First response, median", hours(d.FirstResponseP50), num(d.FirstResponseP50, 0)},
			{"First response, 90th percentile", hours(d.FirstResponseP90), num(d.FirstResponseP90, 0)},
			{"Resolution, median", hours(d.ResolutionP50), num(d.ResolutionP50, 0)},
			{"Resolution, 90th percentile", hours(d.ResolutionP90), num(d.ResolutionP90, 0)},
		}}
}

func retentionTable(d *kindred.Dashboard) Table {
	r := d.Retention
	return Table{ID: "returning_customers", Title: "Returning customers", Unit: "Customers",
		Columns: []string{"Customers", "Count", "Share"}, Kind: Bars, Value: 1,
		Rows: [][]string{
			{"With a conversation", strconv.Itoa(r.Customers), ""},
			{"With more than one", strconv.Itoa(r.Returning), num(r.ReturningShare, 3)},
			{"Came back within 90 days", strconv.Itoa(r.CameBack90), num(r.CameBack90Share, 3)},
		}}
}

func headsUpTable(d *kindred.Dashboard) Table {
	h := d.HeadsUps
	all := h.Before + h.After + h.NoPromise
	return Table{ID: "heads_ups", Title: "Heads-ups about delays", Unit: "Heads-ups sent",
		Columns: []string{"When it was sent", "Heads-ups sent", "Share"}, Kind: Bars, Value: 1,
		Rows: [][]string{
			{"Before the promised date", strconv.Itoa(h.Before), num(Share(h.Before, all), 3)},
			{"After the promised date", strconv.Itoa(h.After), num(Share(h.After, all), 3)},
			{"No date was promised", strconv.Itoa(h.NoPromise), num(Share(h.NoPromise, all), 3)},
		}}
}

func followUpTable(d *kindred.Dashboard) Table {
	f := d.FollowUps
	return Table{ID: "follow_ups", Title: "Follow-ups after resolution", Unit: "Follow-ups due",
		Columns: []string{"State", "Count"}, Kind: Bars, Value: 1,
		Rows: [][]string{
			{"Completed", strconv.Itoa(f.Done)},
			{"Skipped, with a reason", strconv.Itoa(f.Skipped)},
			{"Overdue", strconv.Itoa(f.Overdue)},
			{"Not due yet", strconv.Itoa(f.Pending)},
		}}
}

var weekColumns = []string{"Replies", "Mean", "Lowest", "25th percentile", "Median", "75th percentile", "Highest"}

func weekCells(w kindred.CompassionWeek) []string {
	return []string{strconv.Itoa(w.N), fmt1(w.Mean), fmt1(w.Min), fmt1(w.P25), fmt1(w.Median), fmt1(w.P75), fmt1(w.Max)}
}

func teamTable(d *kindred.Dashboard) Table {
	t := Table{ID: "compassion_teams", Title: "Compassion scores per team, by week", Unit: "Median score",
		Columns: append([]string{"Week", "Team"}, weekColumns...), Kind: Lines, Series: 1, Value: 6}
	for _, w := range d.CompassionByTeam {
		t.Rows = append(t.Rows, append([]string{day(w.Week), TeamName(w.Team)}, weekCells(w)...))
	}
	return t
}

func agentTable(d *kindred.Dashboard) Table {
	t := Table{ID: "compassion_agents", Title: "Compassion scores per agent, by week", Unit: "Median score",
		Columns: append([]string{"Week", "Agent", "Team"}, weekColumns...), Kind: Lines, Series: 1, Value: 7}
	// The chart draws a line per name: two agents who share one (two
	// Wanjiru Kamaus) would be drawn, and listed, as one.
	ids := map[string]int64{}
	shared := map[string]bool{}
	for _, w := range d.CompassionByAgent {
		if id, ok := ids[w.Agent]; ok && id != w.AgentID {
			shared[w.Agent] = true
		}
		ids[w.Agent] = w.AgentID
	}
	for _, w := range d.CompassionByAgent {
		name := w.Agent
		if shared[name] {
			name += " (#" + strconv.FormatInt(w.AgentID, 10) + ")"
		}
		t.Rows = append(t.Rows, append([]string{day(w.Week), name, TeamName(w.Team)}, weekCells(w)...))
	}
	return t
}

func compassionCSATTable(d *kindred.Dashboard) Table {
	t := Table{ID: "compassion_vs_csat", Title: "Reply compassion and satisfaction", Unit: "Mean compassion",
		Columns: []string{"Answer (1 to 5)", "Conversations", "Mean compassion"}, Kind: Bars, Value: 2}
	for _, b := range d.BySatisfaction {
		t.Rows = append(t.Rows, []string{strconv.Itoa(b.Satisfaction), strconv.Itoa(b.N), num(b.MeanCompassion, 1)})
	}
	return t
}

// TeamName is how a team is shown: agents in none are "No team".
func TeamName(team string) string {
	if team == "" {
		return "No team"
	}
	return team
}

func num(f *float64, prec int) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', prec, 64)
}

func fmt1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func hours(sec *float64) string {
	if sec == nil {
		return ""
	}
	return strconv.FormatFloat(*sec/3600, 'f', 1, 64)
}

// day is a week's date as the desk reads it: the store gives each week's
// start on the desk's clock, in its zone, so it is not turned to UTC here
// (Monday 00:00 in Nairobi is Sunday 21:00 UTC).
func day(t time.Time) string { return t.Format(time.DateOnly) }

// TrendTable is an agent's weekly compassion scores, for their coaching view.
func TrendTable(c *kindred.Coaching) Table {
	t := Table{ID: "trend", Title: "Your compassion scores, by week", Unit: "Median score",
		Columns: append([]string{"Week", "Agent"}, weekColumns...), Kind: Lines, Series: 1, Value: 6}
	for _, w := range c.Trend {
		t.Rows = append(t.Rows, append([]string{day(w.Week), c.Agent.Name}, weekCells(w)...))
	}
	return t
}
