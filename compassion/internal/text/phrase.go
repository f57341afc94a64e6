package text

import "strings"

// Phrases finds listed phrases in tokenised text. Phrases are matched on
// whole lower-cased words, so "just" does not match "justice", and spacing or
// punctuation between the words does not matter ("calm   down!" matches
// "calm down"). A '*' word matches any one word ("i * sorry" matches "I am
// sorry" and "I'm so sorry" does not — use separate phrases for that).
type Phrases struct {
	byFirst map[string][]int // first word → indexes into words
	words   [][]string
	labels  []string
}

// NewPhrases builds a matcher for phrases; labels[i] names phrases[i] in
// matches (pass nil to label each phrase with itself).
func NewPhrases(phrases []string, labels []string) *Phrases {
	p := &Phrases{byFirst: make(map[string][]int)}
	for i, ph := range phrases {
		ws := Tokens(strings.ReplaceAll(ph, "*", "xxanyxx"), nil)
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
		p.byFirst[seq[0]] = append(p.byFirst[seq[0]], len(p.words))
		p.words = append(p.words, seq)
		p.labels = append(p.labels, label)
	}
	return p
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
		best := -1
		for _, idx := range p.byFirst[toks[i].Lower] {
			seq := p.words[idx]
			if i+len(seq) > len(toks) || (best >= 0 && len(seq) <= len(p.words[best])) {
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
		if best < 0 {
			i++
			continue
		}
		n := len(p.words[best])
		buf = append(buf, Match{Label: p.labels[best], From: i, To: i + n, Start: toks[i].Start, End: toks[i+n-1].End})
		i += n
	}
	return buf
}
