package compassion

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Suggestion is one thing the agent can do to make the reply kinder, in
// plain words, with the words of the reply it is about when there are any.
type Suggestion struct {
	Text     string     `json:"text"`
	Why      string     `json:"why"`
	Evidence []Evidence `json:"evidence,omitempty"` // offsets into the reply
}

// MaxSuggestions is how many suggestions a report gives at most: an agent
// typing a reply can act on three things, not ten.
const MaxSuggestions = 3

// candidate is a suggestion with how much it would help this customer; the
// highest priorities win. The order reflects the harm of leaving each thing
// as it is: a person's circumstances unheard, blame and dismissal first, then
// what leaves them worrying (no time, no next step), then polish.
type candidate struct {
	priority int
	Suggestion
	// later names a part of the suggestion that is written only if the
	// suggestion is kept: most candidates are dropped, and building their
	// strings would be wasted.
	later later
}

// later is a part of a candidate written only once it is kept, at the end
// of suggest.
type later uint8

const (
	laterNone      later = iota
	laterLongText        // Text: the longest sentence and the target
	laterGradeText       // Text: the grade and the target
	laterWhenWhy         // Why: a time lets who plan
	laterWhoWhy          // Why: a named person is someone who can hold to the promise
)

type suggestInput struct {
	f      *findings
	cust   *CustomerReport
	name   string
	strict bool
}

// suggest returns at most MaxSuggestions suggestions, appended to out (nil,
// or an empty slice with room for them).
func suggest(in suggestInput, out []Suggestion) []Suggestion {
	f := in.f
	who, Who := "the customer", "The customer"
	if in.name != "" {
		who, Who = in.name, in.name
	}
	var cbuf [16]candidate
	c := cbuf[:0]
	add := func(p int, text, why string, ev []Evidence) {
		c = append(c, candidate{priority: p, Suggestion: Suggestion{Text: text, Why: why, Evidence: ev}})
	}
	addLater := func(p int, l later, text, why string, ev []Evidence) {
		c = append(c, candidate{priority: p, Suggestion: Suggestion{Text: text, Why: why, Evidence: ev}, later: l})
	}
	needsHearing := in.cust != nil && (in.cust.Distress >= distressed || in.cust.WantsToBeHeard)
	urgent := in.cust != nil && in.cust.Urgency == UrgencyHigh

	if in.cust != nil {
		best := -1
		for i, cue := range in.cust.Cues {
			if i < len(f.cueAcked) && !f.cueAcked[i] && (best < 0 || cueWeight(cue.Kind) > cueWeight(in.cust.Cues[best].Kind)) {
				best = i
			}
		}
		if best >= 0 {
			cue := in.cust.Cues[best]
			why := cue.Care
			if why == "" {
				why = "People who tell us about their circumstances need to know we heard them."
			}
			add(100, Who+" mentioned “"+quote(cue.Text)+"”: acknowledge it before the solution.", why, nil)
		}
	}
	if len(f.blame) > 0 {
		add(95, "Remove “"+f.blame[0].Text+"”: it blames "+who+". Say what you will do instead: “Let me put this right: I'll …”.",
			"Blame makes people defensive; owning the next step rebuilds trust.", f.blame)
	}
	if needsHearing && len(f.ack) == 0 {
		p := 80
		if in.cust.Distress >= distressed {
			p = 92
		}
		adj, feel, quoted := "difficult", "upset", ""
		if len(in.cust.Emotions) > 0 {
			e := in.cust.Emotions[0]
			adj, feel = emotionWords(e.Name)
			if len(e.Evidence) > 0 && !strings.EqualFold(e.Evidence[0].Text, feel) {
				quoted = " (“" + quote(e.Evidence[0].Text) + "”)"
			}
		}
		why := who + " sounds " + feel + quoted + ": people take in a solution once they feel heard."
		if feel == "" {
			why = who + " is telling you what they went through: people take in a solution once they feel heard."
		}
		add(p, "Acknowledge how "+who+" feels before the solution, e.g. “I can hear how "+adj+" this has been.”", upperFirst(why), nil)
	}
	if len(f.dismissive) > 0 {
		phrase := f.dismissive[0].Text
		add(90, "Remove “"+phrase+"”: "+dismissiveAdvice(strings.ToLower(phrase), who)+".",
			"Words that dismiss a worry make people feel talked down to.", f.dismissive)
	}
	switch {
	case len(f.vague) > 0:
		p := 75
		if urgent {
			p = 88
		}
		v := f.vague[0]
		ev := make([]Evidence, len(f.vague))
		for i, x := range f.vague {
			ev[i] = x.Evidence
		}
		add(p, "Be concrete, not “"+v.Text+"”: give "+v.Instead+".", "A day, a name and an action let "+who+" plan and stop worrying.", ev)
	case !f.next.When && f.next.What && urgent:
		add(86, "Say when it will happen: a day and a time.", "The matter is urgent for "+who+"; a time lets them plan.", nil)
	}
	if len(f.scripted) > 0 {
		add(78, "Replace “"+f.scripted[0].Text+"” with your own words: a sorry that names what went wrong.",
			"Scripted formulas sound hollow: people feel processed, not heard.", f.scripted)
	}
	p := f.plain
	if over := p.Grade > p.TargetGrade; over || len(p.LongSentences) > 0 {
		prio, why := 45, "Short sentences and everyday words are easier for everyone."
		if in.strict {
			prio, why = 77, who+" asked for plain language."
		}
		l := laterLongText
		if len(p.LongSentences) == 0 {
			l = laterGradeText
		}
		addLater(prio, l, "", why, p.LongSentences)
	}
	if !f.next.What {
		switch {
		case len(f.apology) > 0:
			add(72, "Back your “"+f.apology[0].Text+"” with an action: say what you will do, and when.", "A sorry with nothing behind it counts for little.", f.apology[:1])
		case len(f.care) > 0:
			add(72, "Back your “"+f.care[0].Text+"” with an action: say what you will do, and when.", "Care words with nothing behind them count for little.", f.care[:1])
		default:
			add(70, "Say what happens next, who does it and when, e.g. “I'll post the form today; it reaches you by Friday.”", "Knowing the next step ends the worry of waiting.", nil)
		}
	} else {
		if !f.next.When && !urgent && len(f.vague) == 0 {
			addLater(65, laterWhenWhy, "Say when: a day or a time.", "", nil)
		}
		if !f.next.Who {
			addLater(62, laterWhoWhy, "Say who will do it: “I will…”, or your colleague's name.", "", nil)
		}
	}
	if needsHearing && len(f.ack) > 0 && !f.ackFirst {
		add(68, "Put your acknowledgement first, before the solution.", "People take in a solution once they feel heard.", f.ack[:1])
	}
	if len(f.jargon) > 0 {
		prio := 55
		if in.strict {
			prio = 76
		}
		j := f.jargon[0]
		ev := make([]Evidence, len(f.jargon))
		for i, x := range f.jargon {
			ev[i] = x.Evidence
		}
		add(prio, "Say “"+j.Instead+"” instead of “"+j.Text+"”.", "Everyday words are understood the first time.", ev)
	}
	if in.name != "" && len(f.name) == 0 {
		add(50, "Greet "+in.name+" by name.", "A name tells a person they are known, not a case number.", nil)
	}

	slices.SortStableFunc(c, func(a, b candidate) int { return b.priority - a.priority })
	if out == nil {
		out = make([]Suggestion, 0, MaxSuggestions)
	}
	for _, x := range c[:min(len(c), MaxSuggestions)] {
		switch p := f.plain; x.later {
		case laterLongText:
			x.Text = "Use shorter sentences: the longest has " + strconv.Itoa(p.LongestSentenceWords) + " words; aim for " + strconv.Itoa(p.MaxSentenceWords) + " or fewer."
		case laterGradeText:
			x.Text = "Use shorter words and sentences: the reply reads at grade " + strconv.FormatFloat(p.Grade, 'f', 1, 64) + "; aim for " + strconv.FormatFloat(p.TargetGrade, 'f', 0, 64) + " or below."
		case laterWhenWhy:
			x.Why = "A time lets " + who + " plan."
		case laterWhoWhy:
			x.Why = "A named person is someone " + who + " can hold to the promise."
		}
		out = append(out, x.Suggestion)
	}
	return out
}

