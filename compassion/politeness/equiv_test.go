package politeness

// The analysis as it was before the speed work, kept to check that the
// faster path gives identical results (TestAnalyzeMatchesReference).

import (
	"math"
	"os"
	"slices"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// extract fills s.toks, s.found and s.feats for text.
func refExtract(s *scratch, text string) {
	s.toks = learn.Tokenize(s.toks[:0], text)
	s.found = detect(s.found[:0], s.toks)
	s.feats = s.feats[:0]
	prev := hashBOS
	for _, t := range s.toks {
		s.feats = append(s.feats,
			feat{key: learn.Fold(learn.Mix(nsUni, t.Hash))},
			feat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), t.Hash))})
		prev = t.Hash
	}
	if n := len(s.feats); n > 0 {
		v := float32(1 / math.Sqrt(float64(n)))
		for i := range s.feats {
			s.feats[i].val = v
		}
	}
	// Strategies count once each, whatever how often they occur.
	var seen uint32
	for _, f := range s.found {
		if seen&(1<<f.id) == 0 {
			seen |= 1 << f.id
			s.feats = append(s.feats, feat{key: learn.Fold(learn.Mix(nsStrategy, uint64(f.id))), val: 1})
		}
	}
}

// Analyze rates text and lists the strategies it uses, in text order.
func (m *Model) refAnalyze(text string) Result {
	s := new(scratch)
	refExtract(s, text)
	var logits [2]float64
	if m.table != nil {
		logits[0], logits[1] = float64(m.table.Bias[0]), float64(m.table.Bias[1])
		for _, f := range s.feats {
			if w := m.table.Lookup(f.key); w != nil {
				logits[0] += float64(f.val) * float64(w[0])
				logits[1] += float64(f.val) * float64(w[1])
			}
		}
	}
	r := Result{Probability: 1 / (1 + math.Exp(logits[0]-logits[1]))}
	if len(s.found) > 0 {
		r.Strategies = make([]Strategy, len(s.found))
		for i, f := range s.found {
			start, end := s.toks[f.from].Start, s.toks[f.to-1].End
			r.Strategies[i] = Strategy{
				Name:   strategyInfo[f.id].name,
				Text:   text[start:end],
				Start:  start,
				End:    end,
				Polite: strategyInfo[f.id].polite,
			}
		}
	}
	return r
}

func TestAnalyzeMatchesReference(t *testing.T) {
	f, err := os.Open(dataFile)
	if err != nil {
		t.Skipf("politeness corpus not available at %s: %v", dataFile, err)
	}
	reqs, err := ReadCSV(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range reqs {
		texts = append(texts, r.Text)
	}
	// The engine runs politeness on replies: check the EPITOME ones too.
	if d, err := empathy.ReadData(os.DirFS("../../../shared/data/epitome")); err == nil {
		for _, pairs := range d {
			for _, p := range pairs {
				texts = append(texts, p.Response, p.Seeker)
			}
		}
	} else {
		t.Logf("EPITOME data not available: %v", err)
	}
	m := Default()
	var toks []learn.Token
	for _, text := range texts {
		want := m.refAnalyze(text)
		got := m.Analyze(text)
		toks = learn.Tokenize(toks[:0], text)
		gotT := m.AnalyzeTokens(text, toks)
		for _, g := range []Result{got, gotT} {
			if g.Probability != want.Probability || !slices.Equal(g.Strategies, want.Strategies) {
				t.Fatalf("%q:\n got %+v\nwant %+v", text, g, want)
			}
		}
	}
	t.Logf("%d analyses identical", len(texts))
}
