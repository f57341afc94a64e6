package importer

import (
	"strconv"
	"strings"
	"time"
)

// layouts are the written times parseTime accepts, read as UTC when they
// name no zone.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 MST", // Chatwoot's webhooks: "2020-03-03 13:05:57 UTC"
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
}

// parseTime reads a time as exports write them: RFC 3339, a date and time
// (UTC unless it names its zone), or Unix seconds or milliseconds. It
// returns the zero time for anything else.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return unixTime(n)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") {
		return time.UnixMilli(int64(f * 1000)).UTC()
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// unixTime reads n as Unix seconds, or milliseconds when it is too large
// to be seconds of this era (after the year 5138).
func unixTime(n int64) time.Time {
	if n <= 0 {
		return time.Time{}
	}
	if n >= 1e11 {
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}
