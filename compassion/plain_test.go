package compassion

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSyllablesOfKnownWords(t *testing.T) {
	words := map[string]int{
		"the": 1, "card": 1, "phone": 1, "make": 1, "arrives": 2, "arrive": 2, "posted": 2,
		"waited": 2, "called": 1, "boxes": 2, "pages": 2, "places": 2, "table": 2, "simple": 2,
		"today": 2, "friday": 2, "office": 2, "apologise": 4, "inconvenience": 5, "information": 4,
		"radio": 3, "video": 3, "media": 3, "actual": 3, "special": 2, "official": 3, "every": 3,
		"department": 3, "responsibility": 6, "understand": 3, "biometric": 4, "aforementioned": 5,
		"eye": 1, "happy": 2, "quiet": 2, "question": 2, "nation": 2, "rhythm": 1, "2pm": 1,
	}
	miss := 0
	for w, want := range words {
		if got := syllables(w); got != want {
			t.Logf("syllables(%q) = %d, want %d", w, got, want)
			miss++
		}
	}
	// A heuristic: allow a few misses, never many.
	if miss > 3 {
		t.Errorf("%d of %d known words miscounted", miss, len(words))
	}
}

func TestFleschKincaid(t *testing.T) {
	// 100 words, 5 sentences, 150 syllables: 0.39×20 + 11.8×1.5 − 15.59 = 9.91.
	if g := fleschKincaid(100, 5, 150); g < 9.90 || g > 9.92 {
		t.Errorf("fleschKincaid = %.3f, want 9.91", g)
	}
	if g := fleschKincaid(0, 0, 0); g != 0 {
		t.Errorf("empty text grade = %v, want 0", g)
	}
}

// TestSyllablesMatchesTwoPassReading checks syllables against the two-pass
// reading it replaced (syllablesTwoPass, below) on every word of the
// concreteness norms and on random strings of vowels and the consonants
// its rules name.
func TestSyllablesMatchesTwoPassReading(t *testing.T) {
	var words []string
	for _, line := range lines("lexicon/concreteness.tsv") {
		w, _, _ := strings.Cut(line, "\t")
		words = append(words, w)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const letters = "aeiouyltdsxzcghqrn"
	for range 200000 {
		b := make([]byte, 1+rng.IntN(9))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		words = append(words, string(b))
	}
	for _, w := range words {
		if got, want := syllables(w), syllablesTwoPass(w); got != want {
			t.Fatalf("syllables(%q) = %d, want %d", w, got, want)
		}
	}
}

// TestSyllablesEdgeCases checks syllables against the two-pass reading on
// the words its arithmetic could get wrong: empty, a leading or lone y,
// vowel pairs at either end, and bytes outside ASCII.
func TestSyllablesEdgeCases(t *testing.T) {
	for _, w := range []string{
		"", "y", "yy", "yyy", "ya", "yes", "ay", "eye", "a", "e", "io", "ia",
		"eo", "uo", "qua", "tial", "cial", "media", "radio", "video", "nation",
		"café", "naïve", "résumé", "ünïcödé", "don't", "follow-up", "12345",
		"strengths", "incomprehensibilities", "ooooo", "aeiouaeiou",
	} {
		if got, want := syllables(w), syllablesTwoPass(w); got != want {
			t.Errorf("syllables(%q) = %d, want %d", w, got, want)
		}
	}
}

// syllablesTwoPass is syllables as it was written before it read each word
// in one pass: the reference for the test above.
func syllablesTwoPass(w string) int {
	n := 0
	prevVowel := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		v := isVowel(c) || (c == 'y' && i > 0)
		if v && !prevVowel {
			n++
		}
		prevVowel = v
	}
	l := len(w)
	switch {
	case l > 2 && w[l-1] == 'e' && w[l-2] == 'l' && !isVowel(w[l-3]):
		// "table", "simple": the final "le" is a syllable of its own,
		// already counted by its "e".
	case l > 2 && w[l-1] == 'e' && !isVowel(w[l-2]) && n > 1:
		n-- // silent e: "make", "phone", "arrive"
	case l > 3 && w[l-2] == 'e' && (w[l-1] == 's' || w[l-1] == 'd') && n > 1:
		// "-es" and "-ed" are silent except after t/d ("waited") and
		// sibilants ("boxes", "pages", "places").
		p := w[l-3]
		if w[l-1] == 'd' && p != 't' && p != 'd' {
			n--
		}
		if w[l-1] == 's' && p != 's' && p != 'x' && p != 'z' && p != 'c' && p != 'g' && !(p == 'h' && (w[l-4] == 'c' || w[l-4] == 's')) {
			n--
		}
	}
	for i := 0; i+1 < len(w); i++ {
		// Vowel pairs said as two syllables: "ia" (media), "io" (radio,
		// but not "tion"), "eo" (video), "ua" (actual), "uo".
		a, b := w[i], w[i+1]
		if (a == 'i' && (b == 'a' || b == 'o') && !(i > 0 && (w[i-1] == 't' || w[i-1] == 's' || w[i-1] == 'c') && b != 'a')) ||
			(a == 'e' && b == 'o') || (a == 'u' && (b == 'a' || b == 'o') && !(i > 0 && w[i-1] == 'q')) {
			if a == 'i' && b == 'a' && i > 0 && (w[i-1] == 'c' || w[i-1] == 't') && i+2 < len(w) && w[i+2] == 'l' {
				continue // "special", "official", "initial"
			}
			n++
		}
	}
	if n < 1 {
		n = 1
	}
	return n
}
