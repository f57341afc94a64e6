package empathy

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// TrainOptions tune the training of one dimension. DefaultTrainOptions
// holds the values chosen by grouped cross-validation on the shared split;
// the embedded model is trained with them.
type TrainOptions struct {
	L2               float64 // L2 penalty
	MinCount         int     // keep features seen in at least this many rows
	ClassWeightPower float64 // weight classes by (n / (3·n_class))^power; 0 = unweighted
	RationaleWeight  float64 // weight of the extra rationale-only examples; 0 = none
	ContrastWeight   float64 // weight of the extra examples of the response without its rationales, labelled none; 0 = none
	Trigrams         bool    // add word trigrams (no gain in cross-validation)
	Seeker           bool    // add the seeker post's words (no gain in cross-validation)
	Persons          bool    // add the shares of the reply's words in the first and in the second person
	MaxIter          int     // L-BFGS iterations
}

// DefaultTrainOptions returns the options the embedded model was trained
// with, one set per dimension, indexed like Dimensions.
//
// Interpretations differ: a reply that interprets mostly tells of the
// writer's own experience, so the shares of first- and second-person words
// help it (and hurt explorations); its weak level has 98 examples in 2,395,
// so fully balanced class weights spend more accuracy on wrong "weak"
// predictions than they win in macro-F1. The values were chosen by
// grouped 5-fold cross-validation on the training split.
func DefaultTrainOptions() [3]TrainOptions {
	shared := TrainOptions{L2: 1e-4, MinCount: 2, ClassWeightPower: 1, RationaleWeight: 1, ContrastWeight: 0.3, MaxIter: 300}
	ip := shared
	ip.L2, ip.ClassWeightPower, ip.Persons = 5e-5, 0.75, true
	return [3]TrainOptions{shared, ip, shared}
}

func (o TrainOptions) flags() uint8 {
	var f uint8
	if o.Trigrams {
		f |= flagTrigrams
	}
	if o.Seeker {
		f |= flagSeeker
	}
	if o.Persons {
		f |= flagPersons
	}
	return f
}

// Scores are a dimension's evaluation figures.
type Scores struct {
	Accuracy  float64   `json:"accuracy"`
	MacroF1   float64   `json:"macro_f1"`
	N         int       `json:"n"`
	Confusion [3][3]int `json:"-"` // [true][predicted]
}

func scoresOf(c learn.Confusion) Scores {
	s := Scores{Accuracy: c.Accuracy(), MacroF1: c.MacroF1(), N: c.N()}
	for i := range 3 {
		copy(s.Confusion[i][:], c[i])
	}
	return s
}

// featuresOf returns a pair's features as training input.
func featuresOf(flags uint8, seeker, response string) []learn.Feature {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	extract(s, flags, seeker, response)
	fs := make([]learn.Feature, len(s.feats))
	for i, f := range s.feats {
		fs[i] = learn.Feature{Key: f.key, Value: f.val}
	}
	return fs
}

// dimModel is one dimension's trained softmax with its vocabulary.
type dimModel struct {
	vocab *learn.Vocab
	sm    *learn.Softmax
}

// trainDim fits one dimension on pairs.
func trainDim(pairs []Pair, o TrainOptions) dimModel {
	flags := o.flags()
	var counts [3]float64
	for _, p := range pairs {
		counts[p.Level]++
	}
	var cw [3]float64
	for k := range cw {
		cw[k] = 1
		if counts[k] > 0 && o.ClassWeightPower > 0 {
			cw[k] = math.Pow(float64(len(pairs))/(3*counts[k]), o.ClassWeightPower)
		}
	}
	var rows [][]learn.Feature
	var labels []int
	var weights []float64
	for _, p := range pairs {
		rows = append(rows, featuresOf(flags, p.Seeker, p.Response))
		labels = append(labels, int(p.Level))
		weights = append(weights, cw[p.Level])
		// The annotators' rationales alone carry the level: an extra,
		// lighter example teaches which phrases matter.
		if o.RationaleWeight > 0 && p.Level > 0 && len(p.Rationales) > 0 {
			rows = append(rows, featuresOf(flags, p.Seeker, strings.Join(p.Rationales, " ")))
			labels = append(labels, int(p.Level))
			weights = append(weights, o.RationaleWeight*cw[p.Level])
		}
		// What is left once the rationales are cut out shows none of it.
		if o.ContrastWeight > 0 && p.Level > 0 && len(p.Rationales) > 0 {
			rest, cut := p.Response, false
			for _, r := range p.Rationales {
				if strings.Contains(rest, r) {
					rest, cut = strings.Replace(rest, r, " ", 1), true
				}
			}
			if cut && len(strings.Fields(rest)) >= 3 {
				rows = append(rows, featuresOf(flags, p.Seeker, rest))
				labels = append(labels, 0)
				weights = append(weights, o.ContrastWeight*cw[0])
			}
		}
	}
	v := learn.BuildVocab(rows, o.MinCount)
	prob := learn.Problem{K: 3, D: len(v.Keys), Labels: labels, Weights: weights}
	for _, r := range rows {
		prob.Rows = append(prob.Rows, v.Encode(r))
	}
	sm := learn.TrainSoftmax(prob, learn.Options{L2: o.L2, MaxIter: o.MaxIter})
	return dimModel{vocab: v, sm: sm}
}

