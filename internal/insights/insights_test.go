package insights

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func sums(xs, ys []float64) Sums {
	s := Sums{N: len(xs)}
	for i := range xs {
		s.X += xs[i]
		s.Y += ys[i]
		s.XX += xs[i] * xs[i]
		s.YY += ys[i] * ys[i]
		s.XY += xs[i] * ys[i]
	}
	return s
}

func TestPearsonWithConfidenceInterval(t *testing.T) {
	// Anscombe's first quartet: r = 0.816, n = 11.
	xs := []float64{10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5}
	ys := []float64{8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68}
	c := Pearson(sums(xs, ys))
	if c.R == nil || math.Abs(*c.R-0.8164) > 1e-3 || c.N != 11 {
		t.Fatalf("r = %v, want 0.816", c.R)
	}
	// Fisher's z: tanh(atanh(0.8164) ± 1.96/sqrt(8)) = 0.424 .. 0.951.
	if math.Abs(*c.Low-0.424) > 2e-3 || math.Abs(*c.High-0.951) > 2e-3 {
		t.Errorf("95%% interval %.3f..%.3f, want 0.424..0.951", *c.Low, *c.High)
	}
	if c.Caution == "" {
		t.Error("11 pairs need a caution")
	}
}

func TestPearsonEdges(t *testing.T) {
	tests := []struct {
		name     string
		xs, ys   []float64
		wantR    bool
		wantCI   bool
		cautious bool
	}{
		{"none", nil, nil, false, false, true},
		{"two pairs", []float64{1, 2}, []float64{1, 2}, false, false, true},
		{"three pairs: r, no interval", []float64{1, 2, 3}, []float64{1, 3, 2}, true, false, true},
		{"no variation", []float64{50, 50, 50, 50}, []float64{1, 2, 3, 4}, false, false, true},
		{"perfect", []float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10}, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Pearson(sums(tt.xs, tt.ys))
			if (c.R != nil) != tt.wantR || (c.Low != nil) != tt.wantCI || (c.Caution != "") != tt.cautious {
				t.Errorf("%+v", c)
			}
			if c.R != nil && (*c.R < -1 || *c.R > 1) {
				t.Errorf("r = %v out of range", *c.R)
			}
			if c.Low != nil && (math.IsNaN(*c.Low) || math.IsInf(*c.High, 0)) {
				t.Errorf("interval %v..%v", *c.Low, *c.High)
			}
		})
	}
	// A large sample with a clear link needs no caution.
	var xs, ys []float64
	for i := range 200 {
		xs = append(xs, float64(i))
		ys = append(ys, float64(i%7)+float64(i)/10)
	}
	if c := Pearson(sums(xs, ys)); c.Caution != "" {
		t.Errorf("n = 200, r = %.2f: caution %q", *c.R, c.Caution)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	nairobi, london := zone(t, "Africa/Nairobi"), zone(t, "Europe/London")
	tests := []struct {
		name, from, to   string
		loc              *time.Location
		wantFrom, wantTo time.Time
		field            string
	}{
		{"default is the last 90 days, this millisecond included", "", "", nairobi, now.Add(time.Millisecond - DefaultSpan), now.Add(time.Millisecond), ""},
		{"dates in UTC: to counts the whole day", "2026-09-01", "2026-09-30", time.UTC,
			time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ""},
		// Nairobi's 30 November runs from 29 November 21:00 UTC.
		{"dates on Nairobi's clock", "2026-11-30", "2026-11-30", nairobi,
			time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC), ""},
		{"dates on London's clock in summer", "2026-07-01", "2026-07-31", london,
			time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC), time.Date(2026, 7, 31, 23, 0, 0, 0, time.UTC), ""},
		// The clocks go forward at 01:00 on 29 March: a day of 23 hours.
		{"London's spring day is 23 hours", "2026-03-29", "2026-03-29", london,
			time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC), ""},
		// And back at 02:00 on 25 October: 25 hours.
		{"London's autumn day is 25 hours", "2026-10-25", "2026-10-25", london,
			time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC), time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC), ""},
		{"across the change of clocks", "2026-10-19", "2026-11-01", london,
			time.Date(2026, 10, 18, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), ""},
		// Santiago's clocks go forward at midnight: 6 September begins at
		// 01:00, 04:00 UTC, not at 23:00 the evening before.
		{"a day whose midnight is skipped", "2026-09-06", "2026-09-06", zone(t, "America/Santiago"),
			time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC), time.Date(2026, 9, 7, 3, 0, 0, 0, time.UTC), ""},
		{"the day before it", "2026-09-05", "2026-09-05", zone(t, "America/Santiago"),
			time.Date(2026, 9, 5, 4, 0, 0, 0, time.UTC), time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC), ""},
		{"RFC 3339 keeps its offset", "2026-09-01T08:00:00+03:00", "2026-09-02T08:00:00Z", london,
			time.Date(2026, 9, 1, 5, 0, 0, 0, time.UTC), time.Date(2026, 9, 2, 8, 0, 0, 0, time.UTC), ""},
		{"only to", "", "2026-06-30", nairobi, time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC).Add(-DefaultSpan),
			time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC), ""},
		{"no zone is UTC", "2026-09-01", "2026-09-30", nil,
			time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ""},
		{"bad from", "last week", "", nairobi, time.Time{}, time.Time{}, "from"},
		{"bad to", "", "31/12/2026", nairobi, time.Time{}, time.Time{}, "to"},
		{"backwards", "2026-10-01", "2026-09-01", nairobi, time.Time{}, time.Time{}, "to"},
		{"too long", "2020-01-01", "2026-01-01", nairobi, time.Time{}, time.Time{}, "from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePeriod(tt.from, tt.to, now, tt.loc)
			if tt.field != "" {
				var ke *kindred.Error
				if e, ok := err.(*kindred.Error); ok {
					ke = e
				}
				if ke == nil || ke.Fields[0].Field != tt.field {
					t.Fatalf("error %v, want one naming %s", err, tt.field)
				}
				return
			}
			if err != nil || !p.From.Equal(tt.wantFrom) || !p.To.Equal(tt.wantTo) {
				t.Errorf("got %v..%v, %v; want %v..%v", p.From, p.To, err, tt.wantFrom, tt.wantTo)
			}
		})
	}
}

