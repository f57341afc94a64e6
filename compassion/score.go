package compassion

import (
	"math"
	"strconv"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

const swahiliLongWord = swahili.LongWordSyllables

// Signal is one finding about a reply and the points it adds to (or takes
// from) the compassion score. The score is recomputed by hand as
//
//	clamp(ScoreBase + Σ Effect, 0, 100)
//
// rounded to one decimal, over the reply's signals.
type Signal struct {
	Name     string     `json:"name"`
	Effect   float64    `json:"effect"` // points, one decimal
	Evidence []Evidence `json:"evidence"`
	Detail   string     `json:"detail"`
}

// ScoreBase is the compassion score of a reply in which the engine finds
// nothing to credit or fault: a neutral, correct answer.
const ScoreBase = 50

// The weights of the compassion score, in points. They were set by hand to
// reflect what customer-care research and coaching practice value most
// (acknowledgement before the solution, ownership, a concrete next step; no
// blame), then checked against human labels: the score must rise with the
// EPITOME annotators' empathy levels and be higher on the politeness
// corpus's polite quartile than on its impolite one (see calibrate_test.go).
const (
	wEmotionalReactions = 4   // per empathy level (0..2)
	wInterpretations    = 4   // per level
	wExplorations       = 3   // per level
	wAck                = 6   // acknowledges what the customer said or felt
	wAckFirst           = 3   // … before the solution
	wAckMissing         = -6  // a distressed customer, and no acknowledgement
	wCueMissing         = -3  // per cue the reply does not acknowledge (at most 3)
	wExplore            = 2   // per question about the customer's feelings or situation, at most 2
	wApology            = 5   // a sorry with action behind it
	wHollowApology      = 1   // a sorry with no next step anywhere
	wOwnership          = 3   // per phrase, at most 2
	wBlame              = -8  // per phrase, at most 2
	wAddress            = 2   // speaks to the customer ("you")
	wName               = 4   // uses the customer's name
	wNameMissing        = -2  // a name was given and not used
	wCare               = 2   // per phrase, at most 2
	wHollowCare         = 0.5 // per phrase with no next step
	wDismissive         = -5  // per phrase, at most 3
	wScripted           = -5  // per formula, at most 2
	wWhat               = 4   // says what will happen
	wWho                = 3   // … who does it
	wWhen               = 4   // … and when
	wWhenMissingUrgent  = -5  // an urgent customer and no time given
	wVague              = -2  // per vague word, at most 3
	wConcreteness       = 5   // per rating point above concretenessRef (±4 at most)
	wGrade              = -1  // per grade level over the target (at most 6 levels)
	wLongSentence       = -1  // per long sentence (at most 3)
	wJargon             = -1.5
	wLongWord           = -1 // per very long Kiswahili word (at most 3)
	wPoliteness         = 10 // × (probability − 0.5)
	wSentiment          = 3  // × compound
	strictFactor        = 1.5
	contextFactor       = 1.5 // acknowledgement weighs more for a distressed customer

	// concretenessRef is the typical mean concreteness of a reply's content
	// words: a reply at it gains or loses nothing.
	concretenessRef = 2.6
	// distressed is the customer distress at which acknowledgement matters more.
	distressed = 0.5
)

// scoreInput is what scoreReply weighs.
type scoreInput struct {
	f          *findings
	empathy    empathy.Levels
	politeness float64
	compound   float64
	cust       *CustomerReport
	name       string
	strict     bool
	english    bool // an English reply: the English politeness model applies
}

// maxSignals is how many signals Analyze reserves room for beside the
// report: all of them for nearly every reply (of the EPITOME and VADER
// texts, a few dozen give 16 or 17). scoreReply's appends find room for more.
const maxSignals = 16

// scoreReply turns the findings into signals, appended to sig (pass a
// reused or pre-allocated sig[:0]), and the score they add up to.
func scoreReply(in scoreInput, sig []Signal) (float64, []Signal) {
	f := in.f
	add := func(name string, effect float64, ev []Evidence, detail string) {
		if ev == nil {
			ev = []Evidence{}
		}
		sig = append(sig, Signal{Name: name, Effect: round1(effect), Evidence: ev, Detail: detail})
	}
	capped := func(n int, max int) float64 { return float64(min(n, max)) }
	// Details with numbers in them are written into one buffer, made into
	// one string at the end: one allocation for them all.
	var arena [512]byte
	buf := arena[:0]
	type pending struct{ sig, from, to int }
	var pend [8]pending
	np := 0
	addBuf := func(name string, effect float64, from int) {
		if np < len(pend) {
			pend[np] = pending{len(sig), from, len(buf)}
			np++
			add(name, effect, nil, "")
		} else {
			add(name, effect, nil, string(buf[from:]))
		}
	}

	if l := in.empathy.EmotionalReactions; l > 0 {
		add("empathy_emotional_reactions", wEmotionalReactions*float64(l), nil, levelDetail(&detailER, "expresses warmth or compassion (empathy model level ", l))
	}
	if l := in.empathy.Interpretations; l > 0 {
		add("empathy_interpretations", wInterpretations*float64(l), nil, levelDetail(&detailIP, "shows understanding of what the customer feels or lives (empathy model level ", l))
	}
	if l := in.empathy.Explorations; l > 0 {
		add("empathy_explorations", wExplorations*float64(l), nil, levelDetail(&detailEX, "asks about the customer's feelings or situation (empathy model level ", l))
	}

	heard := 1.0
	needsHearing := in.cust != nil && (in.cust.Distress >= distressed || in.cust.WantsToBeHeard)
	if needsHearing {
		heard = contextFactor
	}
	if len(f.ack) > 0 {
		add("acknowledgement", wAck*heard, f.ack, "reflects what the customer said or felt")
		if f.ackFirst {
			add("acknowledgement_first", wAckFirst*heard, f.ack[:1], "acknowledges before solving")
		}
	} else if needsHearing {
		add("acknowledgement_missing", wAckMissing, nil, "the customer is distressed or wants to be heard, and the reply does not acknowledge it")
	}
	if in.cust != nil {
		missed := 0
		for i := range in.cust.Cues {
			if i < len(f.cueAcked) && !f.cueAcked[i] {
				missed++
			}
		}
		if missed > 0 {
			add("cue_unacknowledged", wCueMissing*capped(missed, 3), nil, strconv.Itoa(missed)+" of the customer's circumstances (age, illness, loss…) not acknowledged")
		}
	}

	if n := len(f.explore); n > 0 {
		add("exploration", wExplore*capped(n, 2), f.explore, "asks about the customer's feelings or situation")
	}
	switch {
	case len(f.apology) > 0 && f.next.What:
		add("apology", wApology, f.apology, "says sorry, with an action behind it")
	case len(f.apology) > 0:
		add("apology_hollow", wHollowApology, f.apology, "says sorry but promises no action: it counts for little")
	}
	if n := len(f.ownership); n > 0 {
		add("ownership", wOwnership*capped(n, 2), f.ownership, "owns the problem or the next step")
	}
	if n := len(f.blame); n > 0 {
		add("blame", wBlame*capped(n, 2), f.blame, "blames the customer or deflects responsibility")
	}
	if len(f.you) > 0 {
		add("personal_address", wAddress, f.you[:min(len(f.you), 3)], "speaks to the customer directly")
	}
	if in.name != "" {
		if len(f.name) > 0 {
			add("name", wName, f.name, "uses the customer's name")
		} else {
			add("name_missing", wNameMissing, nil, "does not use the customer's name ("+in.name+")")
		}
	}
	if n := len(f.care); n > 0 {
		if f.next.What {
			add("care", wCare*capped(n, 2), f.care, "says the customer matters")
		} else {
			add("care_hollow", wHollowCare*capped(n, 2), f.care, "care words with no action behind them count for little")
		}
	}
	if n := len(f.dismissive); n > 0 {
		add("dismissive", wDismissive*capped(n, 3), f.dismissive, "dismisses or minimises the customer's concern")
	}
	if n := len(f.scripted); n > 0 {
		add("scripted", wScripted*capped(n, 2), f.scripted, "scripted formula that sounds hollow")
	}

	if f.next.What {
		add("next_step_what", wWhat, f.next.WhatEvidence, "says what will happen")
	}
	if f.next.Who {
		add("next_step_who", wWho, f.next.WhoEvidence, "says who will do it")
	}
	urgent := in.cust != nil && in.cust.Urgency == UrgencyHigh
	if f.next.When {
		add("next_step_when", wWhen, f.next.WhenEvidence, "says when")
	} else if urgent {
		add("next_step_when_missing", wWhenMissingUrgent, nil, "the matter is urgent and the reply gives no time")
	}
	if n := len(f.vague); n > 0 {
		ev := make([]Evidence, len(f.vague))
		for i, v := range f.vague {
			ev[i] = v.Evidence
		}
		add("vague", wVague*capped(n, 3), ev, "vague words where a day, a name or an action would reassure")
	}
	if f.rated > 0 {
		e := math.Max(-4, math.Min(4, wConcreteness*(round2(f.concreteness)-concretenessRef)))
		from := len(buf)
		buf = append(buf, "mean concreteness "...)
		buf = appendFixed(buf, round2(f.concreteness), 2)
		buf = append(buf, " of "...)
		buf = strconv.AppendInt(buf, int64(f.rated), 10)
		buf = append(buf, " rated words (typical reply "...)
		buf = appendFixed(buf, concretenessRef, 1)
		buf = append(buf, ")"...)
		addBuf("concreteness", e, from)
	}

	factor := 1.0
	if in.strict {
		factor = strictFactor
	}
	if over := f.plain.Grade - f.plain.TargetGrade; over > 0 {
		from := len(buf)
		buf = append(buf, "reading grade "...)
		buf = appendFixed(buf, f.plain.Grade, 1)
		buf = append(buf, " is over the target of "...)
		buf = appendFixed(buf, f.plain.TargetGrade, 0)
		addBuf("reading_grade", wGrade*math.Min(over, 6)*factor, from)
	}
	if n := len(f.plain.LongSentences); n > 0 {
		add("long_sentences", wLongSentence*capped(n, 3)*factor, f.plain.LongSentences, "sentences longer than "+strconv.Itoa(f.plain.MaxSentenceWords)+" words")
	}
	if n := len(f.plain.LongWords); n > 0 {
		add("long_words", wLongWord*capped(n, 3)*factor, f.plain.LongWords, "very long Kiswahili words ("+strconv.Itoa(swahiliLongWord)+" syllables or more)")
	}
	if n := len(f.jargon); n > 0 {
		ev := make([]Evidence, len(f.jargon))
		for i, j := range f.jargon {
			ev[i] = j.Evidence
		}
		add("jargon", wJargon*capped(n, 3)*factor, ev, "official or technical words with plainer alternatives")
	}

	if in.english {
		from := len(buf)
		buf = append(buf, "politeness model probability "...)
		buf = appendFixed(buf, round2(in.politeness), 2)
		addBuf("politeness", wPoliteness*(round2(in.politeness)-0.5), from)
	}
	if c := round2(in.compound); c != 0 {
		from := len(buf)
		buf = append(buf, "tone of the reply (compound "...)
		buf = appendFixed(buf, c, 2)
		buf = append(buf, ")"...)
		addBuf("sentiment", wSentiment*c, from)
	}
	if np > 0 {
		details := string(buf)
		for _, p := range pend[:np] {
			sig[p.sig].Detail = details[p.from:p.to]
		}
	}

	total := float64(ScoreBase)
	for _, s := range sig {
		total += s.Effect
	}
	return round1(math.Max(0, math.Min(100, total))), sig
}

// The empathy signals' details by level, built once.
var detailER, detailIP, detailEX = levelDetails("expresses warmth or compassion (empathy model level "),
	levelDetails("shows understanding of what the customer feels or lives (empathy model level "),
	levelDetails("asks about the customer's feelings or situation (empathy model level ")

func levelDetails(prefix string) (d [3]string) {
	for i := range d {
		d[i] = prefix + strconv.Itoa(i) + " of 2)"
	}
	return d
}

// levelDetail returns prefix + level + " of 2)", from cache when it can.
func levelDetail(cache *[3]string, prefix string, l empathy.Level) string {
	if l < 0 || int(l) >= len(cache) {
		return prefix + strconv.Itoa(int(l)) + " of 2)"
	}
	return cache[l]
}

// appendFixed writes x with exactly d decimals (d <= 4), the bytes
// strconv.AppendFloat(dst, x, 'f', d, 64) writes. For a number already
// rounded to d decimals, as every detail's number is, those bytes are the
// integer k = x·10^d with a decimal point put in, which is several times
// cheaper to write; anything else goes to strconv.
func appendFixed(dst []byte, x float64, d int) []byte {
	p := pow10[d]
	k := math.Round(x * p)
	if k/p != x || math.Abs(k) >= 1<<53 || k == 0 && math.Signbit(x) {
		return strconv.AppendFloat(dst, x, 'f', d, 64)
	}
	n := int64(k)
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	q := int64(p)
	dst = strconv.AppendInt(dst, n/q, 10)
	if d > 0 {
		dst = append(dst, '.')
		for q /= 10; q > 0; q /= 10 {
			dst = append(dst, byte('0'+n/q%10))
		}
	}
	return dst
}
