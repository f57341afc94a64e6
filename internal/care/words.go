package care

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/kindred-desk/kindred"
)

// The words kindred sends customers, in English and Swahili. They are short
// sentences of everyday words: many customers read them on a basic phone,
// some in their second language.

// Lang is a language kindred writes to customers in.
type Lang string

// Languages.
const (
	English Lang = "en"
	Swahili Lang = "sw"
)

// LangOf is the language to write to a customer in: Swahili when their
// language is Swahili, else English.
func LangOf(c *kindred.Customer) Lang {
	if strings.HasPrefix(strings.ToLower(c.Language), "sw") {
		return Swahili
	}
	return English
}

var (
	swahiliDays   = [...]string{"Jumapili", "Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi"}
	swahiliMonths = [...]string{"Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba", "Desemba"}
)

// Weekday names a day of the week: "Friday" ("Ijumaa").
func Weekday(d time.Weekday, lang Lang) string {
	if lang == Swahili {
		return swahiliDays[d]
	}
	return d.String()
}

// Date writes a day as people say it: "Friday 27 November" ("Ijumaa 27
// Novemba"), with the year when it is not the year of now. t is read in loc.
func Date(t time.Time, now time.Time, loc *time.Location, lang Lang) string {
	t, now = t.In(loc), now.In(loc)
	var s string
	if lang == Swahili {
		s = fmt.Sprintf("%s %d %s", Weekday(t.Weekday(), lang), t.Day(), swahiliMonths[t.Month()-1])
	} else {
		s = fmt.Sprintf("%s %d %s", t.Weekday(), t.Day(), t.Month())
	}
	if t.Year() != now.Year() {
		s += fmt.Sprintf(" %d", t.Year())
	}
	return s
}

// HeadsUp is the input of a heads-up.
type HeadsUp struct {
	Name       string     // how to address the customer
	Subject    string     // what it is about: the conversation's subject
	Reason     string     // why, in plain words
	Plan       string     // what we will do meanwhile; may be empty
	PromisedAt *time.Time // the date promised before, if any
	NewDate    time.Time
}

// sentence trims s and makes it one sentence: a capital first letter and a
// full stop at the end.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// clause trims s to be used inside a sentence: no full stop at the end and
// a small first letter (unless it is a name or an acronym, which we cannot
// tell, so only a lone capital followed by a small letter is lowered).
func clause(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), ".")
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// DraftHeadsUp writes the heads-up in lang: the customer's name, an apology,
// the reason, the new date as a real date, and what we will do. It returns
// the email subject and the text.
func DraftHeadsUp(h HeadsUp, lang Lang, now time.Time, loc *time.Location) (subject, body string) {
	about := strings.TrimSpace(h.Subject)
	newDate := Date(h.NewDate, now, loc, lang)
	var b strings.Builder
	if lang == Swahili {
		subject = "Kuchelewa: " + about
		if about == "" {
			subject = "Kuchelewa kwa ombi lako"
		}
		fmt.Fprintf(&b, "Habari %s,\n\n", h.Name)
		if h.PromisedAt != nil {
			fmt.Fprintf(&b, "Samahani sana. Ombi lako")
			if about != "" {
				fmt.Fprintf(&b, " (%s)", about)
			}
			fmt.Fprintf(&b, " halitakuwa tayari %s kama tulivyoahidi. ", Date(*h.PromisedAt, now, loc, lang))
		} else {
			fmt.Fprintf(&b, "Samahani sana. Ombi lako")
			if about != "" {
				fmt.Fprintf(&b, " (%s)", about)
			}
			fmt.Fprintf(&b, " limechelewa. ")
		}
		fmt.Fprintf(&b, "Sababu ni: %s\n\n", sentence(clause(h.Reason)))
		fmt.Fprintf(&b, "Tarehe mpya ni %s.", newDate)
		if p := sentence(h.Plan); p != "" {
			fmt.Fprintf(&b, " %s", p)
		}
		fmt.Fprintf(&b, " Tutakujulisha mara moja kama kuna mabadiliko.\n\nUkiwa na swali, jibu ujumbe huu au utupigie simu.")
		return subject, b.String()
	}
	subject = "A delay: " + about
	if about == "" {
		subject = "A delay with your request"
	}
	fmt.Fprintf(&b, "Hello %s,\n\n", h.Name)
	what := "your request"
	if about != "" {
		what = fmt.Sprintf("your request (%s)", about)
	}
	if h.PromisedAt != nil {
		fmt.Fprintf(&b, "I am sorry: %s will not be ready on %s as we promised. ", what, Date(*h.PromisedAt, now, loc, lang))
	} else {
		fmt.Fprintf(&b, "I am sorry: %s is delayed. ", what)
	}
	fmt.Fprintf(&b, "This is because %s.\n\n", clause(h.Reason))
	fmt.Fprintf(&b, "The new date is %s.", newDate)
	if p := sentence(h.Plan); p != "" {
		fmt.Fprintf(&b, " %s", p)
	}
	fmt.Fprintf(&b, " We will tell you at once if anything changes.\n\nIf you have a question, reply to this message or call us.")
	return subject, b.String()
}

