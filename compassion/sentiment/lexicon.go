package sentiment

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/internal/wordtab"
)

// The lexicons are VADER's own (github.com/cjhutto/vaderSentiment, MIT
// licence, notice in LICENSE.vader beside them), embedded unchanged.
var (
	//go:embed vader_lexicon.txt
	lexiconFile string
	//go:embed emoji_utf8_lexicon.txt
	emojiFile string
)

// Constants of the reference implementation, with its names.
const (
	bIncr         = 0.293 // booster word
	bDecr         = -0.293
	cIncr         = 0.733 // ALL-CAPS word among others that are not
	nScalar       = -0.74 // negation
	alpha         = 15.0  // normalisation of the compound score
	epAmplify     = 0.292 // per "!", at most four
	qmAmplify     = 0.18  // per "?" when two or three
	qmMax         = 0.96  // four or more "?"
	maxEP         = 4
	butBefore     = 0.5
	butAfter      = 1.5
	neverSoThis   = 1.25
	distanceTwo   = 0.95
	distanceThree = 0.9
)

// Flags of a word in the table.
const (
	inLexicon uint8 = 1 << iota
	isBooster
	isNegation
	startsPhrase // its id starts a phrase of specialCases or boosterPhrases
)

// Rule words: the words VADER's rules compare by spelling. Each gets a small
// id so the rules compare integers, not strings.
const (
	idNone uint8 = iota
	idNo
	idOr
	idNor
	idKind
	idOf
	idNever
	idSo
	idThis
	idWithout
	idDoubt
	idLeast
	idAt
	idVery
	idBut
	idThe
	idShit
	idBomb
	idBad
	idAss
	idBus
	idStop
	idYeah
	idRight
	idKiss
	idDeath
	idTo
	idDie
	idFor
	idBeating
	idHeart
	idBroken
	idJust
	idEnough
	idSort
)

var ruleWords = map[string]uint8{
	"no": idNo, "or": idOr, "nor": idNor, "kind": idKind, "of": idOf,
	"never": idNever, "so": idSo, "this": idThis, "without": idWithout,
	"doubt": idDoubt, "least": idLeast, "at": idAt, "very": idVery, "but": idBut,
	"the": idThe, "shit": idShit, "bomb": idBomb, "bad": idBad, "ass": idAss,
	"bus": idBus, "stop": idStop, "yeah": idYeah, "right": idRight, "kiss": idKiss,
	"death": idDeath, "to": idTo, "die": idDie, "for": idFor, "beating": idBeating,
	"heart": idHeart, "broken": idBroken, "just": idJust, "enough": idEnough,
	"sort": idSort,
}

// phrase is a multi-word key of SPECIAL_CASES or BOOSTER_DICT, spelled as
// rule-word ids. Tokens never contain white space, so a one-word key such as
// "badass" in SPECIAL_CASES can never equal two joined tokens; the reference
// never applies it, and neither do we.
type phrase struct {
	ids     [3]uint8
	n       int
	valence float64
}

// specialCases is SPECIAL_CASES of the reference, less its unreachable
// one-word key.
var specialCases = []phrase{
	{[3]uint8{idThe, idShit}, 2, 3},
	{[3]uint8{idThe, idBomb}, 2, 3},
	{[3]uint8{idBad, idAss}, 2, 1.5},
	{[3]uint8{idBus, idStop}, 2, 0.0},
	{[3]uint8{idYeah, idRight}, 2, -2},
	{[3]uint8{idKiss, idOf, idDeath}, 3, -1.5},
	{[3]uint8{idTo, idDie, idFor}, 3, 3},
	{[3]uint8{idBeating, idHeart}, 2, 3.1},
	{[3]uint8{idBroken, idHeart}, 2, -2.9},
}

// boosterPhrases are the multi-word keys of BOOSTER_DICT.
var boosterPhrases = []phrase{
	{[3]uint8{idJust, idEnough}, 2, bDecr},
	{[3]uint8{idKind, idOf}, 2, bDecr},
	{[3]uint8{idSort, idOf}, 2, bDecr},
}

// specialFirst and boosterFirst give, for each rule-word id, the phrases
// of specialCases and boosterPhrases that start with it, as a set of their
// indexes.
var specialFirst, boosterFirst = firstWords(specialCases), firstWords(boosterPhrases)

