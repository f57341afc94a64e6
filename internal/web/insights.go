package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/insights"
)

// insightReaders may read the dashboard: a team's measures are for those
// who lead it.
var insightReaders = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead}

// insightRoutes lists the insights pages: the dashboard with its charts and
// their CSV, each agent's coaching view, and the kindness log.
func (c *Console) insightRoutes() []route {
	return []route{
		{"GET /insights", insightReaders, c.insightsDashboard},
		{"GET /insights/charts/{chart}", insightReaders, c.insightsChart},
		{"GET /insights/csv/{chart}", insightReaders, c.insightsCSV},
		{"GET /coaching", staff, c.coachingSelf},
		{"GET /coaching/{id}", staff, c.coachingPage},
		{"GET /coaching/{id}/chart", staff, c.coachingChart},
		{"GET /kindness", staff, c.kindnessPage},
		{"POST /kindness", staff, c.recordKindness},
	}
}

// insightsPeriod reads ?from= and ?to=, dates on the desk's clock; problems
// are shown, and the default period used, when they cannot be read.
func (c *Console) insightsPeriod(r *http.Request, v *view) (kindred.Period, []string) {
	qs := r.URL.Query()
	// To the second, as the chart and export links write it, so that the
	// page and its charts share one cached dashboard.
	now := c.cfg.Now()
	p, err := insights.ParsePeriod(qs.Get("from"), qs.Get("to"), now, v.clock())
	var probs []string
	if err != nil {
		p, _ = insights.ParsePeriod("", "", now, v.clock())
		probs = insightProblems(v, err)
	}
	p.From, p.To = p.From.UTC().Truncate(time.Second), insights.CeilSecond(p.To.UTC())
	return p, probs
}

// insightPeriod is the period as the date fields show it, on the desk's
// clock: to is the last day included.
type insightPeriod struct {
	From, To string
	Query    string // from=…&to=… with the exact times, for the charts and exports
}

func insightPeriodForm(p kindred.Period, loc *time.Location) insightPeriod {
	last := p.To.Add(-time.Millisecond)
	q := url.Values{"from": {p.From.UTC().Format(time.RFC3339)}, "to": {p.To.UTC().Format(time.RFC3339)}}
	return insightPeriod{From: p.From.In(loc).Format(time.DateOnly), To: last.In(loc).Format(time.DateOnly), Query: q.Encode()}
}

// chartFigure is one chart: its image, its text alternative, and its numbers.
type chartFigure struct {
	ID, Title, Alt, Src, CSV string
	Columns                  []string
	Rows                     [][]string
	Wide                     bool // too many columns to sit beside the chart
}

func (c *Console) chartFigure(v *view, t insights.Table, src, csv string) chartFigure {
	f := chartFigure{ID: t.ID, Title: v.T(t.Title), Src: src, CSV: csv}
	switch t.Kind {
	case insights.Lines:
		f.Alt = v.T("Line chart: %s. The numbers are in the table below it.", f.Title)
	default:
		f.Alt = v.T("Bar chart: %s. The numbers are in the table below it.", f.Title)
	}
	for _, col := range t.Columns {
		f.Columns = append(f.Columns, v.T(col))
	}
	f.Wide = len(t.Columns) > 4
	for _, row := range t.Rows {
		out := slices.Clone(row)
		out[0] = v.T(row[0])
		for i, col := range t.Columns {
			// Shares read better as percentages here; the CSV keeps 0..1.
			if x, err := strconv.ParseFloat(row[i], 64); col == "Share" && err == nil {
				out[i] = strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
			}
		}
		if t.Kind == insights.Lines {
			out[t.Series] = v.T(row[t.Series]) // "No team"; names pass through
		}
		f.Rows = append(f.Rows, out)
	}
	return f
}

// dashboardPage is the insights dashboard.
type dashboardPage struct {
	*view
	insightPeriod
	Zone     string // the desk's time zone, by name: its days and weeks are the page's
	D        *kindred.Dashboard
	Figures  []chartFigure
	Kindness []kindred.Kindness
	Agents   []kindred.Agent // who can be coached, and thanked
	Problems []string
}

