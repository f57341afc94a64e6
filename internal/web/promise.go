package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// A reply that gives the customer a date ("I'll call you on Friday") is a
// promise; the conversation page offers to turn it into a follow-up, with
// the day filled in, so that Friday comes with a reminder.

// promiseOffer is the date an agent's latest reply gave, offered as a
// follow-up.
type promiseOffer struct {
	Words string // the words that give the time: "on Friday"
	What  string // the follow-up's text, the agent may change it
	Due   string // the day, as an <input type="date"> value; "" when the words name none
}

// promiseWindow is how long after a reply its promise is offered.
const promiseWindow = 24 * time.Hour

// offerPromise returns the follow-up to offer for the latest message of conv,
// when it is v's agent's reply that gives a time and no follow-up has been
// made since it was sent.
func (c *Console) offerPromise(ctx context.Context, v *view, conv *kindred.Conversation) (*promiseOffer, error) {
	if c.cfg.Care == nil || v.Agent == nil || len(conv.Messages) == 0 {
		return nil, nil
	}
	m := conv.Messages[len(conv.Messages)-1]
	if m.Direction != kindred.Outbound || m.AuthorID == nil || *m.AuthorID != v.Agent.ID || v.now.Sub(m.CreatedAt) > promiseWindow {
		return nil, nil
	}
	times := promisedTimes(&m)
	if len(times) == 0 {
		return nil, nil
	}
	fs, err := c.cfg.Care.FollowUps(ctx, kindred.FollowUpFilter{ConversationID: conv.ID})
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if !f.CreatedAt.Before(m.CreatedAt) {
			return nil, nil // already made one
		}
	}
	// The latest day the reply names is the one to keep: in "I posted the
	// form today, it reaches you by Friday" the promise is Friday's. Days
	// are the desk's (Config.Location), not the server's.
	when, due := times[0], time.Time{}
	for _, t := range times {
		if d, ok := dayNamed(t.Text, v.now.In(v.clock())); ok && d.After(due) {
			when, due = t, d
		}
	}
	o := &promiseOffer{Words: when.Text, What: v.T("Keep our word: “%s”", sentenceAround(m.Body, when.Start))}
	if !due.IsZero() {
		o.Due = due.Format(time.DateOnly)
	}
	return o, nil
}

// promisedTimes are the times a reply gives the customer, from the engine's
// reading of it, when it also says what will happen or who does it.
func promisedTimes(m *kindred.Message) []compassion.Evidence {
	if m.Analysis == nil || len(m.Analysis.Report) == 0 {
		return nil
	}
	var r compassion.Report
	if err := json.Unmarshal(m.Analysis.Report, &r); err != nil || r.Reply == nil {
		return nil
	}
	ns := r.Reply.NextStep
	if !ns.When || !(ns.What || ns.Who) {
		return nil
	}
	return ns.WhenEvidence
}

// sentenceAround is the sentence of body that holds the byte at offset.
func sentenceAround(body string, offset int) string {
	offset = min(max(offset, 0), len(body))
	start := strings.LastIndexAny(body[:offset], ".!?\n") + 1
	end := len(body)
	if i := strings.IndexAny(body[offset:], ".!?\n"); i >= 0 {
		end = offset + i + 1
	}
	return strings.TrimSpace(body[start:end])
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"jumapili": time.Sunday, "jumatatu": time.Monday, "jumanne": time.Tuesday, "jumatano": time.Wednesday,
	"alhamisi": time.Thursday, "ijumaa": time.Friday, "jumamosi": time.Saturday,
}

var months = map[string]time.Month{
	"january": time.January, "february": time.February, "march": time.March, "april": time.April, "may": time.May,
	"june": time.June, "july": time.July, "august": time.August, "september": time.September, "october": time.October,
	"november": time.November, "december": time.December,
	"januari": time.January, "februari": time.February, "machi": time.March, "aprili": time.April, "mei": time.May,
	"juni": time.June, "julai": time.July, "agosti": time.August, "septemba": time.September, "oktoba": time.October,
	"novemba": time.November, "desemba": time.December,
}

// dayNamed is the day that words such as "on Friday", "tomorrow at 10",
// "kesho", "by 28 November" or "Ijumaa" name, seen from now: a weekday is
// the next one after today; a date without a year is the next one to come.
func dayNamed(words string, now time.Time) (time.Time, bool) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	fields := strings.FieldsFunc(strings.ToLower(words), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for i, w := range fields {
		switch w {
		case "today", "tonight", "leo":
			return today, true
		case "tomorrow", "kesho":
			return today.AddDate(0, 0, 1), true
		case "keshokutwa":
			return today.AddDate(0, 0, 2), true
		}
		if m, ok := months[w]; ok {
			day := 0
			for _, j := range []int{i - 1, i + 1} {
				if j >= 0 && j < len(fields) {
					if n, err := strconv.Atoi(strings.TrimRight(fields[j], "stndrh")); err == nil && n >= 1 && n <= 31 {
						day = n
						break
					}
				}
			}
			if day == 0 {
				continue
			}
			d := time.Date(today.Year(), m, day, 0, 0, 0, 0, now.Location())
			if d.Before(today) {
				d = d.AddDate(1, 0, 0)
			}
			return d, true
		}
	}
	for _, w := range fields {
		if wd, ok := weekdays[w]; ok {
			ahead := (int(wd) - int(today.Weekday()) + 7) % 7
			if ahead == 0 {
				ahead = 7
			}
			return today.AddDate(0, 0, ahead), true
		}
	}
	return time.Time{}, false
}
