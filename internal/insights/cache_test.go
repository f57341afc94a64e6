package insights

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

type fakeSource struct {
	calls int
	fail  bool
}

func (f *fakeSource) Dashboard(_ context.Context, p kindred.Period) (*kindred.Dashboard, error) {
	f.calls++
	if f.fail {
		return nil, errors.New("database gone")
	}
	return &kindred.Dashboard{Period: p}, nil
}

func TestCacheKeepsEachPeriodForItsTTL(t *testing.T) {
	now := time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)
	src := &fakeSource{}
	c := &Cache{Source: src, TTL: time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	a := kindred.Period{From: now.Add(-time.Hour), To: now}
	b := kindred.Period{From: now.Add(-2 * time.Hour), To: now}
	for range 3 {
		if d, err := c.Dashboard(ctx, a); err != nil || d.Period != a {
			t.Fatalf("%+v, %v", d, err)
		}
	}
	c.Dashboard(ctx, b)
	if src.calls != 2 {
		t.Fatalf("%d computations for two periods", src.calls)
	}
	now = now.Add(time.Minute)
	c.Dashboard(ctx, a)
	if src.calls != 3 {
		t.Fatalf("a dashboard a minute old was served (%d computations)", src.calls)
	}
	// A failure is not kept: the next request tries again.
	src.fail = true
	now = now.Add(time.Minute)
	if _, err := c.Dashboard(ctx, a); err == nil {
		t.Fatal("no error from a failing source")
	}
	src.fail = false
	if _, err := c.Dashboard(ctx, a); err != nil || src.calls != 5 {
		t.Fatalf("after a failure: %v, %d computations", err, src.calls)
	}
}

func TestCeilSecond(t *testing.T) {
	s := time.Date(2026, 11, 23, 13, 0, 5, 0, time.UTC)
	for in, want := range map[time.Time]time.Time{s: s, s.Add(time.Nanosecond): s.Add(time.Second), s.Add(999 * time.Millisecond): s.Add(time.Second)} {
		if got := CeilSecond(in); !got.Equal(want) {
			t.Errorf("CeilSecond(%v) = %v, want %v", in, got, want)
		}
	}
}
