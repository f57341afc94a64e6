package queue

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// State is what the estimate knows about one person's wait: how many are
// ahead of them, the desks serving their service now, and how long that
// service has taken recently.
type State struct {
	Ahead int // people who will be called first (position - 1)
	Desks int // desks open for the service now
	// Capacity is the share of those desks' time this service gets, when
	// some also serve other services (a desk for Registration and Payments
	// with as many waiting for each gives each half); 0 means Desks.
	Capacity float64
	Busy     []time.Duration // for each of those desks now serving someone: for how long so far
	History  []time.Duration // recent service times of the service (called to served)
}

// Range is an honest wait: likely between Low and High (a 90% range: 5th to 95th percentile), how
// it was worked out, and the service time it assumed on average.
type Range struct {
	Low, High time.Duration
	Mean      time.Duration // mean service time used
	Method    string
}

// Tuning of the estimate.
const (
	// MinHistory is how many recent service times the estimate needs
	// before it trusts them over DefaultServiceTimes.
	MinHistory = 5
	// HistorySize is how many recent service times the store passes in:
	// enough for stable quantiles, few enough to follow a slow afternoon.
	HistorySize = 60
	runs        = 400
	lowQ        = 0.05
	highQ       = 0.95
)

// DefaultServiceTimes stand in for a service with no history yet: a spread
// around six minutes, so that the first range is wide, as it should be.
var DefaultServiceTimes = []time.Duration{
	2 * time.Minute, 3 * time.Minute, 4 * time.Minute, 5 * time.Minute, 6 * time.Minute,
	7 * time.Minute, 8 * time.Minute, 10 * time.Minute, 12 * time.Minute,
}

// Estimate works out how long the person will wait to be called.
//
// The method is a bootstrap of the service's own recent service times: it
// replays the next Ahead+1 calls many times over on the open desks, each
// service time drawn from the history, each busy desk finishing after a
// draw conditioned on how long it has already taken, and reports the 5th
// and 95th percentiles of when the person is called. Unlike Erlang C it
// needs no assumption that service times are exponential (desk work is not:
// most visits are short, a few are very long), and it answers for this
// person's place in line rather than for an average arrival. It assumes the
// desks open now stay open; when desks close the truth runs late, and the
// range widens only through the history (see the simulation's report).
//
// The random draws are seeded by the state, so the same situation always
// gives the same range and a page that refreshes does not flicker.
func Estimate(s State) Range {
	hist := s.History
	var method string
	if len(hist) < MinHistory {
		hist = DefaultServiceTimes
		method = "no service history yet: a default spread around 6 minutes per person"
	} else {
		method = fmt.Sprintf("the last %d service times", len(hist))
	}
	desks := s.Desks
	if desks <= 0 {
		desks = 1
		method += "; no desk is open, so as if one opens now"
	} else {
		method += fmt.Sprintf(", %d desk(s) open", desks)
	}
	method = "90% range from replaying " + method
	sorted := slices.Clone(hist)
	slices.Sort(sorted)
	mean := meanOf(sorted)

	busy := s.Busy
	if len(busy) > desks {
		busy = busy[:desks]
	}
	rng := rand.New(rand.NewPCG(seedOf(s), 0x6b696e64))
	free := make([]time.Duration, desks)
	waits := make([]time.Duration, runs)
	for r := range waits {
		for i := range free {
			free[i] = 0
			if i < len(busy) {
				free[i] = residual(sorted, busy[i], mean, rng)
			}
		}
		var start time.Duration
		for k := 0; k <= s.Ahead; k++ {
			j := 0
			for i := range free {
				if free[i] < free[j] {
					j = i
				}
			}
			start = free[j]
			free[j] += sorted[rng.IntN(len(sorted))]
		}
		waits[r] = start
	}
	slices.Sort(waits)
	if s.Capacity > 0 && s.Capacity < float64(desks) {
		// Shared desks: the same calls, spread over more time.
		f := float64(desks) / s.Capacity
		for i := range waits {
			waits[i] = time.Duration(float64(waits[i]) * f)
		}
	}
	return Range{Low: quantile(waits, lowQ), High: quantile(waits, highQ), Mean: mean, Method: method}
}

// residual draws how much longer a desk busy for elapsed will take: a
// service time longer than elapsed, less elapsed. When the visit is already
// longer than any in the history, a fifth of the mean is as good a guess as
// any.
func residual(sorted []time.Duration, elapsed, mean time.Duration, rng *rand.Rand) time.Duration {
	i, _ := slices.BinarySearch(sorted, elapsed+1)
	if i >= len(sorted) {
		return mean / 5
	}
	return sorted[i+rng.IntN(len(sorted)-i)] - elapsed
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

func meanOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// seedOf folds the state into a seed (FNV-1a over its numbers).
func seedOf(s State) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v int64) {
		h ^= uint64(v)
		h *= 1099511628211
	}
	mix(int64(s.Ahead))
	mix(int64(s.Desks))
	mix(int64(s.Capacity * 1000))
	for _, d := range s.Busy {
		mix(int64(d / time.Second))
	}
	for _, d := range s.History {
		mix(int64(d / time.Second))
	}
	return h
}

// Naive is the estimate people make by hand and the baseline the honest
// estimate is measured against: the people ahead times the average service
// time, ignoring how many desks serve them.
func Naive(ahead int, history []time.Duration) time.Duration {
	if len(history) < MinHistory {
		history = DefaultServiceTimes
	}
	return time.Duration(ahead) * meanOf(history)
}

// NaivePerDesk is Naive shared among the open desks: the better hand
// estimate, and still a single number that ignores variation and busy desks.
func NaivePerDesk(ahead, desks int, history []time.Duration) time.Duration {
	return Naive(ahead, history) / time.Duration(max(desks, 1))
}

// Minutes turns a range into whole minutes for people: the low end rounded
// down, the high end up, and at least one minute apart, because "about 7–7
// minutes" promises a precision nobody has.
func (r Range) Minutes() (low, high int) {
	low = int(r.Low / time.Minute)
	high = int((r.High + time.Minute - 1) / time.Minute)
	if high <= low {
		high = low + 1
	}
	return low, high
}

// DeskLoad is an open desk, for Capacity.
type DeskLoad struct{ Services []string }

// Capacity is how many desks' worth of time service gets from desks (the
// open desks serving it). A desk that serves several services calls people
// by rank across them, so in proportion to how many wait for each; the
// share of its time a service gets also grows with how long that service's
// visits take (mean, by service; a service missing from mean counts as
// taking as long as this one).
func Capacity(service string, desks []DeskLoad, waiting map[string]int, mean map[string]time.Duration) float64 {
	weight := func(s string, n int) float64 {
		m, ok := mean[s]
		if !ok || m <= 0 {
			m = mean[service]
		}
		if m <= 0 {
			m = time.Minute
		}
		return float64(n) * float64(m)
	}
	var c float64
	for _, d := range desks {
		mine := weight(service, max(waiting[service], 1))
		all := 0.0
		for _, s := range d.Services {
			if s == service {
				all += mine
			} else {
				all += weight(s, waiting[s])
			}
		}
		c += mine / all
	}
	return c
}
