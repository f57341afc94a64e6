package insights

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Chart size in SVG user units; the console scales the image to its column.
const (
	chartWidth  = 720
	chartHeight = 320
)

// palette is dark enough on white for 3:1 non-text contrast (WCAG 1.4.11),
// and lines also differ in dash pattern, so no line is told apart by colour
// alone.
var palette = []drawing.Color{
	{R: 0x1f, G: 0x5f, B: 0x8b, A: 255}, // blue
	{R: 0xa8, G: 0x3e, B: 0x00, A: 255}, // burnt orange
	{R: 0x2e, G: 0x6b, B: 0x30, A: 255}, // green
	{R: 0x6a, G: 0x3d, B: 0x9a, A: 255}, // purple
	{R: 0x8b, G: 0x1a, B: 0x3a, A: 255}, // wine
	{R: 0x4a, G: 0x4a, B: 0x4a, A: 255}, // grey
}

var dashes = [][]float64{nil, {8, 4}, {2, 3}, {10, 3, 2, 3}, {5, 5}, {1, 2}}

var textColor = drawing.Color{R: 0x1a, G: 0x1a, B: 0x1a, A: 255}

// SVG draws t as an SVG image. tr translates the labels drawn in it (the
// console's language); nil leaves them in English. A table with nothing to
// draw gives a small image that says so, in noData.
func SVG(t Table, tr func(string) string, noData string) []byte {
	if tr == nil {
		tr = func(s string) string { return s }
	}
	var (
		b   bytes.Buffer
		err error
	)
	switch t.Kind {
	case Bars:
		err = bars(&b, t, tr)
	case Lines:
		err = lines(&b, t, tr)
	default:
		err = errNoData
	}
	if err != nil {
		return placeholder(noData)
	}
	return b.Bytes()
}

var errNoData = fmt.Errorf("nothing to draw")

// svgText escapes words drawn in a chart. The chart library writes text
// into the SVG as it is given, so a team called "R&D" would make the whole
// image invalid XML, and an agent's name could carry markup.
func svgText(s string) string { return html.EscapeString(s) }

