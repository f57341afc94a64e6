package text

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// findNaive is Find as first written, trying every phrase with the token's
// first word: the reference the indexed Find must agree with.
func (p *Phrases) findNaive(phrases []string, toks []Token, buf []Match) []Match {
	var words [][]string
	for _, ph := range phrases {
		if seq, _ := phraseWords(ph, nil); seq != nil {
			words = append(words, seq)
		}
	}
	for i := 0; i < len(toks); {
		best := -1
		for idx, seq := range words {
			if seq[0] != toks[i].Lower || i+len(seq) > len(toks) || (best >= 0 && len(seq) <= len(words[best])) {
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
		n := len(words[best])
		buf = append(buf, Match{Label: p.labels[best], From: i, To: i + n, Start: int(toks[i].Start), End: int(toks[i+n-1].End)})
		i += n
	}
	return buf
}

func TestPhrasesIndexAgreesWithTryingEveryPhrase(t *testing.T) {
	vocab := []string{"my", "i", "am", "so", "sorry", "mother", "died", "*", "the", "code", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 300; round++ {
		var phrases, labels []string
		for n := 1 + rng.IntN(12); n > 0; n-- {
			var ws []string
			for k := 1 + rng.IntN(4); k > 0; k-- {
				w := vocab[rng.IntN(len(vocab))]
				if len(ws) == 0 && w == "*" {
					w = "my"
				}
				ws = append(ws, w)
			}
			phrases = append(phrases, strings.Join(ws, " "))
			labels = append(labels, strings.Join(ws, " ")+"#"+string(rune('a'+n)))
		}
		p := NewPhrases(phrases, labels)
		var ws []string
		for k := rng.IntN(20); k > 0; k-- {
			ws = append(ws, vocab[rng.IntN(len(vocab)-1)])
		}
		toks := Tokens(strings.Join(ws, " "), nil)
		if got, want := p.Find(toks, nil), p.findNaive(phrases, toks, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("phrases %q in %q:\nFind  %+v\nnaive %+v", phrases, ws, got, want)
		}
	}
}
