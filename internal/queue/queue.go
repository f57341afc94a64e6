// Package queue holds the lobby's rules that need no database: the order in
// which waiting tickets are called (with discreet priority and seated desks),
// the honest wait estimate shown to each person, the naive estimate it is
// measured against, and a discrete-event simulator of an office day used to
// measure both.
//
// Start with Pick (who a desk calls next) and Estimate (how long a person
// will wait; EstimateQueue gives the same for a whole line at once, for
// pages that list it). The store calls them with what it reads; the simulator calls
// them with what it invents, so the tests measure the code that runs.
package queue

import (
	"slices"
	"time"
)

// HeadStart is how far ahead a priority ticket is placed: it is ranked as if
// its holder had arrived this much earlier. A fixed head start, rather than
// "priority first", bounds what anyone else pays for it: nobody is overtaken
// by a person who arrived more than HeadStart after them, and a busy morning
// of priority tickets cannot starve the rest of the queue.
const HeadStart = 30 * time.Minute

// Rank is the time a ticket is ordered by: its arrival, moved HeadStart
// earlier for priority. A transferred ticket keeps its rank, so it keeps its
// place in the new queue.
func Rank(arrived time.Time, priority bool) time.Time {
	if priority {
		return arrived.Add(-HeadStart)
	}
	return arrived
}

// Entry is a waiting ticket as the ordering sees it.
type Entry struct {
	ID      int64
	Service string
	Rank    time.Time // see Rank
	Seated  bool      // its holder needs to sit at the desk
}

// Less orders entries by rank, then by id (the order tickets were issued).
func Less(a, b Entry) bool {
	if !a.Rank.Equal(b.Rank) {
		return a.Rank.Before(b.Rank)
	}
	return a.ID < b.ID
}

// Sort puts entries in calling order.
func Sort(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		switch {
		case Less(a, b):
			return -1
		case Less(b, a):
			return 1
		}
		return 0
	})
}

// Desk is a desk as the ordering sees it.
type Desk struct {
	Services []string // the service codes it serves
	Seated   bool     // it has a chair for the customer
}

// Pick returns the index of the entry desk d should call next from waiting
// (in calling order, see Sort), or -1 when it serves none of them.
//
// A seated desk calls the first person who needs a seat, if any is waiting
// for one of its services, and otherwise the first in line. A standing desk
// leaves people who need a seat to a seated desk, but only while a seated
// desk is open for their service (seatedOpen): nobody is stranded because
// the seated desk closed.
func Pick(waiting []Entry, d Desk, seatedOpen func(service string) bool) int {
	first := -1
	for i, e := range waiting {
		if !slices.Contains(d.Services, e.Service) {
			continue
		}
		if d.Seated {
			if e.Seated {
				return i
			}
			if first < 0 {
				first = i
			}
			continue
		}
		if e.Seated && seatedOpen != nil && seatedOpen(e.Service) {
			continue
		}
		return i
	}
	return first
}

// Ahead counts the entries of waiting that will be called before e in its
// own service: its position is Ahead+1.
func Ahead(waiting []Entry, e Entry) int {
	n := 0
	for _, w := range waiting {
		if w.Service == e.Service && w.ID != e.ID && Less(w, e) {
			n++
		}
	}
	return n
}
