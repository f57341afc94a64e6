// Package stats holds the small statistics the compassion engine's
// evaluations share.
package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrUndefined is returned when a statistic has no value for the input: too
// few points, or a variable that does not vary.
var ErrUndefined = errors.New("undefined")

// Pearson returns Pearson's correlation coefficient r between x and y. It
// centres on the means first (two passes), which keeps r accurate when the
// values are large compared with their spread.
func Pearson(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, fmt.Errorf("pearson of %d and %d values: lengths differ", len(x), len(y))
	}
	n := len(x)
	if n < 2 {
		return 0, fmt.Errorf("pearson of %d values: %w", n, ErrUndefined)
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, fmt.Errorf("pearson: a variable is constant: %w", ErrUndefined)
	}
	r := sxy / math.Sqrt(sxx*syy)
	if math.IsNaN(r) {
		return 0, fmt.Errorf("pearson: %w (not finite input)", ErrUndefined)
	}
	return max(-1, min(1, r)), nil
}