// TestWeekStartIsMondayOnTheDesksClock: a week begins at Monday's first
// moment on the desk's clock, whatever day it is in UTC then.
func TestWeekStartIsMondayOnTheDesksClock(t *testing.T) {
	for _, tt := range []struct {
		name string
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		// Monday 01:30 in Nairobi is Sunday 22:30 UTC: Monday's week.
		{"Monday 01:30 in Nairobi", time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC), zone(t, "Africa/Nairobi"),
			time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC)},
		{"Sunday 23:59 in Nairobi", time.Date(2026, 3, 1, 20, 59, 0, 0, time.UTC), zone(t, "Africa/Nairobi"),
			time.Date(2026, 2, 22, 21, 0, 0, 0, time.UTC)},
		// Sunday 20:00 in New York is Monday 01:00 UTC: Sunday's week.
		{"Sunday evening in New York", time.Date(2026, 3, 9, 1, 0, 0, 0, time.UTC), zone(t, "America/New_York"),
			time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)},
		// London's week of the change of clocks starts on GMT, the next on BST.
		{"London, the week the clocks change", time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), zone(t, "Europe/London"),
			time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)},
		{"London, the week after", time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC), zone(t, "Europe/London"),
			time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC)},
		{"UTC", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.UTC, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
	} {
		got := WeekStart(tt.at, tt.loc)
		if !got.Equal(tt.want) || got.Location() != tt.loc {
			t.Errorf("%s: %v, want %v in %s", tt.name, got, tt.want, tt.loc)
		}
	}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDefaultPeriodHoldsWhatWasJustRecorded: times are stored to the
