package compassion

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/internal/text"
	"github.com/kindred-desk/kindred/compassion/sentiment"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// maxCueList is how many cues a report lists at most: a message that lists
// its troubles over and over is heard by its first ones.
const maxCueList = 2 * maxEvidence

// CustomerReport is what the engine reads in a customer's message.
type CustomerReport struct {
	// Language is the message's language: "en", "sw" or "mixed".
	Language        string            `json:"language"`
	Sentiment       CustomerSentiment `json:"sentiment"`
	Emotions        []Emotion         `json:"emotions"` // detected emotions, strongest first; [] not null
	Distress        float64           `json:"distress"` // 0..1, for triage
	Urgency         string            `json:"urgency"`  // UrgencyLow, UrgencyNormal or UrgencyHigh
	UrgencyEvidence []Evidence        `json:"urgency_evidence,omitempty"`
	Cues            []Cue             `json:"cues"`              // vulnerability cues in text order; [] not null
	WantsToBeHeard  bool              `json:"wants_to_be_heard"` // sharing a story or a feeling, not only asking
	HeardEvidence   []Evidence        `json:"heard_evidence,omitempty"`
}

// CustomerSentiment is the message's sentiment: VADER's scores, which read
// English words and emoji, and a three-way Label. For an English message
// the label is VADER's usual reading of the compound (positive from 0.05,
// negative from −0.05); for a Kiswahili or mixed one it is the Kiswahili
// model's (swahili.Default, trained on AfriSenti), which weighs the
// compound among the words.
type CustomerSentiment struct {
	sentiment.Scores
	Label string `json:"label"` // swahili.Positive, Negative or Neutral
}

// Emotion is one emotion and the words that showed it.
type Emotion struct {
	Name     string     `json:"name"`  // one of EmotionNames
	Score    float64    `json:"score"` // 0..1
	Evidence []Evidence `json:"evidence"`
}

// Emotion names.
const (
	EmotionAnger       = "anger"
	EmotionFrustration = "frustration"
	EmotionAnxiety     = "anxiety"
	EmotionSadness     = "sadness"
	EmotionConfusion   = "confusion"
	EmotionGratitude   = "gratitude"
)

// EmotionNames lists every Emotion.Name the engine reports.
var EmotionNames = []string{EmotionAnger, EmotionFrustration, EmotionAnxiety, EmotionSadness, EmotionConfusion, EmotionGratitude}

// Cue is a sign that the person may need extra care, with what it asks of us.
type Cue struct {
	Kind     string `json:"kind"` // one of CueKinds
	Evidence        // the words that showed it
	Care     string `json:"care"` // what it asks of the agent, in plain words
}

// Cue kinds.
const (
	CueAge               = "age"
	CueIllness           = "illness"
	CueDisability        = "disability"
	CueBereavement       = "bereavement"
	CueFinancialHardship = "financial_hardship"
	CueHelper            = "helper" // someone writes or speaks for the customer
	CuePhoneDifficulty   = "phone_difficulty"
	CueReadingDifficulty = "reading_difficulty"
)

// CueKinds lists every Cue.Kind the engine reports.
var CueKinds = []string{CueAge, CueIllness, CueDisability, CueBereavement, CueFinancialHardship, CueHelper, CuePhoneDifficulty, CueReadingDifficulty}

// Urgency levels.
const (
	UrgencyLow    = "low"    // the customer says it can wait, or only says thank you
	UrgencyNormal = "normal" // the default
	UrgencyHigh   = "high"   // a deadline, or a risk of harm or loss
)

// customerScratch is a call's working memory, pooled so that a call
// allocates little beyond its report.
type customerScratch struct {
	model   *swahili.Model // nil: swahili.Default
	toks    []text.Token
	matches []text.Match
	first   []int32     // each word's customerLexicon.first
	class   []wordClass // each word's customerWord.class
	// fullEv is the sentiment evidence before the report's cut to
	// maxListed, for analyzeCustomerInto.
	fullEv []sentiment.Evidence
}

var customerPool = sync.Pool{New: func() any {
	return &customerScratch{toks: make([]text.Token, 0, 256), matches: make([]text.Match, 0, 32)}
}}

