package compassion

import "testing"

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