// millisecond, so the default period must hold an entry stored at now,
// wherever now falls within its millisecond (an act of kindness logged and
// listed within one millisecond was once left out).
func TestDefaultPeriodHoldsWhatWasJustRecorded(t *testing.T) {
	for _, ns := range []int{0, 1, 400_000, 999_999} {
		now := time.Date(2026, 11, 23, 13, 0, 0, ns, time.UTC)
		p, err := ParsePeriod("", "", now, time.UTC)
		stored := now.UnixMilli() // as the store keeps it
		if err != nil || stored < p.From.UnixMilli() || stored >= p.To.UnixMilli() {
			t.Errorf("now %v: period %v..%v (%v) leaves out what was stored now", now, p.From, p.To, err)
		}
	}
}

// csvRows writes tb as CSV and reads it back.
func csvRows(t *testing.T, tb Table) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSVDefusesFormulas(t *testing.T) {
	tb := Table{Columns: []string{"Team", "Mean"}, Rows: [][]string{{"=HYPERLINK(\"x\")", "-0.5"}, {"Cards", "71.5"}}}
	rows := csvRows(t, tb)
	if rows[1][0] != `'=HYPERLINK("x")` || rows[1][1] != "-0.5" || rows[2][0] != "Cards" {
		t.Errorf("rows %q", rows)
	}
}

// TestSVGChartsAreWellFormed draws every chart of a dashboard, with data and
// without, and parses the SVG.
func TestSVGChartsAreWellFormed(t *testing.T) {
	r, lo, hi := 0.4, 0.2, 0.6
	mean := 70.0
	week := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	full := &kindred.Dashboard{
		Satisfaction: [5]int{1, 2, 3, 10, 20}, Answers: 36,
		FeltHeardCounts:  kindred.HeardCount{Yes: 20, Partly: 10, No: 6},
		FirstResponseP50: &mean, FirstResponseP90: &mean,
		HeadsUps:  kindred.HeadsUps{Before: 5, After: 2},
		FollowUps: kindred.FollowUps{Done: 3, Overdue: 1},
		Retention: kindred.Retention{Customers: 10, Returning: 3},
		CompassionByTeam: []kindred.CompassionWeek{{Week: week, Team: "Cards", N: 3, Median: 70},
			{Week: week.AddDate(0, 0, 7), Team: "Cards", N: 3, Median: 75}, {Week: week, Team: "", N: 1, Median: 40}},
		CompassionByAgent: []kindred.CompassionWeek{{Week: week, Agent: "Amina", N: 3, Median: 70}},
		CompassionVsCSAT:  kindred.Correlation{R: &r, Low: &lo, High: &hi, N: 36},
		BySatisfaction:    []kindred.SatisfactionBin{{Satisfaction: 5, N: 20, MeanCompassion: &mean}},
	}
	for _, d := range []*kindred.Dashboard{full, {}} {
		for _, tb := range Tables(d) {
			svg := SVG(tb, strings.ToUpper, "Nothing yet.")
			dec := xml.NewDecoder(bytes.NewReader(svg))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v\n%.300s", tb.ID, err, svg)
				}
			}
			if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<svg")) {
				t.Errorf("%s: not an SVG: %.80s", tb.ID, svg)
			}
		}
	}
	if svg := SVG(Tables(&kindred.Dashboard{})[0], nil, "Nothing yet."); !bytes.Contains(svg, []byte("Nothing yet.")) {
		t.Errorf("an empty chart should say so: %s", svg)
	}
	if svg := SVG(Tables(full)[0], strings.ToUpper, ""); !bytes.Contains(svg, []byte("ANSWERS")) {
		t.Error("the axis name is not translated")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tt := range []struct{ top, last float64 }{{89, 100}, {7, 8}, {151, 200}, {0, 1}, {0.45, 0.5}} {
		ts, last := niceTicks(tt.top)
		if last != tt.last || ts[0].Value != 0 || len(ts) > 7 {
			t.Errorf("niceTicks(%v): %v ticks up to %v, want up to %v", tt.top, len(ts), last, tt.last)
		}
	}
}