// AnalyzeCustomer reads a customer's message: its sentiment, emotions,
// distress, urgency, vulnerability cues, and whether the person wants to be
// heard. Every finding carries the words of the message that produced it.
func AnalyzeCustomer(message string) CustomerReport {
	s := customerPool.Get().(*customerScratch)
	s.toks = text.Tokens(message, s.toks[:0])
	r := analyzeCustomer(message, s.toks, s, nil)
	if cap(s.toks) <= 1<<14 { // don't pin a huge message's buffer in the pool
		customerPool.Put(s)
	}
	return r
}

// AnalyzeCustomerTokens is AnalyzeCustomer for a message already split by
// text.Tokens, so that a caller reading the message for other things too
// tokenises it once. toks must be text.Tokens(message, …).
func AnalyzeCustomerTokens(message string, toks []text.Token) CustomerReport {
	s := customerPool.Get().(*customerScratch)
	r := analyzeCustomer(message, toks, s, nil)
	customerPool.Put(s)
	return r
}

// analyzeCustomerInto is AnalyzeCustomerTokens with the sentiment evidence
// in evBuf's storage when it has room (see sentiment.Analyzer.AnalyzeInto),
// for AppendJSON.
// It also returns the evidence before the report's cut to maxListed: all
// of evBuf's storage that it wrote.
func analyzeCustomerInto(message string, toks []text.Token, evBuf []sentiment.Evidence) (CustomerReport, []sentiment.Evidence) {
	s := customerPool.Get().(*customerScratch)
	r := analyzeCustomer(message, toks, s, evBuf)
	full := s.fullEv
	s.fullEv = nil
	customerPool.Put(s)
	return r, full
}

// SentimentLabelWith is the sentiment label AnalyzeCustomer gives message,
// with Kiswahili model m in place of swahili.Default: it lets kindred eval
// afrisenti judge the engine's labels with models that never saw the
// texts they label.
func SentimentLabelWith(m *swahili.Model, message string) string {
	s := &customerScratch{model: m}
	toks := text.Tokens(message, nil)
	return analyzeCustomer(message, toks, s, nil).Sentiment.Label
}

// customerText is the message being read, with its words.
type customerText struct {
	msg   string
	toks  []text.Token
	class []wordClass // of each token
}

// emotionAcc gathers one emotion's evidence. miss is the product of
// (1 - intensity) over its phrases: the chance that none of them means it.
type emotionAcc struct {
	miss float64
	ev   []Evidence
}

