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

// TestPhraseKeyShortcut checks that a phrase phraseKey returns as its own
// key is the key text.Tokens gives it, on every phrase of the customer
// lexicon (placeholders expanded) and on a few made-up forms.
func TestPhraseKeyShortcut(t *testing.T) {
	phrases := []string{"a", "don't", "follow-up", "i am", "i  am", " i am", "i am ", "-no", "no-", "it'", "'tis",
		"a-'b", "Yes", "so *", "café", "it’s", "2 pm", "x--y", "a - b", "a ' b"}
	files, err := customerFiles.ReadDir("lexicon/customer")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := customerFiles.ReadFile("lexicon/customer/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(data)) {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == '[' || strings.HasPrefix(line, "care =") {
				continue
			}
			phrase, _, _ := strings.Cut(line, "|")
			phrases = append(phrases, expandPlaceholders(strings.TrimSpace(phrase))...)
		}
	}
	own := 0
	for _, p := range phrases {
		if got, want := phraseKey(p), phraseKeyTokens(p); got != want {
			t.Errorf("phraseKey(%q) = %q, want %q", p, got, want)
		}
		if isOwnKey(p) {
			own++
		}
	}
	t.Logf("%d of %d phrases are their own key", own, len(phrases))
}
