package insights

import (
	"context"
	"sync"
	"time"

	"github.com/kindred-desk/kindred"
)

// Dashboarder computes the dashboard of a period (the store does).
type Dashboarder interface {
	Dashboard(ctx context.Context, p kindred.Period) (*kindred.Dashboard, error)
}

// CacheTTL is how long the console and the API keep a period's dashboard.
const CacheTTL = time.Minute

// Cache keeps each period's dashboard for TTL. Computing one reads every
// conversation of the period (about a second for 100,000 of them), while a
// page, its nine charts and their CSV exports ask for the same numbers
// within moments of each other. It is safe for concurrent use; two requests
// that miss at once both compute.
type Cache struct {
	Source Dashboarder
	TTL    time.Duration
	Now    func() time.Time // nil: time.Now

	mu sync.Mutex
	m  map[kindred.Period]cached
}

type cached struct {
	d  *kindred.Dashboard
	at time.Time
}

// maxCached bounds the periods kept: most requests ask for the default one.
const maxCached = 32

// Dashboard returns p's dashboard, computed at most TTL ago.
func (c *Cache) Dashboard(ctx context.Context, p kindred.Period) (*kindred.Dashboard, error) {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	c.mu.Lock()
	e, ok := c.m[p]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.TTL {
		return e.d, nil
	}
	d, err := c.Source.Dashboard(ctx, p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.m {
		if now.Sub(v.at) >= c.TTL || len(c.m) > maxCached {
			delete(c.m, k)
		}
	}
	if c.m == nil {
		c.m = map[kindred.Period]cached{}
	}
	c.m[p] = cached{d: d, at: now}
	return d, nil
}

// CeilSecond rounds t up to a whole second. A period's end is excluded, so
// rounding it down would leave out what happened in its last second; a
// default period that ends now, rounded so, is the same for every request
// within a second, and so found in a Cache.
func CeilSecond(t time.Time) time.Time {
	if s := t.Truncate(time.Second); s.Before(t) {
		return s.Add(time.Second)
	}
	return t
}