func analyzeCustomer(msg string, toks []text.Token, s *customerScratch, evBuf []sentiment.Evidence) CustomerReport {
	r := CustomerReport{
		Sentiment: CustomerSentiment{Scores: sentiment.Analyzer{}.AnalyzeInto(msg, evBuf)},
		Emotions:  []Emotion{},
		Cues:      []Cue{},
		Urgency:   UrgencyNormal,
	}
	lex := customerLex()
	s.first, s.class = s.first[:0], s.class[:0]
	var lang swahili.Counter
	for _, t := range toks {
		cw, _ := lex.words.Get(t.Lower)
		s.first = append(s.first, cw.first)
		s.class = append(s.class, cw.class)
		// As lang.Add(t.Lower) counts, with the word's one lookup.
		if cw.swahili || cw.english {
			lang.AddKnown(cw.swahili, cw.english)
		} else {
			lang.AddUnknown(t.Lower)
		}
	}
	r.Language = lang.Language()
	c := customerText{msg: msg, toks: toks, class: s.class}
	s.fullEv = r.Sentiment.Evidence
	// The report lists evidence, not every word of a huge message.
	if ev := r.Sentiment.Evidence; len(ev) > maxListed {
		r.Sentiment.Evidence = ev[:maxListed]
	}
	r.Sentiment.Label = sentimentLabel(s.model, r.Language, toks, r.Sentiment.Compound)
	s.matches = lex.phrases.FindFirst(toks, s.first, s.matches[:0])

	var emo [6]emotionAcc
	for i := range emo {
		emo[i].miss = 1
	}
	var (
		crisisMiss  = 1.0 // product of (1 - weight) over crisis phrases
		urgPoints   int
		harm        bool
		lowEv       []Evidence
		heardPoints int // signs that the customer wants to be heard
		feelings    int // feeling markers found
		feelPoints  int // their signs, at most two count
		crisisEv    []Evidence
	)
	for _, m := range s.matches {
		roles := customerLex().roles[m.Label]
		if len(roles) == 0 || roles[0].class == roleIgnore {
			continue
		}
		if c.negated(m.From) {
			continue
		}
		ev := evidenceAt(msg, m.Start, m.End)
		for _, ro := range roles {
			switch ro.class {
			case roleEmotion:
				i := slices.Index(EmotionNames, ro.name)
				emo[i].miss *= 1 - c.intensity(m, ro.weight)
				emo[i].ev = addEv(emo[i].ev, msg, m.Start, m.End)
			case roleCue:
				if len(r.Cues) < maxCueList {
					r.Cues = append(r.Cues, Cue{Kind: ro.name, Evidence: ev, Care: ro.care})
				}
			case roleUrgentHigh:
				urgPoints += 2
				r.UrgencyEvidence = addEv(r.UrgencyEvidence, msg, m.Start, m.End)
			case roleUrgentTime:
				urgPoints++
				r.UrgencyEvidence = addEv(r.UrgencyEvidence, msg, m.Start, m.End)
			case roleUrgentLow:
				lowEv = addEv(lowEv, msg, m.Start, m.End)
			case roleCrisis:
				crisisMiss *= 1 - ro.weight
				crisisEv = addEv(crisisEv, msg, m.Start, m.End)
			case roleHarm:
				crisisMiss *= 1 - ro.weight
				harm = true
				crisisEv = addEv(crisisEv, msg, m.Start, m.End)
				r.UrgencyEvidence = addEv(r.UrgencyEvidence, msg, m.Start, m.End)
			case roleHeard:
				feelPoints += int(math.Round(ro.weight * 2))
				feelings++
				r.HeardEvidence = addEv(r.HeardEvidence, msg, m.Start, m.End)
			}
		}
	}
	c.emoji(&emo)
	r.Cues = c.appendAgeCues(r.Cues)
	if len(r.Cues) > maxCueList {
		r.Cues = r.Cues[:maxCueList]
	}
	slices.SortStableFunc(r.Cues, func(a, b Cue) int { return a.Start - b.Start })
	c.sarcasm(&emo, &r.Sentiment)

	// Emotions: an emotion counts when its combined intensity reaches
	// emotionFloor; a lone weak hint ("what if") is not a badge.
	const emotionFloor = 0.25
	for i, e := range emo {
		if score := 1 - e.miss; score >= emotionFloor {
			r.Emotions = append(r.Emotions, Emotion{Name: EmotionNames[i], Score: round3(score), Evidence: e.ev})
		}
	}
	slices.SortStableFunc(r.Emotions, func(a, b Emotion) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})

	r.Distress = c.distress(r.Sentiment.Compound, &emo, r.Cues, crisisMiss)
	r.Sentiment.Label = feltLabel(r.Sentiment.Label, &emo, r.Cues, crisisMiss)

	// Urgency: a deadline or a risk is two points, time pressure one; two
	// points or any risk of harm make it high. It is low only when nothing
	// presses and the customer says it can wait or only thanks us.
	switch {
	case harm || urgPoints >= 2:
		r.Urgency = UrgencyHigh
	case urgPoints == 0 && len(lowEv) > 0:
		r.Urgency = UrgencyLow
		r.UrgencyEvidence = lowEv
	case urgPoints == 0 && onlyThanks(msg, &emo) && r.Distress < 0.2:
		r.Urgency = UrgencyLow
		r.UrgencyEvidence = emo[5].ev
	}

	// Wants to be heard: two of these signs: feeling words (one or two
	// each, two at most), a crisis phrase (two if a risk of harm), a story
	// told in the first person past tense, a clear negative emotion, a
	// bereavement, a long message with few questions. A short question with
	// no feeling word is a plain request.
	heardPoints += min(feelPoints, 2)
	if len(crisisEv) > 0 {
		heardPoints++
		if harm {
			heardPoints++
		}
		r.HeardEvidence = append(r.HeardEvidence, crisisEv...)
	}
	words := len(toks)
	questions := strings.Count(msg, "?")
	story := c.story()
	if len(story) >= 2 {
		heardPoints++
		r.HeardEvidence = append(r.HeardEvidence, story...)
	}
	var strongest *Emotion
	for i := range r.Emotions {
		if e := &r.Emotions[i]; e.Name != EmotionGratitude && e.Name != EmotionConfusion && e.Score >= 0.4 {
			strongest = e
			break
		}
	}
	if strongest != nil {
		heardPoints++
		r.HeardEvidence = append(r.HeardEvidence, strongest.Evidence[0])
	}
	for _, c := range r.Cues {
		if c.Kind == CueBereavement {
			heardPoints++
			r.HeardEvidence = append(r.HeardEvidence, c.Evidence)
			break
		}
	}
	if words >= 50 && questions <= 1 {
		heardPoints++
	}
	plainRequest := words < 15 && questions > 0 && feelings == 0
	r.WantsToBeHeard = heardPoints >= 2 && !plainRequest
	if !r.WantsToBeHeard {
		r.HeardEvidence = nil
	} else {
		slices.SortFunc(r.HeardEvidence, func(a, b Evidence) int { return a.Start - b.Start })
		r.HeardEvidence = slices.CompactFunc(r.HeardEvidence, func(a, b Evidence) bool { return a.Start == b.Start })
		r.HeardEvidence = r.HeardEvidence[:min(len(r.HeardEvidence), maxEvidence)]
	}
	return r
}

