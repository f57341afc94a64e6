package swahili

import (
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion/internal/wordtab"
)

// Languages a text is reported in.
const (
	English = "en"
	Swahili = "sw"
	Mixed   = "mixed" // English and Kiswahili in one text, as people write in Kenya
)

// class is what a word says about a text's language.
type class uint8

const (
	classNone class = iota
	classSw
	classEn
)

// swahiliWords are common Kiswahili and Sheng words: function words, time,
// greetings and the everyday words of a front office. Only words that are
// not also English words are listed ("a", "me", "to" are not).
const swahiliWords = `na ya wa la za kwa ni si katika kwenye hii huu hiyo hizi hayo hao huyu yule ile hapa huko kule
sasa leo kesho jana juzi keshokutwa bado tena pia tu sana kabisa lakini ila ama kama kwamba ili ingawa sababu kwani
je nini gani nani wapi lini vipi namna mimi wewe yeye sisi ninyi nyinyi wao yangu yako yake yetu yenu yao wangu wako
wake wetu wenu langu lako lake letu lenu lao changu chako chake kwangu kwako kwake zangu zako zake ndiyo ndio hapana
hakuna kuna kulikuwa yupo upo nipo tupo wapo yuko uko niko tuko ndani nje juu chini karibu mbali baada kabla kati
mpaka hadi tangu bila pamoja asante asanteni shukrani pole samahani habari mambo poa sawa safi vizuri nzuri mbaya
kubwa ndogo kidogo wengi wote yote zote kila moja mbili tatu nne tano sita saba nane tisa kumi ishirini saa siku wiki
mwezi mwaka asubuhi mchana jioni usiku alfajiri jumatatu jumanne jumatano alhamisi ijumaa jumamosi jumapili ofisi
simu pesa fomu barua kazi mtu watu mzee wazee bibi babu mama baba dada kaka mtoto watoto rafiki bwana ndugu serikali
tafadhali naomba nataka sitaki sijui najua nimefika karibuni ombi kitambulisho huduma malipo mteja wateja shida
tatizo matatizo jambo mambo kitu vitu hivyo hivi hicho hiki kwenu kwao wenyewe mwenyewe enyewe ati aje manze maze
fiti noma bana msee wasee mbesha ganji ndai niaje sema fala mathe buda ngori doh hii yao hao ndio yaani halafu
kisha basi hata labda lazima kweli uongo nzuri mzuri wazuri vibaya ubaya huzuni furaha hasira uchungu ugonjwa
mgonjwa hospitali dawa daktari msiba amefariki marehemu mkubwa mdogo jina namba nambari ujumbe mpendwa ndugu
nyumbani mjini kijiji shule chuo nauli mshahara deni madeni mkopo lipa kulipa malipo bei ghali rahisi haraka
polepole taratibu subiri ngoja tayari bure mara hiyo wala kila yetu yenyewe mwingine wengine nyingine kingine
mwalimu daktari askari polisi rais wananchi nchi kenya tanzania uganda mungu inshallah mwenyezi`

// englishWords are common English function words and the everyday words of
// a reply: enough to tell English from Kiswahili, not a dictionary.
const englishWords = `the and to of in is it you your yours we our us i my me he she his her they them their this that
these those for on with will would shall should can could be been being are was were am have has had do does did
not no yes please thank thanks sorry what when where who why how which there here from at by as or but if so
about into out up down today tomorrow yesterday morning afternoon evening week day days time again also just now
then than very really all any some one two three four five six seven eight nine ten first next last new old good
bad great help call send sent get got make made know let see tell said told back over after before because only
hi hello dear team sir madam know need want take give come go going went account order refund email message
i'm i'll i've we're we'll we've you're you'll you've it's that's don't can't won't didn't isn't`

var table = sync.OnceValue(func() *wordtab.Table[class] {
	t := new(wordtab.Table[class])
	for _, w := range strings.Fields(englishWords) {
		t.Set(w, classEn)
	}
	for _, w := range strings.Fields(swahiliWords) {
		t.Set(w, classSw)
	}
	return t
})

// verbPrefixes start Kiswahili verbs: a subject (ni-, u-, a-, tu-, m-,
// wa-, i-, ki-…) with a tense (-ta-, -me-, -li-, -na-), a negative (si-,
// ha-, hatu-) or the infinitive ku-. A long word that starts with one and
// ends in a vowel, as nearly every Kiswahili word does, is Kiswahili:
// "nitakupigia", "amefariki", "kuchelewa". English words rarely fit.
var verbPrefixes = []string{
	"nita", "nime", "nili", "nina", "tuta", "tume", "tuli", "tuna", "wata", "wame", "wali", "wana",
	"uta", "ume", "ata", "ame", "ali", "ita", "ime", "ili", "ina", "kita", "kime",
	"mta", "mme", "hatu", "haku", "haki", "hawa", "hai", "sija", "sita", "sina", "siwe",
	"ku", "tafad", "nika", "tuka", "aka", "waka",
}

