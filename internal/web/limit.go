package web

import (
	"sync"
	"time"
)

// limiter counts failed sign-ins per key (an address, an email) in a fixed
// window: after limit failures, the key waits until the window ends. It
// lives in memory: a restart forgets it, which costs an attacker a restart
// they cannot cause.
type limiter struct {
	limit  int
	window time.Duration

	mu    sync.Mutex
	slots map[string]*slot
}

type slot struct {
	start    time.Time
	failures int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, slots: map[string]*slot{}}
}

// blocked reports whether key has used up its failures, and until when.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.slots[key]
	if !ok || now.Sub(s.start) >= l.window {
		return false, time.Time{}
	}
	return s.failures >= l.limit, s.start.Add(l.window)
}

// fail records a failed attempt by key.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.slots) > 100_000 { // a flood of addresses: forget the stale ones
		for k, s := range l.slots {
			if now.Sub(s.start) >= l.window {
				delete(l.slots, k)
			}
		}
	}
	s, ok := l.slots[key]
	if !ok || now.Sub(s.start) >= l.window {
		s = &slot{start: now}
		l.slots[key] = s
	}
	s.failures++
}
