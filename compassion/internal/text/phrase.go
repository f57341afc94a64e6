package text

import (
	"slices"
	"strings"
)

// Phrases finds listed phrases in tokenised text. Phrases are matched on
// whole lower-cased words, so "just" does not match "justice", and spacing or
// punctuation between the words does not matter ("calm   down!" matches
// "calm down"). A '*' word matches any one word ("i * sorry" matches "I am
// sorry" and "I'm so sorry" does not — use separate phrases for that).
type Phrases struct {
	byFirst map[string]int32 // 1 + index into firsts
	firsts  []firstWord
	// The index is flat, so that trying the phrases at a word reads a few
	// neighbouring cache lines, not a slice header and its array per list
	// and per phrase: seconds and cands hold each first word's lists in
	// one run, words each phrase's words after the first in one run.
	seconds []secondWord
	cands   []cand
	words   []string
	labels  []string
}

// firstWord holds the phrases that start with one word, split by their
// second word so that a common first word ("my", "i") does not mean trying
// hundreds of phrases at every occurrence.
type firstWord struct {
	any run // cands: one-word phrases and phrases whose second word is "*"
	// seconds: the others, by second word. Most first words have a few
	// second words, where comparing strings is cheaper than hashing one;
	// bySecond indexes the long lists.
	seconds  run
	bySecond map[string]int32 // index into Phrases.seconds, long lists only
}

// run is the stretch [from, to) of a slice.
type run struct{ from, to int32 }

// secondWord holds the phrases, after their first word, whose second word
// is w.
type secondWord struct {
	w     string
	cands run
}

// cand is one phrase: its index in listing order, its length in words and
// where its words after the first start in Phrases.words.
type cand struct {
	idx, n, words int32
}

// mapSeconds is the length from which a first word's second words are
// found through a map.
const mapSeconds = 8

// second returns the phrases whose second word is w.
func (p *Phrases) second(fw *firstWord, w string) []cand {
	if fw.bySecond != nil {
		if k, ok := fw.bySecond[w]; ok {
			sw := &p.seconds[k]
			return p.cands[sw.cands.from:sw.cands.to]
		}
		return nil
	}
	for k := fw.seconds.from; k < fw.seconds.to; k++ {
		if sw := &p.seconds[k]; sw.w == w {
			return p.cands[sw.cands.from:sw.cands.to]
		}
	}
	return nil
}

// phraseWords returns the lower-cased words of a listed phrase, "*" for
// any word.
func phraseWords(ph string, buf []Token) ([]string, []Token) {
	buf = Tokens(strings.ReplaceAll(ph, "*", "xxanyxx"), buf[:0])
	if len(buf) == 0 {
		return nil, buf
	}
	seq := make([]string, len(buf))
	for j, w := range buf {
		seq[j] = w.Lower
		if seq[j] == "xxanyxx" {
			seq[j] = "*"
		}
	}
	return seq, buf
}

// NewPhrases builds a matcher for phrases; labels[i] names phrases[i] in
// matches (pass nil to label each phrase with itself).
func NewPhrases(phrases []string, labels []string) *Phrases {
	p := &Phrases{byFirst: make(map[string]int32)}
	// Gathered by first word, then laid out flat.
	type gathered struct {
		any     []int32
		seconds []string
		next    [][]int32
	}
	var firsts []gathered
	var seqs [][]string
	var ws []Token // one buffer for every phrase's words
	for i, ph := range phrases {
		var seq []string
		seq, ws = phraseWords(ph, ws)
		if seq == nil {
			continue
		}
		label := ph
		if labels != nil {
			label = labels[i]
		}
		fi := p.byFirst[seq[0]]
		if fi == 0 {
			firsts = append(firsts, gathered{})
			fi = int32(len(firsts))
			p.byFirst[seq[0]] = fi
		}
		g := &firsts[fi-1]
		idx := int32(len(seqs))
		if len(seq) == 1 || seq[1] == "*" {
			g.any = append(g.any, idx)
		} else {
			k := slices.Index(g.seconds, seq[1])
			if k < 0 {
				k = len(g.seconds)
				g.seconds = append(g.seconds, seq[1])
				g.next = append(g.next, nil)
			}
			g.next[k] = append(g.next[k], idx)
		}
		seqs = append(seqs, seq)
		p.labels = append(p.labels, label)
	}
	offs := make([]int32, len(seqs))
	for i, seq := range seqs {
		offs[i] = int32(len(p.words))
		p.words = append(p.words, seq[1:]...)
	}
	addCands := func(idxs []int32) run {
		r := run{from: int32(len(p.cands))}
		for _, idx := range idxs {
			p.cands = append(p.cands, cand{idx: idx, n: int32(len(seqs[idx])), words: offs[idx]})
		}
		r.to = int32(len(p.cands))
		return r
	}
	p.firsts = make([]firstWord, len(firsts))
	for i, g := range firsts {
		fw := &p.firsts[i]
		fw.any = addCands(g.any)
		fw.seconds.from = int32(len(p.seconds))
		for k, w := range g.seconds {
			p.seconds = append(p.seconds, secondWord{w: w, cands: addCands(g.next[k])})
		}
		fw.seconds.to = int32(len(p.seconds))
		if len(g.seconds) >= mapSeconds {
			fw.bySecond = make(map[string]int32, len(g.seconds))
			for k := fw.seconds.from; k < fw.seconds.to; k++ {
				fw.bySecond[p.seconds[k].w] = k
			}
		}
	}
	return p
}

