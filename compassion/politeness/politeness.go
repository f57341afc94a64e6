// Package politeness estimates how polite a request reads and names the
// politeness strategies it uses, after Danescu-Niculescu-Mizil, Sudhof,
// Jurafsky, Leskovec and Potts (2013), "A computational approach to
// politeness with application to social factors" (ACL 2013).
//
// The model is a logistic regression over the paper's strategies (gratitude,
// hedges, "could you", a sentence-initial "please", direct questions…) plus
// hashed word uni- and bi-grams, trained on the Stanford Politeness Corpus
// (Wikipedia requests), polite = top quartile of the annotators' normalised
// score, impolite = bottom quartile. Weights are embedded (model.bin);
// `kindred train politeness` rebuilds the file byte for byte and
// `kindred eval politeness` measures it. Start with Analyze.
package politeness

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// Strategy is one politeness strategy found in the text (after
// Danescu-Niculescu-Mizil et al. 2013).
type Strategy struct {
	Name   string `json:"name"` // one of StrategyNames()
	Text   string `json:"text"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Polite bool   `json:"polite"` // whether the strategy tends to read as polite
}

// Result is what Analyze finds in a text.
type Result struct {
	Probability float64    `json:"probability"` // that a reader finds the text polite, 0..1
	Strategies  []Strategy `json:"strategies"`
}

// Model is a trained politeness model. It is safe for concurrent use.
type Model struct {
	table *learn.Table
}

const (
	modelMagic   = "KPOL"
	modelVersion = 1
)

// NewModel decodes a model file made by Train.
func NewModel(b []byte) (*Model, error) {
	_, t, err := learn.ReadModelFile(b, modelMagic, modelVersion, 2)
	if err != nil {
		return nil, fmt.Errorf("politeness: %w", err)
	}
	return &Model{table: t}, nil
}

//go:embed model.bin
var modelBytes []byte

var defaultModel = func() *Model {
	m, err := NewModel(modelBytes)
	if err != nil {
		// Only if model.bin is missing or corrupt at build time;
		// TestEmbeddedModelLoads guards against shipping that.
		return &Model{}
	}
	return m
}()

// Default returns the embedded model.
func Default() *Model { return defaultModel }

// ModelSize is the size in bytes of the embedded model file.
func ModelSize() int { return len(modelBytes) }

// Analyze rates text with the embedded model.
func Analyze(text string) Result { return defaultModel.Analyze(text) }

// Feature namespaces.
const (
	nsUni uint64 = iota + 1
	nsBi
	nsStrategy
)

var hashBOS = learn.HashString("<s>")

type feat struct {
	key uint32
	val float32
	row int32 // in the model's table, filled in by analyze; -1: none
}

type scratch struct {
	toks  []learn.Token
	found []found
	feats []feat
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

const maxPooled = 1 << 14

func putScratch(s *scratch) {
	if cap(s.toks) > maxPooled || cap(s.found) > maxPooled || cap(s.feats) > 4*maxPooled {
		return
	}
	scratchPool.Put(s)
}

// extract fills s.toks, s.found and s.feats for text.
func extract(s *scratch, text string) {
	s.toks = learn.Tokenize(s.toks[:0], text)
	extractTokens(s, s.toks, true)
}

// extractTokens fills s.found and s.feats for a text's tokens: each
// token's unigram and bigram, in that order, then the strategies. Without
// keyed, the n-grams' keys are left zero, for a caller that has their rows.
func extractTokens(s *scratch, toks []learn.Token, keyed bool) {
	s.found = detect(s.found[:0], toks)
	s.feats = slices.Grow(s.feats[:0], 2*len(toks)+int(numStrategies))
	if keyed {
		prev := hashBOS
		for _, t := range toks {
			s.feats = append(s.feats,
				feat{key: learn.Fold(learn.Mix(nsUni, t.Hash))},
				feat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), t.Hash))})
			prev = t.Hash
		}
	} else {
		s.feats = s.feats[:2*len(toks)]
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
func (m *Model) Analyze(text string) Result {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	s.toks = learn.Tokenize(s.toks[:0], text)
	return m.analyze(s, text, s.toks, nil, nil)
}

// AnalyzeTokens is Analyze given text's learn.Tokenize tokens, for a caller
// that has them already. It does not keep them.
func AnalyzeTokens(text string, toks []learn.Token) Result {
	return defaultModel.AnalyzeTokens(text, toks)
}

// AnalyzeTokens is Analyze given text's learn.Tokenize tokens.
func (m *Model) AnalyzeTokens(text string, toks []learn.Token) Result {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	return m.analyze(s, text, toks, nil, nil)
}

// AnalyzeTokensInto is AnalyzeTokens with the strategies written into
// buf's storage when it has room (else into new storage), for a caller
// that is done with the result before it reuses buf.
func AnalyzeTokensInto(text string, toks []learn.Token, buf []Strategy) Result {
	return defaultModel.AnalyzeRowsInto(text, toks, nil, buf)
}

// AnalyzeRowsInto is AnalyzeTokensInto with m, given rows: the rows in m's
// table of the word unigram and bigram at each token of toks, two a token
// in token order, as a model sharing m's table found them
// (empathy.Model.LevelsInto), so that they are not looked up again. Rows
// of any other length are not used.
func (m *Model) AnalyzeRowsInto(text string, toks []learn.Token, rows []int32, buf []Strategy) Result {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	if len(rows) != 2*len(toks) {
		rows = nil
	}
	return m.analyze(s, text, toks, rows, buf)
}

// DefaultTable returns the embedded model's weight table file, undecoded,
// to decode joined with another model's (see learn.DecodeJoined and
// DefaultWithWeights).
func DefaultTable() []byte {
	_, t, _ := learn.ModelTable(modelBytes, modelMagic, modelVersion)
	return t
}

// DefaultWithWeights returns the embedded model reading its weights from
// t, a view of a joined table decoded from DefaultTable. A t of the wrong
// width weighs nothing.
func DefaultWithWeights(t *learn.Table) *Model {
	if t == nil || t.Width != 2 {
		return &Model{}
	}
	return &Model{table: t}
}

// analyze rates a text; rows, when not nil, holds its n-grams' rows.
func (m *Model) analyze(s *scratch, text string, toks []learn.Token, rows []int32, buf []Strategy) Result {
	extractTokens(s, toks, rows == nil)
	var logits [2]float64
	if m.table != nil {
		logits[0], logits[1] = float64(m.table.Bias[0]), float64(m.table.Bias[1])
		// Find every feature's row first, then add them up, so that the
		// lookups' cache misses overlap (as the empathy model does).
		i := 0
		for ; i < len(rows); i++ {
			s.feats[i].row = rows[i]
		}
		for ; i < len(s.feats); i++ {
			s.feats[i].row = m.table.Find(s.feats[i].key)
		}
		// Each weight is dequantised as learn.Table.Weight does.
		sc := (*[2]float32)(m.table.Scales())
		l0, l1 := logits[0], logits[1]
		for _, f := range s.feats {
			if f.row >= 0 {
				q := (*[2]int16)(m.table.Quantised(f.row))
				l0 += float64(f.val) * float64(float32(q[0])*sc[0])
				l1 += float64(f.val) * float64(float32(q[1])*sc[1])
			}
		}
		logits = [2]float64{l0, l1}
	}
	r := Result{Probability: 1 / (1 + math.Exp(logits[0]-logits[1]))}
	if len(s.found) > 0 {
		r.Strategies = buf[:0]
		if cap(r.Strategies) < len(s.found) {
			r.Strategies = make([]Strategy, len(s.found))
		}
		r.Strategies = r.Strategies[:len(s.found)]
		for i, f := range s.found {
			start, end := toks[f.from].Start, toks[f.to-1].End
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
