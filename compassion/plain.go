package compassion

import (
	"math"

	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// PlainLanguage says how easy a reply is to read.
type PlainLanguage struct {
	// Measure is how the reply was measured: MeasureEnglish (the
	// Flesch–Kincaid grade, sentence length, jargon) or MeasureKiswahili
	// for a Kiswahili or mixed reply (sentence length in Kiswahili words
	// and very long words; Grade and TargetGrade are then 0).
	Measure string `json:"measure"`
	// Grade is the Flesch–Kincaid grade level: 0.39 × words per sentence +
	// 11.8 × syllables per word − 15.59, floored at 0.
	Grade float64 `json:"grade"`
	// TargetGrade is the grade a reply should not exceed: 8 for everyone,
	// 6 when the customer asked for plain language or has low vision.
	TargetGrade float64 `json:"target_grade"`
	// Words and Sentences count the reply's words and sentences.
	Words     int `json:"words"`
	Sentences int `json:"sentences"`
	// MeanSentenceWords is the mean sentence length in words;
	// LongestSentenceWords the longest.
	MeanSentenceWords    float64 `json:"mean_sentence_words"`
	LongestSentenceWords int     `json:"longest_sentence_words"`
	// MaxSentenceWords is the length past which a sentence counts as long:
	// 25 words, or 15 with the plain-language accommodation.
	MaxSentenceWords int `json:"max_sentence_words"`
	// LongSentences are the sentences longer than MaxSentenceWords.
	LongSentences []Evidence `json:"long_sentences"`
	// Jargon lists bureaucratic or technical words with plainer ones.
	Jargon []Alternative `json:"jargon"`
	// LongWords are, for the Kiswahili measure, the words of
	// swahili.LongWordSyllables syllables or more.
	LongWords []Evidence `json:"long_words,omitempty"`
}

// Plain-language measures.
const (
	MeasureEnglish   = "flesch_kincaid"
	MeasureKiswahili = "kiswahili"
)

// Alternative is a word or phrase of the reply with a better one to use.
type Alternative struct {
	Evidence
	Instead string `json:"instead"`
}

// Plain-language targets. Grade 8 is the usual plain-language target for
// public services; the stricter targets follow the easy-read guidance for
// people who asked for plain language.
const (
	targetGrade        = 8
	strictTargetGrade  = 6
	maxSentenceWords   = 25
	strictSentenceWord = 15
)

// fleschKincaid returns the Flesch–Kincaid grade level, floored at 0.
func fleschKincaid(words, sentences, syllables int) float64 {
	if words == 0 || sentences == 0 {
		return 0
	}
	g := 0.39*float64(words)/float64(sentences) + 11.8*float64(syllables)/float64(words) - 15.59
	if g < 0 {
		return 0
	}
	return g
}

// syllables estimates the syllables of a lower-case word: groups of vowels
// (y counts as a vowel after the first letter), less a silent final "e" or
// "es"/"ed" that adds no sound, plus one for a final consonant + "le" and for
// a few vowel pairs that are said as two ("ia" in "media", "eo" in "video").
// It is right for most everyday words; numbers and words without vowels
// count as one syllable.
func syllables(w string) int {
	if len(w) == 0 {
		return 1
	}
	// Vowel groups are counted by arithmetic on the letters' classes, not
	// by tests of them: whether a letter is a vowel changes letter by
	// letter, and tested it was a mispredicted branch every other letter.
	prev := sylClass[w[0]]
	prev &^= prev >> 1 & sylVowel // y is a consonant as the first letter
	n, pairs := int(prev&sylVowel), 0
	for i := 1; i < len(w); i++ {
		cl := sylClass[w[i]]
		n += int(cl &^ prev & sylVowel) // a vowel after a consonant
		// A vowel pair said as two syllables is counted apart: the
		// endings below look at the count of vowel groups alone. The
		// pairs worth a closer look are rare, so this test is predicted.
		if prev<<1&cl&sylSecond != 0 && twoSyllablePair(w, i-1) {
			pairs++
		}
		prev = cl
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
	n += pairs
	if n < 1 {
		n = 1
	}
	return n
}

// twoSyllablePair reports whether the vowels at w[i] and w[i+1] are said
// as two syllables: "ia" (media), "io" (radio, but not "tion"), "eo"
// (video), "ua" (actual), "uo"; not "ial" after c or t ("special",
// "official", "initial").
func twoSyllablePair(w string, i int) bool {
	a, b := w[i], w[i+1]
	if (a == 'i' && (b == 'a' || b == 'o') && !(i > 0 && (w[i-1] == 't' || w[i-1] == 's' || w[i-1] == 'c') && b != 'a')) ||
		(a == 'e' && b == 'o') || (a == 'u' && (b == 'a' || b == 'o') && !(i > 0 && w[i-1] == 'q')) {
		return !(a == 'i' && b == 'a' && i > 0 && (w[i-1] == 'c' || w[i-1] == 't') && i+2 < len(w) && w[i+2] == 'l')
	}
	return false
}

// sylClass holds what syllables asks of each byte, one lookup for all:
// whether it is a vowel, and whether it may begin (i, e, u) or end (a, o)
// a vowel pair said as two syllables.
var sylClass = [256]uint8{
	'a': sylVowel | sylSecond, 'e': sylVowel | sylFirst, 'i': sylVowel | sylFirst,
	'o': sylVowel | sylSecond, 'u': sylVowel | sylFirst, 'y': sylVowel | sylY,
}

const (
	sylVowel = 1 << iota // a, e, i, o, u, and y after the first letter
	sylY                 // y, whose bit shifted right is sylVowel
	sylFirst             // sylSecond's bit shifted right
	sylSecond
)

// isVowel reports whether c is a, e, i, o or u.
func isVowel(c byte) bool { return sylClass[c]&(sylVowel|sylY) == sylVowel }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// plainKiswahili measures a Kiswahili or mixed reply by the Kiswahili
// measure (see swahili/plain.go): sentence length against the Kiswahili
// limits and words of swahili.LongWordSyllables syllables or more. Grade
// and TargetGrade stay 0: the Flesch–Kincaid grade is not applied.
func plainKiswahili(s string, toks []text.Token, sents []text.Span, sentOf []int32, strict bool) PlainLanguage {
	p := PlainLanguage{Measure: MeasureKiswahili, MaxSentenceWords: swahili.MaxSentenceWords, Jargon: []Alternative{}, LongSentences: []Evidence{}, LongWords: []Evidence{}}
	if strict {
		p.MaxSentenceWords = swahili.StrictMaxSentenceWords
	}
	p.Words = len(toks)
	for _, t := range toks {
		if swahili.Syllables(t.Lower) >= swahili.LongWordSyllables && len(p.LongWords) < maxEvidence {
			p.LongWords = append(p.LongWords, evidenceAt(s, int(t.Start), int(t.End)))
		}
	}
	start := 0
	for start < len(toks) {
		end := start + 1
		for end < len(toks) && sentOf[end] == sentOf[start] {
			end++
		}
		n := end - start
		p.Sentences++
		p.LongestSentenceWords = max(p.LongestSentenceWords, n)
		if n > p.MaxSentenceWords && len(p.LongSentences) < maxEvidence {
			sp := sents[sentOf[start]]
			p.LongSentences = append(p.LongSentences, evidenceAt(s, sp.Start, sp.End))
		}
		start = end
	}
	if p.Sentences > 0 {
		p.MeanSentenceWords = round1(float64(p.Words) / float64(p.Sentences))
	}
	return p
}