// Names of agents and teams are the desk's own words, typed by people: an
// "&" or markup in one must not break the chart or reach it as markup.
func TestChartsEscapeNamesDrawnInThem(t *testing.T) {
	for _, tc := range []struct {
		name string
		tb   Table
	}{
		{"bars", Table{Kind: Bars, Unit: "Answers & more", Value: 1, Rows: [][]string{{"R&D <Ops>", "4"}, {`Amina "Mama" O'Neil`, "2"}}}},
		{"lines", Table{Kind: Lines, Unit: "Score", Value: 2, Series: 1, Rows: [][]string{
			{"2026-11-02", "R&D <Ops>", "70"}, {"2026-11-09", "R&D <Ops>", "75"}, {"2026-11-09", "<script>alert(1)</script>", "60"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svg := SVG(tc.tb, nil, "Nothing yet.")
			dec := xml.NewDecoder(bytes.NewReader(svg))
			var text strings.Builder
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
				}
				if cd, ok := tok.(xml.CharData); ok {
					text.Write(cd)
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "script" {
					t.Fatalf("a name became markup: %s", svg)
				}
			}
			if !strings.Contains(text.String(), "R&D <Ops>") {
				t.Errorf("the chart's text lacks the team's name as typed: %q", text.String())
			}
		})
	}
}

// TestNamesakesAreTwoLines: two agents who share a name are two rows a week
// and two lines, each named with their number; an agent with a name of
// their own keeps it bare.
func TestNamesakesAreTwoLines(t *testing.T) {
	wk := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	d := &kindred.Dashboard{CompassionByAgent: []kindred.CompassionWeek{
		{Week: wk, AgentID: 3, Agent: "Wanjiru Kamau", N: 4, Mean: 80},
		{Week: wk, AgentID: 7, Agent: "Wanjiru Kamau", N: 2, Mean: 60},
		{Week: wk, AgentID: 5, Agent: "Otieno Ouma", N: 1, Mean: 70},
	}}
	var got []string
	for _, r := range agentTable(d).Rows {
		got = append(got, r[1])
	}
	want := []string{"Wanjiru Kamau (#3)", "Wanjiru Kamau (#7)", "Otieno Ouma"}
	if !slices.Equal(got, want) {
		t.Errorf("agents %q, want %q", got, want)
	}
}

// TestWeeksAreLabelledWithTheDesksDate: a week that starts on Monday 30
// November in Nairobi (29 November 21:00 UTC) is the week of 30 November in
// every table and its CSV.
func TestWeeksAreLabelledWithTheDesksDate(t *testing.T) {
	wk := time.Date(2026, 11, 30, 0, 0, 0, 0, zone(t, "Africa/Nairobi"))
	w := kindred.CompassionWeek{Week: wk, Team: "Cards", AgentID: 3, Agent: "Amina", N: 1, Mean: 70}
	d := &kindred.Dashboard{CompassionByTeam: []kindred.CompassionWeek{w}, CompassionByAgent: []kindred.CompassionWeek{w}}
	tables := []Table{teamTable(d), agentTable(d), TrendTable(&kindred.Coaching{Agent: kindred.Agent{Name: "Amina"}, Trend: []kindred.CompassionWeek{w}})}
	for _, tb := range tables {
		rows := csvRows(t, tb)
		if len(rows) != 2 || rows[0][0] != "Week" || rows[1][0] != "2026-11-30" {
			t.Errorf("%s: %q, want the week of 2026-11-30", tb.ID, rows)
		}
	}
}
