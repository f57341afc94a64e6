package sentiment

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Scores is VADER's result for one text.
type Scores struct {
	Negative float64    `json:"neg"`
	Neutral  float64    `json:"neu"`
	Positive float64    `json:"pos"`
	Compound float64    `json:"compound"`           // -1..1
	Evidence []Evidence `json:"evidence,omitempty"` // the words that carried valence, in text order
}

// Evidence is one word or phrase (byte offsets into the analysed text) and
// the valence it contributed after VADER's rules (negation, boosters, "but",
// caps). Text is always the analysed text's bytes [Start:End]; for a word that
// came from an emoji's description it is the emoji, and the valences of all
// words of that description are summed into one Evidence.
type Evidence struct {
	Text    string  `json:"text"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Valence float64 `json:"valence"`
}

// Analyzer scores texts. The zero value is ready to use and, like Analyze,
// safe for concurrent use.
type Analyzer struct {
	// OmitEvidence skips building Scores.Evidence: a bulk caller that needs
	// only the numbers saves its allocation.
	OmitEvidence bool
}

// Analyze returns VADER's scores for text, with evidence. It is
// Analyzer{}.Analyze.
func Analyze(text string) Scores {
	return Analyzer{}.Analyze(text)
}

// token is one white-space separated word of the text after emoji
// replacement, with leading and trailing punctuation stripped as VADER does.
type token struct {
	start, end int   // byte span in the analysed text
	idx        int32 // the word's index in table
	flags      uint8 // table[idx].flags and .id, which the rules read
	id         uint8
	upper      bool // Python's str.isupper of the stripped token
	negated    bool // a negation word, or contains "n't"
}

// scratch is the per-call working memory, pooled so that a call allocates
// nothing but its result.
type scratch struct {
	lower []byte // the word being looked up, lower-cased
	toks  []token
	sent  []float64
	virt  []byte  // text with emoji replaced, only when there are emoji
	src   []int32 // for each byte of virt: start, end in the analysed text
	marks int     // "!" in the text after emoji replacement
	quest int     // "?" likewise
	upper int     // tokens that are upper case
	but   int     // the first "but" in toks, or -1
	nz    []int   // butCheck's positions of non-zero valences
}

var pool = sync.Pool{New: func() any { return new(scratch) }}

// Analyze returns VADER's scores for text. It follows the reference Python
// (vaderSentiment's SentimentIntensityAnalyzer.polarity_scores) rule for rule,
// quirks included, and rounds as it does: compound to 4 decimals, the
// proportions to 3.
func (a Analyzer) Analyze(text string) Scores {
	return a.analyze(text, nil)
}

// AnalyzeInto is Analyze with the evidence written into buf's storage when
// it has room (else into new storage), for a caller that is done with the
// scores before it reuses buf: it spares an allocation per text.
func (a Analyzer) AnalyzeInto(text string, buf []Evidence) Scores {
	return a.analyze(text, buf)
}

func (a Analyzer) analyze(text string, buf []Evidence) Scores {
	loadOnce.Do(load)
	s := pool.Get().(*scratch)
	defer func() {
		if cap(s.lower) > 1<<16 || cap(s.toks) > 1<<14 || cap(s.virt) > 1<<16 {
			*s = scratch{} // don't pin a huge text's buffers in the pool
		}
		pool.Put(s)
	}()
	s.tokenize(text)
	s.valences()
	s.butCheck()
	sc := s.score()
	if !a.OmitEvidence {
		sc.Evidence = s.evidence(text, buf)
	}
	return sc
}

// pySpace is the white space that Python's str.split() splits on.
var pySpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true}

// punct is Python's string.punctuation, which VADER strips around words.
var punct = func() (p [256]bool) {
	for _, c := range []byte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		p[c] = true
	}
	return p
}()

// punctByte is punct as 0 or 1, to subtract.
var punctByte = func() (p [256]uint8) {
	for c, ok := range punct {
		if ok {
			p[c] = 1
		}
	}
	return p
}()

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return pySpace[r]
	}
	return unicode.IsSpace(r) // the same set as Python's above ASCII
}

// nonASCII returns the index of the first byte from 0x80 up in s[i:], or
// len(s). Most texts are ASCII: eight bytes at a time, the search for an
// emoji costs a tenth of what it did byte by byte.
func nonASCII(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8] // one bounds check for the eight loads, which become one
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// tokenize fills s.toks and the counts for text.
func (s *scratch) tokenize(text string) {
	s.lower, s.toks = s.lower[:0], s.toks[:0]
	s.upper, s.but = 0, -1
	// strings.Count is vectorised; a byte-by-byte switch was not.
	s.marks, s.quest = strings.Count(text, "!"), strings.Count(text, "?")
	hasEmoji := false
	for i := nonASCII(text, 0); i < len(text) && !hasEmoji; i = nonASCII(text, i+1) {
		r, _ := utf8.DecodeRuneInString(text[i:])
		_, hasEmoji = emojis[r]
	}
	if !hasEmoji {
		s.split(text, nil)
		return
	}
	// Replace each emoji by its description as the reference does: a space
	// before it unless the previous character was a space, none after.
	s.virt, s.src = s.virt[:0], s.src[:0]
	prevSpace := true
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if e, ok := emojis[r]; ok && size > 1 {
			if !prevSpace {
				s.virt = append(s.virt, ' ')
				s.src = append(s.src, int32(i), int32(i+size))
			}
			s.virt = append(s.virt, e.description...)
			for range len(e.description) {
				s.src = append(s.src, int32(i), int32(i+size))
			}
			s.marks += e.marks
			s.quest += e.questions
			prevSpace = false
		} else {
			s.virt = append(s.virt, text[i:i+size]...)
			for k := range size {
				s.src = append(s.src, int32(i+k), int32(i+size))
			}
			prevSpace = r == ' '
		}
		i += size
	}
	s.split(string(s.virt), s.src)
}

// The classes of a byte that split and add tell apart.
const (
	bSpace = 1 << iota // ASCII white space that Python's str.split() splits on
	bHigh              // 0x80 and up: part of a rune to decode
	bUpper             // 'A' to 'Z'
	bQuote             // '\'', without which no word contains "n't"
)

var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = bHigh
		case pySpace[c]:
			t[c] = bSpace
		case 'A' <= c && c <= 'Z':
			t[c] = bUpper
		case c == '\'':
			t[c] = bQuote
		}
	}
	return t
}()

const oneBits, highBits = 0x0101010101010101, 0x8080808080808080

// split cuts t at white space into tokens. src, when not nil, maps each byte
// of t to its span in the analysed text.
func (s *scratch) split(t string, src []int32) {
	i := 0
	for i < len(t) {
		if k := byteClass[t[i]]; k&bSpace != 0 {
			i++
			continue
		} else if k&bHigh != 0 {
			if r, size := utf8.DecodeRuneInString(t[i:]); isSpace(r) {
				i += size
				continue
			}
		}
		// The token's bytes' classes, gathered as it is read, spare add
		// reading it again to learn whether it is plain lower-case ASCII.
		j, class := i, uint8(0)
		// Eight bytes at a time up to the first that may end the token
		// (white space, part of a rune, or a control byte, which the loop
		// below reads one by one): reading byte by byte mispredicted the
		// end of nearly every word.
		for j+8 <= len(t) {
			b := t[j : j+8] // one bounds check for the eight loads, which become one
			w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
				uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			// With their top bits cleared, adding to the bytes carries
			// from none to the next: a byte's top bit then tells whether
			// it was at least 0x80-k. A borrow runs up only from a byte
			// that was '\''.
			low := w &^ highBits
			stop := w&highBits | ^(low+0x5f*oneBits)&highBits // >= 0x80, or <= ' '
			upper := (low + 0x3f*oneBits) &^ (low + 0x25*oneBits) & highBits
			q := low ^ '\''*oneBits
			quote := (q - oneBits) &^ q & highBits
			// The bits below the first stop's top bit keep the top bits
			// of the bytes before it (all of them when there is none).
			keep := stop&-stop - 1
			m := upper&keep | (quote&keep)>>1
			m |= m >> 32
			m |= m >> 16
			m |= m >> 8
			class |= uint8(m>>7&1)*bUpper | uint8(m>>6&1)*bQuote
			if stop != 0 {
				j += bits.TrailingZeros64(stop) >> 3
				break
			}
			j += 8
		}
		for j < len(t) {
			k := byteClass[t[j]]
			if k&(bSpace|bHigh) == 0 {
				class |= k
				j++
				continue
			}
			if k&bSpace != 0 {
				break
			}
			r, size := utf8.DecodeRuneInString(t[j:])
			if isSpace(r) {
				break
			}
			class |= bHigh
			j += size
		}
		s.add(t, i, j, src, class)
		i = j
	}
}

// add appends the token t[a:b], stripped of punctuation unless that would
// leave two runes or fewer (an emoticon such as ":)" or a short word like
// "ok!" is kept whole, as in the reference). class is its bytes' classes
// ORed; the punctuation stripped has none of them.
func (s *scratch) add(t string, a, b int, src []int32, class uint8) {
	l, r := a, b
	for l < r && punct[t[l]] {
		l++
	}
	// Whether a word ends in a mark follows no pattern: the first is
	// stripped by arithmetic, the rarer others by the loop.
	if r > l {
		r -= int(punctByte[t[r-1]])
	}
	for r > l && punct[t[r-1]] {
		r--
	}
	// ASCII has a rune a byte; more than 2×UTFMax bytes are more than two
	// runes: only a short word with other runes needs counting.
	if class&bHigh != 0 && r-l <= 2*utf8.UTFMax && utf8.RuneCountInString(t[l:r]) <= 2 {
		l, r = a, b
	}
	// Whether a word is short follows no pattern either: a mask, all
	// ones when r-l <= 2, chooses without a branch.
	short := (r - l - 3) >> 63
	l, r = l&^short|a&short, r&^short|b&short
	tok := token{start: l, end: r}
	if w := t[l:r]; class&(bUpper|bHigh) == 0 {
		// Most words: already lower case, and not upper case in Python's
		// sense (it needs a capital), so they are looked up as they are.
		tok.idx = indexString(w)
		tok.negated = class&bQuote != 0 && containsNT(w)
	} else {
		s.lower, tok.upper = appendLower(s.lower[:0], w)
		tok.idx = index(s.lower)
		// No rune lower-cases to an apostrophe.
		tok.negated = class&bQuote != 0 && containsNT(s.lower)
		if tok.upper {
			s.upper++
		}
	}
	e := &table[tok.idx]
	tok.flags, tok.id = e.flags, e.id
	tok.negated = tok.negated || e.flags&isNegation != 0
	if e.id == idBut && s.but < 0 {
		s.but = len(s.toks)
	}
	if src != nil {
		tok.start, tok.end = int(src[2*l]), int(src[2*(r-1)+1])
	}
	s.toks = append(s.toks, tok)
}

// containsNT reports whether b contains "n't". A loop over a word's few
// bytes costs a fifth of strings.Contains's call.
func containsNT[S string | []byte](b S) bool {
	for i := 2; i < len(b); i++ {
		if b[i] == 't' && b[i-1] == '\'' && b[i-2] == 'n' {
			return true
		}
	}
	return false
}

// valences fills s.sent with each token's valence after the rules that look
// at its neighbours (SentimentIntensityAnalyzer.sentiment_valence).
func (s *scratch) valences() {
	toks := s.toks
	n := len(toks)
	s.sent = slices.Grow(s.sent[:0], n)[:n]
	sent := s.sent
	// Some but not all tokens ALL CAPS.
	capDiff := s.upper > 0 && s.upper < n
	for i := range toks {
		t := &toks[i]
		v := 0.0
		switch {
		case t.flags&isBooster != 0:
		case i < n-1 && t.id == idKind && toks[i+1].id == idOf:
		case t.flags&inLexicon != 0:
			v = s.valence(i, capDiff)
		}
		sent[i] = v
	}
}

func (s *scratch) valence(i int, capDiff bool) float64 {
	toks := s.toks
	n := len(toks)
	t := &toks[i]
	v := table[t.idx].valence
	// "no" before another lexicon word is a negation, not a sentiment.
	if t.id == idNo && i != n-1 && toks[i+1].flags&inLexicon != 0 {
		v = 0
	}
	if (i > 0 && toks[i-1].id == idNo) || (i > 1 && toks[i-2].id == idNo) ||
		(i > 2 && toks[i-3].id == idNo && (toks[i-1].id == idOr || toks[i-1].id == idNor)) {
		v = table[t.idx].valence * nScalar
	}
	if t.upper && capDiff {
		if v > 0 {
			v += cIncr
		} else {
			v -= cIncr
		}
	}
	for start := 0; start < 3; start++ {
		if i <= start || toks[i-(start+1)].flags&inLexicon != 0 {
			continue
		}
		sc := scalar(&toks[i-(start+1)], v, capDiff)
		if start == 1 && sc != 0 {
			sc = sc * distanceTwo
		}
		if start == 2 && sc != 0 {
			sc = sc * distanceThree
		}
		v = v + sc
		v = s.negationCheck(v, start, i)
		if start == 2 {
			v = s.specialIdioms(v, i)
		}
	}
	return s.leastCheck(v, i)
}

// scalar is scalar_inc_dec: what a preceding booster adds to valence v.
func scalar(b *token, v float64, capDiff bool) float64 {
	if b.flags&isBooster == 0 {
		return 0
	}
	sc := table[b.idx].booster
	if v < 0 {
		sc *= -1
	}
	if b.upper && capDiff {
		if v > 0 {
			sc += cIncr
		} else {
			sc -= cIncr
		}
	}
	return sc
}

func (s *scratch) id(i int) uint8 { return s.toks[i].id }

// negationCheck is _negation_check. At distance three it keeps the
// reference's operator precedence: "never" is not needed when the word just
// before is "so" or "this" (`a and (b or c) or (d or e)` in Python).
func (s *scratch) negationCheck(v float64, start, i int) float64 {
	switch start {
	case 0:
		if s.toks[i-1].negated {
			v = v * nScalar
		}
	case 1:
		switch {
		case s.id(i-2) == idNever && (s.id(i-1) == idSo || s.id(i-1) == idThis):
			v = v * neverSoThis
		case s.id(i-2) == idWithout && s.id(i-1) == idDoubt:
		case s.toks[i-2].negated:
			v = v * nScalar
		}
	case 2:
		switch {
		case s.id(i-3) == idNever && (s.id(i-2) == idSo || s.id(i-2) == idThis) ||
			(s.id(i-1) == idSo || s.id(i-1) == idThis):
			v = v * neverSoThis
		case s.id(i-3) == idWithout && (s.id(i-2) == idDoubt || s.id(i-1) == idDoubt):
		case s.toks[i-3].negated:
			v = v * nScalar
		}
	}
	return v
}

// match reports whether the tokens from i on spell p.
func (s *scratch) match(p *phrase, i int) bool {
	if i < 0 || i+p.n > len(s.toks) {
		return false
	}
	for k := 0; k < p.n; k++ {
		if s.toks[i+k].id != p.ids[k] {
			return false
		}
	}
	return true
}

// specialIdioms is _special_idioms_check; i > 2 always.
func (s *scratch) specialIdioms(v float64, i int) float64 {
	// Every phrase tried starts at one of the words i-3 … i, and few words
	// start one ("the", "to", "kind"…): most windows hold none.
	toks := s.toks
	if (toks[i-3].flags|toks[i-2].flags|toks[i-1].flags|toks[i].flags)&startsPhrase == 0 {
		return v
	}
	// The reference tries these sequences in this order and takes the first:
	// (i-1 i), (i-2 i-1 i), (i-2 i-1), (i-3 i-2 i-1), (i-3 i-2).
	type seq struct{ from, n int }
	for _, q := range [...]seq{{i - 1, 2}, {i - 2, 3}, {i - 2, 2}, {i - 3, 3}, {i - 3, 2}} {
		if p := s.phraseAt(specialCases, &specialFirst, q.from, q.n); p != nil {
			v = p.valence
			break
		}
	}
	if p := s.phraseAt(specialCases, &specialFirst, i, 2); p != nil {
		v = p.valence
	}
	if p := s.phraseAt(specialCases, &specialFirst, i, 3); p != nil {
		v = p.valence
	}
	// Booster bigrams such as "kind of" before the word: (i-3 i-2), (i-2 i-1).
	for _, from := range [...]int{i - 3, i - 2} {
		if p := s.phraseAt(boosterPhrases, &boosterFirst, from, 2); p != nil {
			v = v + p.valence
		}
	}
	return v
}

// phraseAt returns the phrase of list, n words long, that the tokens from
// i on spell, or nil. first gives the phrases that start with each word id.
// The phrases of a list differ, so at most one matches.
func (s *scratch) phraseAt(list []phrase, first *[256]uint16, i, n int) *phrase {
	if i < 0 || i+n > len(s.toks) {
		return nil
	}
	for m := first[s.toks[i].id]; m != 0; m &= m - 1 {
		if p := &list[bits.TrailingZeros16(m)]; p.n == n && s.match(p, i) {
			return p
		}
	}
	return nil
}

// leastCheck is _least_check: "least" before a word negates it, except in
// "at least" and "very least".
func (s *scratch) leastCheck(v float64, i int) float64 {
	toks := s.toks
	if i > 1 && toks[i-1].flags&inLexicon == 0 && toks[i-1].id == idLeast {
		if toks[i-2].id != idAt && toks[i-2].id != idVery {
			v = v * nScalar
		}
	} else if i > 0 && toks[i-1].flags&inLexicon == 0 && toks[i-1].id == idLeast {
		v = v * nScalar
	}
	return v
}

// butCheck is _but_check: sentiments before the first "but" are halved, those
// after it grow by half. It reproduces the reference's quirk: the reference
// finds each value's position with list.index, so a value equal to an earlier
// one (after that one was scaled) scales the earlier position instead.
func (s *scratch) butCheck() {
	bi := s.but
	if bi < 0 {
		return
	}
	sent := s.sent
	// Only non-zero values are scaled or searched for, and a zero stays
	// zero: list.index need look at no other position.
	nz := s.nz[:0]
	for k, v := range sent {
		if v != 0 {
			nz = append(nz, k)
		}
	}
	s.nz = nz
	for _, k := range nz {
		v := sent[k]
		if v == 0 {
			continue
		}
		si := k
		for _, j := range nz {
			if sent[j] == v {
				si = j
				break
			}
		}
		if si < bi {
			sent[si] = v * butBefore
		} else if si > bi {
			sent[si] = v * butAfter
		}
	}
}

// score is score_valence: the compound score and the proportions.
func (s *scratch) score() Scores {
	if len(s.sent) == 0 {
		return Scores{}
	}
	// One pass for the sum and the proportions: each adds the same values
	// in the same order as the reference's two.
	sum, pos, neg, neu := 0.0, 0.0, 0.0, 0
	for _, v := range s.sent {
		sum += v
		if v > 0 {
			pos += v + 1 // each word counts as 1 besides its valence
		} else if v < 0 {
			neg += v - 1
		} else if v == 0 {
			neu++
		}
	}
	ep := min(s.marks, maxEP)
	emph := float64(ep) * epAmplify
	if s.quest > 1 {
		if s.quest <= 3 {
			emph += float64(s.quest) * qmAmplify
		} else {
			emph += qmMax
		}
	}
	if sum > 0 {
		sum += emph
	} else if sum < 0 {
		sum -= emph
	}
	compound := sum / math.Sqrt(sum*sum+alpha)
	compound = max(-1, min(1, compound))

	if pos > math.Abs(neg) {
		pos += emph
	} else if pos < math.Abs(neg) {
		neg -= emph
	}
	total := pos + math.Abs(neg) + float64(neu)
	return Scores{
		Negative: round(math.Abs(neg/total), 3),
		Neutral:  round(math.Abs(float64(neu)/total), 3),
		Positive: round(math.Abs(pos/total), 3),
		Compound: round(compound, 4),
	}
}

// round rounds x to prec decimals as Python's round does: correctly, ties to
// even on the exact binary value. -0 becomes 0.
func round(x float64, prec int) float64 {
	// Fast path: unless x·10^prec lies within a hair of a half, rounding it
	// to an integer and dividing (one correctly rounded IEEE division of two
	// exact numbers) gives the very double that parsing the decimal would.
	if prec >= 0 && prec < len(pow10) {
		p := pow10[prec]
		y := x * p
		if f := y - math.Floor(y); math.Abs(f-0.5) > 1e-6 && math.Abs(y) < 1e12 {
			r := math.Round(y)
			if r == 0 {
				return 0
			}
			return r / p
		}
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], x, 'f', prec, 64)
	r, err := strconv.ParseFloat(string(b), 64)
	if err != nil || r == 0 {
		return 0
	}
	return r
}

var pow10 = [...]float64{1, 10, 100, 1000, 10000, 100000}

// evidence lists the tokens whose final valence is not zero.
func (s *scratch) evidence(text string, buf []Evidence) []Evidence {
	count := 0
	for _, v := range s.sent {
		if v != 0 {
			count++
		}
	}
	if count == 0 {
		return nil
	}
	ev := buf[:0]
	if cap(ev) < count {
		ev = make([]Evidence, 0, count)
	}
	for i, v := range s.sent {
		if v == 0 {
			continue
		}
		t := &s.toks[i]
		if k := len(ev) - 1; k >= 0 && ev[k].Start == t.start && ev[k].End == t.end {
			ev[k].Valence += v // another word of the same emoji's description
			continue
		}
		ev = append(ev, Evidence{Text: text[t.start:t.end], Start: t.start, End: t.end, Valence: v})
	}
	return ev
}
