package empathy

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/internal/golden"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

var update = flag.Bool("update", false, "rewrite testdata/predictions.gz from the current model and code")

// TestPredictionsMatchGolden pins every prediction on the shared EPITOME
// pairs (levels, probabilities and evidence, to the last bit), so that speed
// work cannot change a result unnoticed; and checks that predicting from
// tokens the caller already has gives exactly what Predict gives.
func TestPredictionsMatchGolden(t *testing.T) {
	d := readShared(t)
	m := Default()
	var names, lines []string
	var toks, stoks []learn.Token
	for i, p := range d[0] { // the three files hold the same pairs
		for v, in := range [][2]string{{p.Seeker, p.Response}, {"", p.Response}, {p.Response, p.Seeker}} {
			got := m.Predict(in[0], in[1])
			toks = learn.Tokenize(toks[:0], in[1])
			stoks = learn.Tokenize(stoks[:0], in[0])
			fromTokens := m.PredictTokens(in[0], in[1], stoks, toks)
			if fromTokens.Levels != got.Levels || fromTokens.Probabilities != got.Probabilities || !slices.Equal(fromTokens.Evidence, got.Evidence) {
				t.Fatalf("pair %d: PredictTokens %+v, Predict %+v", i, fromTokens, got)
			}
			if lv := LevelsTokens(in[0], in[1], stoks, toks); lv.Levels != got.Levels || !slices.Equal(lv.Evidence, got.Evidence) {
				t.Fatalf("pair %d: LevelsTokens %+v, Predict %+v", i, lv, got)
			}
			// Without the seeker's tokens, its text is read instead.
			if lv := LevelsTokens(in[0], in[1], nil, toks); lv.Levels != got.Levels || !slices.Equal(lv.Evidence, got.Evidence) {
				t.Fatalf("pair %d: LevelsTokens without seeker tokens %+v, Predict %+v", i, lv, got)
			}
			names = append(names, fmt.Sprintf("pair %d (%s), variant %d", i, p.ResponseID, v))
			lines = append(lines, formatResult(got))
		}
	}
	golden.Check(t, "testdata/predictions.gz", names, lines, *update)
}

func formatResult(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %d %d |", r.Levels.EmotionalReactions, r.Levels.Interpretations, r.Levels.Explorations)
	for _, dim := range r.Probabilities {
		for _, p := range dim {
			fmt.Fprintf(&b, " %v", p)
		}
	}
	for _, e := range r.Evidence {
		fmt.Fprintf(&b, " | %s %d-%d %v", e.Dimension, e.Start, e.End, e.Weight)
	}
	return b.String()
}
