package compassion

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/internal/wordtab"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// The customer lexicons are plain text so that a desk lead can read and
// extend them without reading Go: see the comments at the top of each file.
//
//go:embed lexicon/customer/*.txt
var customerFiles embed.FS

// Placeholders a lexicon line may use once; the line is repeated for each
// word of the list.
var customerPlaceholders = map[string][]string{
	"{kin}": {"husband", "wife", "mother", "father", "mum", "mom", "mam", "mama", "dad", "papa",
		"son", "daughter", "child", "baby", "brother", "sister", "grandmother", "grandfather",
		"grandma", "grandpa", "granny", "nan", "partner", "parents", "parent", "aunt", "uncle",
		"mother-in-law", "father-in-law", "friend", "best friend", "neighbour", "neighbor", "cousin",
		"grandad", "granddad", "boyfriend", "girlfriend", "fiance", "fiancé"},
	"{child}": {"son", "daughter", "child", "kid", "boy", "girl", "baby", "twins", "grandson", "granddaughter"},
	"{day}": {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"tomorrow", "noon", "midday", "tonight"},
}

// roleClass says what a matched phrase means for the report.
type roleClass uint8

const (
	roleIgnore     roleClass = iota // matched only to hide a shorter, wrong phrase
	roleEmotion                     // shows an emotion (name, weight)
	roleCue                         // a vulnerability cue (name = kind, care)
	roleUrgentHigh                  // a deadline or risk of harm or loss: two urgency points
	roleUrgentTime                  // time pressure or a treatment: one urgency point
	roleUrgentLow                   // the customer says it can wait
	roleCrisis                      // a crisis phrase: adds weight to distress
	roleHarm                        // risk of harm: distress and high urgency
	roleHeard                       // a feeling or story marker
)

// role is one meaning of a phrase; a phrase may have several ("grieving" is
// sadness and a bereavement cue).
type role struct {
	class  roleClass
	name   string  // emotion name or cue kind
	care   string  // for cues
	weight float64 // for emotions, crisis phrases and heard markers (0.5 a sign, 1 two)
}

// customerLexicon is every phrase the customer analysis looks for, in one
// matcher so that a message is scanned once.
type customerLexicon struct {
	phrases *text.Phrases
	roles   map[string][]role // by normalised phrase (the match label)
	// words holds, for each word a phrase starts with, its phrases.First
	// number, and for each word of swahili.KnownWords its language: one
	// wordtab lookup per word of the message serves the matcher (cheaper
	// than its own map) and the language count.
	words wordtab.Table[customerWord]
}

// customerWord is what the customer lexicon knows of one word.
type customerWord struct {
	first   int32 // phrases.First; 0: no phrase starts with it
	swahili bool  // a Kiswahili word of swahili.KnownWords
	english bool  // an English word of swahili.KnownWords
	class   wordClass
}

// wordClass marks a word's membership of the small closed lists the rules
// in customer.go test word by word, so that each test is a bit of the one
// lookup a word gets anyway rather than a map lookup of its own.
type wordClass uint8

const (
	classNegator       wordClass = 1 << iota // customerNegators
	classNegationStop                        // customerNegationStops
	classBooster                             // customerBoosters
	classPastIrregular                       // customerPastIrregular
	classPraise                              // sarcasticPraise
)

// customerLex is built on first use, not at program start: commands that
// never analyse text should not pay for it.
var customerLex = sync.OnceValue(mustLoadCustomerLexicon)

func mustLoadCustomerLexicon() *customerLexicon {
	lex, err := loadCustomerLexicon()
	if err != nil {
		// The files are embedded: a bad line is a bug caught by any test run.
		panic("compassion: customer lexicon: " + err.Error())
	}
	return lex
}

// customerFileSections maps each file's section names to a role class.
var customerFileSections = map[string]func(section string) (role, bool){
	"emotions.txt": func(s string) (role, bool) {
		if s == "ignore" {
			return role{class: roleIgnore}, true
		}
		for _, e := range EmotionNames {
			if s == e {
				return role{class: roleEmotion, name: s, weight: 0.6}, true
			}
		}
		return role{}, false
	},
	"cues.txt": func(s string) (role, bool) {
		kind, _, _ := strings.Cut(s, "/")
		for _, k := range CueKinds {
			if kind == k {
				return role{class: roleCue, name: kind}, true
			}
		}
		return role{}, false
	},
	"urgency.txt": func(s string) (role, bool) {
		switch s {
		case "high":
			return role{class: roleUrgentHigh}, true
		case "pressing":
			return role{class: roleUrgentTime}, true
		case "low":
			return role{class: roleUrgentLow}, true
		}
		return role{}, false
	},
	"distress.txt": func(s string) (role, bool) {
		switch s {
		case "crisis":
			return role{class: roleCrisis, weight: 0.5}, true
		case "harm":
			return role{class: roleHarm, weight: 0.9}, true
		}
		return role{}, false
	},
	"heard.txt": func(s string) (role, bool) {
		if s == "feeling" {
			return role{class: roleHeard, weight: 0.5}, true
		}
		return role{}, false
	},
}