// Survey messages.

// SurveyInvite is the first message of a survey: by SMS it asks the first
// question and gives the link; by email it gives the link.
func SurveyInvite(name, subject, link string, ch kindred.Channel, lang Lang) (emailSubject, body string) {
	about := ""
	if subject = strings.TrimSpace(subject); subject != "" {
		about = fmt.Sprintf(" (%s)", subject)
	}
	if lang == Swahili {
		if ch == kindred.ChannelSMS {
			return "", fmt.Sprintf("Habari %s, asante kwa kuwasiliana nasi%s. Tulikuhudumiaje? Jibu kwa namba kutoka 1 (vibaya) hadi 5 (vizuri sana). Au jibu hapa: %s", name, about, link)
		}
		return "Tulikuhudumiaje?", fmt.Sprintf("Habari %s,\n\nAsante kwa kuwasiliana nasi%s. Tungependa kujua kama ulihisi umesikilizwa. Maswali ni matatu tu:\n\n%s\n\nKiungo hiki kinatumika mara moja tu, kwa siku 14.", name, about, link)
	}
	if ch == kindred.ChannelSMS {
		return "", fmt.Sprintf("Hello %s, thank you for talking with us%s. How did we do? Reply with a number from 1 (poor) to 5 (very good). Or answer here: %s", name, about, link)
	}
	return "How did we do?", fmt.Sprintf("Hello %s,\n\nThank you for talking with us%s. We would like to know if you felt heard. There are only three questions:\n\n%s\n\nThe link works once, for 14 days.", name, about, link)
}

// SMS replies in the survey conversation.
func askHeard(lang Lang) string {
	if lang == Swahili {
		return "Asante. Je, ulihisi umesikilizwa? Jibu Y (ndiyo), P (kiasi) au N (hapana). Unaweza kuongeza maneno yako baada ya herufi."
	}
	return "Thank you. Did you feel heard? Reply Y (yes), P (partly) or N (no). You can add your own words after the letter."
}

func askNumberAgain(lang Lang) string {
	if lang == Swahili {
		return "Samahani, hatukuelewa. Tafadhali jibu kwa namba moja kutoka 1 hadi 5."
	}
	return "Sorry, we did not understand. Please reply with one number from 1 to 5."
}

func askHeardAgain(lang Lang) string {
	if lang == Swahili {
		return "Samahani, hatukuelewa. Je, ulihisi umesikilizwa? Tafadhali jibu Y, P au N."
	}
	return "Sorry, we did not understand. Did you feel heard? Please reply Y, P or N."
}

func thanks(lang Lang) string {
	if lang == Swahili {
		return "Asante kwa majibu yako. Yanatusaidia kuwahudumia watu vizuri zaidi."
	}
	return "Thank you for your answers. They help us care for people better."
}

// ParseSatisfaction reads an SMS answer to "how did we do?": one number
// from 1 to 5, alone or followed by other words ("4 thanks").
func ParseSatisfaction(text string) (int, bool) {
	f := strings.Fields(strings.TrimSpace(text))
	if len(f) == 0 {
		return 0, false
	}
	w := strings.TrimRight(f[0], ".,!")
	if len(w) != 1 || w[0] < '1' || w[0] > '5' {
		return 0, false
	}
	return int(w[0] - '0'), true
}

// ParseFeltHeard reads an SMS answer to "did you feel heard?": Y, P or N (or
// the words, in English or Swahili), then any words of their own.
func ParseFeltHeard(text string) (kindred.FeltHeard, string, bool) {
	text = strings.TrimSpace(text)
	first, rest, _ := strings.Cut(text, " ")
	w := strings.ToLower(strings.TrimRight(first, ".,!:-"))
	var f kindred.FeltHeard
	switch w {
	case "y", "yes", "ndiyo", "ndio":
		f = kindred.HeardYes
	case "p", "partly", "kiasi":
		f = kindred.HeardPartly
	case "n", "no", "hapana":
		f = kindred.HeardNo
	default:
		return "", "", false
	}
	return f, strings.TrimSpace(rest), true
}
