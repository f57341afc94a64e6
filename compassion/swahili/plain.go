package swahili

// Kiswahili plain language. The English reading grade (Flesch–Kincaid)
// counts syllables per word, and Kiswahili builds one long word where
// English writes four ("nitakujulisha", I will let you know): a plain
// Kiswahili reply would read at grade 18. So Kiswahili gets a measure of
// its own, built from what makes Kiswahili text hard to follow:
//
//   - long sentences, counted in Kiswahili words: a Kiswahili sentence
//     takes about three words for every four of its English twin (our
//     twin replies: 19 words against 27), so the limits are 18 words, and
//     11 for someone who asked for plain language (English: 25 and 15);
//   - very long words: a verb carrying subject, tense, object and
//     extensions at once ("hatutawashughulikia"). Kiswahili syllables are
//     open, one vowel each, so a word's syllables are its vowels (and a
//     syllabic m or n before a consonant). In AfriSenti's 30,000 words of
//     everyday Kenyan and Tanzanian Kiswahili, 10% have five syllables or
//     more, 4% six, 1.2% seven, 0.3% eight. A reply's verbs carry an
//     object too ("nitakusaidia", I will help you, has seven), so the
//     line is drawn at eight: a word the reader meets about once in three
//     hundred words.
const (
	MaxSentenceWords       = 18
	StrictMaxSentenceWords = 11
	LongWordSyllables      = 8
)

// Syllables counts the syllables of a lower-cased Kiswahili word: its
// vowels, plus a syllabic m or n that starts the word before a consonant
// ("mtu", "nchi").
func Syllables(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if isVowel(w[i]) {
			n++
		}
	}
	if len(w) > 1 && (w[0] == 'm' || w[0] == 'n') && !isVowel(w[1]) && w[1] != 'y' && w[1] != 'g' && w[1] != 'w' {
		n++
	}
	return n
}
