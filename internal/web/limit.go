package web

import (
	"sync"
	"time"
)

// limiter counts sign-in attempts per key (a client address, an email) in a
// fixed window: after limit attempts that were not refunded, the key waits
// until the window ends. An attempt is reserved before the password is
// hashed and refunded when it succeeds, so parallel guesses cannot all pass
// a check made before any of them failed. It lives in memory: a restart
// forgets it, which costs an attacker a restart they cannot cause.
type limiter struct {
	limit  int
	window time.Duration

	mu    sync.Mutex
	slots map[string]*slot
}

type slot struct {
	start    time.Time
	attempts int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, slots: map[string]*slot{}}
}

// reserve counts one attempt against every key, all or none: when any key
// has used up its attempts, nothing is counted and reserve reports until
// when that key must wait.
func (l *limiter) reserve(keys []string, now time.Time) (ok bool, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.slots) > 100_000 { // a flood of addresses: forget the stale ones
		for k, s := range l.slots {
			if now.Sub(s.start) >= l.window {
				delete(l.slots, k)
			}
		}
	}
	for _, k := range keys {
		if s, ok := l.slots[k]; ok && now.Sub(s.start) < l.window && s.attempts >= l.limit {
			if end := s.start.Add(l.window); end.After(until) {
				until = end
			}
		}
	}
	if !until.IsZero() {
		return false, until
	}
	for _, k := range keys {
		s, ok := l.slots[k]
		if !ok || now.Sub(s.start) >= l.window {
			s = &slot{start: now}
			l.slots[k] = s
		}
		s.attempts++
	}
	return true, time.Time{}
}

// refund gives back an attempt reserved at reservedAt for every key: the
// sign-in succeeded, or never got to check the password.
func (l *limiter) refund(keys []string, reservedAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		// A slot started after the reservation is a new window the
		// attempt was never counted in.
		if s, ok := l.slots[k]; ok && !s.start.After(reservedAt) && s.attempts > 0 {
			s.attempts--
		}
	}
}
