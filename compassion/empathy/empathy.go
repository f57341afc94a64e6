// Package empathy measures the empathy a reply expresses towards a message,
// on the three communication mechanisms of the EPITOME framework (Sharma,
// Miner, Atkins and Althoff, EMNLP 2020): emotional reactions, interpretations
// and explorations, each none, weak or strong.
//
// The model is a small multinomial logistic regression per mechanism over
// hashed word uni- and bi-grams of the reply plus a few hand features (how
// many questions it asks, its length, how much of the seeker's vocabulary it
// picks up, and, for interpretations, the shares of its words in the first
// and the second person), trained on the EPITOME Reddit annotations. The annotators'
// rationales teach which phrases matter: each rationale is also an example
// of its level on its own, and the response with its rationales cut out an
// example of none. The quantised weights are embedded (model.bin), so
// Predict needs no I/O; `kindred train empathy` rebuilds the file byte for
// byte (on the same GOARCH) and `kindred eval empathy` measures it.
//
// Evidence comes from the same weights: each word of the reply scores the
// contributions of the n-grams covering it towards the predicted level
// against none, and the best runs of such words are reported.
//
// Data: EPITOME, github.com/behavioral-data/Empathy-Mental-Health,
// © University of Washington, used under its attribution licence.
package empathy

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// Level is how strongly a reply expresses one empathy mechanism.
type Level int

// Levels of expression, as EPITOME annotates them.
const (
	None   Level = 0
	Weak   Level = 1
	Strong Level = 2
)

// Levels holds a reply's level on each mechanism.
type Levels struct {
	EmotionalReactions Level `json:"emotional_reactions"`
	Interpretations    Level `json:"interpretations"`
	Explorations       Level `json:"explorations"`
}