func firstWords(list []phrase) (t [256]uint16) {
	if len(list) > 16 {
		panic("sentiment: more phrases than a set of them holds")
	}
	for k, p := range list {
		t[p.ids[0]] |= 1 << k
	}
	return t
}

// boosters is BOOSTER_DICT's one-word keys: degree adverbs that scale the
// next sentiment words.
var boosters = map[string]float64{
	"absolutely": bIncr, "amazingly": bIncr, "awfully": bIncr,
	"completely": bIncr, "considerable": bIncr, "considerably": bIncr,
	"decidedly": bIncr, "deeply": bIncr, "effing": bIncr, "enormous": bIncr, "enormously": bIncr,
	"entirely": bIncr, "especially": bIncr, "exceptional": bIncr, "exceptionally": bIncr,
	"extreme": bIncr, "extremely": bIncr,
	"fabulously": bIncr, "flipping": bIncr, "flippin": bIncr, "frackin": bIncr, "fracking": bIncr,
	"fricking": bIncr, "frickin": bIncr, "frigging": bIncr, "friggin": bIncr, "fully": bIncr,
	"fuckin": bIncr, "fucking": bIncr, "fuggin": bIncr, "fugging": bIncr,
	"greatly": bIncr, "hella": bIncr, "highly": bIncr, "hugely": bIncr,
	"incredible": bIncr, "incredibly": bIncr, "intensely": bIncr,
	"major": bIncr, "majorly": bIncr, "more": bIncr, "most": bIncr, "particularly": bIncr,
	"purely": bIncr, "quite": bIncr, "really": bIncr, "remarkably": bIncr,
	"so": bIncr, "substantially": bIncr,
	"thoroughly": bIncr, "total": bIncr, "totally": bIncr, "tremendous": bIncr, "tremendously": bIncr,
	"uber": bIncr, "unbelievably": bIncr, "unusually": bIncr, "utter": bIncr, "utterly": bIncr,
	"very":   bIncr,
	"almost": bDecr, "barely": bDecr, "hardly": bDecr,
	"kinda": bDecr, "kindof": bDecr, "kind-of": bDecr,
	"less": bDecr, "little": bDecr, "marginal": bDecr, "marginally": bDecr,
	"occasional": bDecr, "occasionally": bDecr, "partly": bDecr,
	"scarce": bDecr, "scarcely": bDecr, "slight": bDecr, "slightly": bDecr, "somewhat": bDecr,
	"sorta": bDecr, "sortof": bDecr, "sort-of": bDecr,
}

// negations is NEGATE of the reference. Any word containing "n't" negates too.
var negations = []string{
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
}

// word is everything the rules need to know about one lower-cased token,
// found with a single map lookup.
type word struct {
	valence float64 // lexicon mean, when flags&inLexicon
	booster float64 // when flags&isBooster
	flags   uint8
	id      uint8 // rule-word id or idNone
}

// emoji is one entry of the emoji lexicon that the reference can match: it
// looks emoji up one code point at a time, so only one-rune keys ever match.
type emoji struct {
	description string
	marks       int // "!" and "?" in description count as punctuation emphasis
	questions   int
}

// The tables, built once at start-up and read-only afterwards.
var (
	words  wordtab.Table[int32] // lower-cased token -> index in table
	table  = []word{{}}         // table[0] is the unknown word
	emojis = map[rune]emoji{}
)

// index returns the table index of a lower-cased token; 0 when unknown.
func index(lower []byte) int32 {
	i, _ := words.GetBytes(lower)
	return i
}

// indexString is index for a word held in a string.
func indexString(lower string) int32 {
	i, _ := words.Get(lower)
	return i
}

// loadOnce builds the tables on first use rather than at program start, so
// that kindred commands that never read text (token, migrate, backup) do not
// pay for them; every exported entry point calls it.
var loadOnce sync.Once

// Preload builds the lexicon's tables now, for a caller that wants them
// built before it analyses anything.
func Preload() { loadOnce.Do(load) }

