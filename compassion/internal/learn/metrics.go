package learn

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
)

// Confusion counts predictions by true class (row) and predicted class
// (column).
type Confusion [][]int

// NewConfusion returns an empty k×k confusion matrix.
func NewConfusion(k int) Confusion {
	c := make(Confusion, k)
	for i := range c {
		c[i] = make([]int, k)
	}
	return c
}

// Add counts one prediction; labels outside 0..k-1 are ignored.
func (c Confusion) Add(truth, pred int) {
	if truth < 0 || truth >= len(c) || pred < 0 || pred >= len(c) {
		return
	}
	c[truth][pred]++
}

// N is the number of counted predictions.
func (c Confusion) N() int {
	n := 0
	for _, row := range c {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy is the share of correct predictions (0 when empty).
func (c Confusion) Accuracy() float64 {
	n := c.N()
	if n == 0 {
		return 0
	}
	ok := 0
	for i := range c {
		ok += c[i][i]
	}
	return float64(ok) / float64(n)
}

// F1 is class k's F1 score (0 when the class is neither present nor
// predicted).
func (c Confusion) F1(k int) float64 {
	tp, support, predicted := c[k][k], 0, 0
	for i := range c {
		support += c[k][i]
		predicted += c[i][k]
	}
	if support+predicted == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(support+predicted)
}

// MacroF1 is the unweighted mean F1 over the classes that occur in the
// truth or the predictions (as scikit-learn computes it).
func (c Confusion) MacroF1() float64 {
	sum, n := 0.0, 0
	for k := range c {
		support, predicted := 0, 0
		for i := range c {
			support += c[k][i]
			predicted += c[i][k]
		}
		if support+predicted == 0 {
			continue
		}
		sum += c.F1(k)
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Write prints the matrix with class names as a small text table.
func (c Confusion) Write(w io.Writer, names []string) {
	fmt.Fprintf(w, "  %-10s", "true\\pred")
	for k := range c {
		fmt.Fprintf(w, " %8s", name(names, k))
	}
	fmt.Fprintln(w)
	for i, row := range c {
		fmt.Fprintf(w, "  %-10s", name(names, i))
		for _, v := range row {
			fmt.Fprintf(w, " %8d", v)
		}
		fmt.Fprintln(w)
	}
}

func name(names []string, k int) string {
	if k < len(names) {
		return names[k]
	}
	return fmt.Sprint(k)
}

// GroupFolds assigns each row to one of k folds so that rows sharing a
// group (for EPITOME, a response id) always share a fold. Groups are
// sorted, shuffled with the seed and dealt round-robin, so the split is
// reproducible.
func GroupFolds(groups []string, k int, seed uint64) []int {
	uniq := slices.Clone(groups)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	r.Shuffle(len(uniq), func(i, j int) { uniq[i], uniq[j] = uniq[j], uniq[i] })
	fold := make(map[string]int, len(uniq))
	for i, g := range uniq {
		fold[g] = i % k
	}
	out := make([]int, len(groups))
	for i, g := range groups {
		out[i] = fold[g]
	}
	return out
}

// SplitFold divides items by fold (as GroupFolds gives it) into those
// outside fold f, to train on, and those in it, to test on.
func SplitFold[T any](items []T, fold []int, f int) (train, test []T) {
	for i, it := range items {
		if fold[i] == f {
			test = append(test, it)
		} else {
			train = append(train, it)
		}
	}
	return train, test
}
