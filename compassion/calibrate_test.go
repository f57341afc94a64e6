package compassion

import (
	"encoding/csv"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/stats"
)

// The shared data sets, relative to this package.
const (
	epitomeDir     = "../../shared/data/epitome"
	politenessFile = "../../shared/data/politeness/wikipedia.annotated.csv"
)

// Floors for the calibration tests: the values measured when the weights
// were set (in the comments), less a small margin so that a retrained
// empathy or politeness model does not fail them by noise. Both the empathy and the politeness models
// were trained on these same files, so the "rules only" figures, which leave
// those models' signals out, are the honest measure of the rest of the score.
const (
	minEpitomeSpearman      = 0.40 // measured 0.450 (Pearson 0.482), 2,395 pairs
	minEpitomeRulesSpearman = 0.16 // measured 0.194 (Pearson 0.213)
	minPoliteGap            = 8.0  // measured 10.7 points (66.1 vs 55.4), 3,496 requests
	minPoliteRulesGap       = 2.0  // measured 3.2 points
)

func loadEpitome(tb testing.TB) []empathy.Joined {
	tb.Helper()
	d, err := empathy.ReadData(os.DirFS(epitomeDir))
	if err != nil {
		tb.Skipf("EPITOME data not available: %v", err)
	}
	j, ok := d.Join()
	if !ok {
		tb.Fatal("EPITOME files do not hold the same pairs")
	}
	return j
}

// without returns the score with the named signals' effects taken out.
func without(r Report, names ...string) float64 {
	s := float64(ScoreBase)
	for _, sig := range r.Reply.Signals {
		if !slices.Contains(names, sig.Name) {
			s += sig.Effect
		}
	}
	return s
}

var empathySignals = []string{"empathy_emotional_reactions", "empathy_interpretations", "empathy_explorations"}

func TestScoreRisesWithHumanEmpathyLevels(t *testing.T) {
	pairs := loadEpitome(t)
	var human, score, rules []float64
	for _, p := range pairs {
		r := Analyze(Input{CustomerMessage: p.Seeker, Reply: p.Response})
		if r.Compassion == nil {
			continue
		}
		human = append(human, float64(p.Levels[0]+p.Levels[1]+p.Levels[2]))
		score = append(score, *r.Compassion)
		rules = append(rules, without(r, empathySignals...))
	}
	rho, err := spearman(human, score)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := stats.Pearson(human, score)
	rhoRules, _ := spearman(human, rules)
	rRules, _ := stats.Pearson(human, rules)
	t.Logf("EPITOME, %d pairs: score vs human empathy (ER+IP+EX): Spearman %.3f, Pearson %.3f; without the empathy model's signals: Spearman %.3f, Pearson %.3f",
		len(human), rho, r, rhoRules, rRules)
	if rho < minEpitomeSpearman {
		t.Errorf("Spearman %.3f below floor %.2f", rho, minEpitomeSpearman)
	}
	if rhoRules < minEpitomeRulesSpearman {
		t.Errorf("rules-only Spearman %.3f below floor %.2f", rhoRules, minEpitomeRulesSpearman)
	}
}

func TestScoreHigherOnPoliteQuartile(t *testing.T) {
	f, err := os.Open(politenessFile)
	if err != nil {
		t.Skipf("politeness corpus not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		text  string
		human float64
	}
	var items []item
	for _, row := range rows[1:] {
		v, err := strconv.ParseFloat(strings.TrimSpace(row[len(row)-1]), 64)
		if err != nil {
			t.Fatalf("bad score %q", row[len(row)-1])
		}
		items = append(items, item{row[2], v})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].human < items[j].human })
	q := len(items) / 4
	mean := func(its []item, drop ...string) float64 {
		s := 0.0
		for _, it := range its {
			r := Analyze(Input{Reply: it.text})
			if len(drop) > 0 {
				s += without(r, drop...)
			} else {
				s += *r.Compassion
			}
		}
		return s / float64(len(its))
	}
	impolite, polite := items[:q], items[len(items)-q:]
	gap := mean(polite) - mean(impolite)
	rulesGap := mean(polite, "politeness") - mean(impolite, "politeness")
	t.Logf("politeness corpus, %d requests: mean score polite quartile %.1f, impolite %.1f (gap %.1f); without the politeness model's signal: gap %.1f",
		len(items), mean(polite), mean(impolite), gap, rulesGap)
	if gap < minPoliteGap {
		t.Errorf("gap %.1f below floor %.1f", gap, minPoliteGap)
	}
	if rulesGap < minPoliteRulesGap {
		t.Errorf("rules-only gap %.1f below floor %.1f", rulesGap, minPoliteRulesGap)
	}
}

// spearman is Pearson's r on ranks, ties given their mean rank.
func spearman(x, y []float64) (float64, error) {
	return stats.Pearson(ranks(x), ranks(y))
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mean
		}
		i = j + 1
	}
	return r
}
