package swahili

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/wordtab"
)

// Sentiment labels, as AfriSenti and the engine's report name them.
const (
	Negative = "negative"
	Neutral  = "neutral"
	Positive = "positive"
)

// Labels are the sentiment labels in the model's class order.
var Labels = [3]string{Negative, Neutral, Positive}

// model.tsv is a multinomial logistic regression trained on all of
// AfriSenti's Swahili train and dev tweets (kindred train afrisenti): a
// line per word with its three class weights, and the bias and the
// VADER-tone weights on lines of their own. AfriSenti is CC BY 4.0:
// Muhammad et al., AfriSenti: A Twitter Sentiment Analysis Benchmark for
// African Languages, EMNLP 2023.
//
//go:embed model.tsv
var modelTSV string

// Model scores the sentiment of a text from its words and its English
// tone (VADER's compound, which reads emoji and English words).
type Model struct {
	bias, tonePos, toneNeg [3]float64
	words                  wordtab.Table[[3]float32]
}

// Default is the model trained on AfriSenti, loaded on first use.
var Default = sync.OnceValue(func() *Model {
	m, err := ParseModel(modelTSV)
	if err != nil {
		panic("swahili: embedded model: " + err.Error())
	}
	return m
})

// ParseModel reads a model written by Model.Format.
func ParseModel(s string) (*Model, error) {
	m := new(Model)
	for n, line := range strings.Split(s, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, &FormatError{Line: n + 1, Reason: "want a word and three weights"}
		}
		var w [3]float64
		for k := range w {
			v, err := strconv.ParseFloat(f[k+1], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &FormatError{Line: n + 1, Reason: "weight " + strconv.Quote(f[k+1]) + " is not a number"}
			}
			w[k] = v
		}
		switch f[0] {
		case "@bias":
			m.bias = w
		case "@tone+":
			m.tonePos = w
		case "@tone-":
			m.toneNeg = w
		default:
			m.words.Set(f[0], [3]float32{float32(w[0]), float32(w[1]), float32(w[2])})
		}
	}
	if m.words.Len() == 0 {
		return nil, &FormatError{Reason: "no words"}
	}
	return m, nil
}

// FormatError says what is wrong with a model file.
type FormatError struct {
	Line   int
	Reason string
}

func (e *FormatError) Error() string {
	if e.Line == 0 {
		return "model: " + e.Reason
	}
	return "model line " + strconv.Itoa(e.Line) + ": " + e.Reason
}

// Scorer adds up a text's evidence one word at a time, so that the engine
// feeds it the words it reads anyway.
type Scorer struct {
	m      *Model
	logits [3]float64
	words  int
}

// Scorer returns a Scorer for one text.
func (m *Model) Scorer() Scorer { return Scorer{m: m, logits: m.bias} }

// Add counts one lower-cased word.
func (s *Scorer) Add(lower string) {
	if w, ok := s.m.words.Get(lower); ok {
		for k := range s.logits {
			s.logits[k] += float64(w[k])
		}
		s.words++
	}
}

// Result returns the label and the class probabilities (in Labels order),
// given the text's VADER compound.
func (s *Scorer) Result(compound float64) (string, [3]float64) {
	l := s.logits
	for k := range l {
		l[k] += max(compound, 0)*s.m.tonePos[k] + max(-compound, 0)*s.m.toneNeg[k]
	}
	mx := max(l[0], l[1], l[2])
	var p [3]float64
	sum := 0.0
	for k := range l {
		p[k] = math.Exp(l[k] - mx)
		sum += p[k]
	}
	best := 0
	for k := range p {
		p[k] /= sum
		if p[k] > p[best] {
			best = k
		}
	}
	return Labels[best], p
}