func load() {
	entry := func(w string) *word {
		if i, ok := words.Get(w); ok {
			return &table[i]
		}
		words.Set(w, int32(len(table)))
		table = append(table, word{})
		return &table[len(table)-1]
	}
	// Sized once: the tables are built at the start of every process that
	// reads text, and rehashing them as they grow was a third of that.
	n := strings.Count(lexiconFile, "\n") + len(boosters) + len(negations) + len(ruleWords) + 1
	words.Reserve(n)
	table = slices.Grow(table, n)
	// The reference keeps the last of duplicate lines (":-p", "lol", "ok"…).
	for line := range strings.Lines(lexiconFile) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		word, rest, ok := strings.Cut(line, "\t")
		rating, _, _ := strings.Cut(rest, "\t")
		if !ok {
			panic("sentiment: bad embedded lexicon line " + strconv.Quote(line))
		}
		v, err := strconv.ParseFloat(rating, 64)
		if err != nil {
			panic("sentiment: bad embedded lexicon line " + strconv.Quote(line))
		}
		e := entry(word)
		e.valence = v
		e.flags |= inLexicon
	}
	for w, b := range boosters {
		e := entry(w)
		e.booster = b
		e.flags |= isBooster
	}
	for _, w := range negations {
		entry(w).flags |= isNegation
	}
	for w, id := range ruleWords {
		e := entry(w)
		e.id = id
		if specialFirst[id] != 0 || boosterFirst[id] != 0 {
			e.flags |= startsPhrase
		}
	}
	for line := range strings.Lines(strings.TrimRight(emojiFile, "\n")) {
		char, desc, ok := strings.Cut(strings.TrimSpace(line), "\t")
		desc, _, _ = strings.Cut(desc, "\t")
		if !ok {
			panic("sentiment: bad embedded emoji line " + strconv.Quote(line))
		}
		r, size := utf8.DecodeRuneInString(char)
		if size != len(char) || r < utf8.RuneSelf {
			continue // several code points: never matched, as in the reference
		}
		emojis[r] = emoji{
			description: desc,
			marks:       strings.Count(desc, "!"),
			questions:   strings.Count(desc, "?"),
		}
	}
	// Most words of a text are in none of the lists: the filter answers
	// them without reading the 7,500-word table.
	words.Filter()
}

// Valence returns the lexicon's mean human valence (−4..+4) of word, compared
// case-insensitively, and whether the word is in the lexicon at all. Degree
// adverbs ("very") and negations ("not") are not in it: see IsBooster and
// IsNegation.
func Valence(w string) (float64, bool) {
	e := lookup(w)
	return e.valence, e.flags&inLexicon != 0
}

// IsBooster returns the scalar VADER adds for a degree adverb such as "very"
// (+0.293) or "barely" (−0.293), and whether word is one.
func IsBooster(w string) (float64, bool) {
	e := lookup(w)
	return e.booster, e.flags&isBooster != 0
}

// IsNegation reports whether VADER treats word as a negation: one of its list
// ("not", "never", "without"…) or any word containing "n't".
func IsNegation(w string) bool {
	loadOnce.Do(load)
	var buf [64]byte
	lower, _ := appendLower(buf[:0], w)
	return table[index(lower)].flags&isNegation != 0 || strings.Contains(string(lower), "n't")
}

func lookup(w string) word {
	loadOnce.Do(load)
	var buf [64]byte
	lower, _ := appendLower(buf[:0], w)
	return table[index(lower)]
}

// appendLower appends s lower-cased as Python's str.lower does wherever that
// can matter for a lexicon match, and reports whether s is upper case in the
// sense of Python's str.isupper: at least one cased rune and none lower or
// title case. Invalid UTF-8 bytes are copied as they are and are uncased.
func appendLower(dst []byte, s string) ([]byte, bool) {
	upper, lower := false, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'A' <= c && c <= 'Z':
				upper = true
				c += 'a' - 'A'
			case 'a' <= c && c <= 'z':
				lower = true
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
			i++
			continue
		}
		i += size
		switch {
		case unicode.IsLower(r) || unicode.IsTitle(r) || unicode.Is(unicode.Other_Lowercase, r):
			lower = true
		case unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r):
			upper = true
		}
		if r == 'İ' {
			// Python lowers U+0130 to "i̇" (two runes), not to ASCII "i".
			dst = append(dst, "i\u0307"...)
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst, upper && !lower
}