func (c *Console) insightsDashboard(w http.ResponseWriter, r *http.Request, q *request) error {
	v := c.view(r, q, "Insights")
	v.Nav = "insights"
	p, probs := c.insightsPeriod(r, v)
	d, err := c.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		return err
	}
	k, err := c.cfg.Insights.KindnessLog(r.Context(), p, kindred.Page{Limit: 20})
	if err != nil {
		return err
	}
	agents, err := c.insightColleagues(r, 0)
	if err != nil {
		return err
	}
	page := &dashboardPage{view: v, insightPeriod: insightPeriodForm(p, v.clock()), Zone: zoneName(v.clock(), v.now), D: d, Kindness: k,
		Agents: agents, Problems: probs}
	for _, t := range insights.Tables(d) {
		page.Figures = append(page.Figures, c.chartFigure(v, t,
			"/insights/charts/"+t.ID+"?"+page.Query, "/insights/csv/"+t.ID+"?"+page.Query))
	}
	status := http.StatusOK
	if probs != nil {
		status = http.StatusUnprocessableEntity
	}
	c.pages.render(w, r, c.log, status, "insights_dashboard", page)
	return nil
}

// zoneName names loc as a desk lead would know it: its IANA name, or, for
// the machine's zone (no --time-zone, as in tests), its abbreviation now.
func zoneName(loc *time.Location, now time.Time) string {
	if loc == time.Local {
		name, _ := now.In(loc).Zone()
		return name
	}
	return loc.String()
}

// insightColleagues lists the agents who serve customers (no kiosks, none
// disabled, no API-only service accounts), without the one with id skip.
func (c *Console) insightColleagues(r *http.Request, skip int64) ([]kindred.Agent, error) {
	all, err := c.cfg.Agents.Agents(r.Context())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(a kindred.Agent) bool {
		return a.ID == skip || !a.ServesCustomers()
	}), nil
}

// Percent writes a share as a whole percentage, or a dash when there is none.
func (v *dashboardPage) Percent(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.Itoa(int(*f*100+0.5)) + "%"
}

// Hours writes seconds as hours, or minutes when under an hour.
func (v *dashboardPage) Hours(sec *float64) string {
	if sec == nil {
		return "–"
	}
	if *sec < 3600 {
		return v.T("%d min", int(*sec/60+0.5))
	}
	return v.T("%s h", strconv.FormatFloat(*sec/3600, 'f', 1, 64))
}

// Num writes a number with one decimal, or a dash.
func (v *dashboardPage) Num(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(*f, 'f', 1, 64)
}

// R writes a correlation with two decimals, or a dash.
func (v *dashboardPage) R(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(*f, 'f', 2, 64)
}

// Caution is the plain-words warning that goes with a correlation, so that
// nobody reads much into a small sample.
func (v *dashboardPage) Caution(c kindred.Correlation) string {
	switch {
	case c.N < 3:
		return v.T("Only %d answered surveys so far. That is too few to say anything yet.", c.N)
	case c.R == nil:
		return v.T("Every answer or every score is the same, so there is nothing to compare.")
	case c.N < insights.SmallSample:
		return v.T("Only %d answered surveys. That is too few to lean on: the true link could be anywhere in the range shown.", c.N)
	case c.Low != nil && *c.Low <= 0 && *c.High >= 0:
		return v.T("The range includes zero, so this sample does not show a clear link.")
	}
	return ""
}

func (c *Console) insightsChart(w http.ResponseWriter, r *http.Request, q *request) error {
	v := c.view(r, q, "Insights")
	p, _ := c.insightsPeriod(r, v)
	d, err := c.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		return err
	}
	t, ok := insights.TableByID(d, r.PathValue("chart"))
	if !ok {
		return kindred.Errorf(kindred.NotFound, "no such chart")
	}
	writeChartSVG(w, insights.SVG(t, func(s string) string { return v.T(s) }, v.T("No data in this period.")))
	return nil
}

func writeChartSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, max-age=60")
	w.Write(svg)
}

