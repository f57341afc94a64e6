package swahili

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/sentiment"
)

// Example is one labelled text: Label is 0, 1, 2 for Labels' order.
type Example struct {
	Text  string
	Label int
}

// ReadAfriSenti reads AfriSenti's tab-separated rows: a header naming the
// "tweet" and "label" columns, then one tweet a line.
func ReadAfriSenti(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read afrisenti: %w", err)
		}
		return nil, fmt.Errorf("read afrisenti: empty file")
	}
	header := strings.Split(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "\ufeff"), "\t")
	tc, lc := slices.Index(header, "tweet"), slices.Index(header, "label")
	if tc < 0 || lc < 0 {
		return nil, fmt.Errorf("read afrisenti: header %q: want tweet and label columns", sc.Text())
	}
	var out []Example
	for row := 2; sc.Scan(); row++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) <= max(tc, lc) {
			return nil, fmt.Errorf("read afrisenti line %d: %d columns, want %d", row, len(f), len(header))
		}
		l := slices.Index(Labels[:], strings.TrimSpace(f[lc]))
		if l < 0 {
			return nil, fmt.Errorf("read afrisenti line %d: label %q is not negative, neutral or positive", row, f[lc])
		}
		out = append(out, Example{Text: f[tc], Label: l})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read afrisenti: %w", err)
	}
	return out, nil
}

// words returns a text's lower-cased words as the engine's tokenizer splits
// them.
func words(s string) []string {
	toks := text.Tokens(s, nil)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Lower
	}
	return out
}

// TrainOptions tune Train.
type TrainOptions struct {
	MinCount int     // keep words seen in at least this many texts; 0 means 2
	L2       float64 // weight penalty; 0 means 0.002
	// Balance is how far the classes are reweighted toward equal weight:
	// 0 leaves them as they come, 1 weighs each by the inverse of its
	// frequency. 0 means 0.6 (best of 0.3–1 by cross-validation).
	Balance float64
}