func value(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func bars(b *bytes.Buffer, t Table, tr func(string) string) error {
	var vs []chart.Value
	drawn := false
	for i, row := range t.Rows {
		v := value(row[t.Value])
		drawn = drawn || v != 0
		c := palette[0]
		if len(t.Rows) <= len(palette) {
			c = palette[i%len(palette)]
		}
		vs = append(vs, chart.Value{Label: svgText(tr(row[0])), Value: v,
			Style: chart.Style{FillColor: c, StrokeColor: c, StrokeWidth: 1}})
	}
	if !drawn {
		return errNoData
	}
	width := 80
	if len(vs) > 4 {
		width = 60
	}
	top := 0.0
	for _, v := range vs {
		top = max(top, v.Value)
	}
	ticks, top := niceTicks(top)
	g := chart.BarChart{
		Width: chartWidth, Height: chartHeight, BarWidth: width,
		Background: chart.Style{Padding: chart.Box{Top: 20, Left: 10, Right: 10, Bottom: 30}},
		XAxis:      chart.Style{FontSize: 12, FontColor: textColor, StrokeColor: textColor},
		YAxis: chart.YAxis{
			Name:      svgText(tr(t.Unit)),
			NameStyle: chart.Style{FontSize: 12, FontColor: textColor},
			Style:     chart.Style{FontSize: 12, FontColor: textColor, StrokeColor: textColor},
			// Bars start at zero, or a small difference looks large.
			Range: &chart.ContinuousRange{Min: 0, Max: top},
			Ticks: ticks,
		},
		Bars: vs,
	}
	return g.Render(chart.SVG, b)
}

func lines(b *bytes.Buffer, t Table, tr func(string) string) error {
	type line struct {
		xs []time.Time
		ys []float64
	}
	byName := map[string]*line{}
	var names []string
	var minX, maxX time.Time
	for _, row := range t.Rows {
		x, err := time.Parse(time.DateOnly, row[0])
		if err != nil {
			continue
		}
		name := row[t.Series]
		l, ok := byName[name]
		if !ok {
			l = &line{}
			byName[name] = l
			names = append(names, name)
		}
		l.xs = append(l.xs, x)
		l.ys = append(l.ys, value(row[t.Value]))
		if minX.IsZero() || x.Before(minX) {
			minX = x
		}
		if x.After(maxX) {
			maxX = x
		}
	}
	if len(names) == 0 {
		return errNoData
	}
	slices.Sort(names)
	g := chart.Chart{
		Width: chartWidth, Height: chartHeight,
		// The legend sits in the left padding, clear of the lines.
		Background: chart.Style{Padding: chart.Box{Top: 20, Left: 150, Right: 10, Bottom: 10}},
		XAxis: chart.XAxis{
			Style:          chart.Style{FontSize: 12, FontColor: textColor, StrokeColor: textColor},
			ValueFormatter: func(v any) string { return dayLabel(v) },
			Range: &chart.ContinuousRange{
				Min: float64(minX.Add(-84 * time.Hour).UnixNano()),
				Max: float64(maxX.Add(84 * time.Hour).UnixNano()),
			},
		},
		YAxis: chart.YAxis{
			Name:      svgText(tr(t.Unit)),
			NameStyle: chart.Style{FontSize: 12, FontColor: textColor},
			Style:     chart.Style{FontSize: 12, FontColor: textColor, StrokeColor: textColor},
			Range:     &chart.ContinuousRange{Min: 0, Max: 100},
			Ticks:     scoreTicks,
		},
	}
	for i, name := range names {
		l := byName[name]
		// Colour and dash step at different rates, so that no two of the
		// first 36 lines look the same.
		c := palette[i%len(palette)]
		dash := dashes[(i+i/len(palette))%len(dashes)]
		g.Series = append(g.Series, chart.TimeSeries{
			Name: svgText(tr(name)), XValues: l.xs, YValues: l.ys,
			Style: chart.Style{StrokeColor: c, StrokeWidth: 2.5, StrokeDashArray: dash,
				DotColor: c, DotWidth: 3},
		})
	}
	g.Elements = []chart.Renderable{chart.LegendLeft(&g, chart.Style{FontSize: 11, FontColor: textColor})}
	return g.Render(chart.SVG, b)
}

// dayLabel writes an axis tick, a time in unix nanoseconds, as a short date.
func dayLabel(v any) string {
	var t time.Time
	switch v := v.(type) {
	case float64:
		t = time.Unix(0, int64(v)).UTC()
	case time.Time:
		t = v.UTC()
	default:
		return ""
	}
	return t.Format("02 Jan")
}

// placeholder is a small SVG that says there is nothing to draw.
func placeholder(msg string) []byte {
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="80" viewBox="0 0 %d 80">`+
		`<rect width="100%%" height="100%%" fill="#ffffff" stroke="#4a4a4a"/>`+
		`<text x="20" y="46" font-family="sans-serif" font-size="18" fill="#1a1a1a">%s</text></svg>`,
		chartWidth, chartWidth, html.EscapeString(msg)))
}

// scoreTicks mark the 0–100 compassion scale.
var scoreTicks = func() []chart.Tick {
	var ts []chart.Tick
	for v := 0; v <= 100; v += 20 {
		ts = append(ts, chart.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	return ts
}()

// niceTicks returns about five round ticks from zero to at least top, and
// the last of them: 0, 20, 40… rather than 0, 17.8, 35.6….
func niceTicks(top float64) ([]chart.Tick, float64) {
	if top <= 0 {
		top = 1
	}
	raw := top / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []chart.Tick
	v := 0.0
	for {
		ts = append(ts, chart.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		if v >= top {
			return ts, v
		}
		v = math.Round((v+step)*1e6) / 1e6
	}
}
