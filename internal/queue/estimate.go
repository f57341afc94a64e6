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
// The random draws are seeded by the state without Ahead, so the same
// situation always gives the same range, a page that refreshes does not
// flicker, and Estimate(s) is exactly EstimateQueue(s, s.Ahead+1)[s.Ahead]:
// a ticket's own page and a listing of its whole queue never disagree. An
// Ahead below zero counts as zero.
func Estimate(s State) Range {
	ahead := max(s.Ahead, 0)
	return replay(s, ahead, ahead+1)[0]
}

// EstimateQueue works out the waits of the first n people in line for one
// service at once: element k is the range for someone with k people ahead,
// exactly what Estimate gives for that State with Ahead k (s.Ahead itself
// is ignored). It returns nil when n is not positive.
//
// It is Estimate's method with the replays shared: each replay plays the
// first n calls once, and the k-th call of every replay is a draw of when
// position k+1 is called. Each replay draws from its own random stream,
// seeded by the state and the replay's number, and the k-th call uses only
// the draws before it, so what a replay says of position k does not depend
// on how far it went on. Listing a queue of n people therefore costs one
// replay of n calls, rather than n replays of up to n calls each: the
// estimate stays linear in the length of the queue, where estimating each
// ticket on its own grows with its square.
func EstimateQueue(s State, n int) []Range {
	if n <= 0 {
		return nil
	}
	return replay(s, 0, n)
}

// replay plays runs replays of the first n calls of the state's service and
// returns the ranges of positions from..n-1 (counted as people ahead).
func replay(s State, from, n int) []Range {
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
	seed := seedOf(s)
	src := rand.NewPCG(0, 0)
	rng := rand.New(src)
	free := make([]time.Duration, desks)
	// starts[(k-from)*runs+r] is when replay r calls the person with k
	// ahead: each position's draws side by side, for its quantiles.
	starts := make([]time.Duration, (n-from)*runs)
	for r := range runs {
		src.Seed(splitMix(seed, r), 0x6b696e64)
		for i := range free {
			free[i] = 0
			if i < len(busy) {
				free[i] = residual(sorted, busy[i], mean, rng)
			}
		}
		for k := range n {
			j := 0
			for i := range free {
				if free[i] < free[j] {
					j = i
				}
			}
			if k >= from {
				starts[(k-from)*runs+r] = free[j]
			}
			if k < n-1 {
				free[j] += sorted[rng.IntN(len(sorted))]
			}
		}
	}
	// Shared desks: the same calls, spread over more time. Scaling is
	// monotone, so it can be applied to the quantiles alone.
	scale := 1.0
	if s.Capacity > 0 && s.Capacity < float64(desks) {
		scale = float64(desks) / s.Capacity
	}
	out := make([]Range, n-from)
	for k := range out {
		waits := starts[k*runs : (k+1)*runs]
		slices.Sort(waits)
		out[k] = Range{
			Low:    scaled(waits[quantileIndex(runs, lowQ)], scale),
			High:   scaled(waits[quantileIndex(runs, highQ)], scale),
			Mean:   mean,
			Method: method,
		}
	}
	return out
}

func scaled(d time.Duration, f float64) time.Duration {
	if f == 1 {
		return d
	}
	return time.Duration(float64(d) * f)
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

// quantileIndex is the index of quantile q in a sorted sample of n.
func quantileIndex(n int, q float64) int {
	return int(q*float64(n-1) + 0.5)
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

// seedOf folds the state into a seed (FNV-1a over its numbers). Ahead is
// left out on purpose: one set of replays serves the whole queue (see
// EstimateQueue), so every place in it must draw the same numbers.
func seedOf(s State) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v int64) {
		h ^= uint64(v)
		h *= 1099511628211
	}
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

// splitMix is the r-th output of SplitMix64 started at seed: the seed of
// replay r's own stream, unrelated to its neighbours' though their numbers
// differ by one.
func splitMix(seed uint64, r int) uint64 {
	z := seed + uint64(r+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
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
