package compassion

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/swahili"
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

// TestEntriesCarryTheirSpelling holds the spelling flags of every lexicon
// entry, and of words it lacks, to what swahili.ParseVerb and
// swahili.LooksSwahili say: reading a reply trusts the flags instead of
// asking them.
func TestEntriesCarryTheirSpelling(t *testing.T) {
	want := func(w string) wordFlags {
		var f wordFlags
		if _, ok := swahili.ParseVerb(w); ok {
			f |= fVerb
		}
		if swahili.LooksSwahili(w) {
			f |= fLooksSwahili
		}
		if w != "" && w[0] >= '0' && w[0] <= '9' {
			f |= fDigit
		}
		return f
	}
	const spelt = fVerb | fLooksSwahili | fDigit
	lx := loadLexicons()
	n := 0
	for w, wi := range lx.words.All() {
		if got := wi.flags & spelt; got != want(w) {
			t.Errorf("entry %q: spelling flags %#x, want %#x", w, got, want(w))
		}
		if wi.syl == 0 {
			t.Errorf("entry %q: no syllables", w)
		}
		n++
	}
	if n < 30000 {
		t.Fatalf("only %d entries", n)
	}
	for _, w := range []string{"", "a", "2pm", "14:00", "nitakupigia", "tumetuma", "amenable", "nilivyosema",
		"ninaelewa", "kuchelewa", "attempts", "umetuma", "mmefika", "alive", "aware", "zzzzzzzzzzzzzzzzzzzzzzzz"} {
		if got := spelling(w); got != want(w) {
			t.Errorf("spelling(%q) = %#x, want %#x", w, got, want(w))
		}
	}
}

// TestLangTallyMatchesCounter holds the arithmetic tally of a reply's
// language to swahili.Counter's Add, word by word.
func TestLangTallyMatchesCounter(t *testing.T) {
	lx := loadLexicons()
	words := []string{"the", "na", "hii", "ya", "nitakupigia", "amefariki", "kuchelewa", "table", "sorry", "pole",
		"mama", "wanjiru", "xyz", "12", "amenable", "alive", "tafadhali", "nimefika", "nimejaribu"}
	swahili.KnownWords(func(w string, _ bool) { words = append(words, w) })
	for _, w := range words {
		wi, ok := lx.words.Get(w)
		if !ok {
			wi.flags = spelling(w)
		}
		var c swahili.Counter
		c.Add(w)
		wantSw, wantEn := c.Counts()
		if sw, en := langTally(wi.flags); sw != wantSw || en != wantEn {
			t.Errorf("%q: tally (%d, %d), Counter (%d, %d)", w, sw, en, wantSw, wantEn)
		}
	}
}
