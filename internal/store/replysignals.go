package store

import (
	"encoding/json"

	"github.com/kindred-desk/kindred"
)

// The signals the engine found in each agent's reply are kept in
// reply_signals (migration 0018) as a short JSON list under the reply's
// author and time: the coaching view tallies them for an agent's period
// from there, where reading them out of every whole report (about 4 KB of
// JSON each) took seconds on a big desk. Each way a reply is stored
// (AddMessage, an import on either database) writes its row in the same
// transaction; reports never change afterwards.

// signalJSON is one element of reply_signals.signals.
type signalJSON struct {
	Name   string  `json:"name"`
	Effect float64 `json:"effect"`
}

// replySignals is the reply_signals.signals of a message: an agent's
// analysed reply's signals, as the analysis lists them or, when it does
// not, as its report does. Nil when there are none to keep.
func replySignals(direction kindred.Direction, authorID *int64, a *kindred.Analysis) []byte {
	if direction != kindred.Outbound || authorID == nil || a == nil || len(a.Report) == 0 {
		return nil
	}
	var list []signalJSON
	if a.Signals != nil {
		list = make([]signalJSON, len(a.Signals))
		for i, s := range a.Signals {
			list[i] = signalJSON{s.Name, s.Effect}
		}
	} else {
		var r struct {
			Reply *struct {
				Signals []struct {
					Name   *string  `json:"name"`
					Effect *float64 `json:"effect"`
				} `json:"signals"`
			} `json:"reply"`
		}
		if err := json.Unmarshal(a.Report, &r); err != nil || r.Reply == nil {
			return nil // a report that is not the engine's has nothing to tally
		}
		for _, s := range r.Reply.Signals {
			if s.Name == nil {
				continue
			}
			e := signalJSON{Name: *s.Name}
			if s.Effect != nil {
				e.Effect = *s.Effect
			}
			list = append(list, e)
		}
	}
	if len(list) == 0 {
		return nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil // a NaN effect: nothing the coaching view could add up
	}
	return b
}

// replySignalsSQL writes one reply's row: author_id, created_at,
// message_id, compassion, signals.
const replySignalsSQL = `INSERT INTO reply_signals (author_id, created_at, message_id, compassion, signals) VALUES (?, ?, ?, ?, ?)`