func loadCustomerLexicon() (*customerLexicon, error) {
	roles := make(map[string][]role)
	var keys []string
	add := func(phrase string, r role) {
		k := phraseKey(phrase)
		if k == "" {
			return
		}
		if _, ok := roles[k]; !ok {
			keys = append(keys, k)
		}
		for _, have := range roles[k] {
			if have.class == r.class && have.name == r.name {
				return // listed twice (often through a placeholder): keep the first
			}
		}
		roles[k] = append(roles[k], r)
	}
	// Files in a fixed order so the matcher is the same on every start.
	for _, name := range []string{"emotions.txt", "cues.txt", "urgency.txt", "distress.txt", "heard.txt"} {
		data, err := customerFiles.ReadFile("lexicon/customer/" + name)
		if err != nil {
			return nil, err
		}
		sectionRole := customerFileSections[name]
		var cur role
		inSection := false
		for n, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			where := lineRef{name, n + 1}
			if line[0] == '[' {
				sec := strings.Trim(line, "[]")
				r, ok := sectionRole(sec)
				if !ok {
					return nil, fmt.Errorf("%s: unknown section %q", where, sec)
				}
				cur, inSection = r, true
				continue
			}
			if !inSection {
				return nil, fmt.Errorf("%s: phrase before any section", where)
			}
			if care, ok := strings.CutPrefix(line, "care ="); ok {
				cur.care = strings.TrimSpace(care)
				continue
			}
			if cur.class == roleCue && cur.care == "" {
				return nil, fmt.Errorf("%s: cue section without a care line", where)
			}
			r := cur
			phrase, w, hasWeight := strings.Cut(line, "|")
			if hasWeight {
				f, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
				if err != nil || f <= 0 || f > 1 {
					return nil, fmt.Errorf("%s: weight %q is not in (0, 1]", where, w)
				}
				r.weight = f
			}
			for _, p := range expandPlaceholders(strings.TrimSpace(phrase)) {
				if strings.Contains(p, "{") {
					return nil, fmt.Errorf("%s: unknown placeholder in %q", where, p)
				}
				add(p, r)
			}
		}
	}
	lex := &customerLexicon{phrases: text.NewPhrases(keys, nil), roles: roles}
	lex.phrases.FirstWords(func(w string, first int32) { lex.words.Set(w, customerWord{first: first}) })
	swahili.KnownWords(func(w string, sw bool) {
		cw, _ := lex.words.Get(w)
		if sw {
			cw.swahili = true
		} else {
			cw.english = true
		}
		lex.words.Set(w, cw)
	})
	for _, list := range []struct {
		class wordClass
		words []string
	}{
		{classNegator, customerNegators},
		{classNegationStop, customerNegationStops},
		{classBooster, customerBoosters},
		{classPastIrregular, customerPastIrregular},
		{classPraise, sarcasticPraise},
	} {
		for _, w := range list.words {
			cw, _ := lex.words.Get(w)
			cw.class |= list.class
			lex.words.Set(w, cw)
		}
	}
	return lex, nil
}

// lineRef names a line of a lexicon file in an error; it is formatted only
// when there is an error to report.
type lineRef struct {
	file string
	line int
}

func (l lineRef) String() string { return fmt.Sprintf("%s:%d", l.file, l.line) }

// phraseKey is a phrase as the matcher sees it: its lower-cased words joined
// by single spaces, "*" kept. It is also the phrase's label in matches.
func phraseKey(phrase string) string {
	if isOwnKey(phrase) {
		return phrase
	}
	return phraseKeyTokens(phrase)
}

