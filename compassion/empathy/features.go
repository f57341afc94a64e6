package empathy

import (
	"math"
	"slices"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// Feature namespaces keep n-grams and hand features apart in the hash space.
const (
	nsUni uint64 = iota + 1
	nsBi
	nsTri
	nsQuestions
	nsLength
	nsOverlap
	nsSeeker
	nsFirst
	nsSecond
)

// Feature set flags, stored in the model file so that prediction extracts
// exactly what the model was trained on.
const (
	flagTrigrams uint8 = 1 << iota
	flagSeeker
	flagPersons
)

// Words of the first and second person. A reply that tells of the writer's
// own experience, as interpretations do, says I and my; advice says you.
var (
	firstPerson  = newWordSet("i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll", "im", "ive")
	secondPerson = newWordSet("you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll", "youre", "u", "ur")
)

// wordSet is a small set of word hashes. A 256-bit filter on the hash's
// low byte turns most words away before the list is scanned, so testing
// every word of a reply costs little.
type wordSet struct {
	filter [4]uint64
	hashes []uint64
}

func newWordSet(words ...string) *wordSet {
	s := &wordSet{}
	for _, w := range words {
		h := learn.HashString(w)
		s.filter[h&255>>6] |= 1 << (h & 63)
		s.hashes = append(s.hashes, h)
	}
	return s
}

func (s *wordSet) has(h uint64) bool {
	if s.filter[h&255>>6]&(1<<(h&63)) == 0 {
		return false
	}
	return slices.Contains(s.hashes, h)
}

var (
	hashBOS      = learn.HashString("<s>")
	hashEOS      = learn.HashString("</s>")
	hashQuestion = learn.HashString("?")
)

// feat is one occurrence of a feature: the response's tokens [from, to)
// it covers, from < 0 for features with no span (length, overlap), which
// never become evidence; row is its row in the model's table (-1: none),
// filled in by Predict so that evidence need not look it up again.
type feat struct {
	key      uint32
	from, to int32
	val      float32
	row      int32
}

// scratch holds per-call buffers, pooled so Predict does not allocate them.
type scratch struct {
	toks   []learn.Token
	stoks  []learn.Token
	feats  []feat
	scores []float32
	ev     []Evidence
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooled bounds the buffers returned to the pool, so one huge input does
// not pin its memory for ever.
const maxPooled = 1 << 14

func putScratch(s *scratch) {
	if cap(s.toks) > maxPooled || cap(s.stoks) > maxPooled || cap(s.feats) > 4*maxPooled || cap(s.scores) > 4*maxPooled {
		return
	}
	scratchPool.Put(s)
}

// extract fills s.feats with the features of a (seeker, response) pair.
func extract(s *scratch, flags uint8, seeker, response string) {
	s.toks = learn.Tokenize(s.toks[:0], response)
	s.stoks = learn.Tokenize(s.stoks[:0], seeker)
	extractTokens(s, flags, seeker, s.stoks, s.toks)
}

// extractTokens fills s.feats with the features of a pair given its
// tokens: stoks of the seeker, toks of the response. With stoks nil, the
// seeker is read from its text: only the model's seeker features need its
// tokens kept, and the default model has none.
func extractTokens(s *scratch, flags uint8, seeker string, stoks, toks []learn.Token) {
	s.feats = s.feats[:0]
	if stoks == nil && flags&flagSeeker != 0 {
		s.stoks = learn.Tokenize(s.stoks[:0], seeker)
		stoks = s.stoks
	}

	// Seeker words go into a 4096-bit set for the overlap feature.
	var seen [64]uint64
	see := func(t learn.Token) {
		b := t.Hash & 4095
		seen[b>>6] |= isContent(t) << (b & 63)
	}
	if stoks != nil {
		for _, t := range stoks {
			see(t)
		}
	} else {
		for t, ok := learn.Next(seeker, 0); ok; t, ok = learn.Next(seeker, t.End) {
			see(t)
		}
	}

	// An n-gram ending at token i covers tokens [from, i+1); the
	// sentence-start marker belongs to the first token.
	s.feats = slices.Grow(s.feats, 2*len(toks)+len(stoks)+4)
	prev, prev2 := hashBOS, uint64(0)
	prevIdx, prev2Idx := int32(0), int32(0)
	questions, content, shared := 0, 0, 0
	words, first, second := 0, 0, 0
	persons := flags&flagPersons != 0
	for i, t := range toks {
		if persons && t.Kind == learn.Word {
			words++
			if firstPerson.has(t.Hash) {
				first++
			} else if secondPerson.has(t.Hash) {
				second++
			}
		}
		from, to := int32(i), int32(i+1)
		s.feats = append(s.feats,
			feat{key: learn.Fold(learn.Mix(nsUni, t.Hash)), from: from, to: to},
			feat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), t.Hash)), from: prevIdx, to: to})
		if flags&flagTrigrams != 0 && prev2 != 0 {
			s.feats = append(s.feats, feat{key: learn.Fold(learn.Mix(learn.Mix(learn.Mix(nsTri, prev2), prev), t.Hash)), from: prev2Idx, to: to})
		}
		if t.Kind == learn.Punct && t.Hash == hashQuestion {
			questions++
		}
		c, b := isContent(t), t.Hash&4095
		content += int(c)
		shared += int(c & (seen[b>>6] >> (b & 63)))
		prev2, prev = prev, t.Hash
		prev2Idx, prevIdx = prevIdx, from
	}
	if n := len(toks); n > 0 {
		s.feats = append(s.feats, feat{key: learn.Fold(learn.Mix(learn.Mix(nsBi, prev), hashEOS)), from: int32(n - 1), to: int32(n)})
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
		for _, t := range stoks {
			if t.Kind == learn.Word {
				n++
			}
		}
		if n > 0 {
			v := float32(0.5 / math.Sqrt(float64(n)))
			for _, t := range stoks {
				if t.Kind == learn.Word {
					s.feats = append(s.feats, feat{key: learn.Fold(learn.Mix(nsSeeker, t.Hash)), from: -1, to: -1, val: v})
				}
			}
		}
	}
	s.feats = append(s.feats,
		feat{key: learn.Fold(learn.Mix(nsQuestions, uint64(min(questions, 3)))), from: -1, to: -1, val: 1},
		feat{key: learn.Fold(learn.Mix(nsLength, uint64(lengthBucket(len(toks))))), from: -1, to: -1, val: 1})
	if persons && words > 0 {
		s.feats = append(s.feats,
			feat{key: learn.Fold(learn.Mix(nsFirst, uint64(shareBucket(first, words)))), from: -1, to: -1, val: 1},
			feat{key: learn.Fold(learn.Mix(nsSecond, uint64(shareBucket(second, words)))), from: -1, to: -1, val: 1})
	}
	if content > 0 {
		s.feats = append(s.feats, feat{key: learn.Fold(learn.Mix(nsOverlap, uint64(overlapBucket(shared, content)))), from: -1, to: -1, val: 1})
	}
}