// Train fits the sentiment model: multinomial logistic regression on word
// counts plus the text's English tone (VADER compound, split into its
// positive and negative parts, so that emoji and English words count).
// Classes are weighted by the inverse of their frequency: the rare
// negative tweets matter as much as the many neutral ones.
func Train(ex []Example, o TrainOptions) *Model {
	if o.MinCount == 0 {
		o.MinCount = 2
	}
	if o.L2 == 0 {
		o.L2 = 0.002
	}
	if o.Balance == 0 {
		o.Balance = 0.6
	}
	docs := make([][]string, len(ex))
	df := map[string]int{}
	for i, e := range ex {
		docs[i] = words(e.Text)
		seen := map[string]bool{}
		for _, w := range docs[i] {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	var vocab []string
	for w, n := range df {
		if n >= o.MinCount {
			vocab = append(vocab, w)
		}
	}
	slices.Sort(vocab)
	index := make(map[string]int32, len(vocab))
	for i, w := range vocab {
		index[w] = int32(i + 2) // 0 and 1 are the tone features
	}
	var classN [3]float64
	for _, e := range ex {
		classN[e.Label]++
	}
	p := learn.Problem{K: 3, D: len(vocab) + 2, Rows: make([]learn.Row, len(ex)), Labels: make([]int, len(ex)), Weights: make([]float64, len(ex))}
	for i, e := range ex {
		counts := map[int32]float32{}
		for _, w := range docs[i] {
			if j, ok := index[w]; ok {
				counts[j]++
			}
		}
		c := sentiment.Analyze(e.Text).Compound
		var r learn.Row
		if c > 0 {
			r.Idx, r.Val = append(r.Idx, 0), append(r.Val, float32(c))
		} else if c < 0 {
			r.Idx, r.Val = append(r.Idx, 1), append(r.Val, float32(-c))
		}
		keys := make([]int32, 0, len(counts))
		for j := range counts {
			keys = append(keys, j)
		}
		slices.Sort(keys)
		for _, j := range keys {
			r.Idx, r.Val = append(r.Idx, j), append(r.Val, counts[j])
		}
		p.Rows[i], p.Labels[i] = r, e.Label
		p.Weights[i] = math.Pow(float64(len(ex))/(3*classN[e.Label]), o.Balance)
	}
	sm := learn.TrainSoftmax(p, learn.Options{L2: o.L2, MaxIter: 300})
	m := &Model{}
	copy(m.bias[:], sm.B)
	copy(m.tonePos[:], sm.W[0:3])
	copy(m.toneNeg[:], sm.W[3:6])
	for i, w := range vocab {
		row := sm.W[(i+2)*3 : (i+3)*3]
		m.words.Set(w, [3]float32{float32(row[0]), float32(row[1]), float32(row[2])})
	}
	return m
}

// Predict labels a text.
func (m *Model) Predict(s string) int {
	sc := m.Scorer()
	for _, w := range words(s) {
		sc.Add(w)
	}
	l, _ := sc.Result(sentiment.Analyze(s).Compound)
	return slices.Index(Labels[:], l)
}

// Format writes the model as Parse reads it, words sorted, weights to
// four decimals (a word whose weights all round to zero is left out).
func (m *Model) Format(w io.Writer, header string) error {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + line + "\n")
	}
	row := func(name string, v [3]float64) {
		b.WriteString(name)
		for _, x := range v {
			b.WriteString("\t" + strconv.FormatFloat(x, 'f', 4, 64))
		}
		b.WriteString("\n")
	}
	row("@bias", m.bias)
	row("@tone+", m.tonePos)
	row("@tone-", m.toneNeg)
	var ws []string
	for w := range m.words.All() {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	for _, w := range ws {
		v, _ := m.words.Get(w)
		r := [3]float64{float64(v[0]), float64(v[1]), float64(v[2])}
		if math.Abs(r[0]) < 5e-5 && math.Abs(r[1]) < 5e-5 && math.Abs(r[2]) < 5e-5 {
			continue
		}
		row(w, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// NaiveBayes is the bag-of-words baseline: multinomial naive Bayes on word
// counts with add-one smoothing and the classes' own priors.
type NaiveBayes struct {
	prior [3]float64
	logp  map[string][3]float64
	unk   [3]float64
}

// TrainNaiveBayes fits the baseline.
func TrainNaiveBayes(ex []Example) *NaiveBayes {
	count := map[string][3]float64{}
	var total, docs [3]float64
	for _, e := range ex {
		docs[e.Label]++
		for _, w := range words(e.Text) {
			c := count[w]
			c[e.Label]++
			count[w] = c
			total[e.Label]++
		}
	}
	nb := &NaiveBayes{logp: make(map[string][3]float64, len(count))}
	v := float64(len(count))
	for k := range 3 {
		nb.prior[k] = math.Log(docs[k] / float64(len(ex)))
		nb.unk[k] = math.Log(1 / (total[k] + v))
	}
	for w, c := range count {
		var lp [3]float64
		for k := range 3 {
			lp[k] = math.Log((c[k] + 1) / (total[k] + v))
		}
		nb.logp[w] = lp
	}
	return nb
}

// Predict labels a text.
func (nb *NaiveBayes) Predict(s string) int {
	score := nb.prior
	for _, w := range words(s) {
		lp, ok := nb.logp[w]
		if !ok {
			continue // unseen in training: no evidence either way
		}
		for k := range score {
			score[k] += lp[k]
		}
	}
	best := 0
	for k := range score {
		if score[k] > score[best] {
			best = k
		}
	}
	return best
}

// Scores are one classifier's cross-validated figures.
type Scores struct {
	Name       string
	Accuracy   float64
	WeightedF1 float64
	MacroF1    float64
	NegativeF1 float64
}

// Labeller labels a text with a model trained without it: the engine's
// whole reading (model and lexicons) for CrossValidate.
type Labeller struct {
	Name  string
	Label func(m *Model, text string) string
}

// CrossValidate scores the majority class, the naive-Bayes baseline, the
// model and any labellers on k folds of ex: each text is predicted by
// models that never saw it, and identical texts (retweets) share a fold.
func CrossValidate(ex []Example, k int, seed uint64, o TrainOptions, more ...Labeller) []Scores {
	groups := make([]string, len(ex))
	for i, e := range ex {
		groups[i] = strings.Join(strings.Fields(strings.ToLower(e.Text)), " ")
	}
	fold := learn.GroupFolds(groups, k, seed)
	conf := make([]learn.Confusion, 3+len(more))
	for i := range conf {
		conf[i] = learn.NewConfusion(3)
	}
	for f := range k {
		train, test := learn.SplitFold(ex, fold, f)
		var n [3]int
		for _, e := range train {
			n[e.Label]++
		}
		major := 0
		for c := range n {
			if n[c] > n[major] {
				major = c
			}
		}
		nb := TrainNaiveBayes(train)
		m := Train(train, o)
		for _, e := range test {
			conf[0].Add(e.Label, major)
			conf[1].Add(e.Label, nb.Predict(e.Text))
			conf[2].Add(e.Label, m.Predict(e.Text))
			for j, l := range more {
				conf[3+j].Add(e.Label, slices.Index(Labels[:], l.Label(m, e.Text)))
			}
		}
	}
	names := []string{"majority class", "bag of words (naive Bayes)", "Kiswahili model (words + tone, logistic regression)"}
	for _, l := range more {
		names = append(names, l.Name)
	}
	out := make([]Scores, len(conf))
	for i, c := range conf {
		out[i] = Scores{Name: names[i], Accuracy: c.Accuracy(), WeightedF1: weightedF1(c), MacroF1: c.MacroF1(), NegativeF1: c.F1(0)}
	}
	return out
}

// weightedF1 is the per-class F1 weighted by each class's true count, the
// AfriSenti shared task's score.
func weightedF1(c learn.Confusion) float64 {
	n := c.N()
	if n == 0 {
		return 0
	}
	s := 0.0
	for k := range c {
		support := 0
		for _, v := range c[k] {
			support += v
		}
		s += float64(support) * c.F1(k)
	}
	return s / float64(n)
}
