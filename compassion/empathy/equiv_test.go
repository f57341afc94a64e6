package empathy

// The prediction path as it was before the speed work, kept to check that
// the faster one gives identical results (TestPredictMatchesReference).

import (
	"math"
	"slices"
	"testing"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

type refFeat struct {
	key        uint32
	start, end int32
	val        float32
}

type refScratch struct {
	toks   []learn.Token
	stoks  []learn.Token
	feats  []refFeat
	scores []float32
}

// Predict rates a reply (response) to a message (seeker).
func (m *Model) refPredict(seeker, response string) Result {
	s := new(refScratch)
	refExtract(s, m.flags, seeker, response)

	var logits [9]float64
	if m.table != nil {
		for c, b := range m.table.Bias {
			logits[c] = float64(b)
		}
		for _, f := range s.feats {
			if w := m.table.Lookup(f.key); w != nil {
				for c := range logits {
					logits[c] += float64(f.val) * float64(w[c])
				}
			}
		}
	}
	var r Result
	for d := 0; d < 3; d++ {
		p := logits[3*d : 3*d+3]
		learn.SoftmaxInPlace(p)
		best := 0
		for k := 1; k < 3; k++ {
			if p[k] > p[best] {
				best = k
			}
		}
		copy(r.Probabilities[d][:], p)
		switch d {
		case 0:
			r.Levels.EmotionalReactions = Level(best)
		case 1:
			r.Levels.Interpretations = Level(best)
		case 2:
			r.Levels.Explorations = Level(best)
		}
		if best > 0 {
			r.Evidence = m.refEvidence(r.Evidence, s, d, best, response)
		}
	}
	return r
}

// evidence appends the phrases of the response that most pushed dimension d
// from none towards level. Each token scores the summed contribution of
// the n-grams covering it (an n-gram's share split over its tokens).
func (m *Model) refEvidence(out []Evidence, s *refScratch, d, level int, response string) []Evidence {
	if m.table == nil || len(s.toks) == 0 {
		return out
	}
	n := len(s.toks)
	s.scores = slices.Grow(s.scores[:0], n)[:n]
	clear(s.scores)
	for _, f := range s.feats {
		if f.start < 0 {
			continue
		}
		w := m.table.Lookup(f.key)
		if w == nil {
			continue
		}
		c := f.val * (w[3*d+level] - w[3*d])
		// Spread the n-gram's contribution over the tokens it covers.
		lo, _ := slices.BinarySearchFunc(s.toks, int(f.start), func(t learn.Token, x int) int { return t.Start - x })
		hi := lo
		for hi < n && s.toks[hi].End <= int(f.end) {
			hi++
		}
		if hi == lo {
			continue
		}
		c /= float32(hi - lo)
		for i := lo; i < hi; i++ {
			s.scores[i] += c
		}
	}
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
		if s.scores[i] <= 0 || s.toks[i].Kind == learn.Punct {
			i++
			continue
		}
		j, sum, peak := i, float32(0), float32(0)
		for j < n && s.toks[j].Kind == learn.Word {
			if s.scores[j] <= 0 {
				// Bridge one neutral word ("what subject was"), not two.
				if j+1 >= n || s.scores[j+1] <= 0 || s.toks[j+1].Kind != learn.Word {
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
		e := span{s.toks[i].Start, s.toks[end-1].End, math.Round(float64(sum)*1000) / 1000}
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
	if out == nil && found > 0 {
		// One allocation holds the evidence of all three dimensions.
		out = make([]Evidence, 0, 3*evidencePerDimension)
	}
	for _, e := range top[:found] {
		out = append(out, Evidence{Dimension: Dimensions[d], Text: response[e.start:e.end], Start: e.start, End: e.end, Weight: e.weight})
	}
	return out
}

// extract fills s.feats with the features of a (seeker, response) pair.
func refExtract(s *refScratch, flags uint8, seeker, response string) {
	s.toks = learn.Tokenize(s.toks[:0], response)
	s.stoks = learn.Tokenize(s.stoks[:0], seeker)
	s.feats = s.feats[:0]
	toks := s.toks

	// Seeker words go into a 4096-bit set for the overlap feature.
	var seen [64]uint64
	for _, t := range s.stoks {
		if t.Kind == learn.Word && t.End-t.Start >= 4 {
			b := t.Hash & 4095
			seen[b>>6] |= 1 << (b & 63)
		}
	}

	prev, prev2 := hashBOS, uint64(0)
	prevStart, prev2Start := 0, 0
	questions, content, shared := 0, 0, 0
	for _, t := range toks {
		start, end := int32(t.Start), int32(t.End)
		s.feats = append(s.feats,
			refFeat{key: learn.Fold(learn.Mix(nsUni, t.Hash)), start: start, end: end},
			refFeat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), t.Hash)), start: int32(prevStart), end: end})
		if flags&flagTrigrams != 0 && prev2 != 0 {
			s.feats = append(s.feats, refFeat{key: learn.Fold(learn.Mix(learn.Mix(learn.Mix(nsTri, prev2), prev), t.Hash)), start: int32(prev2Start), end: end})
		}
		if t.Kind == learn.Punct && t.Hash == hashQuestion {
			questions++
		}
		if t.Kind == learn.Word && t.End-t.Start >= 4 {
			content++
			b := t.Hash & 4095
			if seen[b>>6]&(1<<(b&63)) != 0 {
				shared++
			}
		}
		prev2, prev = prev, t.Hash
		prev2Start, prevStart = prevStart, t.Start
	}
	if len(toks) > 0 {
		last := toks[len(toks)-1]
		s.feats = append(s.feats, refFeat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), hashEOS)), start: int32(last.Start), end: int32(last.End)})
	}
	// n-grams share a total weight of one, so long responses do not swamp
	// the biases.
	if n := len(s.feats); n > 0 {
		v := float32(1 / math.Sqrt(float64(n)))
		for i := range s.feats {
			s.feats[i].val = v
		}
	}
	if flags&flagSeeker != 0 {
		n := 0
		for _, t := range s.stoks {
			if t.Kind == learn.Word {
				n++
			}
		}
		if n > 0 {
			v := float32(0.5 / math.Sqrt(float64(n)))
			for _, t := range s.stoks {
				if t.Kind == learn.Word {
					s.feats = append(s.feats, refFeat{key: learn.Fold(learn.Mix(nsSeeker, t.Hash)), start: -1, end: -1, val: v})
				}
			}
		}
	}
	s.feats = append(s.feats,
		refFeat{key: learn.Fold(learn.Mix(nsQuestions, uint64(min(questions, 3)))), start: -1, end: -1, val: 1},
		refFeat{key: learn.Fold(learn.Mix(nsLength, uint64(lengthBucket(len(toks))))), start: -1, end: -1, val: 1})
	if content > 0 {
		s.feats = append(s.feats, refFeat{key: learn.Fold(learn.Mix(nsOverlap, uint64(overlapBucket(shared, content)))), start: -1, end: -1, val: 1})
	}
}

func TestPredictMatchesReference(t *testing.T) {
	d := readShared(t)
	m := Default()
	n := 0
	var toks, stoks []learn.Token
	check := func(seeker, response string) {
		t.Helper()
		want := m.refPredict(seeker, response)
		got := m.Predict(seeker, response)
		toks = learn.Tokenize(toks[:0], response)
		stoks = learn.Tokenize(stoks[:0], seeker)
		gotT := m.PredictTokens(seeker, response, stoks, toks)
		for _, g := range []Result{got, gotT} {
			if g.Levels != want.Levels || g.Probabilities != want.Probabilities || !slices.Equal(g.Evidence, want.Evidence) {
				t.Fatalf("seeker %q response %q:\n got %+v\nwant %+v", seeker, response, g, want)
			}
		}
		n++
	}
	for _, pairs := range d {
		for _, p := range pairs {
			check(p.Seeker, p.Response)
			check("", p.Response)
			check(p.Response, p.Seeker)
		}
	}
	t.Logf("%d predictions identical", n)
}