// isContent is 1 for a word of four bytes or more, which the overlap
// feature counts, else 0: computed rather than tested, as which tokens
// are such words follows no pattern a branch predictor could learn.
func isContent(t learn.Token) uint64 {
	long := uint64(3-(t.End-t.Start)) >> 63  // t.End-t.Start >= 4
	return long & uint64(t.Kind^learn.Punct) // Word and Punct are the only kinds
}

// lengthBucket groups token counts roughly logarithmically.
func lengthBucket(n int) int {
	b := 0
	for n > 4 && b < 8 {
		n >>= 1
		b++
	}
	return b
}

func overlapBucket(shared, content int) int {
	r := float64(shared) / float64(content)
	switch {
	case shared == 0:
		return 0
	case r <= 0.1:
		return 1
	case r <= 0.25:
		return 2
	case r <= 0.5:
		return 3
	}
	return 4
}

// shareBucket groups the share of a reply's words that are of one kind:
// none, then eight steps up to a fifth and more.
func shareBucket(n, words int) int {
	if n == 0 {
		return 0
	}
	r := float64(n) / float64(words)
	for b, bound := range [...]float64{0.02, 0.04, 0.06, 0.08, 0.11, 0.15, 0.2} {
		if r <= bound {
			return b + 1
		}
	}
	return 8
}
