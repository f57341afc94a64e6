package politeness

import (
	mbits "math/bits"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// strategyID numbers the strategies; the order is the order of names.
type strategyID uint8

const (
	sGratitude strategyID = iota
	sDeference
	sGreeting
	sPositive
	sNegative
	sApologizing
	sPlease
	sPleaseStart
	sIndirectBTW
	sDirectQuestion
	sDirectStart
	sSubjunctive
	sIndicative
	sFirstPersonStart
	sFirstPersonPlural
	sFirstPerson
	sSecondPerson
	sSecondPersonStart
	sHedges
	sFactuality
	numStrategies
)

// strategyInfo gives each strategy its reported name and whether the 2013
// paper found it to read as polite (a positive coefficient in its
// strategy model) or impolite.
var strategyInfo = [numStrategies]struct {
	name   string
	polite bool
}{
	sGratitude:         {"gratitude", true},
	sDeference:         {"deference", true},
	sGreeting:          {"greeting", true},
	sPositive:          {"positive_lexicon", true},
	sNegative:          {"negative_lexicon", false},
	sApologizing:       {"apologizing", true},
	sPlease:            {"please", true},
	sPleaseStart:       {"please_start", false},
	sIndirectBTW:       {"indirect_btw", true},
	sDirectQuestion:    {"direct_question", false},
	sDirectStart:       {"direct_start", false},
	sSubjunctive:       {"subjunctive", true},
	sIndicative:        {"indicative", true},
	sFirstPersonStart:  {"first_person_start", true},
	sFirstPersonPlural: {"first_person_plural", true},
	sFirstPerson:       {"first_person", true},
	sSecondPerson:      {"second_person", true},
	sSecondPersonStart: {"second_person_start", false},
	sHedges:            {"hedges", true},
	sFactuality:        {"factuality", false},
}

// StrategyNames lists the names of every strategy Analyze can report.
func StrategyNames() []string {
	out := make([]string, numStrategies)
	for i, s := range strategyInfo {
		out[i] = s.name
	}
	return out
}

// Word lists after Danescu-Niculescu-Mizil et al. (2013), Table 3, and the
// strategy markers ConvoKit's PolitenessStrategies looks for; positive and
// negative words are a short list of common opinion words (the paper used
// Liu's opinion lexicon, which is far longer).
var (
	gratitudeWords = []string{"thank", "thanks", "thankyou", "thx", "appreciate", "appreciated", "appreciation", "grateful"}
	deferenceWords = []string{"great", "good", "nice", "interesting", "cool", "excellent", "awesome", "wonderful", "brilliant", "impressive"}
	greetingWords  = []string{"hi", "hello", "hey", "greetings", "howdy", "dear"}
	apologyWords   = []string{"sorry", "apologize", "apologise", "apologies", "apology", "apologizing", "oops", "woops", "whoops", "pardon"}
	directQWords   = []string{"what", "why", "who", "how", "where", "when", "which", "whose"}
	directStart    = []string{"so", "then", "and", "but", "or"}
	firstPerson    = []string{"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"}
	firstPlural    = []string{"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll", "let's"}
	secondPerson   = []string{"you", "your", "yours", "yourself", "yourselves", "you're", "you've", "you'd", "you'll", "u", "ur"}
	hedgeWords     = []string{"think", "thought", "maybe", "perhaps", "possibly", "possible", "probably", "suggest", "suggestion", "guess", "seem", "seems", "seemed", "assume", "assuming", "believe", "likely", "might", "somewhat", "apparently", "suppose", "supposed", "wonder", "wondering", "wondered", "hopefully", "presumably", "unclear", "unsure", "bit"}
	factWords      = []string{"really", "actually", "honestly", "surely", "obviously", "clearly", "truly", "definitely", "certainly", "undoubtedly"}
	positiveWords  = []string{"good", "great", "nice", "excellent", "awesome", "wonderful", "helpful", "useful", "happy", "glad", "pleased", "welcome", "best", "better", "fine", "kind", "kindly", "love", "like", "enjoy", "interesting", "impressive", "fantastic", "beautiful", "perfect", "right", "correct", "clear", "fair", "friendly", "hope", "hoping", "well", "amazing", "favorite", "valuable", "agree", "support", "fun", "improve", "improved", "improvement", "cool", "brilliant", "accurate", "appropriate", "reasonable", "worth", "neat", "super", "easy", "thoughtful", "generous", "patient"}
	negativeWords  = []string{"bad", "wrong", "stupid", "idiot", "silly", "ridiculous", "terrible", "awful", "horrible", "worst", "worse", "poor", "problem", "problems", "issue", "mistake", "mistakes", "error", "errors", "fail", "failed", "nonsense", "useless", "pointless", "annoying", "confusing", "confused", "unclear", "biased", "bias", "vandalism", "vandal", "spam", "hate", "disagree", "false", "fake", "lie", "lies", "lying", "rude", "damn", "hell", "crap", "shit", "fuck", "dumb", "waste", "broken", "delete", "deleted", "removed", "revert", "reverted", "complain", "complaint", "attack", "offensive", "misleading", "incorrect", "inappropriate", "unfortunately", "difficult", "hard", "sucks", "lame", "blocked", "ban", "banned", "warning", "threat", "stop", "upset", "angry"}
)

// lexicon maps a word hash to a bit set of the strategies the word marks
// anywhere, at a sentence start, or as a sentence-initial question word.
// Above the strategies' bits, anywhere also holds the phrase a word can
// begin ("by the way", "could you"…): one lookup a word then tells detect
// whether any phrase rule applies, where it compared each word with the
// phrases' first words one by one.
type lexicon struct {
	anywhere, start bitsTable
}

// A phrase rule, by the word it starts with, kept in a lexicon value's top
// bits (from phraseShift up).
const (
	pPlease uint32 = iota + 1 // please, pls, plz
	pBy                       // by the way
	pIn                       // in fact
	pThe                      // the point, the reality, the truth
	pCould                    // could/would you
	pCan                      // can/will you
	pExcuse                   // excuse/forgive me
	pSort                     // sort/kind of

	phraseShift  = 24
	strategyBits = 1<<phraseShift - 1
)

// Strategies must fit below the phrase bits.
var _ [phraseShift - numStrategies]struct{}

var lex = buildLexicon()

// bitsTable is a read-only map from a word hash to a non-zero bit set. Every
// word of a reply is looked up in it, so it is an open-addressing table of a
// few kilobytes that stays in cache, where a Go map cost a fifth of the
// strategy detection. A slot with no bits is empty.
//
// Most words are in neither table, so each has a filter, a bit for every
// four slots' worth of hash values, that turns them away before a slot is
// read (see mayHold): it stays in the closest cache, where the slots, read
// at random, did not.
type bitsTable struct {
	slots  []bitsSlot
	shift  uint
	filter []uint64
}

type bitsSlot struct {
	key  uint64
	bits uint32
}

// newBitsTable builds a table holding m, whose values must not be 0.
func newBitsTable(m map[uint64]uint32) bitsTable {
	size, shift := 16, uint(60)
	for size < 4*len(m) {
		size, shift = size*2, shift-1
	}
	t := bitsTable{slots: make([]bitsSlot, size), shift: shift, filter: make([]uint64, 4*size/64)}
	for k, v := range m {
		if v == 0 {
			panic("politeness: empty strategy set")
		}
		f := t.filterBit(k)
		t.filter[f>>6] |= 1 << (f & 63)
		i := t.index(k)
		for t.slots[i].bits != 0 {
			i = (i + 1) & (len(t.slots) - 1)
		}
		t.slots[i] = bitsSlot{k, v}
	}
	return t
}

// index is the slot where the search for key starts: the top bits of a
// multiplicative hash, since word hashes may differ only in their low bits.
func (t *bitsTable) index(key uint64) int {
	return int((key * 0x9E3779B97F4A7C15) >> t.shift)
}

// filterBit is key's bit in the filter: the bits of its hash that index
// follows, and two more.
func (t *bitsTable) filterBit(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> (t.shift - 2)
}

// mayHold reports whether key may be in t: false for most keys not in t.
// It is apart from get, which it should guard, so that both are inlined.
func (t *bitsTable) mayHold(key uint64) bool {
	f := t.filterBit(key)
	return t.filter[f>>6]&(1<<(f&63)) != 0
}

// get returns key's bit set, 0 when there is none.
func (t *bitsTable) get(key uint64) uint32 {
	mask := len(t.slots) - 1
	for i := t.index(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.bits == 0 || s.key == key {
			return s.bits
		}
	}
}

func buildLexicon() lexicon {
	anywhere, start := map[uint64]uint32{}, map[uint64]uint32{}
	add := func(m map[uint64]uint32, words []string, s strategyID) {
		for _, w := range words {
			m[learn.HashString(w)] |= 1 << s
		}
	}
	add(anywhere, gratitudeWords, sGratitude)
	add(anywhere, apologyWords, sApologizing)
	add(anywhere, firstPerson, sFirstPerson)
	add(anywhere, firstPlural, sFirstPersonPlural)
	add(anywhere, secondPerson, sSecondPerson)
	add(anywhere, hedgeWords, sHedges)
	add(anywhere, factWords, sFactuality)
	add(anywhere, positiveWords, sPositive)
	add(anywhere, negativeWords, sNegative)
	add(anywhere, []string{"btw"}, sIndirectBTW)
	add(start, deferenceWords, sDeference)
	add(start, greetingWords, sGreeting)
	add(start, directQWords, sDirectQuestion)
	add(start, directStart, sDirectStart)
	add(start, firstPerson, sFirstPersonStart)
	add(start, secondPerson, sSecondPersonStart)
	for p, words := range map[uint32][]string{
		pPlease: {"please", "pls", "plz"}, pBy: {"by"}, pIn: {"in"}, pThe: {"the"},
		pCould: {"could", "would"}, pCan: {"can", "will"}, pExcuse: {"excuse", "forgive"}, pSort: {"sort", "kind"},
	} {
		for _, w := range words {
			anywhere[learn.HashString(w)] |= p << phraseShift
		}
	}
	return lexicon{anywhere: newBitsTable(anywhere), start: newBitsTable(start)}
}

var (
	hThe     = learn.HashString("the")
	hWay     = learn.HashString("way")
	hFact    = learn.HashString("fact")
	hPoint   = learn.HashString("point")
	hReality = learn.HashString("reality")
	hTruth   = learn.HashString("truth")
	hYou     = learn.HashString("you")
	hU       = learn.HashString("u")
	hMe      = learn.HashString("me")
	hOf      = learn.HashString("of")
	hQMark   = learn.HashString("?")
	hDot     = learn.HashString(".")
	hBang    = learn.HashString("!")
)

// found is one detected strategy, by token range.
type found struct {
	id       strategyID
	from, to int // tokens [from, to)
}

// detect appends the strategies found in toks, in text order. A sentence
// starts at the first token and after . ! or ?; the "start" strategies
// (please_start, direct_question, greeting…) apply to its first word.
func detect(dst []found, toks []learn.Token) []found {
	start := true
	sentence := 0 // index of the current sentence's first token
	for i, t := range toks {
		if t.Kind == learn.Punct {
			if t.Hash == hDot || t.Hash == hBang || t.Hash == hQMark {
				start, sentence = true, i+1
			}
			continue
		}
		h := t.Hash
		next := func(k int) uint64 {
			if i+k < len(toks) && toks[i+k].Kind == learn.Word {
				return toks[i+k].Hash
			}
			return 0
		}
		v := uint32(0)
		if lex.anywhere.mayHold(h) {
			v = lex.anywhere.get(h)
		}
		switch v >> phraseShift {
		case 0:
		case pPlease:
			if start {
				dst = append(dst, found{sPleaseStart, i, i + 1})
			} else {
				dst = append(dst, found{sPlease, i, i + 1})
			}
		case pBy:
			if next(1) == hThe && next(2) == hWay {
				dst = append(dst, found{sIndirectBTW, i, i + 3})
			}
		case pIn:
			if next(1) == hFact {
				dst = append(dst, found{sFactuality, i, i + 2})
			}
		case pThe:
			if n := next(1); n == hPoint || n == hReality || n == hTruth {
				dst = append(dst, found{sFactuality, i, i + 2})
			}
		case pCould:
			if n := next(1); n == hYou || n == hU {
				dst = append(dst, found{sSubjunctive, i, i + 2})
			}
		case pCan:
			if n := next(1); n == hYou || n == hU {
				dst = append(dst, found{sIndicative, i, i + 2})
			}
		case pExcuse:
			if next(1) == hMe {
				dst = append(dst, found{sApologizing, i, i + 2})
			}
		case pSort:
			if next(1) == hOf {
				dst = append(dst, found{sHedges, i, i + 2})
			}
		}
		bits := v & strategyBits
		if start {
			sb := uint32(0)
			if lex.start.mayHold(h) {
				sb = lex.start.get(h)
			}
			if sb&(1<<sDirectQuestion) != 0 && !endsWithQuestion(toks, sentence) {
				sb &^= 1 << sDirectQuestion
			}
			if sb&(1<<sFirstPersonStart|1<<sSecondPersonStart) != 0 {
				bits &^= 1<<sFirstPerson | 1<<sSecondPerson
			}
			bits |= sb
		}
		for ; bits != 0; bits &= bits - 1 {
			dst = append(dst, found{strategyID(mbits.TrailingZeros32(bits)), i, i + 1})
		}
		start = false
	}
	return dst
}

// endsWithQuestion reports whether the sentence starting at toks[from]
// ends with a question mark.
func endsWithQuestion(toks []learn.Token, from int) bool {
	for _, t := range toks[from:] {
		if t.Kind == learn.Punct && (t.Hash == hDot || t.Hash == hBang || t.Hash == hQMark) {
			return t.Hash == hQMark
		}
	}
	return false
}
