package learn

import (
	"math"
	"slices"
)

// Feature is one sparse input: a folded feature key and its value.
type Feature struct {
	Key   uint32
	Value float32
}

// Fold turns a 64-bit feature hash into the 32-bit key models store. Key 0
// is reserved for empty table slots.
func Fold(h uint64) uint32 {
	k := uint32(h ^ h>>32)
	if k == 0 {
		k = 1
	}
	return k
}

// Vocab numbers the feature keys kept for training.
type Vocab struct {
	Keys  []uint32 // ascending
	index map[uint32]int32
}

// BuildVocab keeps the keys that occur in at least minCount rows, in
// ascending order so that indices do not depend on map iteration.
func BuildVocab(rows [][]Feature, minCount int) *Vocab {
	count := make(map[uint32]int)
	last := make(map[uint32]int)
	for i, r := range rows {
		for _, f := range r {
			if l, ok := last[f.Key]; ok && l == i {
				continue
			}
			last[f.Key] = i
			count[f.Key]++
		}
	}
	keys := make([]uint32, 0, len(count))
	for k, c := range count {
		if c >= minCount {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	v := &Vocab{Keys: keys, index: make(map[uint32]int32, len(keys))}
	for i, k := range keys {
		v.index[k] = int32(i)
	}
	return v
}

// Row is a training example's features as vocabulary indices.
type Row struct {
	Idx []int32
	Val []float32
}

// Encode maps features to a Row, dropping keys outside the vocabulary.
func (v *Vocab) Encode(fs []Feature) Row {
	var r Row
	for _, f := range fs {
		if i, ok := v.index[f.Key]; ok {
			r.Idx = append(r.Idx, i)
			r.Val = append(r.Val, f.Value)
		}
	}
	return r
}

// Problem is a weighted multinomial classification problem over sparse rows.
type Problem struct {
	Rows    []Row
	Labels  []int     // 0..K-1
	Weights []float64 // per row; nil means 1
	K       int       // number of classes
	D       int       // number of features
}

// Options tune TrainSoftmax.
type Options struct {
	L2      float64 // penalty on weights (not biases), per unit of total row weight
	MaxIter int     // L-BFGS iterations; 0 means 200
	Tol     float64 // stop when the gradient norm falls below this; 0 means 1e-5
}

// Softmax is a trained multinomial logistic regression.
type Softmax struct {
	K, D int
	W    []float64 // D×K, row-major by feature
	B    []float64 // K
}

// TrainSoftmax fits multinomial logistic regression by minimising the
// weighted mean cross-entropy plus L2/2·‖W‖² with L-BFGS. It is
// deterministic.
func TrainSoftmax(p Problem, o Options) *Softmax {
	if o.MaxIter == 0 {
		o.MaxIter = 200
	}
	if o.Tol == 0 {
		o.Tol = 1e-5
	}
	n := p.D*p.K + p.K
	total := 0.0
	for i := range p.Rows {
		total += rowWeight(p.Weights, i)
	}
	if total == 0 {
		total = 1
	}
	logits := make([]float64, p.K)
	eval := func(theta, grad []float64) float64 {
		clear(grad)
		W, B := theta[:p.D*p.K], theta[p.D*p.K:]
		gW, gB := grad[:p.D*p.K], grad[p.D*p.K:]
		loss := 0.0
		for i, r := range p.Rows {
			w := rowWeight(p.Weights, i) / total
			if w == 0 {
				continue
			}
			copy(logits, B)
			for j, idx := range r.Idx {
				v := float64(r.Val[j])
				row := W[int(idx)*p.K : int(idx)*p.K+p.K]
				for k := range logits {
					logits[k] += v * row[k]
				}
			}
			lse := logSumExp(logits)
			y := p.Labels[i]
			loss += w * (lse - logits[y])
			for k := range logits {
				g := math.Exp(logits[k] - lse)
				if k == y {
					g--
				}
				logits[k] = w * g
				gB[k] += logits[k]
			}
			for j, idx := range r.Idx {
				v := float64(r.Val[j])
				row := gW[int(idx)*p.K : int(idx)*p.K+p.K]
				for k := range row {
					row[k] += v * logits[k]
				}
			}
		}
		for j := range W {
			loss += 0.5 * o.L2 * W[j] * W[j]
			gW[j] += o.L2 * W[j]
		}
		return loss
	}
	theta := make([]float64, n)
	lbfgs(theta, eval, o.MaxIter, o.Tol)
	return &Softmax{K: p.K, D: p.D, W: theta[:p.D*p.K], B: theta[p.D*p.K:]}
}

func rowWeight(ws []float64, i int) float64 {
	if ws == nil {
		return 1
	}
	return ws[i]
}

func logSumExp(x []float64) float64 {
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// Probs writes the class probabilities of row r into out (length K).
func (m *Softmax) Probs(r Row, out []float64) {
	copy(out, m.B)
	for j, idx := range r.Idx {
		v := float64(r.Val[j])
		row := m.W[int(idx)*m.K : int(idx)*m.K+m.K]
		for k := range out {
			out[k] += v * row[k]
		}
	}
	SoftmaxInPlace(out)
}

// SoftmaxInPlace turns logits into probabilities.
func SoftmaxInPlace(x []float64) {
	if len(x) == 0 {
		return
	}
	lse := logSumExp(x)
	for k := range x {
		x[k] = math.Exp(x[k] - lse)
	}
}

// lbfgs minimises f from x (updated in place) with limited-memory BFGS and
// a backtracking Armijo line search.
func lbfgs(x []float64, f func(x, g []float64) float64, maxIter int, tol float64) {
	const m = 10
	n := len(x)
	g := make([]float64, n)
	fx := f(x, g)
	s := make([][]float64, 0, m)
	y := make([][]float64, 0, m)
	rho := make([]float64, 0, m)
	alpha := make([]float64, m)
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	for iter := 0; iter < maxIter; iter++ {
		if norm(g) < tol {
			return
		}
		// Two-loop recursion: d = -H·g.
		for i := range d {
			d[i] = -g[i]
		}
		for i := len(s) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * dot(s[i], d)
			axpy(-alpha[i], y[i], d)
		}
		if len(s) > 0 {
			last := len(s) - 1
			scale(dot(s[last], y[last])/dot(y[last], y[last]), d)
		} else {
			scale(1/max(norm(g), 1), d)
		}
		for i := range s {
			beta := rho[i] * dot(y[i], d)
			axpy(alpha[i]-beta, s[i], d)
		}
		slope := dot(g, d)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			for i := range d {
				d[i] = -g[i]
			}
			slope = dot(g, d)
			s, y, rho = s[:0], y[:0], rho[:0]
		}
		step := 1.0
		var fNew float64
		for ls := 0; ; ls++ {
			for i := range x {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = f(xNew, gNew)
			if fNew <= fx+1e-4*step*slope || ls >= 30 {
				break
			}
			step *= 0.5
		}
		if fNew > fx {
			return
		}
		var sv, yv []float64
		if len(s) == m {
			sv, yv = s[0], y[0]
			s, y, rho = s[1:], y[1:], rho[1:]
		} else {
			sv, yv = make([]float64, n), make([]float64, n)
		}
		for i := range x {
			sv[i] = xNew[i] - x[i]
			yv[i] = gNew[i] - g[i]
		}
		if sy := dot(sv, yv); sy > 1e-12 {
			s, y, rho = append(s, sv), append(y, yv), append(rho, 1/sy)
		}
		copy(x, xNew)
		copy(g, gNew)
		improved := fx - fNew
		fx = fNew
		if improved < 1e-10*max(1, math.Abs(fx)) {
			return
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}
