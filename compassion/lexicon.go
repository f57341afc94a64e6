package compassion

import (
	"embed"
	"strconv"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/internal/wordtab"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

//go:generate go run ./internal/gen/concreteness -in ../../shared/data/concreteness/Concreteness_ratings_Brysbaert_et_al_BRM.txt -out lexicon/concreteness.tsv

// The lexicons are read once, on first use, and never change afterwards, so
// that every Analyze call may share them.
//
//go:embed lexicon/concreteness.tsv lexicon/vague.tsv lexicon/jargon.tsv lexicon/stopwords.txt lexicon/cues.tsv lexicon/feelings.txt lexicon/reply/*.txt
var lexiconFS embed.FS

// phraseKind is what a phrase of the reply lexicon says about the reply.
type phraseKind uint8

const (
	kindAck phraseKind = iota + 1
	kindApology
	kindOwnership
	kindBlame
	kindCare
	kindDismissive
	kindScripted
	kindExplore
	kindVague
	kindJargon
)

// phraseInfo is one entry of the reply lexicon.
type phraseInfo struct {
	kind phraseKind
	alt  string // for vague and jargon phrases: what to say instead
}

// lexicons holds every word list the reply analysis needs.
type lexicons struct {
	// reply finds all the reply's listed phrases in one pass. Where phrases
	// of two kinds overlap the longest wins, which is what we want:
	// "sorry for any inconvenience" is a scripted formula, not an apology.
	reply *text.Phrases
	info  map[string]phraseInfo // by label
	// jargon and vague phrases are matched separately so that they can
	// overlap the compassion phrases ("I'll look into it" is ownership and
	// vague at once).
	plain *text.Phrases
	// words holds every word the rules know: its classes (stop word,
	// feeling, weekday…) and its concreteness rating.
	// A wordtab.Table rather than a map: every word of every reply is
	// looked up here, and the map's cache misses were a tenth of Analyze.
	words    wordtab.Table[wordInfo]
	cueWords map[string]map[string]bool // cue kind → words that acknowledge it
}

var loadLexicons = sync.OnceValue(buildLexicons)

func buildLexicons() *lexicons {
	lx := &lexicons{info: map[string]phraseInfo{}}
	var phrases, labels []string
	add := func(kind phraseKind, file string) {
		for _, line := range lines(file) {
			label := strconv.Itoa(int(kind)) + ":" + line
			if _, dup := lx.info[label]; dup {
				continue
			}
			lx.info[label] = phraseInfo{kind: kind}
			phrases = append(phrases, line)
			labels = append(labels, label)
		}
	}
	add(kindAck, "lexicon/reply/acknowledgement.txt")
	add(kindApology, "lexicon/reply/apology.txt")
	add(kindOwnership, "lexicon/reply/ownership.txt")
	add(kindBlame, "lexicon/reply/blame.txt")
	add(kindCare, "lexicon/reply/care.txt")
	add(kindDismissive, "lexicon/reply/dismissive.txt")
	add(kindScripted, "lexicon/reply/scripted.txt")
	add(kindExplore, "lexicon/reply/exploration.txt")
	lx.reply = text.NewPhrases(phrases, labels)

	phrases, labels = nil, nil
	for _, pair := range []struct {
		kind phraseKind
		file string
	}{{kindVague, "lexicon/vague.tsv"}, {kindJargon, "lexicon/jargon.tsv"}} {
		for _, line := range lines(pair.file) {
			phrase, alt, _ := strings.Cut(line, "\t")
			alt = curlyQuotes(alt)
			label := strconv.Itoa(int(pair.kind)) + ":" + phrase
			lx.info[label] = phraseInfo{kind: pair.kind, alt: alt}
			phrases = append(phrases, phrase)
			labels = append(labels, label)
		}
	}
	lx.plain = text.NewPhrases(phrases, labels)

	conc := lines("lexicon/concreteness.tsv")
	lx.words.Reserve(len(conc))
	// The closed classes' words are most of any text: set first, they sit
	// in their own slots, where a lookup finds them at the first try, and
	// the rating's words probe past them instead.
	for _, line := range lines("lexicon/stopwords.txt") {
		for _, w := range strings.Fields(line) {
			lx.words.Set(w, newWordInfo(w))
		}
	}
	for _, c := range wordClasses {
		for _, w := range strings.Fields(c.words) {
			lx.words.Set(w, newWordInfo(w))
		}
	}
	swahili.KnownWords(func(w string, _ bool) { lx.words.Set(w, newWordInfo(w)) })
	for _, line := range conc {
		word, rating, _ := strings.Cut(line, "\t")
		wi := newWordInfo(word)
		wi.conc = hundredths(rating, line)
		lx.words.Set(word, wi)
	}
	flag := func(f wordFlags, words string) {
		for _, w := range strings.Fields(words) {
			wi := lx.entry(w)
			wi.flags |= f
			lx.words.Set(w, wi)
		}
	}
	for _, line := range lines("lexicon/stopwords.txt") {
		flag(fStop, line)
	}
	for _, line := range lines("lexicon/feelings.txt") {
		flag(fFeeling, line)
	}
	for _, c := range wordClasses {
		flag(c.flag, c.words)
	}
	swahili.KnownWords(func(w string, sw bool) {
		wi := lx.entry(w)
		if sw {
			wi.flags |= fSwahili
		} else {
			wi.flags |= fEnglish
		}
		lx.words.Set(w, wi)
	})
	// The phrases' first words, so that reading a reply finds them with
	// the word's one lookup. A word only some phrase starts with gets an
	// entry with no class and no rating, as a missing word reads.
	firsts := func(p *text.Phrases, set func(wi *wordInfo, first uint16)) {
		p.FirstWords(func(w string, first int32) {
			if first > 0xFFFF {
				panic("compassion: too many phrase words")
			}
			wi := lx.entry(w)
			set(&wi, uint16(first))
			lx.words.Set(w, wi)
		})
	}
	firsts(lx.reply, func(wi *wordInfo, first uint16) { wi.reply = first })
	firsts(lx.plain, func(wi *wordInfo, first uint16) { wi.plain = first })
	lx.cueWords = map[string]map[string]bool{}
	for _, line := range lines("lexicon/cues.tsv") {
		kind, words, _ := strings.Cut(line, "\t")
		set := map[string]bool{}
		for _, w := range strings.Fields(words) {
			set[w] = true
		}
		lx.cueWords[kind] = set
	}
	return lx
}

// hundredths returns the rating, a decimal number, in hundredths rounded
// to the nearest. Every rating of the norms is written d.dd, which is read
// as digits: 37,000 ParseFloat calls were a tenth of the engine's start-up.
func hundredths(rating, line string) uint16 {
	if len(rating) == 4 && isDigit(rating[0]) && rating[1] == '.' && isDigit(rating[2]) && isDigit(rating[3]) {
		return uint16(rating[0]-'0')*100 + uint16(rating[2]-'0')*10 + uint16(rating[3]-'0')
	}
	f, err := strconv.ParseFloat(rating, 64)
	if err != nil {
		panic("compassion: bad embedded concreteness rating: " + line)
	}
	return uint16(f*100 + 0.5)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// word returns what the lexicon knows of w: the zero wordInfo when nothing.
func (lx *lexicons) word(w string) wordInfo {
	wi, _ := lx.words.Get(w)
	return wi
}

// entry returns w's entry while the lexicon is built: a new one when w has
// none yet.
func (lx *lexicons) entry(w string) wordInfo {
	if wi, ok := lx.words.Get(w); ok {
		return wi
	}
	return newWordInfo(w)
}

// newWordInfo returns the entry of a word the lists say nothing of yet:
// what its spelling says, and its syllables.
func newWordInfo(w string) wordInfo {
	return wordInfo{flags: spelling(w), syl: uint8(min(syllables(w), 255))}
}

// spelling returns the flags that follow from w's spelling alone. Reading
// a reply works them out for a word the lexicon lacks; for the others they
// are worked out once, here.
func spelling(w string) wordFlags {
	var f wordFlags
	if w != "" && isDigit(w[0]) {
		f |= fDigit
	}
	// Both want six letters or more, the last a vowel: most words fail
	// that, and skip both.
	if len(w) >= 6 && isVowel(w[len(w)-1]) {
		if swahili.LooksSwahili(w) {
			f |= fLooksSwahili
		}
		if _, ok := swahili.ParseVerb(w); ok {
			f |= fVerb
		}
	}
	return f
}

// lines returns the non-empty, non-comment lines of an embedded file. The
// files are part of the binary, so a missing one is a build mistake.
func lines(name string) []string {
	data, err := lexiconFS.ReadFile(name)
	if err != nil {
		panic("compassion: missing embedded lexicon " + name)
	}
	// One string for the file, which every line shares: the concreteness
	// norms alone are 40,000 lines, read at start-up.
	all := string(data)
	out := make([]string, 0, strings.Count(all, "\n")+1)
	for line := range strings.Lines(all) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		out = append(out, line)
	}
	return out
}

// curlyQuotes turns the straight quotes of the lexicon files into the
// typographic ones the suggestions use.
func curlyQuotes(s string) string {
	var b strings.Builder
	open := true
	for _, r := range s {
		if r == '"' {
			if open {
				r = '“'
			} else {
				r = '”'
			}
			open = !open
		}
		b.WriteRune(r)
	}
	return b.String()
}