// longest returns the longest of best and the phrases cs that match toks
// at i, whose words before word from are known to match; of equally long
// ones, the first listed.
func (p *Phrases) longest(toks []Token, i int, cs []cand, from int32, best cand) cand {
	for _, c := range cs {
		if i+int(c.n) > len(toks) {
			continue
		}
		if best.n > 0 && (c.n < best.n || c.n == best.n && c.idx > best.idx) {
			continue
		}
		ok := true
		for j := from; j < c.n; j++ {
			if w := p.words[c.words+j-1]; w != "*" && w != toks[i+int(j)].Lower {
				ok = false
				break
			}
		}
		if ok {
			best = c
		}
	}
	return best
}

// Match is one phrase found: its label and the tokens it covers [From, To).
type Match struct {
	Label    string
	From, To int // token indexes
	Start    int // byte offset of the first token
	End      int // byte offset past the last token
}

// Find appends to buf every phrase found in toks, longest first at each
// position, without overlaps, and returns it.
func (p *Phrases) Find(toks []Token, buf []Match) []Match {
	for i := 0; i < len(toks); {
		n := 0
		if fi := p.byFirst[toks[i].Lower]; fi != 0 {
			buf, n = p.at(toks, i, fi, buf)
		}
		if n == 0 {
			i++
			continue
		}
		i += n
	}
	return buf
}

// First returns the number FindFirst wants for a word: 0 when no phrase
// starts with it. A caller that looks each word up in its own table anyway
// can keep this number there and spare Find a lookup per word.
func (p *Phrases) First(word string) int32 { return p.byFirst[word] }

// FirstWords calls fn with each word that starts a phrase and its First
// number.
func (p *Phrases) FirstWords(fn func(word string, first int32)) {
	for w, fi := range p.byFirst {
		fn(w, fi)
	}
}

// FindFirst is Find given first[i] = p.First(toks[i].Lower) for every i.
func (p *Phrases) FindFirst(toks []Token, first []int32, buf []Match) []Match {
	first = first[:len(toks)]
	for i := 0; i < len(toks); {
		n := 0
		if fi := first[i]; fi != 0 {
			buf, n = p.at(toks, i, fi, buf)
		}
		if n == 0 {
			i++
			continue
		}
		i += n
	}
	return buf
}

// at appends the longest phrase that starts at toks[i], whose first word
// has First number fi, and returns its length in words (0: none).
func (p *Phrases) at(toks []Token, i int, fi int32, buf []Match) ([]Match, int) {
	fw := &p.firsts[fi-1]
	var best cand
	if fw.any.to > fw.any.from {
		best = p.longest(toks, i, p.cands[fw.any.from:fw.any.to], 1, best)
	}
	if i+1 < len(toks) && fw.seconds.to > fw.seconds.from {
		if cs := p.second(fw, toks[i+1].Lower); len(cs) > 0 {
			best = p.longest(toks, i, cs, 2, best)
		}
	}
	if best.n == 0 {
		return buf, 0
	}
	n := int(best.n)
	return append(buf, Match{Label: p.labels[best.idx], From: i, To: i + n, Start: int(toks[i].Start), End: int(toks[i+n-1].End)}), n
}