// verbStarts marks the first two letters of the verb prefixes: most words
// that reach the prefix loop start with neither, and skip it.
var verbStarts = func() (m [26 * 26]bool) {
	for _, p := range verbPrefixes {
		m[int(p[0]-'a')*26+int(p[1]-'a')] = true
	}
	return m
}()

// Class of one lower-cased word: Kiswahili, English, or neither (a name, a
// number, a word both languages share).
func classify(w string) class {
	if c, ok := table().Get(w); ok {
		return c
	}
	if LooksSwahili(w) {
		return classSw
	}
	return classNone
}

// KnownWords calls fn with each word the language tables know, and whether
// it is Kiswahili (else English), so that a caller with a word table of its
// own can carry the class in it and spare a lookup.
func KnownWords(fn func(w string, swahili bool)) {
	for _, w := range strings.Fields(englishWords) {
		fn(w, false)
	}
	for _, w := range strings.Fields(swahiliWords) {
		fn(w, true)
	}
}

// LooksSwahili reports a word the tables don't know that is shaped like a
// Kiswahili verb: long, vowel-final, with a verb's start.
func LooksSwahili(w string) bool {
	n := len(w)
	if n < 6 || !isVowel(w[n-1]) {
		return false
	}
	for i := 0; i < n; i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	if !verbStarts[int(w[0]-'a')*26+int(w[1]-'a')] {
		return false
	}
	for _, p := range verbPrefixes {
		if strings.HasPrefix(w, p) {
			// English words ending in a vowel after these starts are few
			// ("alive", "aware"): a long, vowel-final word with a Bantu
			// verb start and a consonant-vowel rhythm is Kiswahili.
			return cvRhythm(w)
		}
	}
	return false
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// cvRhythm reports a word with no three consonants in a row and no final
// "e" after a consonant cluster, as Kiswahili spells: "nitakujulisha" yes,
// "attempts" no.
func cvRhythm(w string) bool {
	run := 0
	for i := 0; i < len(w); i++ {
		if isVowel(w[i]) {
			run = 0
			continue
		}
		run++
		if run > 2 {
			return false
		}
	}
	return true
}

// Counter tells a text's language from its words, one at a time: the
// engine feeds it the words it reads anyway.
type Counter struct {
	sw, en int
}

// Add counts one lower-cased word.
func (c *Counter) Add(lower string) {
	if cl, ok := table().Get(lower); ok {
		c.AddKnown(cl == classSw, cl == classEn)
	} else {
		c.AddUnknown(lower)
	}
}

// AddUnknown counts a word the tables don't know: a word shaped like a
// Kiswahili verb counts twice, as no English word is ("nimejaribu",
// "tumepokea"); anything else not at all.
func (c *Counter) AddUnknown(lower string) {
	if LooksSwahili(lower) {
		c.sw += 2
	}
}

// AddKnown counts one word whose class the caller looked up itself (see
// KnownWords): Kiswahili, English, or neither.
func (c *Counter) AddKnown(swahili, english bool) {
	switch {
	case swahili:
		c.sw++
	case english:
		c.en++
	}
}

// AddCounts adds words the caller counted itself, as Add would have: sw
// for Kiswahili (two for each verb-shaped word the tables don't know), en
// for English.
func (c *Counter) AddCounts(sw, en int) {
	c.sw += sw
	c.en += en
}

// Counts returns the Kiswahili and English words counted.
func (c *Counter) Counts() (sw, en int) { return c.sw, c.en }

// Language is English, Swahili or Mixed: Kiswahili when at least four words
// in five that tell are Kiswahili, English when at most one in five or only
// one (a
// greeting or a title in an English text, "Pole Mama Wanjiru, I'm sorry",
// is still English), Mixed between. A text with no telling word (a
// number, an emoji, ".") is English, the engine's default.
func (c *Counter) Language() string {
	total := c.sw + c.en
	switch {
	case c.sw == 0 || total == 0:
		return English
	case c.en == 0:
		return Swahili
	case 5*c.sw >= 4*total:
		return Swahili
	case 5*c.sw <= total || c.sw == 1:
		// One Kiswahili word among English ones is a greeting, a
		// title or a word both languages spell alike ("ya").
		return English
	}
	return Mixed
}

// Detect returns the language of a text already split into lower-cased
// words.
func Detect(words []string) string {
	var c Counter
	for _, w := range words {
		c.Add(w)
	}
	return c.Language()
}
