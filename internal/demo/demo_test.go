package demo

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/compassion/swahili"
	"github.com/kindred-desk/kindred/internal/care"
)

// TestKiswahiliWordsReadAsKiswahili checks the demo's Kiswahili: every topic
// has it, the engine reads it as Kiswahili, and its replies keep the care of
// their kind, as the English ones do: each warm reply scores above every
// plain and cold one.
func TestKiswahiliWordsReadAsKiswahili(t *testing.T) {
	g := &generator{r: rand.New(rand.NewPCG(1, 2))}
	cust := &kindred.Customer{Name: "Fatuma Karanja", PreferredName: "Mama Karanja", Language: "sw"}
	at := time.Date(2026, 9, 7, 10, 0, 0, 0, time.UTC)
	score := func(ask, body string) float64 {
		t.Helper()
		r := compassion.Analyze(compassion.Input{CustomerMessage: ask, Reply: body, CustomerName: cust.AddressAs()})
		if r.Reply == nil || r.Reply.Language != swahili.Swahili || r.Compassion == nil {
			t.Fatalf("%q: not read as a Kiswahili reply: %+v", body, r.Reply)
		}
		return *r.Compassion
	}
	for _, w := range swWorries {
		if r := compassion.AnalyzeCustomer(w); r.Language != swahili.Swahili {
			t.Errorf("worry %q read as %q", w, r.Language)
		}
	}
	for _, tp := range topics {
		if len(tp.sw.asks) == 0 || len(tp.sw.again) == 0 || len(tp.sw.warm) == 0 {
			t.Errorf("%s: no Kiswahili words", tp.subject)
			continue
		}
		for _, s := range slices.Concat(tp.sw.asks, tp.sw.again) {
			if r := compassion.AnalyzeCustomer(s); r.Language != swahili.Swahili {
				t.Errorf("%q read as %q", s, r.Language)
			}
		}
		ask := tp.sw.asks[0]
		lowestWarm := 100.0
		for _, s := range tp.sw.warm {
			body := g.fill(s, cust, at, care.Swahili)
			if strings.ContainsAny(body, "{}") || !strings.Contains(body, "Mama Karanja") {
				t.Errorf("%q: not filled in", body)
			}
			lowestWarm = min(lowestWarm, score(ask, body))
		}
		for _, s := range slices.Concat(swPlainReplies, swColdReplies) {
			if c := score(ask, g.fill(s, cust, at, care.Swahili)); c >= lowestWarm {
				t.Errorf("%s: %q scores %.1f, not below the warm replies' lowest %.1f", tp.subject, s, c, lowestWarm)
			}
		}
	}
	day := `(Jumatatu|Jumanne|Jumatano|Alhamisi|Ijumaa|Jumamosi|Jumapili)`
	want := regexp.MustCompile(`^kufikia ` + day + ` (1[0-4]) Septemba, simu ` + day + `$`)
	for range 20 {
		if got := g.fill("kufikia {date}, simu {day}", cust, at, care.Swahili); !want.MatchString(got) {
			t.Fatalf("dates in a Kiswahili reply: %q", got)
		}
	}
}