func (c *Console) insightsCSV(w http.ResponseWriter, r *http.Request, q *request) error {
	v := c.view(r, q, "Insights")
	p, probs := c.insightsPeriod(r, v)
	if probs != nil {
		return kindred.Errorf(kindred.Invalid, "%s", strings.Join(probs, " "))
	}
	d, err := c.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		return err
	}
	chart := r.PathValue("chart")
	t, ok := insights.TableByID(d, chart)
	if !ok {
		return kindred.Errorf(kindred.NotFound, "no such chart")
	}
	var b bytes.Buffer
	if err := insights.WriteCSV(&b, t); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+api.CSVName(chart, p, v.clock())+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
	return nil
}

// coachingView is one agent's coaching page.
type coachingView struct {
	*view
	insightPeriod
	C        *kindred.Coaching
	Own      bool
	Trend    chartFigure
	Agents   []kindred.Agent // a lead's choice of whom to look at
	Problems []string
}

// Kindness is what colleagues saw the agent do, for the shared list.
func (p *coachingView) Kindness() []kindred.Kindness { return p.C.Kindness }

// HabitLabel is the plain words for a signal the engine records.
func (p *coachingView) HabitLabel(signal string) string {
	if l, ok := habitLabels[signal]; ok {
		return p.T(l)
	}
	return signal
}

// Num writes a number with one decimal, or a dash.
func (p *coachingView) Num(f *float64) string { return (&dashboardPage{view: p.view}).Num(f) }

