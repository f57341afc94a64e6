package compassion

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendFixedMatchesStrconv holds the detail formatter to strconv on
// rounded numbers (its fast path), on numbers that are not rounded, and on
// the awkward ones: negative zero, huge, NaN and infinite values.
func TestAppendFixedMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x float64, d int) {
		t.Helper()
		if got, want := string(appendFixed(nil, x, d)), strconv.FormatFloat(x, 'f', d, 64); got != want {
			t.Fatalf("appendFixed(%v, %d) = %q, strconv gives %q", x, d, got, want)
		}
	}
	for d := 0; d <= 4; d++ {
		for range 200000 {
			k := r.Int64N(2_000_000) - 1_000_000
			check(float64(k)/pow10[d], d)
			check(math.Round(r.NormFloat64()*1000*pow10[d])/pow10[d], d)
			check(r.NormFloat64()*100, d)
		}
		for _, x := range []float64{0, math.Copysign(0, -1), 0.005, -0.005, 0.015, 2.675, 1e15, -1e17, 1 << 53, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1)} {
			check(x, d)
		}
	}
}