// cueWeight orders the customer's circumstances for the one suggestion
// that names one: a loss or an illness weighs more than an age.
func cueWeight(kind string) int {
	switch kind {
	case "bereavement":
		return 8
	case "illness":
		return 7
	case "disability":
		return 6
	case "financial_hardship":
		return 5
	case "reading_difficulty":
		return 4
	case "phone_difficulty":
		return 3
	case "helper":
		return 2
	}
	return 1
}

// emotionWords returns an adjective for the situation ("worrying") and for
// the person ("worried") for one of EmotionNames.
func emotionWords(name string) (situation, person string) {
	switch name {
	case EmotionAnxiety:
		return "worrying", "worried"
	case EmotionFrustration:
		return "frustrating", "frustrated"
	case EmotionAnger:
		return "frustrating", "angry"
	case EmotionSadness:
		return "hard", "sad"
	case EmotionConfusion:
		return "confusing", "confused"
	}
	return "difficult", ""
}

func dismissiveAdvice(phrase, who string) string {
	switch {
	case strings.Contains(phrase, "calm") || phrase == "relax" || strings.Contains(phrase, "overreact"):
		return "it tells " + who + " their feelings are wrong; try “I can hear how upsetting this is.”"
	case strings.Contains(phrase, "said") || strings.Contains(phrase, "mention") || strings.Contains(phrase, "stated") || strings.Contains(phrase, "explained") || strings.Contains(phrase, "last time"):
		return "explain it again in other words, without pointing out that you already did"
	case strings.Contains(phrase, "big deal") || strings.Contains(phrase, "that bad") || strings.Contains(phrase, "only"):
		return "it makes light of what happened; say what you will do about it"
	}
	return "it makes the task sound trivial; leave it out"
}

// quote shortens s to at most 80 characters on a word boundary.
func quote(s string) string {
	const max = 80
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > max/2 {
		cut = sp
	}
	return s[:cut] + "…"
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
