package politeness

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/golden"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

var update = flag.Bool("update", false, "rewrite testdata/analyses.gz from the current model and code")

// TestAnalysesMatchGolden pins every analysis (probability and strategies,
// to the last bit) on the corpus's requests and, since the engine runs
// politeness on replies, on the EPITOME posts and responses; and checks that
// analysing from tokens the caller already has gives exactly what Analyze
// gives.
func TestAnalysesMatchGolden(t *testing.T) {
	f, err := os.Open(dataFile)
	if err != nil {
		t.Skipf("politeness corpus not available at %s: %v", dataFile, err)
	}
	reqs, err := ReadCSV(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var names, texts []string
	for _, r := range reqs {
		names, texts = append(names, "request "+r.ID), append(texts, r.Text)
	}
	d, err := empathy.ReadData(os.DirFS("../../../shared/data/epitome"))
	if err != nil {
		t.Skipf("EPITOME data not available: %v", err)
	}
	for _, p := range d[0] { // the three files hold the same pairs
		names = append(names, "response "+p.ResponseID, "post "+p.SeekerID)
		texts = append(texts, p.Response, p.Seeker)
	}
	m := Default()
	var lines []string
	var toks []learn.Token
	for i, text := range texts {
		got := m.Analyze(text)
		toks = learn.Tokenize(toks[:0], text)
		if fromTokens := m.AnalyzeTokens(text, toks); fromTokens.Probability != got.Probability || !slices.Equal(fromTokens.Strategies, got.Strategies) {
			t.Fatalf("%s: AnalyzeTokens %+v, Analyze %+v", names[i], fromTokens, got)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%v", got.Probability)
		for _, s := range got.Strategies {
			fmt.Fprintf(&b, " | %s %d-%d %t", s.Name, s.Start, s.End, s.Polite)
		}
		lines = append(lines, b.String())
	}
	golden.Check(t, "testdata/analyses.gz", names, lines, *update)
}
