package care

import (
	"encoding/json"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// LongWait is how long a conversation may stay open before a personal call
// is suggested: a week is long to wait for anything that matters.
const LongWait = 7 * 24 * time.Hour

// Suggestion is a gesture to suggest, and why.
type Suggestion struct {
	Kind   string
	Reason string
}

// GesturesFor suggests gestures for what a customer's message shows: a
// personal call for hardship (money, illness, bereavement) and, for a
// bereavement, a handwritten note as well. At most one of each kind.
func GesturesFor(r *compassion.CustomerReport) []Suggestion {
	if r == nil {
		return nil
	}
	var out []Suggestion
	has := func(kind string) bool {
		for _, s := range out {
			if s.Kind == kind {
				return true
			}
		}
		return false
	}
	add := func(kind, reason string) {
		if !has(kind) {
			out = append(out, Suggestion{kind, reason})
		}
	}
	for _, c := range r.Cues {
		switch c.Kind {
		case compassion.CueBereavement:
			add(kindred.GestureNote, "They told us someone close to them died. A short handwritten note of sympathy.")
			add(kindred.GestureCall, "They told us someone close to them died. A personal call to check how they are.")
		case compassion.CueIllness:
			add(kindred.GestureCall, "They told us they are ill. A personal call to check how they are.")
		case compassion.CueFinancialHardship:
			add(kindred.GestureCall, "They told us money is tight. A personal call to explain what help there is.")
		}
	}
	return out
}

// LongWaitGesture is the gesture suggested for a conversation open longer
// than LongWait.
var LongWaitGesture = Suggestion{kindred.GestureCall, "Open for more than 7 days. A personal call to say sorry for the wait and what happens next."}

// customerReport reads the customer part of a stored analysis.
func customerReport(a *kindred.Analysis) *compassion.CustomerReport {
	if a == nil || len(a.Report) == 0 {
		return nil
	}
	var r compassion.Report
	if err := json.Unmarshal(a.Report, &r); err != nil {
		return nil
	}
	return r.Customer
}
