package insights

import (
	"fmt"
	"math"

	"github.com/kindred-desk/kindred"
)

// Sums are the running sums from which Pearson's r is computed, so that the
// database adds up the pairs and only six numbers come back.
type Sums struct {
	N                int
	X, Y, XX, YY, XY float64
}

// SmallSample is the sample size under which a correlation is shown with a
// caution: below about 30 pairs, r swings widely from sample to sample.
const SmallSample = 30

// Pearson returns Pearson's r of the pairs summed in s, with a 95%
// confidence interval from Fisher's z transformation when n > 3. r is nil
// when n < 3 or when either variable does not vary.
func Pearson(s Sums) kindred.Correlation {
	c := kindred.Correlation{N: s.N}
	if s.N < 3 {
		c.Caution = fmt.Sprintf("Only %d answered surveys with scored replies: too few to say anything yet.", s.N)
		return c
	}
	n := float64(s.N)
	sxx := s.XX - s.X*s.X/n
	syy := s.YY - s.Y*s.Y/n
	sxy := s.XY - s.X*s.Y/n
	if sxx <= 0 || syy <= 0 {
		c.Caution = "Every answer or every score is the same, so there is no relation to measure."
		return c
	}
	r := sxy / math.Sqrt(sxx*syy)
	r = math.Max(-1, math.Min(1, r))
	c.R = &r
	if s.N > 3 {
		lo, hi := fisherCI(r, s.N, 1.959964)
		c.Low, c.High = &lo, &hi
	}
	if s.N < SmallSample {
		c.Caution = fmt.Sprintf("Only %d answered surveys: too few to lean on. The true relation could be anywhere in the range shown.", s.N)
	} else if c.Low != nil && *c.Low <= 0 && *c.High >= 0 {
		c.Caution = "The range includes zero: this sample does not show a clear relation."
	}
	return c
}

// fisherCI is the confidence interval of r from n pairs, z standard errors
// wide on each side of atanh(r).
func fisherCI(r float64, n int, z float64) (lo, hi float64) {
	// atanh(±1) is infinite: nudge a perfect r inside so the bounds stay finite.
	rr := math.Max(-0.999999, math.Min(0.999999, r))
	f := math.Atanh(rr)
	se := 1 / math.Sqrt(float64(n-3))
	return math.Tanh(f - z*se), math.Tanh(f + z*se)
}

// Share is part/whole, or nil when whole is 0.
func Share(part, whole int) *float64 {
	if whole <= 0 {
		return nil
	}
	s := float64(part) / float64(whole)
	return &s
}