// Train fits the three dimensions on data, each with its options, and
// returns the model file.
func Train(ctx context.Context, data Data, o [3]TrainOptions) ([]byte, error) {
	var dims [3]dimModel
	var flags uint8
	for d := range dims {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dims[d] = trainDim(data[d], o[d])
		flags |= o[d].flags()
	}
	// Prediction extracts the union of the features; a dimension trained
	// without some of them has no weights for them.
	return encode(dims, flags)
}

func encode(dims [3]dimModel, flags uint8) ([]byte, error) {
	var keys []uint32
	for _, dm := range dims {
		keys = append(keys, dm.vocab.Keys...)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	weights := make([]float64, 9*len(keys))
	bias := make([]float64, 9)
	for d, dm := range dims {
		copy(bias[3*d:], dm.sm.B)
		j := 0
		for i, k := range keys {
			for j < len(dm.vocab.Keys) && dm.vocab.Keys[j] < k {
				j++
			}
			if j < len(dm.vocab.Keys) && dm.vocab.Keys[j] == k {
				copy(weights[9*i+3*d:9*i+3*d+3], dm.sm.W[3*j:3*j+3])
			}
		}
	}
	t, err := learn.EncodeTable(keys, weights, bias, 9)
	if err != nil {
		return nil, err
	}
	return learn.ModelFile(modelMagic, modelVersion, flags, t), nil
}

// CrossValidate trains each dimension with its options on k−1 folds and
// predicts the held-out fold, k times, with folds grouped by response id so that a response never
// appears on both sides. It returns each dimension's held-out scores.
func CrossValidate(ctx context.Context, data Data, k int, o [3]TrainOptions) ([3]Scores, error) {
	var out [3]Scores
	for d := range data {
		c, err := crossValidateDim(ctx, data[d], d, k, 1, o[d])
		if err != nil {
			return out, err
		}
		out[d] = scoresOf(c)
	}
	return out, nil
}

// crossValidateDim cross-validates dimension d alone on its pairs, in the
// folds seed deals (CrossValidate's are seed 1).
func crossValidateDim(ctx context.Context, pairs []Pair, d, k int, seed uint64, o TrainOptions) (learn.Confusion, error) {
	fold := folds(pairs, k, seed)
	c := learn.NewConfusion(3)
	for f := 0; f < k; f++ {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		train, test := learn.SplitFold(pairs, fold, f)
		var dims [3]dimModel
		dims[d] = trainDim(train, o)
		for i := range dims {
			if i != d {
				dims[i] = dimModel{vocab: &learn.Vocab{}, sm: &learn.Softmax{K: 3, B: make([]float64, 3)}}
			}
		}
		b, err := encode(dims, o.flags())
		if err != nil {
			return c, err
		}
		m, err := NewModel(b)
		if err != nil {
			return c, err
		}
		for _, p := range test {
			r := m.Predict(p.Seeker, p.Response)
			c.Add(int(p.Level), int(levelOf(r.Levels, d)))
		}
	}
	return c, nil
}

// folds assigns pairs to k cross-validation folds grouped by response id
// (the response itself when the id is missing), the same for every model
// compared on them with the same seed.
func folds(pairs []Pair, k int, seed uint64) []int {
	groups := make([]string, len(pairs))
	for i, p := range pairs {
		groups[i] = p.ResponseID
		if groups[i] == "" {
			groups[i] = p.Response
		}
	}
	return learn.GroupFolds(groups, k, seed)
}

func levelOf(l Levels, d int) Level {
	switch d {
	case 0:
		return l.EmotionalReactions
	case 1:
		return l.Interpretations
	}
	return l.Explorations
}

// Evaluate predicts every pair with m and scores each dimension. When the
// three files hold the same pairs it predicts each pair once.
func Evaluate(m *Model, data Data) [3]Scores {
	var cs [3]learn.Confusion
	for d := range cs {
		cs[d] = learn.NewConfusion(3)
	}
	if joined, ok := data.Join(); ok {
		for _, j := range joined {
			r := m.Predict(j.Seeker, j.Response)
			for d := range cs {
				cs[d].Add(int(j.Levels[d]), int(levelOf(r.Levels, d)))
			}
		}
	} else {
		for d := range cs {
			for _, p := range data[d] {
				r := m.Predict(p.Seeker, p.Response)
				cs[d].Add(int(p.Level), int(levelOf(r.Levels, d)))
			}
		}
	}
	var out [3]Scores
	for d := range cs {
		out[d] = scoresOf(cs[d])
	}
	return out
}
