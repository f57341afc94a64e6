package compassion

import (
	"strconv"
	"strings"
	"testing"
)

// TestHundredthsMatchesParseFloat checks the digit reading of the
// concreteness ratings against the ParseFloat rounding it replaces, on every
// rating of the norms and on forms it leaves to ParseFloat.
func TestHundredthsMatchesParseFloat(t *testing.T) {
	ratings := []string{"1", "4.5", "4.565", "0.005", "5.00", "1.46"}
	for _, line := range lines("lexicon/concreteness.tsv") {
		_, r, _ := strings.Cut(line, "\t")
		ratings = append(ratings, r)
	}
	for _, r := range ratings {
		f, err := strconv.ParseFloat(r, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hundredths(r, r), uint16(f*100+0.5); got != want {
			t.Errorf("hundredths(%q) = %d, want %d", r, got, want)
		}
	}
}
