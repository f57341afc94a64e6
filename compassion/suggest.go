package compassion

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/swahili"
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
	laterWhenWhy         // Text and Why: say when the reply's action happens
	laterWhoWhy          // Text and Why: say who does the reply's action
)

type suggestInput struct {
	f       *findings
	cust    *CustomerReport
	name    string
	strict  bool
	channel string // Input.Channel
	reply   string
	sw      bool // write the suggestions in Kiswahili
}

// channelLimit is the most characters a reply may have on a channel; 0 is
// no limit.
func channelLimit(channel string) int {
	switch channel {
	case ChannelSMS:
		return 160
	case ChannelPost:
		return 280
	}
	return 0
}

// suggest returns at most MaxSuggestions suggestions, appended to out (nil,
// or an empty slice with room for them).
func suggest(in suggestInput, out []Suggestion) []Suggestion {
	f := in.f
	sw := in.sw
	who, Who := "the customer", "The customer"
	if sw {
		who, Who = "mteja", "Mteja"
	}
	if in.name != "" {
		who, Who = in.name, in.name
	}
	// t picks the console's language.
	t := func(en, kisw string) string {
		if sw {
			return kisw
		}
		return en
	}
	limit := channelLimit(in.channel)
	room := -1 // characters left on the channel; -1: no limit
	if limit > 0 {
		room = limit - utf8.RuneCountInString(in.reply)
	}
	// say picks the language of the reply being written, for the words an
	// example offers to put in it: an officer whose console is in English
	// and who answers in Kiswahili is offered Kiswahili words, and the
	// other way round. A reply of both languages takes the console's.
	say := func(en, kisw string) string {
		switch f.lang {
		case swahili.Swahili:
			return kisw
		case swahili.English:
			return en
		}
		return t(en, kisw)
	}
	// example returns the longest of the examples that still fits the
	// channel, or "" when none does.
	example := func(examples ...string) string {
		for _, e := range examples {
			if room < 0 || utf8.RuneCountInString(e)+1 <= room {
				return e
			}
		}
		return ""
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
			if sw {
				why = cueCareSw(cue.Kind)
			}
			add(100, Who+t(" mentioned “", " amesema “")+quote(cue.Text)+t("”: acknowledge it before the solution.", "”: kitaje kabla ya suluhisho."), why, nil)
		}
	}
	if len(f.blame) > 0 {
		add(95, t("Remove “"+f.blame[0].Text+"”: it blames "+who+". Say what you will do instead: “Let me put this right: I'll …”.",
			"Ondoa “"+f.blame[0].Text+"”: inamlaumu "+who+". Sema utakachofanya: “Nitarekebisha hili: nita…”."),
			t("Blame makes people defensive; owning the next step rebuilds trust.", "Lawama humfanya mtu ajitetee; kuchukua hatua hujenga imani."), f.blame)
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
		var text string
		switch {
		case sw:
			why = upperFirst(who) + " ameeleza hisia zake" + quoted + ": mtu hupokea suluhisho akihisi amesikilizwa."
			text = "Onyesha umeelewa hisia za " + who + " kabla ya suluhisho"
			if e := example(say("I can hear how "+adj+" this has been.", "Pole sana, naelewa jinsi hili "+hardSw(in.cust)+"."), say("I hear you.", "Pole sana.")); e != "" {
				text += ", kwa mfano “" + e + "”"
			} else {
				text += "."
			}
		case room < 0:
			// No limit: one string, as most replies need.
			text = "Acknowledge how " + who + " feels before the solution, e.g. “" + say("I can hear how "+adj+" this has been.", "Pole sana, naelewa jinsi hili "+hardSw(in.cust)+".") + "”"
		default:
			text = "Acknowledge how " + who + " feels before the solution"
			if e := example(say("I can hear how "+adj+" this has been.", "Pole sana, naelewa jinsi hili "+hardSw(in.cust)+"."), say("I hear you.", "Pole sana.")); e != "" {
				text += ", e.g. “" + e + "”"
			} else {
				text += "."
			}
		}
		add(p, text, upperFirst(why), nil)
	}
	if len(f.dismissive) > 0 {
		phrase := f.dismissive[0].Text
		add(90, t("Remove “"+phrase+"”: "+dismissiveAdvice(strings.ToLower(phrase), who)+".",
			"Ondoa “"+phrase+"”: "+dismissiveAdviceSw(strings.ToLower(phrase), who)+"."),
			t("Words that dismiss a worry make people feel talked down to.", "Maneno yanayopuuza wasiwasi humfanya mtu ahisi anadharauliwa."), f.dismissive)
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
		add(p, t("Be concrete, not “"+v.Text+"”: give "+v.Instead+".", "Kuwa wazi, si “"+v.Text+"”: taja "+v.Instead+"."),
			t("A day, a name and an action let "+who+" plan and stop worrying.", "Siku, jina na kitendo humsaidia "+who+" kupanga na kuacha kuwa na wasiwasi."), ev)
	case !f.next.When && f.next.What && urgent:
		add(86, t("Say when it will happen: a day and a time.", "Sema lini: siku na saa."), t("The matter is urgent for "+who+"; a time lets them plan.", "Jambo hili ni la haraka kwa "+who+"; saa humsaidia kupanga."), nil)
	}
	if len(f.scripted) > 0 {
		add(78, t("Replace “"+f.scripted[0].Text+"” with your own words: a sorry that names what went wrong.",
			"Badilisha “"+f.scripted[0].Text+"” kwa maneno yako: samahani inayotaja kilichoharibika."),
			t("Scripted formulas sound hollow: people feel processed, not heard.", "Maneno ya kukariri hayana uzito: mtu huhisi amepuuzwa, si amesikilizwa."), f.scripted)
	}
	p := f.plain
	if over := p.Grade > p.TargetGrade; over || len(p.LongSentences) > 0 {
		prio, why := 45, t("Short sentences and everyday words are easier for everyone.", "Sentensi fupi na maneno ya kawaida ni rahisi kwa kila mtu.")
		if in.strict {
			prio, why = 77, t(who+" asked for plain language.", upperFirst(who)+" aliomba lugha rahisi.")
		}
		l := laterLongText
		if len(p.LongSentences) == 0 {
			l = laterGradeText
		}
		addLater(prio, l, "", why, p.LongSentences)
	}
	if limit > 0 && room < 0 {
		over := -room
		add(96, t("Shorten the reply to "+strconv.Itoa(limit)+" characters: it has "+strconv.Itoa(limit+over)+" and the "+channelName(in.channel, false)+" would cut it.",
			"Fupisha jibu hadi herufi "+strconv.Itoa(limit)+": lina "+strconv.Itoa(limit+over)+" na "+channelName(in.channel, true)+" itakata."),
			t("A cut message loses its last words, often the next step.", "Ujumbe uliokatwa hupoteza maneno ya mwisho, mara nyingi hatua inayofuata."), nil)
	}
	if !f.next.What {
		switch {
		case len(f.apology) > 0:
			add(72, t("Back your “"+f.apology[0].Text+"” with an action: say what you will do, and when.", "Ongeza kitendo kwenye “"+f.apology[0].Text+"”: sema utakachofanya, na lini."),
				t("A sorry with nothing behind it counts for little.", "Samahani bila kitendo ina uzito mdogo."), f.apology[:1])
		case len(f.care) > 0:
			add(72, t("Back your “"+f.care[0].Text+"” with an action: say what you will do, and when.", "Ongeza kitendo kwenye “"+f.care[0].Text+"”: sema utakachofanya, na lini."),
				t("Care words with nothing behind them count for little.", "Maneno ya kujali bila kitendo yana uzito mdogo."), f.care[:1])
		case f.asks > 0:
			// The reply asks the customer to act ("Please DM us your
			// email") and promises nothing in return.
			ask := quote(f.firstAsk.Text)
			var text, why string
			if sw {
				text = "Unamwomba " + who + " “" + ask + "”: sema utakachofanya akishafanya hivyo, na lini"
				why = "Mtu akiombwa kitu bila ahadi yoyote, huhisi amepuuzwa."
				if e := example(say("I'll check it and reply today.", "Nitaangalia na kukujibu leo."), say("I'll reply today.", "Nitajibu leo.")); e != "" {
					text += ", kwa mfano “" + e + "”"
				} else {
					text += "."
				}
			} else {
				text = "You ask " + who + " to “" + ask + "”: say what you will do once they have, and when"
				why = "Asked to do something with nothing promised back, people feel passed on."
				if e := example(say("I'll check it and reply today.", "Nitaangalia na kukujibu leo."), say("I'll reply today.", "Nitajibu leo.")); e != "" {
					text += ", e.g. “" + e + "”"
				} else {
					text += "."
				}
			}
			add(71, text, why, []Evidence{f.firstAsk})
		default:
			text := nextStepText[sw]
			if room >= 0 {
				text = t("Say what happens next, who does it and when", "Sema kitakachofuata, nani atakifanya na lini")
				if e := example(say("I'll post the form today; it reaches you by Friday.", "Nitatuma fomu leo; itakufikia Ijumaa."), say("I'll call you today.", "Nitakupigia leo."), say("I'll fix it today.", "Nitarekebisha leo.")); e != "" {
					text += t(", e.g. “", ", kwa mfano “") + e + "”"
				} else {
					text += t(" in the few characters left.", " kwa herufi chache zilizobaki.")
				}
			}
			add(70, text, t("Knowing the next step ends the worry of waiting.", "Kujua hatua inayofuata huondoa wasiwasi wa kusubiri."), nil)
		}
	} else {
		if !f.next.When && !urgent && len(f.vague) == 0 {
			addLater(65, laterWhenWhy, "", "", nil)
		}
		if !f.next.Who {
			addLater(62, laterWhoWhy, "", "", nil)
		}
	}
	if needsHearing && len(f.ack) > 0 && !f.ackFirst {
		add(68, t("Put your acknowledgement first, before the solution.", "Anza kwa kuonyesha umeelewa, kabla ya suluhisho."), t("People take in a solution once they feel heard.", "Mtu hupokea suluhisho akihisi amesikilizwa."), f.ack[:1])
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
	if n := len(f.plain.LongWords); n > 0 {
		prio := 44
		if in.strict {
			prio = 76
		}
		add(prio, t("Split long words like “"+f.plain.LongWords[0].Text+"” into shorter ones.", "Gawanya maneno marefu kama “"+f.plain.LongWords[0].Text+"” kwa maneno mafupi."),
			t("Long words are hard to read at a glance.", "Maneno marefu ni magumu kusoma kwa haraka."), f.plain.LongWords)
	}
	if in.name != "" && len(f.name) == 0 {
		add(50, t("Greet "+in.name+" by name.", "Msalimie "+in.name+" kwa jina."), t("A name tells a person they are known, not a case number.", "Jina humwonyesha mtu kwamba anajulikana, si namba ya faili."), nil)
	}

	slices.SortStableFunc(c, func(a, b candidate) int { return b.priority - a.priority })
	if out == nil {
		out = make([]Suggestion, 0, MaxSuggestions)
	}
	for _, x := range c[:min(len(c), MaxSuggestions)] {
		switch p := f.plain; {
		case x.later == laterLongText && sw:
			x.Text = "Tumia sentensi fupi: ndefu zaidi ina maneno " + strconv.Itoa(p.LongestSentenceWords) + "; lenga " + strconv.Itoa(p.MaxSentenceWords) + " au machache."
		case x.later == laterLongText:
			x.Text = "Use shorter sentences: the longest has " + strconv.Itoa(p.LongestSentenceWords) + " words; aim for " + strconv.Itoa(p.MaxSentenceWords) + " or fewer."
		case x.later == laterGradeText:
			// Only English replies have a grade; a Kiswahili console
			// still says it in Kiswahili.
			if sw {
				x.Text = "Tumia maneno na sentensi fupi: jibu linasomeka kwa kiwango cha darasa " + strconv.FormatFloat(p.Grade, 'f', 1, 64) + "; lenga " + strconv.FormatFloat(p.TargetGrade, 'f', 0, 64) + " au chini."
			} else {
				x.Text = "Use shorter words and sentences: the reply reads at grade " + strconv.FormatFloat(p.Grade, 'f', 1, 64) + "; aim for " + strconv.FormatFloat(p.TargetGrade, 'f', 0, 64) + " or below."
			}
		case x.later == laterWhenWhy:
			what := quote(f.next.WhatEvidence[0].Text)
			if sw {
				x.Text, x.Why = split2("Sema lini “", what, "” kitafanyika: siku au saa.", "Saa humsaidia ", who, " kupanga.")
			} else {
				x.Text, x.Why = split2("Say when “", what, "” will happen: a day or a time.", "A time lets ", who, " plan.")
			}
		case x.later == laterWhoWhy:
			what := quote(f.next.WhatEvidence[0].Text)
			if sw {
				x.Text, x.Why = split2("Sema nani ata“", what, "”: “Nita…”, au jina la mwenzako.", "Mtu mwenye jina ndiye ", who, " anaweza kumkumbusha ahadi.")
			} else {
				x.Text, x.Why = split2("Say who will “", what, "”: “I will…”, or your colleague's name.", "A named person is someone ", who, " can hold to the promise.")
			}
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
	if len(s) <= max && tidy(s) {
		return s // the common case: nothing to do, nothing to allocate
	}
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

// nextStepText is the usual "say what happens next" suggestion, by
// language (true: Kiswahili), written once.
var nextStepText = map[bool]string{
	false: "Say what happens next, who does it and when, e.g. “I'll post the form today; it reaches you by Friday.”",
	true:  "Sema kitakachofuata, nani atakifanya na lini, kwa mfano “Nitatuma fomu leo; itakufikia Ijumaa.”",
}

// channelName names a channel in a sentence.
func channelName(channel string, sw bool) string {
	switch {
	case channel == ChannelSMS && sw:
		return "SMS"
	case channel == ChannelSMS:
		return "SMS"
	case sw:
		return "mtandao"
	}
	return "post"
}

// hardSw is the Kiswahili for how the customer's situation must feel:
// "lilivyokuwa gumu", "linavyotia wasiwasi".
func hardSw(c *CustomerReport) string {
	if c != nil && len(c.Emotions) > 0 {
		switch c.Emotions[0].Name {
		case EmotionAnxiety:
			return "linavyotia wasiwasi"
		case EmotionFrustration, EmotionAnger:
			return "linavyoudhi"
		case EmotionSadness:
			return "linavyouma"
		case EmotionConfusion:
			return "linavyochanganya"
		}
	}
	return "lilivyokuwa gumu"
}

// dismissiveAdviceSw is dismissiveAdvice in Kiswahili.
func dismissiveAdviceSw(phrase, who string) string {
	switch {
	case strings.Contains(phrase, "calm") || phrase == "relax" || strings.Contains(phrase, "tulia") || strings.Contains(phrase, "overreact"):
		return "inamwambia " + who + " kwamba hisia zake si sahihi; jaribu “Naelewa jinsi hili linavyoudhi.”"
	case strings.Contains(phrase, "said") || strings.Contains(phrase, "mention") || strings.Contains(phrase, "stated") || strings.Contains(phrase, "explained") ||
		strings.Contains(phrase, "last time") || strings.Contains(phrase, "kama "):
		return "eleza tena kwa maneno mengine, bila kusema ulishaeleza"
	case strings.Contains(phrase, "big deal") || strings.Contains(phrase, "that bad") || strings.Contains(phrase, "only") || strings.Contains(phrase, "jambo kubwa") || strings.Contains(phrase, "kawaida") || strings.Contains(phrase, "si kitu"):
		return "inapuuza kilichotokea; sema utakachofanya"
	}
	return "inafanya kazi ionekane ndogo; iache"
}

// cueCareSw is what each kind of circumstance asks of the agent, in
// Kiswahili.
func cueCareSw(kind string) string {
	switch kind {
	case CueAge:
		return "Mpe muda na tumia maneno rahisi, bila haraka; jitolee kumsomea namba na hatua."
	case CueIllness:
		return "Taja afya yake kabla ya kazi; mpe nafasi ya kupumzika au njia rahisi zaidi."
	case CueDisability:
		return "Uliza kitakachomrahisishia, na toa msaada ulionao: muda zaidi, njia nyingine, mahali patulivu."
	case CueBereavement:
		return "Toa pole kwa maneno yako kwanza; nenda taratibu, na usimfanye arudie msiba wake."
	case CueFinancialHardship:
		return "Usianze na ada au tarehe za mwisho; taja msamaha wa ada au mpango wa malipo anaoweza kupata."
	case CueHelper:
		return "Kuna mtu anamsaidia: msalimie wote wawili, zungumza na mteja pia, na hakikisha msaidizi ana ruhusa."
	case CuePhoneDifficulty:
		return "Toa njia nyingine badala ya skrini ya simu: msomee namba, mpigie, au msaidie ana kwa ana."
	case CueReadingDifficulty:
		return "Tumia sentensi fupi na rahisi; jitolee kumsomea au kueleza kwa simu."
	}
	return "Watu wanaotueleza hali zao wanahitaji kujua tumewasikia."
}

// split2 returns a+b+c and d+e+f, written into one string: one allocation
// for a suggestion's text and its why.
func split2(a, b, c, d, e, f string) (string, string) {
	s := a + b + c + d + e + f
	n := len(a) + len(b) + len(c)
	return s[:n], s[n:]
}

// tidy reports text whose white space is single spaces between words.
func tidy(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r', '\v', '\f':
			return false
		case ' ':
			if s[i+1] == ' ' {
				return false
			}
		case 0xC2, 0xE2, 0xE3, 0xE1, 0xE0:
			return false // a non-ASCII space may follow: let strings.Fields judge
		}
	}
	return true
}
