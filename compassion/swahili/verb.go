package swahili

import "strings"

// Verb is what a Kiswahili verb's prefixes say: who acts, when, and
// whether the action is done to "you". "nitakupigia" (I will call you) is
// Self, Future, You; "amefariki" (he has died) is Other, Done.
type Verb struct {
	Self   bool // ni- (I), tu- (we)
	You    bool // the subject is you: u- (you), m- (you all)
	Future bool // -ta-
	Done   bool // -me- (has done) or -li- (did)
	Now    bool // -na- (is doing)
	ToYou  bool // the object is you: -ku- after the tense, -wa- for you all is not told apart
}

// subjects are the subject prefixes, longest first.
var subjects = []struct {
	p         string
	self, you bool
}{
	{"ni", true, false}, {"tu", true, false},
	{"wa", false, false}, {"ki", false, false}, {"vi", false, false}, {"li", false, false},
	{"zi", false, false}, {"ya", false, false}, {"i", false, false}, {"a", false, false},
	{"u", false, true}, {"m", false, true},
}

// notActions are verb stems that think or feel rather than act: "ninaelewa"
// (I understand), "naomba" (I ask) promise nothing.
var notActions = []string{"elewa", "omba", "sikia", "ona", "jua", "penda", "taka", "fikiri", "amini", "sikitika",
	"wa", "wepo", "ja", "kuwa", "kuwepo", "hitaji", "weza", "shukuru", "fahamu", "dhani", "tegemea", "subiri", "chelewa"}

// ParseVerb reads the prefixes of a lower-cased word that may be a
// Kiswahili verb: subject, tense, and a "you" object. It reports false for
// a word that is not one (a noun, an English word, a verb of thinking).
func ParseVerb(w string) (Verb, bool) {
	var v Verb
	if len(w) < 6 || !isVowel(w[len(w)-1]) || !cvRhythm(w) {
		return v, false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return v, false
		}
	}
	rest := ""
	for _, s := range subjects {
		if r, ok := strings.CutPrefix(w, s.p); ok && len(r) >= 4 {
			switch r[:2] {
			case "ta":
				v.Future = true
			case "me", "li":
				v.Done = true
			case "na":
				v.Now = true
			default:
				continue
			}
			v.Self, v.You, rest = s.self, s.you, r[2:]
			break
		}
	}
	if rest == "" {
		return Verb{}, false
	}
	// A relative verb ("nilivyosema", as I said; "tulipokuja", when we
	// came) tells how or when, not what will be done.
	for _, rel := range []string{"vyo", "cho", "poku", "pofika"} {
		if strings.HasPrefix(rest, rel) {
			return Verb{}, false
		}
	}
	if r, ok := strings.CutPrefix(rest, "ku"); ok && len(r) >= 3 {
		v.ToYou, rest = true, r
	} else if strings.HasPrefix(rest, "m") && len(rest) >= 4 && !isVowel(rest[1]) {
		rest = rest[1:] // him or her: "nitampigia"
	}
	for _, s := range notActions {
		if rest == s || (len(s) > 2 && strings.HasPrefix(rest, s)) {
			return Verb{}, false
		}
	}
	if len(rest) < 3 {
		return Verb{}, false
	}
	return v, true
}
