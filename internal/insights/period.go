package insights

import (
	"time"

	"github.com/kindred-desk/kindred"
)

// DefaultSpan is the period the dashboard shows when none is asked for.
const DefaultSpan = 90 * 24 * time.Hour

// MaxSpan is the longest period one request may measure.
const MaxSpan = 3 * 366 * 24 * time.Hour

// ParsePeriod reads the from and to of a request: each an RFC 3339 time,
// which keeps its own offset, or a date (YYYY-MM-DD) on the desk's clock,
// loc: the day's midnight there, and a date in to counts that whole day, so
// that "30 November" is the team lead's 30 November, not UTC's. Left out,
// to is now, the millisecond under way included (times are stored to the
// millisecond: an end at now itself would leave out what was recorded in
// it, such as an act of kindness logged a moment before the list was asked
// for), and from is DefaultSpan before to. A nil loc is UTC.
func ParsePeriod(from, to string, now time.Time, loc *time.Location) (kindred.Period, error) {
	if loc == nil {
		loc = time.UTC
	}
	var v kindred.Validation
	p := kindred.Period{To: now.Truncate(time.Millisecond).Add(time.Millisecond)}
	if to != "" {
		t, ok := parseTime(to, loc, 1)
		if !ok {
			v.Add("to", "must be a date such as 2026-11-30 or an RFC 3339 time such as 2026-11-30T17:00:00+03:00")
		} else {
			p.To = t
		}
	}
	p.From = p.To.Add(-DefaultSpan)
	if from != "" {
		t, ok := parseTime(from, loc, 0)
		if !ok {
			v.Add("from", "must be a date such as 2026-09-01 or an RFC 3339 time such as 2026-09-01T08:00:00+03:00")
		} else {
			p.From = t
		}
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	switch {
	case !p.From.Before(p.To):
		v.Add("to", "must be after from")
	case p.To.Sub(p.From) > MaxSpan:
		v.Add("from", "the period can be at most 3 years long")
	}
	return p, v.Err()
}

// parseTime reads an RFC 3339 time, or a date: the start of that day on
// loc's clock, or of the day after when days is 1 (a day in to is whole).
// The day after is counted in days, not 24 hours: a day when the clocks
// change is 23 or 25 hours long.
func parseTime(s string, loc *time.Location, days int) (time.Time, bool) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return DayStart(d.Year(), d.Month(), d.Day()+days, loc), true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// DayStart is the first moment of day y-m-d (normalised as time.Date does)
// on loc's clock: its midnight, or, where a change of clocks skips
// midnight (Santiago, Havana), the change itself, at which time.Date's
// midnight would be 23:00 the evening before.
func DayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if noon := time.Date(y, m, d, 12, 0, 0, 0, loc); t.Day() != noon.Day() {
		_, t = t.ZoneBounds()
	}
	return t
}

// WeekStart is the first moment of the week, Monday to Sunday on loc's
// clock, that holds t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	return DayStart(y, m, d-(int(l.Weekday())+6)%7, loc)
}
