package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

// TestDemoFillsADeskTheDashboardCanShow runs `kindred demo` on a new
// database and reads the dashboard from what it wrote: every measure has
// numbers, the scores came from the engine, and a second run refuses to mix
// invented people into a desk that holds data, unless told to.
func TestDemoFillsADeskTheDashboardCanShow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--db", path, "--months", "2", "--seed", "7"}, nil, &out, &errs); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "conversations") {
		t.Errorf("demo said %q", out.String())
	}

	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	now := time.Now()
	d, err := db.Dashboard(ctx, kindred.Period{From: now.AddDate(0, -2, -1), To: now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Conversations < 200:
		t.Errorf("%d conversations in two months, want a busy desk", d.Conversations)
	case d.CSAT == nil || d.FeltHeard == nil || d.FirstResponseP50 == nil || d.ResolutionP90 == nil:
		t.Errorf("measures missing: %+v", d)
	case d.ReturningCustomers == 0 || d.Retention.CameBack90 == 0:
		t.Errorf("no returning customers: %+v", d.Retention)
	case d.HeadsUps.Before == 0 || d.HeadsUps.After == 0:
		t.Errorf("heads-ups should be sent both before and after the promised date: %+v", d.HeadsUps)
	case d.FollowUps.Done == 0 || d.FollowUps.Skipped == 0 || d.FollowUps.Overdue+d.FollowUps.Pending == 0:
		t.Errorf("follow-ups: %+v", d.FollowUps)
	}
	teams := map[string]bool{}
	for _, w := range d.CompassionByTeam {
		teams[w.Team] = true
	}
	if len(teams) != 3 {
		t.Errorf("teams in the weekly chart: %v, want 3", teams)
	}
	// Answers follow the care of the replies, with noise: a clear positive
	// link, short of perfect.
	c := d.CompassionVsCSAT
	if c.R == nil || *c.R < 0.3 || *c.R > 0.9 || c.N < 100 {
		t.Errorf("compassion vs satisfaction r=%v n=%d, want a plausible 0.3..0.9", c.R, c.N)
	}
	log, err := db.KindnessLog(ctx, kindred.Period{From: now.AddDate(0, -3, 0), To: now.Add(time.Minute)}, kindred.Page{})
	if err != nil || len(log) == 0 {
		t.Errorf("kindness log %v, %v", log, err)
	}
	// The lobby's last office days, on the desk's clock (Nairobi, the
	// default): every ticket closed, each told a wait, most called within it.
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	db.SetLocation(nairobi)
	day := now.In(nairobi)
	var week kindred.LobbyServiceDay
	for range 7 {
		day = day.AddDate(0, 0, -1)
		ld, err := db.LobbyDay(ctx, day.Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		if got := ld.Total; weekend != (got.Issued == 0) || got.Open != 0 || got.Told != got.Issued || len(ld.Services) != 2 {
			t.Errorf("lobby on %s (%s): %+v", ld.Day, day.Weekday(), got)
		}
		for _, h := range ld.Hours {
			if h.Hour < 8 || h.Hour > 15 {
				t.Errorf("tickets taken at %02d:00 on %s, outside office hours", h.Hour, ld.Day)
			}
		}
		week.Issued += ld.Total.Issued
		week.Told += ld.Total.Told
		week.WithinTold += ld.Total.WithinTold
		week.Accommodated += ld.Total.Accommodated
		week.NoShow += ld.Total.NoShow
	}
	if week.Issued < 250 || week.Accommodated == 0 || week.NoShow == 0 || week.WithinTold < week.Told*3/4 || week.WithinTold == week.Told {
		t.Errorf("the lobby's last five office days: %+v; want a busy office, told a wait that mostly held", week)
	}

	errs.Reset()
	if code := run(context.Background(), []string{"demo", "--db", path, "--months", "1"}, nil, &out, &errs); code == 0 ||
		!strings.Contains(errs.String(), "--force") {
		t.Errorf("a second run on a full database: exit %d, %q; want a refusal naming --force", code, errs.String())
	}
	if code := run(context.Background(), []string{"demo", "--db", path, "--months", "1", "--force"}, nil, &out, &errs); code != 0 {
		t.Errorf("--force: exit %d: %s", code, errs.String())
	}
}
