package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/kindred-desk/kindred"
)

// LobbyDay reads one office day's tickets and tells how it went. A day's
// tickets are a few hundred, a few thousand at most, and the lobby's index
// starts with the day: they are read once and measured here.
func (db *DB) LobbyDay(ctx context.Context, day string) (*kindred.LobbyDay, error) {
	if day == "" {
		day = db.lobbyDay(db.clock())
	} else if _, err := time.Parse("2006-01-02", day); err != nil {
		return nil, invalid("day", "must be a date, YYYY-MM-DD")
	}
	type ticket struct {
		code, name     string
		status         kindred.TicketStatus
		accommodated   bool
		created        int64
		called, closed sql.NullInt64
		toldHigh       sql.NullInt64
	}
	var tickets []ticket
	var services []kindred.LobbyServiceDay
	err := db.ReadTx(ctx, func(tx *Tx) error {
		// Every service, so that one nobody came for says so.
		rows, err := tx.Query(ctx, "SELECT code, name FROM lobby_queues ORDER BY code")
		if err != nil {
			return err
		}
		for rows.Next() {
			var s kindred.LobbyServiceDay
			if err := rows.Scan(&s.Code, &s.Name); err != nil {
				rows.Close()
				return err
			}
			services = append(services, s)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT q.code, q.name, t.status, t.priority OR t.seated, t.created_at, t.first_called_at, t.closed_at, t.told_high
			FROM lobby_tickets t JOIN lobby_queues q ON q.id = t.queue_id WHERE t.day = ? ORDER BY t.id`, day)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t ticket
			var status string
			if err := rows.Scan(&t.code, &t.name, &status, &t.accommodated, &t.created, &t.called, &t.closed, &t.toldHigh); err != nil {
				return err
			}
			t.status = kindred.TicketStatus(status)
			tickets = append(tickets, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("lobby day %s: %w", day, err)
	}

	out := &kindred.LobbyDay{Day: day, Services: services}
	type samples struct{ wait, service, late []int64 }
	per := make([]samples, len(services)+1) // the last is the whole lobby
	figures := func(k int) *kindred.LobbyServiceDay {
		if k < len(services) {
			return &out.Services[k]
		}
		return &out.Total
	}
	index := map[string]int{}
	for i, s := range services {
		index[s.Code] = i
	}
	loc := db.location()
	hours := map[int]int{}
	for _, t := range tickets {
		i, ok := index[t.code]
		if !ok { // a service made between the two reads
			continue
		}
		hours[time.UnixMilli(t.created).In(loc).Hour()]++
		for _, k := range []int{i, len(services)} {
			s := figures(k)
			s.Issued++
			switch t.status {
			case kindred.TicketServed:
				s.Served++
			case kindred.TicketNoShow:
				s.NoShow++
			default:
				s.Open++
			}
			if t.accommodated {
				s.Accommodated++
			}
			if !t.called.Valid {
				continue
			}
			wait := t.called.Int64 - t.created
			per[k].wait = append(per[k].wait, wait)
			if t.status == kindred.TicketServed && t.closed.Valid {
				per[k].service = append(per[k].service, t.closed.Int64-t.called.Int64)
			}
			if t.toldHigh.Valid {
				s.Told++
				if late := wait - t.toldHigh.Int64*60_000; late <= 0 {
					s.WithinTold++
				} else {
					per[k].late = append(per[k].late, late)
				}
			}
		}
	}
	for k, p := range per {
		s := figures(k)
		s.WaitP50, s.WaitP90 = rankSeconds(p.wait, 50), rankSeconds(p.wait, 90)
		s.ServiceP50 = rankSeconds(p.service, 50)
		s.LateP50 = rankSeconds(p.late, 50)
	}
	if len(hours) > 0 {
		first, last := 23, 0
		for h := range hours {
			first, last = min(first, h), max(last, h)
		}
		for h := first; h <= last; h++ {
			out.Hours = append(out.Hours, kindred.LobbyHour{Hour: h, Issued: hours[h]})
		}
	}
	return out, nil
}

// rankSeconds is the p-th percentile (nearest rank, as the insights'
// percentiles) of durations in milliseconds, in seconds; nil when there
// are none.
func rankSeconds(msv []int64, p int) *float64 {
	if len(msv) == 0 {
		return nil
	}
	slices.Sort(msv)
	v := msv[(len(msv)*p+99)/100-1]
	return seconds(&v)
}