// Effect writes a habit's points per reply, signed: "+4.0", "−8.0".
func (p *coachingView) Effect(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if f > 0 {
		return "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// habitLabels name the engine's signals (compassion/score.go) as habits, in
// the words a coach would use. Those that cost points are written as advice.
var habitLabels = map[string]string{
	"empathy_emotional_reactions": "Showing warmth",
	"empathy_interpretations":     "Showing you understand how they feel",
	"empathy_explorations":        "Asking how they are doing",
	"acknowledgement":             "Saying back what they told you",
	"acknowledgement_first":       "Listening before solving",
	"acknowledgement_missing":     "Say back what a worried customer told you",
	"cue_unacknowledged":          "Notice what they tell you about their life, such as age, illness or loss",
	"exploration":                 "Asking about their situation",
	"apology":                     "Saying sorry, with an action behind it",
	"apology_hollow":              "Back each sorry with a next step",
	"ownership":                   "Owning the problem",
	"blame":                       "Do not blame the customer",
	"personal_address":            "Speaking to them directly",
	"name":                        "Using their name",
	"name_missing":                "Use the customer's name",
	"care":                        "Words of care",
	"care_hollow":                 "Back words of care with an action",
	"dismissive":                  "Avoid words that brush people off",
	"scripted":                    "Avoid stock phrases",
	"next_step_what":              "Saying what will happen",
	"next_step_who":               "Saying who will do it",
	"next_step_when":              "Saying when",
	"next_step_when_missing":      "Give a time when the matter is urgent",
	"vague":                       "Avoid vague words",
	"concreteness":                "Clear, concrete words",
	"reading_grade":               "Use plain, simple words",
	"long_sentences":              "Write shorter sentences",
	"jargon":                      "Avoid jargon",
	"politeness":                  "Polite wording",
	"sentiment":                   "A warm tone",
}

func (c *Console) coachingSelf(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.renderCoaching(w, r, q, q.agent.ID)
}

func (c *Console) coachingPage(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.renderCoaching(w, r, q, id)
}

// mayCoach reports whether the person signed in may see agent id's
// coaching: their own, or anyone's for a lead.
func mayCoach(q *request, id int64) bool {
	return q.agent.ID == id || slices.Contains(insightReaders, q.agent.Role)
}

func (c *Console) renderCoaching(w http.ResponseWriter, r *http.Request, q *request, id int64) error {
	if !mayCoach(q, id) {
		return kindred.Errorf(kindred.Forbidden, "not your coaching view")
	}
	v := c.view(r, q, "Coaching")
	v.Nav = "coaching"
	p, probs := c.insightsPeriod(r, v)
	co, err := c.cfg.Insights.Coaching(r.Context(), id, p)
	if err != nil {
		return err
	}
	page := &coachingView{view: v, insightPeriod: insightPeriodForm(p, v.clock()), C: co, Own: id == q.agent.ID, Problems: probs}
	if !page.Own {
		v.Title = v.T("Coaching for %s", co.Agent.Name)
	}
	page.Trend = c.chartFigure(v, insights.TrendTable(co), "/coaching/"+strconv.FormatInt(id, 10)+"/chart?"+page.Query, "")
	if slices.Contains(insightReaders, q.agent.Role) {
		if page.Agents, err = c.insightColleagues(r, 0); err != nil {
			return err
		}
	}
	c.pages.render(w, r, c.log, http.StatusOK, "insights_coaching", page)
	return nil
}

func (c *Console) coachingChart(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !mayCoach(q, id) {
		return kindred.Errorf(kindred.Forbidden, "not your coaching view")
	}
	v := c.view(r, q, "Coaching")
	p, _ := c.insightsPeriod(r, v)
	co, err := c.cfg.Insights.Coaching(r.Context(), id, p)
	if err != nil {
		return err
	}
	writeChartSVG(w, insights.SVG(insights.TrendTable(co), func(s string) string { return v.T(s) }, v.T("No data in this period.")))
	return nil
}

// kindnessView is the kindness log with its form.
type kindnessView struct {
	*view
	Kindness []kindred.Kindness
	Agents   []kindred.Agent
	Problems []string
	Form     map[string]string
	Saved    bool
}

func (c *Console) loadKindness(r *http.Request, q *request) (*kindnessView, error) {
	v := c.view(r, q, "Kindness log")
	v.Nav = "kindness"
	now := c.cfg.Now()
	k, err := c.cfg.Insights.KindnessLog(r.Context(), kindred.Period{From: now.Add(-insights.DefaultSpan), To: now.Add(time.Second)}, kindred.Page{Limit: 100})
	if err != nil {
		return nil, err
	}
	agents, err := c.insightColleagues(r, q.agent.ID)
	if err != nil {
		return nil, err
	}
	return &kindnessView{view: v, Kindness: k, Agents: agents, Form: map[string]string{}}, nil
}

func (c *Console) kindnessPage(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadKindness(r, q)
	if err != nil {
		return err
	}
	p.Saved = r.URL.Query().Get("saved") == "1"
	c.pages.render(w, r, c.log, http.StatusOK, "insights_kindness", p)
	return nil
}

// recordKindness adds an act of care to the log, by the API's rules.
func (c *Console) recordKindness(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	f := r.PostForm
	var k api.Check
	entry := &kindred.Kindness{What: k.ShortText("what", f.Get("what"), true)}
	if id, err := strconv.ParseInt(f.Get("agent"), 10, 64); err != nil || id <= 0 {
		k.Add("agent_id", "choose the colleague who did it")
	} else {
		entry.AgentID = id
	}
	err := k.Err()
	if err == nil {
		err = c.cfg.Insights.RecordKindness(r.Context(), entry)
	}
	if err != nil {
		if kindred.ErrorKind(err) != kindred.Invalid {
			return err
		}
		p, lerr := c.loadKindness(r, q)
		if lerr != nil {
			return lerr
		}
		p.Problems = insightProblems(p.view, err)
		p.Form["agent"], p.Form["what"] = f.Get("agent"), f.Get("what")
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "insights_kindness", p)
		return nil
	}
	http.Redirect(w, r, "/kindness?saved=1", http.StatusSeeOther)
	return nil
}

// insightProblems is problems with the names of this feature's fields.
func insightProblems(v *view, err error) []string {
	var ke *kindred.Error
	if !errors.As(err, &ke) || len(ke.Fields) == 0 {
		return problems(v, err)
	}
	var out []string
	for _, f := range ke.Fields {
		label, ok := insightFields[f.Field]
		if !ok {
			label = fieldLabel(f.Field)
		}
		out = append(out, v.T(label)+": "+f.Reason)
	}
	return out
}

var insightFields = map[string]string{"from": "From", "to": "To", "agent_id": "Who did it", "what": "What they did"}