// Distress is a noisy-or of independent signs of distress: each sign i has a
// strength p_i in 0..1, and distress = 1 - Π(1 - p_i), the chance that at
// least one sign is real if each were an independent witness. It grows with
// every sign, never passes 1, and no single mild sign dominates. The signs:
//
//   - negative sentiment: 0.5 × max(0, -VADER compound);
//   - each negative emotion (anger, frustration, anxiety, sadness): 0.6 × its
//     score; confusion 0.25 × its score;
//   - each cue kind once, by how much it weighs on a person: bereavement 0.35,
//     financial hardship 0.3, illness 0.2, disability 0.1, age, phone and
//     reading difficulty 0.05 (these call for care more than they show
//     distress), a helper 0;
//   - crisis phrases at their lexicon weight ("I can't cope" 0.7);
//   - loudness: exclamation marks past the first (0.05 each, up to 0.15) and
//     a shouted message (mostly capitals) 0.1.
func (c customerText) distress(compound float64, emo *[6]emotionAcc, cues []Cue, crisisMiss float64) float64 {
	miss := crisisMiss
	if compound < 0 {
		miss *= 1 - 0.5*(-compound)
	}
	for i, name := range EmotionNames {
		p := 1 - emo[i].miss
		switch name {
		case EmotionGratitude:
			continue
		case EmotionConfusion:
			p *= 0.25
		default:
			p *= 0.6
		}
		miss *= 1 - p
	}
	var seen [8]bool
	for _, cue := range cues {
		k := slices.Index(CueKinds, cue.Kind)
		if seen[k] {
			continue
		}
		seen[k] = true
		miss *= 1 - cueDistress[k]
	}
	loud := 0.05 * float64(min(3, max(0, strings.Count(c.msg, "!")-1)))
	if c.shouted() {
		loud += 0.1
	}
	miss *= 1 - loud
	return round3(clampUnit(1 - miss))
}

// cueDistress is how much each cue kind (in CueKinds order) adds to distress.
var cueDistress = [8]float64{0.05, 0.2, 0.1, 0.35, 0.3, 0, 0.05, 0.05}

// shouted reports a message of at least three words written mostly in
// capitals.
func (c customerText) shouted() bool {
	toks := c.toks
	var words, caps int
	for _, t := range toks {
		w := t.Text(c.msg)
		if len(w) < 2 || w == t.Lower || allDigits(t.Lower) {
			if len(w) >= 2 && !allDigits(t.Lower) {
				words++
			}
			continue
		}
		words++
		if allCapitals(w) {
			caps++
		}
	}
	return words >= 3 && caps*2 > words
}

// negated reports whether the phrase starting at token from follows a
// negator within three words in the same clause ("I'm not angry", "I don't
// have diabetes"), unless a word like "believe" or "just" sits between
// ("I can't believe how angry I am").
func (c customerText) negated(from int) bool {
	toks := c.toks
	for j := from - 1; j >= 0 && j >= from-3; j-- {
		if c.clauseBreak(toks[j].End, toks[j+1].Start) {
			return false
		}
		if c.class[j]&classNegationStop != 0 {
			return false
		}
		if c.class[j]&classNegator != 0 || strings.HasSuffix(toks[j].Lower, "n't") {
			return true
		}
	}
	return false
}

