package politeness

import (
	"context"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// TrainOptions tune Train and CrossValidate. DefaultTrainOptions holds the
// values chosen by cross-validation on the shared split; the embedded model
// is trained with them.
type TrainOptions struct {
	L2       float64 // L2 penalty
	MinCount int     // keep features seen in at least this many requests
	MaxIter  int     // L-BFGS iterations
}

// DefaultTrainOptions returns the options the embedded model was trained
// with.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{L2: 1e-4, MinCount: 2, MaxIter: 300}
}

// Scores are evaluation figures on the top-versus-bottom quartile task.
type Scores struct {
	Accuracy float64 `json:"accuracy"`
	N        int     `json:"n"`
}

func featuresOf(text string) []learn.Feature {
	s := scratchPool.Get().(*scratch)
	defer putScratch(s)
	extract(s, text)
	fs := make([]learn.Feature, len(s.feats))
	for i, f := range s.feats {
		fs[i] = learn.Feature{Key: f.key, Value: f.val}
	}
	return fs
}

// Train fits the model on labelled requests and returns the model file.
func Train(ctx context.Context, data []Labelled, o TrainOptions) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows := make([][]learn.Feature, len(data))
	labels := make([]int, len(data))
	for i, d := range data {
		rows[i] = featuresOf(d.Text)
		if d.Polite {
			labels[i] = 1
		}
	}
	v := learn.BuildVocab(rows, o.MinCount)
	p := learn.Problem{K: 2, D: len(v.Keys), Labels: labels}
	for _, r := range rows {
		p.Rows = append(p.Rows, v.Encode(r))
	}
	sm := learn.TrainSoftmax(p, learn.Options{L2: o.L2, MaxIter: o.MaxIter})
	t, err := learn.EncodeTable(v.Keys, sm.W, sm.B, 2)
	if err != nil {
		return nil, err
	}
	return learn.ModelFile(modelMagic, modelVersion, 0, t), nil
}

// CrossValidate trains on k−1 folds and classifies the held-out fold, k
// times (folds grouped by request id), and returns the held-out scores.
func CrossValidate(ctx context.Context, data []Labelled, k int, o TrainOptions) (Scores, error) {
	groups := make([]string, len(data))
	for i, d := range data {
		groups[i] = d.Community + "/" + d.ID
		if d.ID == "" {
			groups[i] = d.Text
		}
	}
	fold := learn.GroupFolds(groups, k, 1)
	c := learn.NewConfusion(2)
	for f := 0; f < k; f++ {
		train, test := learn.SplitFold(data, fold, f)
		b, err := Train(ctx, train, o)
		if err != nil {
			return Scores{}, err
		}
		m, err := NewModel(b)
		if err != nil {
			return Scores{}, err
		}
		addPredictions(c, m, test)
	}
	return Scores{Accuracy: c.Accuracy(), N: c.N()}, nil
}

// Evaluate classifies labelled requests with m (polite when Probability is
// at least 0.5).
func Evaluate(m *Model, data []Labelled) Scores {
	c := learn.NewConfusion(2)
	addPredictions(c, m, data)
	return Scores{Accuracy: c.Accuracy(), N: c.N()}
}

func addPredictions(c learn.Confusion, m *Model, data []Labelled) {
	for _, d := range data {
		truth, pred := 0, 0
		if d.Polite {
			truth = 1
		}
		if m.Analyze(d.Text).Probability >= 0.5 {
			pred = 1
		}
		c.Add(truth, pred)
	}
}
