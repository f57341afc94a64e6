package politeness

import (
	"math/rand/v2"
	"testing"
)

// TestBitsTableMatchesMap checks that a bitsTable answers as the map it is
// built from, for keys in it and keys not in it, including keys that share
// their low or high bits.
func TestBitsTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 300, 5000} {
		m := map[uint64]uint32{}
		for len(m) < n {
			k := rng.Uint64()
			switch rng.IntN(3) {
			case 0:
				k &= 0xFFFF // only low bits
			case 1:
				k &^= 0xFFFF // only high bits
			}
			m[k] = 1 + rng.Uint32N(1<<20)
		}
		tab := newBitsTable(m)
		turnedAway := 0
		for k, v := range m {
			if got := tab.get(k); got != v || !tab.mayHold(k) {
				t.Fatalf("n=%d: get(%#x) = %d, mayHold %v; want %d, true", n, k, got, tab.mayHold(k), v)
			}
		}
		for range 20000 {
			k := rng.Uint64()
			if rng.IntN(2) == 0 {
				k &= 0xFFFF
			}
			if got := tab.get(k); got != m[k] {
				t.Fatalf("n=%d: get(%#x) = %d, want %d", n, k, got, m[k])
			}
			if !tab.mayHold(k) {
				turnedAway++
			}
		}
		// At most a quarter of the filter's bits are set.
		if turnedAway < 20000/2 {
			t.Errorf("n=%d: the filter turned away %d of 20000 absent keys", n, turnedAway)
		}
	}
}