// clauseBreak reports punctuation between two words that ends a clause.
func (c customerText) clauseBreak(from, to int32) bool {
	for i := from; i < to; i++ {
		switch c.msg[i] {
		case '.', ',', ';', ':', '!', '?', '\n', '(', ')':
			return true
		}
	}
	return false
}

// intensity is a phrase's weight strengthened by boosters just before it
// ("so worried"), by capitals ("ANGRY"), by exclamation marks closing its
// sentence, and by Swahili "sana" after it.
func (c customerText) intensity(m text.Match, w float64) float64 {
	msg, toks := c.msg, c.toks
	boost := 0
	for j := m.From - 1; j >= 0 && j >= m.From-2; j-- {
		if c.clauseBreak(toks[j].End, toks[j+1].Start) || c.class[j]&classBooster == 0 {
			break
		}
		boost++
	}
	if m.To < len(toks) && toks[m.To].Lower == "sana" && !c.clauseBreak(toks[m.To-1].End, toks[m.To].Start) {
		boost++
	}
	w += 0.15 * float64(boost)
	if span := msg[m.Start:m.End]; len(span) >= 3 && allCapitals(span) {
		w += 0.15
	}
	// The punctuation that closes the phrase's sentence.
	for i := m.End; i < len(msg); i++ {
		if c := msg[i]; c == '.' || c == '?' || c == '\n' {
			break
		} else if c == '!' {
			w += 0.1
			if i+1 < len(msg) && msg[i+1] == '!' {
				w += 0.1
			}
			break
		}
	}
	return min(w, 0.98) // keep every phrase short of certainty
}

// onlyThanks reports a message that thanks and shows nothing else: no other
// emotion and no question.
func onlyThanks(msg string, emo *[6]emotionAcc) bool {
	if emo[5].miss == 1 || strings.Contains(msg, "?") {
		return false
	}
	for i := range 5 {
		if emo[i].miss < 1 {
			return false
		}
	}
	return true
}

// appendAgeCues finds ages given in numbers: "I am 82", "I'm 78 years old",
// "aged 80", "my mother is 91", "a 79-year-old", "in my 80s". An age counts
// from 65. "I waited 80 minutes" and "my order is 82 items" are not ages:
// after "I am N" only words like "years" or "and" may follow in the clause.
func (c customerText) appendAgeCues(cues []Cue) []Cue {
	msg, toks := c.msg, c.toks
	care := ageCare()
	for i, t := range toks {
		if t.Lower[0] < '0' || t.Lower[0] > '9' {
			continue
		}
		n, rest := splitLeadingNumber(t.Lower)
		start, end := int32(-1), t.End
		linked := func(a, b int) bool { // tokens a and b in one clause
			return a >= 0 && b < len(toks) && !c.clauseBreak(toks[a].End, toks[b].Start)
		}
		prev := func(k int) string {
			if i-k < 0 || !linked(i-k, i-k+1) {
				return ""
			}
			return toks[i-k].Lower
		}
		next := func(k int) string {
			if i+k >= len(toks) || !linked(i+k-1, i+k) {
				return ""
			}
			return toks[i+k].Lower
		}
		switch {
		case rest == "-year-old" || rest == "-years-old" || rest == "yo" || rest == "yrs" || rest == "y":
			start = t.Start
		case rest == "s" && n >= 70 && n <= 110 && n%10 == 0 && prev(1) != "" && (prev(2) == "in" || prev(2) == "into") &&
			(prev(1) == "my" || prev(1) == "her" || prev(1) == "his" || prev(1) == "their" || prev(1) == "late"):
			start = toks[i-2].Start
		case rest != "":
			continue
		case (next(1) == "years" || next(1) == "year" || next(1) == "yrs") && next(2) == "old":
			start, end = t.Start, toks[i+2].End
			if j := subjectStart(toks, i, prev); j >= 0 {
				start = toks[j].Start
			}
		case prev(1) == "miaka" && prev(2) != "":
			// Kiswahili says the years before the number: "nina miaka
			// 82" (I have 82 years), "mama ana miaka 90", "umri wangu ni
			// miaka 78", "mzee wa miaka 80". Not "kwa miaka 70" (for 70
			// years), nor "ni miaka 70 tangu…" (it is 70 years since).
			switch p2 := prev(2); {
			case customerAgeHaveSw[p2]:
				start = toks[i-2].Start
			case p2 == "wa" && customerAgeOfSw[prev(3)]:
				start = toks[i-3].Start
			case p2 == "ni" && prev(3) != "" && prev(4) == "umri":
				start = toks[i-4].Start
			default:
				continue
			}
		case prev(1) == "aged" || prev(1) == "age" || prev(1) == "umri" || (prev(1) == "of" && prev(2) == "age"):
			start = toks[i-1].Start
			if prev(1) == "of" {
				start = toks[i-2].Start
			}
		default:
			j := subjectStart(toks, i, prev)
			if j < 0 {
				continue
			}
			if f := next(1); f != "" && !customerAgeFollow[f] {
				continue // "I am 80 minutes late"
			}
			start = toks[j].Start
			if f := next(1); f == "years" || f == "year" || f == "yrs" || f == "yo" {
				end = toks[i+1].End
			}
		}
		if n < 65 || n > 120 || start < 0 {
			continue
		}
		cues = append(cues, Cue{Kind: CueAge, Evidence: evidenceAt(msg, int(start), int(end)), Care: care})
	}
	return cues
}