// Evidence is a phrase of the response (byte offsets) that pushed a
// dimension's level up.
type Evidence struct {
	Dimension string  `json:"dimension"` // "emotional_reactions" | "interpretations" | "explorations"
	Text      string  `json:"text"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Weight    float64 `json:"weight"`
}

// Result is what Predict finds in a reply.
type Result struct {
	Levels Levels
	// Probabilities holds, per dimension (ER, IP, EX), the probability of
	// each level (none, weak, strong).
	Probabilities [3][3]float64
	// Evidence lists, for each dimension predicted above none, the phrases
	// that most raised it, strongest first within a dimension.
	Evidence []Evidence
}

// Dimensions names the three mechanisms in the order Probabilities uses.
var Dimensions = [3]string{"emotional_reactions", "interpretations", "explorations"}

// Model is a trained empathy model. It is safe for concurrent use.
type Model struct {
	flags uint8
	table *learn.Table
}

const (
	modelMagic   = "KEMP"
	modelVersion = 1
)

// NewModel decodes a model file made by Train.
func NewModel(b []byte) (*Model, error) {
	flags, t, err := learn.ReadModelFile(b, modelMagic, modelVersion, 9)
	if err != nil {
		return nil, fmt.Errorf("empathy: %w", err)
	}
	return &Model{flags: flags, table: t}, nil
}

//go:embed model.bin
var modelBytes []byte

// defaultModel decodes the embedded model on first use, not at program
// start: commands that never analyse text should not pay for it.
var defaultModel = sync.OnceValue(func() *Model {
	m, err := NewModel(modelBytes)
	if err != nil {
		// Only possible if model.bin is missing or corrupt at build time;
		// TestEmbeddedModelLoads guards against shipping that.
		return &Model{}
	}
	return m
})

// Default returns the embedded model.
func Default() *Model { return defaultModel() }

// ModelSize is the size in bytes of the embedded model file.
func ModelSize() int { return len(modelBytes) }

// Predict rates a reply (response) to a message (seeker) with the embedded
// model.
func Predict(seeker, response string) Result { return defaultModel().Predict(seeker, response) }

// Predict rates a reply (response) to a message (seeker).
func (m *Model) Predict(seeker, response string) Result {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	s.toks = learn.Tokenize(s.toks[:0], response)
	s.stoks = learn.Tokenize(s.stoks[:0], seeker)
	return m.predict(s, seeker, response, s.stoks, s.toks, true, nil)
}

// PredictTokens is Predict given the texts' learn.Tokenize tokens: stoks of
// the seeker, toks of the response, for a caller that has them already. It
// does not keep them. With stoks nil, the seeker is read from its text.
func PredictTokens(seeker, response string, stoks, toks []learn.Token) Result {
	return defaultModel().PredictTokens(seeker, response, stoks, toks)
}

// PredictTokens is Predict given the texts' learn.Tokenize tokens.
func (m *Model) PredictTokens(seeker, response string, stoks, toks []learn.Token) Result {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	return m.predict(s, seeker, response, stoks, toks, true, nil)
}

// LevelsTokens is PredictTokens without the probabilities (Result's
// Probabilities stay zero): the levels and evidence are the same, but it
// skips the softmax's exponentials and logarithms, a fifth of the time of a
// short reply's whole analysis. The most probable level is the one with the
// largest logit.
func LevelsTokens(seeker, response string, stoks, toks []learn.Token) Result {
	return LevelsTokensInto(seeker, response, stoks, toks, nil)
}

// LevelsTokensInto is LevelsTokens with the evidence written into buf's
// storage when it has room (else into new storage), for a caller that is
// done with the result before it reuses buf.
func LevelsTokensInto(seeker, response string, stoks, toks []learn.Token, buf []Evidence) Result {
	r, _ := defaultModel().LevelsInto(seeker, response, stoks, toks, buf, nil)
	return r
}

// LevelsInto is LevelsTokensInto with m. It also appends to rows, and
// returns, the rows it found in m's table for the response's word unigram
// and bigram at each token, two a token in token order (-1: none), for a
// model that shares m's table and reads the same n-grams (see
// learn.DecodeJoined): the politeness model takes them instead of looking them up
// again. A model that reads trigrams appends none.
func (m *Model) LevelsInto(seeker, response string, stoks, toks []learn.Token, buf []Evidence, rows []int32) (Result, []int32) {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	r := m.predict(s, seeker, response, stoks, toks, false, buf)
	if m.table != nil && m.flags&flagTrigrams == 0 {
		// extractTokens put each token's unigram and bigram first, in
		// that order.
		n := len(rows)
		rows = slices.Grow(rows, 2*len(toks))[:n+2*len(toks)]
		for i, f := range s.feats[:2*len(toks)] {
			rows[n+i] = f.row
		}
	}
	return r, rows
}

// DefaultTable returns the embedded model's weight table file, undecoded,
// to decode joined with another model's (see learn.DecodeJoined and
// DefaultWithWeights): decoding it on its own first only to copy it costs
// more than the decoding.
func DefaultTable() []byte {
	_, t, _ := learn.ModelTable(modelBytes, modelMagic, modelVersion)
	return t
}

// DefaultWithWeights returns the embedded model reading its weights from
// t, a view of a joined table decoded from DefaultTable, without decoding
// the model's own table. A t of the wrong width weighs nothing.
func DefaultWithWeights(t *learn.Table) *Model {
	flags, _, err := learn.ModelTable(modelBytes, modelMagic, modelVersion)
	if err != nil || t == nil || t.Width != 9 {
		return &Model{}
	}
	return &Model{flags: flags, table: t}
}

// predict reads a pair; the evidence goes into buf's storage when it has
// room, else into new storage.
func (m *Model) predict(s *scratch, seeker, response string, stoks, toks []learn.Token, probs bool, buf []Evidence) Result {
	extractTokens(s, m.flags, seeker, stoks, toks)

	var logits [9]float64
	if m.table != nil {
		for c, b := range m.table.Bias {
			logits[c] = float64(b)
		}
		// Find every feature's row first, then add them up: the lookups
		// do not wait on one another, so their cache misses overlap. The
		// sum runs in feature order as before.
		for i := range s.feats {
			s.feats[i].row = m.table.Find(s.feats[i].key)
		}
		// The nine sums stay in registers; each weight is dequantised as
		// learn.Table.Weight does.
		sc := (*[9]float32)(m.table.Scales())
		l0, l1, l2, l3, l4, l5, l6, l7, l8 := logits[0], logits[1], logits[2], logits[3], logits[4], logits[5], logits[6], logits[7], logits[8]
		for i := range s.feats {
			f := &s.feats[i]
			if f.row < 0 {
				continue
			}
			q := (*[9]int16)(m.table.Quantised(f.row))
			v := float64(f.val)
			l0 += v * float64(float32(q[0])*sc[0])
			l1 += v * float64(float32(q[1])*sc[1])
			l2 += v * float64(float32(q[2])*sc[2])
			l3 += v * float64(float32(q[3])*sc[3])
			l4 += v * float64(float32(q[4])*sc[4])
			l5 += v * float64(float32(q[5])*sc[5])
			l6 += v * float64(float32(q[6])*sc[6])
			l7 += v * float64(float32(q[7])*sc[7])
			l8 += v * float64(float32(q[8])*sc[8])
		}
		logits = [9]float64{l0, l1, l2, l3, l4, l5, l6, l7, l8}
	}
	var r Result
	s.ev = s.ev[:0]
	for d := 0; d < 3; d++ {
		p := logits[3*d : 3*d+3]
		if probs {
			learn.SoftmaxInPlace(p)
		}
		best := 0
		for k := 1; k < 3; k++ {
			if p[k] > p[best] {
				best = k
			}
		}
		if probs {
			copy(r.Probabilities[d][:], p)
		}
		switch d {
		case 0:
			r.Levels.EmotionalReactions = Level(best)
		case 1:
			r.Levels.Interpretations = Level(best)
		case 2:
			r.Levels.Explorations = Level(best)
		}
		if best > 0 {
			s.ev = m.evidence(s.ev, s, toks, d, best, response)
		}
	}
	if len(s.ev) > 0 {
		// Gathered in the scratch buffer and copied once, at its size.
		r.Evidence = append(buf[:0], s.ev...)
		clear(s.ev) // the pool must not keep the text alive
	}
	return r
}

// evidencePerDimension caps the phrases reported for one dimension.
const evidencePerDimension = 2

// evidence appends the phrases of the response that most pushed dimension d
// from none towards level. Each token scores the summed contribution of
// the n-grams covering it (an n-gram's share split over its tokens).
func (m *Model) evidence(out []Evidence, s *scratch, toks []learn.Token, d, level int, response string) []Evidence {
	if m.table == nil || len(toks) == 0 {
		return out
	}
	n := len(toks)
	// One score more than there are tokens: see below.
	s.scores = slices.Grow(s.scores[:0], n+1)[:n+1]
	clear(s.scores)
	for _, f := range s.feats {
		if f.from < 0 || f.row < 0 {
			continue
		}
		c := f.val * (m.table.Weight(f.row, 3*d+level) - m.table.Weight(f.row, 3*d))
		// Spread the n-gram's contribution over the tokens it covers: one
		// or two, but for trigrams. For one, the token after it gets c×0,
		// which changes no sum, rather than a loop whose length the
		// processor cannot foresee.
		if span := f.to - f.from; span <= 2 {
			c /= float32(span)
			s.scores[f.from] += c
			s.scores[f.from+1] += c * float32(span-1)
			continue
		}
		c /= float32(f.to - f.from)
		sc := s.scores[f.from:f.to]
		for i := range sc {
			sc[i] += c
		}
	}
	s.scores = s.scores[:n]
	best := float32(0)
	for _, v := range s.scores {
		best = max(best, v)
	}
	if best <= 0 {
		return out
	}
	// A phrase is a run of words within a sentence that raise the level
	// (bridging single neutral words), holding at least one word scoring a
	// quarter of the best.
	threshold := best / 4
	type span struct {
		start, end int
		weight     float64
	}
	var top [evidencePerDimension]span
	found := 0
	for i := 0; i < n; {
		if s.scores[i] <= 0 || toks[i].Kind == learn.Punct {
			i++
			continue
		}
		j, sum, peak := i, float32(0), float32(0)
		for j < n && toks[j].Kind == learn.Word {
			if s.scores[j] <= 0 {
				// Bridge one neutral word ("what subject was"), not two.
				if j+1 >= n || s.scores[j+1] <= 0 || toks[j+1].Kind != learn.Word {
					break
				}
			} else {
				sum += s.scores[j]
				peak = max(peak, s.scores[j])
			}
			j++
		}
		end := j
		if peak < threshold {
			i = j
			continue
		}
		e := span{toks[i].Start, toks[end-1].End, math.Round(float64(sum)*1000) / 1000}
		// Keep the strongest few, in order of weight.
		k := min(found, evidencePerDimension)
		for k > 0 && top[k-1].weight < e.weight {
			if k < evidencePerDimension {
				top[k] = top[k-1]
			}
			k--
		}
		if k < evidencePerDimension {
			top[k] = e
			found = min(found+1, evidencePerDimension)
		}
		i = j
	}
	for _, e := range top[:found] {
		out = append(out, Evidence{Dimension: Dimensions[d], Text: response[e.start:e.end], Start: e.start, End: e.end, Weight: e.weight})
	}
	return out
}
