package store

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// TestDashboardPlans times every query the dashboards run (the insights
// dashboard, an agent's coaching view, the kindness log) on a database
// that is already full, and prints each one's plan: EXPLAIN (ANALYZE,
// BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite. The queries are
// the ones the code really sends, caught as it sends them.
//
//	KINDRED_DASH_DB=postgres://…/kindred10m go test -run DashboardPlans -v ./internal/store/
//
// scripts/dash10m.sh builds a 10-million-message database and runs it.
// KINDRED_DASH_TO (a day, default today) ends the periods measured,
// KINDRED_DASH_DAYS their lengths in days (default 90,365),
// KINDRED_DASH_AGENT the agent coached (default: the first who replied),
// KINDRED_DASH_RUNS how often each is timed, the median kept (default 3),
// KINDRED_DASH_OUT a file for the report (default: the test log).
//
// Opening the database brings its schema up to date, as kindred serve does.
func TestDashboardPlans(t *testing.T) {
	dsn := os.Getenv("KINDRED_DASH_DB")
	if dsn == "" {
		t.Skip("KINDRED_DASH_DB names no database to measure (see scripts/dash10m.sh)")
	}
	ctx := context.Background()
	start := time.Now()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out strings.Builder
	fmt.Fprintf(&out, "opened (and migrated) in %s; load average %s\n", time.Since(start).Round(time.Millisecond), loadAverage())

	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	if s := os.Getenv("KINDRED_DASH_TO"); s != "" {
		if to, err = time.Parse(time.DateOnly, s); err != nil {
			t.Fatalf("KINDRED_DASH_TO: %v", err)
		}
	}
	db.SetClock(func() time.Time { return to })
	var spans []int
	for _, s := range strings.Split(cmpOr(os.Getenv("KINDRED_DASH_DAYS"), "90,365"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("KINDRED_DASH_DAYS: %q is not a number of days", s)
		}
		spans = append(spans, n)
	}
	runs := 3
	if s := os.Getenv("KINDRED_DASH_RUNS"); s != "" {
		if runs, err = strconv.Atoi(s); err != nil || runs < 1 {
			t.Fatalf("KINDRED_DASH_RUNS: %q is not a count", s)
		}
	}
	median := func(f func() error) time.Duration {
		var ds []time.Duration
		for range runs {
			start := time.Now()
			if err := f(); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	var agent int64
	if s := os.Getenv("KINDRED_DASH_AGENT"); s != "" {
		if agent, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("KINDRED_DASH_AGENT: %v", err)
		}
	} else if err := db.r.QueryRowContext(ctx, `SELECT MIN(author_id) FROM messages
		WHERE direction = 'out' AND author_id IS NOT NULL`).Scan(&agent); err != nil {
		t.Fatalf("no agent has replied: %v", err)
	}

	for _, days := range spans {
		p := kindred.Period{From: to.AddDate(0, 0, -days), To: to}
		fmt.Fprintf(&out, "\n## %d days: %s to %s (%s)\n", days, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), db.Dialect())
		views := []struct {
			name string
			run  func() error
		}{
			{"Dashboard", func() error { _, err := db.Dashboard(ctx, p); return err }},
			{fmt.Sprintf("Coaching(agent %d)", agent), func() error { _, err := db.Coaching(ctx, agent, p); return err }},
			{"KindnessLog(20)", func() error { _, err := db.KindnessLog(ctx, p, kindred.Page{Limit: 20}); return err }},
		}
		for _, v := range views {
			var caught []caughtQuery
			db.traceQuery = func(query string, args []any) {
				caught = append(caught, caughtQuery{caller: storeCaller(), query: query, args: slices.Clone(args)})
			}
			err := v.run()
			db.traceQuery = nil
			if err != nil {
				t.Fatalf("%s: %v", v.name, err)
			}
			whole := median(v.run)
			fmt.Fprintf(&out, "\n### %s: %s in all (median of %d), %d queries\n", v.name, whole.Round(time.Millisecond), runs, len(caught))
			seen := map[string]int{}
			for _, q := range caught {
				seen[q.caller]++
				label := q.caller
				if seen[q.caller] > 1 {
					label += " #" + strconv.Itoa(seen[q.caller])
				}
				took := median(func() error { return db.drain(ctx, q.query, q.args) })
				plan, err := db.plan(ctx, q.query, q.args)
				if err != nil {
					t.Fatalf("plan of %s: %v", label, err)
				}
				fmt.Fprintf(&out, "\n#### %s: %s\n\n```sql\n%s\n```\nargs %v\n\n```\n%s```\n", label, took.Round(100*time.Microsecond),
					strings.TrimSpace(q.query), q.args, plan)
			}
		}
	}
	if name := os.Getenv("KINDRED_DASH_OUT"); name != "" {
		if err := os.WriteFile(name, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Log(out.String())
}

type caughtQuery struct {
	caller, query string
	args          []any
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// storeCaller names the store method that sent the query being traced.
func storeCaller() string {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		name := f.Function[strings.LastIndex(f.Function, "/")+1:]
		if i := strings.Index(name, ".func"); i >= 0 {
			name = name[:i] // a closure: the method it is in
		}
		name = strings.ReplaceAll(name, "[...]", "")
		if strings.HasPrefix(name, "store.") && !strings.HasSuffix(name, ".Query") && !strings.HasSuffix(name, ".QueryRow") {
			return strings.TrimPrefix(name, "store.")
		}
		if !more {
			return "?"
		}
	}
}

// drain runs a query and reads all its rows.
func (db *DB) drain(ctx context.Context, query string, args []any) error {
	rows, err := db.r.QueryContext(ctx, db.bind(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// plan is the query's plan as the database tells it, one line a row.
func (db *DB) plan(ctx context.Context, query string, args []any) (string, error) {
	explain := "EXPLAIN QUERY PLAN "
	if db.dialect == Postgres {
		explain = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := db.r.QueryContext(ctx, explain+db.bind(query), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: the line.
		fmt.Fprintf(&b, "%s\n", asText(vals[len(vals)-1]))
	}
	return b.String(), rows.Err()
}

func asText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