// subjectStart returns the index of the token that starts "I am", "I'm",
// "she is", "my mother is", "I turn(ed)", "turning" before the number at i,
// or -1.
func subjectStart(toks []text.Token, i int, prev func(int) string) int {
	switch p1 := prev(1); p1 {
	case "i'm", "im", "he's", "she's", "turning", "turned", "turn":
		return i - 1
	case "am":
		if prev(2) == "i" {
			return i - 2
		}
	case "is", "was":
		if customerAgeSubjects[prev(2)] {
			if prev(3) == "my" || prev(3) == "our" {
				return i - 3
			}
			return i - 2
		}
	case "be":
		if p2 := prev(2); p2 == "will" || p2 == "i'll" {
			return i - 2
		}
	}
	return -1
}

// ageCare is the care hint of an age cue, from the lexicon's [age] section.
var ageCare = sync.OnceValue(func() string {
	for _, rs := range customerLex().roles {
		for _, r := range rs {
			if r.class == roleCue && r.name == CueAge {
				return r.care
			}
		}
	}
	return ""
})

// leadingNumber splits "80-year-old" into 80 and "-year-old". Numbers of
// more than three digits are returned as 0.
func splitLeadingNumber(w string) (int, string) {
	n, i := 0, 0
	for ; i < len(w) && '0' <= w[i] && w[i] <= '9'; i++ {
		if i == 3 {
			return 0, ""
		}
		n = n*10 + int(w[i]-'0')
	}
	return n, w[i:]
}

// storyEvidence returns the "I went", "we were told" spans of a story told
// in the first person past tense.
func (c customerText) story() []Evidence {
	msg, toks := c.msg, c.toks
	var out []Evidence
	for i := 0; i+1 < len(toks); i++ {
		if w := toks[i].Lower; w != "i" && w != "we" && w != "i've" && w != "we've" && w != "i'd" {
			continue
		}
		if c.clauseBreak(toks[i].End, toks[i+1].Start) {
			continue
		}
		v := toks[i+1].Lower
		if c.class[i+1]&classPastIrregular != 0 || (len(v) > 4 && strings.HasSuffix(v, "ed")) || v == "been" || v == "have" && i+2 < len(toks) && toks[i+2].Lower == "been" {
			out = append(out, evidenceAt(msg, int(toks[i].Start), int(toks[i+1].End)))
			if len(out) == 4 {
				break
			}
		}
	}
	return out
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// isUpperWord reports text with ASCII letters all in capitals and at least
// two of them.
func allCapitals(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			return false
		case 'A' <= c && c <= 'Z':
			n++
		}
	}
	return n >= 2
}