// isOwnKey reports whether phrase is already its key: lower-case ASCII
// letters and digits, one space between words, an apostrophe or a hyphen
// only between two letters or digits (where text.Tokens keeps it inside the
// word). Nearly every lexicon line is; tokenising each was a third of the
// lexicon's loading.
func isOwnKey(phrase string) bool {
	if phrase == "" {
		return false
	}
	for i := 0; i < len(phrase); i++ {
		switch c := phrase[i]; {
		case isLowerAlnum(c):
		case c == ' ' || c == '\'' || c == '-':
			if i == 0 || i == len(phrase)-1 || !isLowerAlnum(phrase[i-1]) || !isLowerAlnum(phrase[i+1]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// phraseKeyTokens is phraseKey for any phrase: its words as text.Tokens
// reads them.
func phraseKeyTokens(phrase string) string {
	toks := text.Tokens(strings.ReplaceAll(phrase, "*", " xxanyxx "), nil)
	ws := make([]string, len(toks))
	for i, t := range toks {
		ws[i] = t.Lower
		if ws[i] == "xxanyxx" {
			ws[i] = "*"
		}
	}
	return strings.Join(ws, " ")
}

func expandPlaceholders(phrase string) []string {
	for _, ph := range []string{"{child}", "{day}", "{kin}"} { // a fixed order: same matcher every start
		if words := customerPlaceholders[ph]; strings.Contains(phrase, ph) {
			var out []string
			for _, w := range words {
				out = append(out, expandPlaceholders(strings.Replace(phrase, ph, w, 1))...)
			}
			return out
		}
	}
	return []string{phrase}
}

// Small closed word lists used by the rules in customer.go.
var (
	// customerNegators turn off a phrase that follows them closely
	// ("not angry", "I don't have diabetes"). Words ending in "n't" count too.
	customerNegators = words("not", "no", "never", "nor", "neither", "without", "hardly", "barely",
		"dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "couldnt",
		"wont", "wouldnt", "havent", "hasnt", "hadnt", "aint", "sio", "si", "hapana")
	// customerNegationStops end the reach of a negator: "I can't believe how
	// angry I am", "not just upset", "can't stop worrying".
	customerNegationStops = words("believe", "help", "stop", "only", "just", "but", "even", "tell")
	// customerBoosters strengthen the emotion phrase they precede.
	customerBoosters = words("so", "very", "really", "extremely", "absolutely", "totally", "completely",
		"incredibly", "utterly", "truly", "terribly", "deeply", "super", "sooo", "soo", "too", "beyond",
		"seriously", "extra", "most", "such", "awfully", "increasingly")
	// customerAgeFollow may follow "I am 82" when 82 is an age: "I am 82
	// years old", "I'm 90 and …"; anything else ("I am 80 minutes late")
	// means the number is not an age.
	customerAgeFollow = setOf("years", "year", "yrs", "yr", "yo", "y", "and", "now", "this", "next", "but",
		"with", "so", "already", "myself", "today", "soon", "or", "miaka", "na")
	// customerAgeHaveSw say whose the years are in Kiswahili: "nina
	// miaka 82" (I have), "ana" (she or he has), "nimefikisha" (I have
	// reached), "mwenye" (having).
	customerAgeHaveSw = setOf("nina", "ninayo", "ana", "anayo", "tuna", "mwenye", "nimefikisha", "amefikisha",
		"nimetimiza", "ametimiza", "nimefika", "amefika")
	// customerAgeOfSw may precede "wa miaka 80": "umri wa miaka 80" (an
	// age of 80 years), "mzee wa miaka 80" (an elder of 80).
	customerAgeOfSw = setOf("umri", "mzee", "bibi", "babu", "mama", "baba", "mtu", "mwanamke", "mwanaume")
	// customerAgeSubjects may precede "is 91": the person whose age it is.
	customerAgeSubjects = setOf("he", "she", "husband", "wife", "mother", "father", "mum", "mom", "mam",
		"mama", "dad", "papa", "grandmother", "grandfather", "grandma", "grandpa", "granny", "nan",
		"mother-in-law", "father-in-law", "aunt", "uncle", "neighbour", "neighbor", "parent")
	// customerPastIrregular are past-tense verbs that don't end in -ed, for
	// spotting a story told in the first person ("I went", "we paid").
	customerPastIrregular = words("was", "were", "had", "went", "came", "got", "told", "said", "took", "made",
		"lost", "paid", "sent", "spent", "thought", "felt", "left", "gave", "brought", "saw", "knew",
		"found", "kept", "became", "began", "bought", "broke", "fell", "forgot", "heard", "held",
		"lay", "led", "met", "ran", "rang", "sat", "slept", "sold", "spoke", "stood", "taught", "tore",
		"understood", "woke", "wrote", "couldn't", "didn't", "wasn't", "hadn't", "wouldn't", "could",
		"would", "did", "drove", "ate", "hung", "dealt", "meant", "put", "read", "cried", "tried")
)

func words(w ...string) []string { return w }

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
