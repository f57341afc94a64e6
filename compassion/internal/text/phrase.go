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
	words   [][]string
	labels  []string
}

// firstWord holds the phrases that start with one word, split by their
// second word so that a common first word ("my", "i") does not mean trying
// hundreds of phrases at every occurrence. Indexes are into Phrases.words,
// in listing order.
type firstWord struct {
	any []int // one-word phrases and phrases whose second word is "*"
	// The others, by second word: seconds[k] starts the phrases next[k].
	// Most first words have a few second words, where comparing strings
	// is cheaper than hashing one; bySecond indexes the long lists.
	seconds  []string
	next     [][]int
	bySecond map[string]int // index into seconds, for long lists only
}

// mapSeconds is the length from which a first word's second words are
// found through a map.
const mapSeconds = 8

// second returns the phrases whose second word is w.
func (fw *firstWord) second(w string) []int {
	if fw.bySecond != nil {
		if k, ok := fw.bySecond[w]; ok {
			return fw.next[k]
		}
		return nil
	}
	for k, s := range fw.seconds {
		if s == w {
			return fw.next[k]
		}
	}
	return nil
}

// NewPhrases builds a matcher for phrases; labels[i] names phrases[i] in
// matches (pass nil to label each phrase with itself).
func NewPhrases(phrases []string, labels []string) *Phrases {
	p := &Phrases{byFirst: make(map[string]int32)}
	var ws []Token // one buffer for every phrase's words
	for i, ph := range phrases {
		ws = Tokens(strings.ReplaceAll(ph, "*", "xxanyxx"), ws[:0])
		if len(ws) == 0 {
			continue
		}
		seq := make([]string, len(ws))
		for j, w := range ws {
			seq[j] = w.Lower
			if seq[j] == "xxanyxx" {
				seq[j] = "*"
			}
		}
		label := ph
		if labels != nil {
			label = labels[i]
		}
		fi := p.byFirst[seq[0]]
		if fi == 0 {
			p.firsts = append(p.firsts, firstWord{})
			fi = int32(len(p.firsts))
			p.byFirst[seq[0]] = fi
		}
		fw := &p.firsts[fi-1]
		if len(seq) == 1 || seq[1] == "*" {
			fw.any = append(fw.any, len(p.words))
		} else {
			k := slices.Index(fw.seconds, seq[1])
			if k < 0 {
				k = len(fw.seconds)
				fw.seconds = append(fw.seconds, seq[1])
				fw.next = append(fw.next, nil)
			}
			fw.next[k] = append(fw.next[k], len(p.words))
		}
		p.words = append(p.words, seq)
		p.labels = append(p.labels, label)
	}
	for i := range p.firsts {
		if fw := &p.firsts[i]; len(fw.seconds) >= mapSeconds {
			fw.bySecond = make(map[string]int, len(fw.seconds))
			for k, w := range fw.seconds {
				fw.bySecond[w] = k
			}
		}
	}
	return p
}

// longest returns the longest of best and the phrases idxs that match toks
// at i; of equally long ones, the first listed.
func (p *Phrases) longest(toks []Token, i int, idxs []int, best int) int {
	for _, idx := range idxs {
		seq := p.words[idx]
		if i+len(seq) > len(toks) {
			continue
		}
		if best >= 0 && (len(seq) < len(p.words[best]) || len(seq) == len(p.words[best]) && idx > best) {
			continue
		}
		ok := true
		for j := 1; j < len(seq); j++ {
			if seq[j] != "*" && seq[j] != toks[i+j].Lower {
				ok = false
				break
			}
		}
		if ok {
			best = idx
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
	best := p.longest(toks, i, fw.any, -1)
	if i+1 < len(toks) && len(fw.seconds) > 0 {
		best = p.longest(toks, i, fw.second(toks[i+1].Lower), best)
	}
	if best < 0 {
		return buf, 0
	}
	n := len(p.words[best])
	return append(buf, Match{Label: p.labels[best], From: i, To: i + n, Start: int(toks[i].Start), End: int(toks[i+n-1].End)}), n
}