func clampUnit(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// sentimentLabel is the three-way sentiment of a message: VADER's compound
// for English, the Kiswahili model otherwise.
func sentimentLabel(m *swahili.Model, lang string, toks []text.Token, compound float64) string {
	if lang == swahili.English {
		switch {
		case compound >= 0.05:
			return swahili.Positive
		case compound <= -0.05:
			return swahili.Negative
		}
		return swahili.Neutral
	}
	if m == nil {
		m = swahili.Default()
	}
	sc := m.Scorer()
	for _, t := range toks {
		sc.Add(t.Lower)
	}
	label, _ := sc.Result(compound)
	return label
}

// feltLabel corrects a neutral sentiment label with what the lexicons
// found: the sentiment models read words' tone, and "my husband died" or
// "nimelazwa hospitalini" has no harsh word in it. A clear negative
// emotion, a crisis phrase, a loss or an illness make it negative; thanks
// with nothing negative beside it, positive. A label the model gave with
// a side is left alone.
func feltLabel(label string, emo *[6]emotionAcc, cues []Cue, crisisMiss float64) string {
	if label != swahili.Neutral {
		return label
	}
	for i := range 4 { // anger, frustration, anxiety, sadness
		if 1-emo[i].miss >= 0.5 {
			return swahili.Negative
		}
	}
	if crisisMiss < 1 {
		return swahili.Negative
	}
	for _, c := range cues {
		switch c.Kind {
		case CueBereavement, CueIllness, CueFinancialHardship:
			return swahili.Negative
		}
	}
	if 1-emo[5].miss >= 0.5 {
		return swahili.Positive
	}
	return label
}

// sarcasm turns a thank-you into frustration when the message is sarcastic:
// "Great, another 3 hour delay… Thanks". The signs: a sentence that opens
// with praise and goes on to "another" ("Great, another…", "Oh great"),
// "just great", "yeah right", or thanks in a message whose other emotions
// are all anger or frustration. Its gratitude goes, the praise counts as
// frustration and a positive label turns negative.
func (c customerText) sarcasm(emo *[6]emotionAcc, s *CustomerSentiment) {
	toks := c.toks
	from, to := -1, -1 // the sarcastic words
	for i := 0; i+1 < len(toks) && from < 0; i++ {
		w, next := toks[i].Lower, toks[i+1].Lower
		praise, nextPraise := c.class[i]&classPraise != 0, c.class[i+1]&classPraise != 0
		opens := i == 0 || c.clauseBreak(toks[i-1].End, toks[i].Start)
		switch {
		case praise && opens && next == "another":
			from, to = i, i+2
		case praise && opens && next == "just" && i+2 < len(toks) && toks[i+2].Lower == "another":
			from, to = i, i+3
		case w == "oh" && nextPraise, w == "just" && nextPraise, w == "yeah" && next == "right":
			from, to = i, i+2
		}
	}
	grateful := emo[5].miss < 1
	// Thanks beside anger or frustration and nothing else: "thanks for the
	// worst service ever".
	bitter := grateful && (emo[0].miss < 1 || emo[1].miss < 1) && emo[2].miss == 1 && emo[3].miss == 1
	if from < 0 && !bitter {
		return
	}
	emo[5] = emotionAcc{miss: 1}
	if from >= 0 {
		emo[1].miss *= 1 - 0.6
		emo[1].ev = addEv(emo[1].ev, c.msg, int(toks[from].Start), int(toks[to-1].End))
	}
	if s.Label == swahili.Positive {
		s.Label = swahili.Negative
	}
}

// sarcasticPraise are the words of praise that open a sarcastic sentence.
var sarcasticPraise = words("great", "fantastic", "brilliant", "wonderful", "lovely", "perfect", "awesome", "amazing", "nice", "super")

// angryEmoji are the emoji of anger and exasperation, by emotion (0 anger,
// 1 frustration). The tokenizer keeps words only, so they are looked for in
// the message's bytes, and only when it has a four-byte character at all.
var angryEmoji = map[rune]struct {
	emotion int
	weight  float64
}{
	'😡': {0, 0.8}, '😠': {0, 0.7}, '🤬': {0, 0.9}, '💢': {0, 0.6}, '👿': {0, 0.6},
	'🙄': {1, 0.6}, '😒': {1, 0.5}, '😤': {1, 0.7}, '😑': {1, 0.4}, '🤦': {1, 0.6},
}

// emoji adds the anger and exasperation of angryEmoji to emo.
func (c customerText) emoji(emo *[6]emotionAcc) {
	msg := c.msg
	at := strings.IndexByte(msg, 0xF0)
	for at >= 0 && at < len(msg) {
		r, size := utf8.DecodeRuneInString(msg[at:])
		if e, ok := angryEmoji[r]; ok {
			emo[e.emotion].miss *= 1 - e.weight
			emo[e.emotion].ev = addEv(emo[e.emotion].ev, msg, at, at+size)
		}
		next := strings.IndexByte(msg[at+size:], 0xF0)
		if next < 0 {
			break
		}
		at += size + next
	}
}
