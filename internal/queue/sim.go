package queue

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The simulator plays an office day: people arrive at random (more in the
// morning), take a ticket, wait, and are called by desks that open and
// close on a schedule, with the same Pick and Estimate the lobby runs. Each
// estimate made during the day is kept beside the wait that really followed,
// so the tests can say how honest the estimates were.

// ServicePlan is one service of a simulated day.
type ServicePlan struct {
	Code string
	// Mean and Spread of the service time, which is log-normal (most visits
	// short, a few long): Spread is the sigma of its logarithm.
	Mean   time.Duration
	Spread float64
	// PerHour is the arrival rate at a time since opening.
	PerHour func(t time.Duration) float64
}

// Shift is when a desk is open, as times since opening.
type Shift struct{ From, To time.Duration }

// DeskPlan is one desk of a simulated day.
type DeskPlan struct {
	Name     string
	Services []string
	Seated   bool
	Shifts   []Shift
}

// Day is a simulated day.
type Day struct {
	Seed     uint64
	Length   time.Duration // arrivals stop then; desks open at the end serve everyone still waiting
	Services []ServicePlan
	Desks    []DeskPlan
	// PriorityShare and SeatedShare are the shares of people given priority
	// and needing a seat.
	PriorityShare, SeatedShare float64
	// WarmHistory is how many service times per service the day starts
	// with (yesterday's), drawn from the same distribution.
	WarmHistory int
	// RecheckEvery, when set, estimates again every waiting person's
	// remaining wait at this interval, as the lobby's pages do.
	RecheckEvery time.Duration
}

// Sample is one estimate made during the day and the truth that followed.
type Sample struct {
	Service      string
	Update       bool // a re-estimate while waiting, not the one on the ticket
	Priority     bool
	Ahead, Desks int
	Low, High    int           // minutes, as shown
	Naive        time.Duration // ahead × average service time
	NaivePerDesk time.Duration // the same, divided by the desks open
	Truth        time.Duration // the wait that followed
}

// Result is what happened in a simulated day.
type Result struct {
	Samples  []Sample
	Served   int
	MaxQueue int
}

type simTicket struct {
	Entry
	arrived  time.Duration
	priority bool
	calledAt time.Duration
	called   bool
}

type simDesk struct {
	plan     DeskPlan
	open     bool
	busy     *simTicket
	started  time.Duration
	finishAt time.Duration
}

// Simulate plays day d. The same Day always plays the same way.
func Simulate(d Day) Result {
	rng := rand.New(rand.NewPCG(d.Seed, 0x6c6f626279))
	plans := map[string]ServicePlan{}
	history := map[string][]time.Duration{}
	for _, s := range d.Services {
		plans[s.Code] = s
		for range d.WarmHistory {
			history[s.Code] = append(history[s.Code], serviceTime(s, rng))
		}
	}
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

	// Arrivals, by thinning a Poisson process at the peak rate.
	type arrival struct {
		at      time.Duration
		service string
	}
	var arrivals []arrival
	for _, s := range d.Services {
		peak := 0.0
		for t := time.Duration(0); t <= d.Length; t += time.Minute {
			peak = math.Max(peak, s.PerHour(t))
		}
		if peak <= 0 {
			continue
		}
		for t := time.Duration(0); ; {
			t += time.Duration(rng.ExpFloat64() / peak * float64(time.Hour))
			if t >= d.Length {
				break
			}
			if rng.Float64() < s.PerHour(t)/peak {
				arrivals = append(arrivals, arrival{t, s.Code})
			}
		}
	}
	slices.SortFunc(arrivals, func(a, b arrival) int { return int(a.at - b.at) })

	desks := make([]*simDesk, len(d.Desks))
	for i, p := range d.Desks {
		desks[i] = &simDesk{plan: p}
	}
	var waiting []*simTicket
	var all []*simTicket
	type pending struct {
		s Sample
		t *simTicket
		// at is when the estimate was made
		at time.Duration
	}
	var samples []pending
	res := Result{}

	onShift := func(dk *simDesk, t time.Duration) bool {
		for _, sh := range dk.plan.Shifts {
			if t >= sh.From && (t < sh.To || (sh.To >= d.Length && len(waiting) > 0)) {
				return true
			}
		}
		return false
	}
	estimate := func(tk *simTicket, t time.Duration) (Sample, bool) {
		es := make([]Entry, len(waiting))
		for i, w := range waiting {
			es[i] = w.Entry
		}
		st := State{Ahead: Ahead(es, tk.Entry), History: lastN(history[tk.Service], HistorySize)}
		counts := map[string]int{}
		for _, w := range waiting {
			counts[w.Service]++
		}
		var ds []DeskLoad
		for _, dk := range desks {
			if dk.open && slices.Contains(dk.plan.Services, tk.Service) {
				st.Desks++
				if dk.busy != nil {
					st.Busy = append(st.Busy, t-dk.started)
				}
				ds = append(ds, DeskLoad{Services: dk.plan.Services})
			}
		}
		means := map[string]time.Duration{}
		for code, h := range history {
			means[code] = meanOf(lastN(h, HistorySize))
		}
		st.Capacity = Capacity(tk.Service, ds, counts, means)
		r := Estimate(st)
		lo, hi := r.Minutes()
		return Sample{
			Service: tk.Service, Priority: tk.priority, Ahead: st.Ahead, Desks: st.Desks, Low: lo, High: hi,
			Naive: Naive(st.Ahead, st.History), NaivePerDesk: NaivePerDesk(st.Ahead, st.Desks, st.History),
		}, true
	}
	seatedOpen := func(service string) bool {
		for _, dk := range desks {
			if dk.open && dk.plan.Seated && slices.Contains(dk.plan.Services, service) {
				return true
			}
		}
		return false
	}
	dispatch := func(t time.Duration) {
		for _, dk := range desks {
			if !dk.open || dk.busy != nil {
				continue
			}
			es := make([]Entry, len(waiting))
			for i, w := range waiting {
				es[i] = w.Entry
			}
			i := Pick(es, Desk{Services: dk.plan.Services, Seated: dk.plan.Seated}, seatedOpen)
			if i < 0 {
				continue
			}
			tk := waiting[i]
			waiting = slices.Delete(waiting, i, i+1)
			tk.called, tk.calledAt = true, t
			dk.busy, dk.started = tk, t
			dk.finishAt = t + serviceTime(plans[tk.Service], rng)
		}
	}

	next := 0
	var nextTick time.Duration
	if d.RecheckEvery > 0 {
		nextTick = d.RecheckEvery
	}
	var id int64
	for t := time.Duration(0); ; {
		// Desks finishing, and opening or closing.
		for _, dk := range desks {
			if dk.busy != nil && dk.finishAt <= t {
				history[dk.busy.Service] = append(history[dk.busy.Service], dk.finishAt-dk.started)
				dk.busy = nil
				res.Served++
			}
			dk.open = onShift(dk, t)
		}
		// Arrivals.
		for next < len(arrivals) && arrivals[next].at <= t {
			a := arrivals[next]
			next++
			id++
			tk := &simTicket{arrived: a.at, priority: rng.Float64() < d.PriorityShare}
			tk.Entry = Entry{ID: id, Service: a.service, Rank: Rank(base.Add(a.at), tk.priority), Seated: rng.Float64() < d.SeatedShare}
			waiting = append(waiting, tk)
			sortTickets(waiting)
			all = append(all, tk)
			if s, ok := estimate(tk, t); ok {
				samples = append(samples, pending{s, tk, t})
			}
		}
		dispatch(t)
		res.MaxQueue = max(res.MaxQueue, len(waiting))
		if d.RecheckEvery > 0 && t >= nextTick {
			for _, tk := range waiting {
				if s, ok := estimate(tk, t); ok {
					s.Update = true
					samples = append(samples, pending{s, tk, t})
				}
			}
			nextTick += d.RecheckEvery
		}

		// The next moment anything happens.
		nt := time.Duration(math.MaxInt64)
		if next < len(arrivals) {
			nt = arrivals[next].at
		}
		busy := false
		for _, dk := range desks {
			if dk.busy != nil {
				busy = true
				nt = min(nt, dk.finishAt)
			}
			for _, sh := range dk.plan.Shifts {
				if sh.From > t {
					nt = min(nt, sh.From)
				}
				if sh.To > t {
					nt = min(nt, sh.To)
				}
			}
		}
		if d.RecheckEvery > 0 && (len(waiting) > 0 || busy) {
			nt = min(nt, nextTick)
		}
		if nt == time.Duration(math.MaxInt64) || (next >= len(arrivals) && len(waiting) == 0 && !busy) {
			break
		}
		if nt <= t {
			nt = t + time.Second
		}
		t = nt
		if t > 3*d.Length { // a day that never empties is a mis-planned day; stop
			break
		}
	}
	for _, p := range samples {
		if !p.t.called {
			continue
		}
		p.s.Truth = p.t.calledAt - p.at
		res.Samples = append(res.Samples, p.s)
	}
	return res
}

// sortTickets keeps simulated tickets in calling order.
func sortTickets(ts []*simTicket) {
	slices.SortFunc(ts, func(a, b *simTicket) int {
		switch {
		case Less(a.Entry, b.Entry):
			return -1
		case Less(b.Entry, a.Entry):
			return 1
		}
		return 0
	})
}

func serviceTime(s ServicePlan, rng *rand.Rand) time.Duration {
	mu := math.Log(float64(s.Mean)) - s.Spread*s.Spread/2
	return time.Duration(math.Exp(mu + s.Spread*rng.NormFloat64()))
}

func lastN(ds []time.Duration, n int) []time.Duration {
	if len(ds) > n {
		return ds[len(ds)-n:]
	}
	return ds
}

// Score sums up how honest a day's estimates were.
type Score struct {
	N int
	// MAE is the mean absolute error of the middle of the range, in minutes.
	MAE float64
	// Coverage is the share of true waits inside the range as shown.
	Coverage float64
	// Width is the mean width of the range, in minutes.
	Width float64
	// NaiveMAE and NaivePerDeskMAE are the baselines' mean absolute errors.
	NaiveMAE, NaivePerDeskMAE float64
}

// Score scores the samples for which keep is true.
func (r Result) Score(keep func(Sample) bool) Score {
	var sc Score
	for _, s := range r.Samples {
		if !keep(s) {
			continue
		}
		truth := s.Truth.Minutes()
		mid := float64(s.Low+s.High) / 2
		sc.N++
		sc.MAE += math.Abs(mid - truth)
		if truth >= float64(s.Low) && truth <= float64(s.High) {
			sc.Coverage++
		}
		sc.Width += float64(s.High - s.Low)
		sc.NaiveMAE += math.Abs(s.Naive.Minutes() - truth)
		sc.NaivePerDeskMAE += math.Abs(s.NaivePerDesk.Minutes() - truth)
	}
	if sc.N > 0 {
		n := float64(sc.N)
		sc.MAE /= n
		sc.Coverage /= n
		sc.Width /= n
		sc.NaiveMAE /= n
		sc.NaivePerDeskMAE /= n
	}
	return sc
}
