package compassion

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The cases of real brand replies that the engine read wrong (issue 16).

func signalNames(r Report) []string {
	var out []string
	for _, s := range r.Reply.Signals {
		out = append(out, s.Name)
	}
	return out
}

func TestAskingForADMIsNotEmpathy(t *testing.T) {
	cust := "You charged me twice for one order. Fix it."
	dm := Analyze(Input{CustomerMessage: cust, Reply: "Please DM us your email"})
	if *dm.Compassion > 60 {
		t.Errorf("“Please DM us your email” scores %.1f: asking for a DM is not empathy (signals %v)", *dm.Compassion, signalNames(dm))
	}
	if e := dm.Reply.Empathy; e.EmotionalReactions+e.Interpretations > 0 {
		t.Errorf("“Please DM us your email” has empathy levels %+v", e)
	}
}

func TestAConcreteOwnedFixBeatsAFormulaApology(t *testing.T) {
	cust := "You charged me $13 twice. This is the second time."
	owned := Analyze(Input{CustomerMessage: cust, Reply: "That charge was wrong and it's on us. The $13 is back on your card today."})
	formula := Analyze(Input{CustomerMessage: cust, Reply: "We're so sorry to hear that! Please DM us"})
	if *owned.Compassion <= *formula.Compassion {
		t.Errorf("owned fix %.1f (%v) ≤ formula %.1f (%v)", *owned.Compassion, signalNames(owned), *formula.Compassion, signalNames(formula))
	}
}

func TestIApologizeForTheInconvenienceIsScripted(t *testing.T) {
	for _, reply := range []string{"I apologize for the inconvenience.", "I apologise for the inconvenience caused.", "We apologize for the inconvenience."} {
		r := Analyze(Input{Reply: reply})
		if !slices.Contains(signalNames(r), "scripted") {
			t.Errorf("%q: no scripted signal in %v", reply, signalNames(r))
		}
	}
}

func TestRepliesWithNoWordsDoNotBeatARealAnswer(t *testing.T) {
	real := Analyze(Input{CustomerMessage: "Where is my refund?", Reply: "Your refund has been processed."})
	for _, reply := range []string{".", "...", "!", "?", "🙂", "-", " . "} {
		r := Analyze(Input{CustomerMessage: "Where is my refund?", Reply: reply})
		if r.Compassion != nil && *r.Compassion >= *real.Compassion {
			t.Errorf("%q scores %.1f, not below a real answer's %.1f", reply, *r.Compassion, *real.Compassion)
		}
	}
}

func TestWordsThatLookLikeCircumstancesAndAreNot(t *testing.T) {
	for _, msg := range []string{"you disabled my account for no reason", "Why has my account been disabled?", "Sick update! Love the new look", "that's sick, thanks"} {
		r := AnalyzeCustomer(msg)
		for _, c := range r.Cues {
			if c.Kind == CueDisability || c.Kind == CueIllness {
				t.Errorf("%q: %s cue %q", msg, c.Kind, c.Text)
			}
		}
	}
	// The real ones still count.
	for msg, kind := range map[string]string{"I am disabled and can't get to the branch": CueDisability, "I'm sick and can't come in": CueIllness} {
		r := AnalyzeCustomer(msg)
		if !slices.ContainsFunc(r.Cues, func(c Cue) bool { return c.Kind == kind }) {
			t.Errorf("%q: no %s cue in %+v", msg, kind, r.Cues)
		}
	}
}

func TestABrushWithDeathIsDistress(t *testing.T) {
	for _, msg := range []string{
		"Your driver crashed into me and I nearly died.",
		"I was in a car accident on the way to your office.",
		"I ended up in the ER after your product burned my hand.",
	} {
		if r := AnalyzeCustomer(msg); r.Distress < 0.4 {
			t.Errorf("%q: distress %.2f, want at least 0.4", msg, r.Distress)
		}
	}
}

func TestTheWordsOfALetDownCustomer(t *testing.T) {
	for _, msg := range []string{"I'm so disappointed.", "Worst service ever.", "This is terrible.", "Awful experience.", "Horrible, just horrible.", "Waited an hour 😡", "Another delay 🙄"} {
		r := AnalyzeCustomer(msg)
		if !slices.ContainsFunc(r.Emotions, func(e Emotion) bool { return e.Name == EmotionAnger || e.Name == EmotionFrustration }) {
			t.Errorf("%q: no anger or frustration in %+v", msg, r.Emotions)
		}
	}
}

func TestSarcasmIsNotGratitude(t *testing.T) {
	for _, msg := range []string{
		"Great, another 3 hour delay… Thanks",
		"Oh great, the app crashed again. Thanks a lot.",
		"Thanks for the worst service ever.",
	} {
		r := AnalyzeCustomer(msg)
		if slices.ContainsFunc(r.Emotions, func(e Emotion) bool { return e.Name == EmotionGratitude }) {
			t.Errorf("%q: read as gratitude %+v", msg, r.Emotions)
		}
		if r.Sentiment.Label == "positive" {
			t.Errorf("%q: labelled positive", msg)
		}
	}
	if r := AnalyzeCustomer("Thank you so much, that was great!"); !slices.ContainsFunc(r.Emotions, func(e Emotion) bool { return e.Name == EmotionGratitude }) {
		t.Errorf("plain thanks lost its gratitude: %+v", r.Emotions)
	}
}

func TestSuggestionsFitTheChannel(t *testing.T) {
	reply := strings.Repeat("We have received your message about the order. ", 3) // 147 characters
	for _, ch := range []struct {
		name  string
		limit int
	}{{ChannelSMS, 160}, {ChannelPost, 280}} {
		r := Analyze(Input{CustomerMessage: "Where is my order?", Reply: reply, Channel: ch.name})
		for _, s := range r.Reply.Suggestions {
			for _, ex := range quoted(s.Text) {
				if n := utf8.RuneCountInString(reply) + 1 + utf8.RuneCountInString(ex); n > ch.limit && !strings.Contains(reply, ex) {
					t.Errorf("%s: example %q would make the reply %d characters, over %d", ch.name, ex, n, ch.limit)
				}
			}
		}
	}
	long := strings.Repeat("We are looking into it. ", 8) // 192 characters
	r := Analyze(Input{Reply: long, Channel: ChannelSMS})
	if len(r.Reply.Suggestions) == 0 || !strings.Contains(r.Reply.Suggestions[0].Text, "160") {
		t.Errorf("an SMS of %d characters: suggestions %+v, want the first to say shorten to 160", len(long), r.Reply.Suggestions)
	}
}

// quoted returns the “…” quotations of s.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "“")
		if i < 0 {
			return out
		}
		s = s[i+len("“"):]
		j := strings.Index(s, "”")
		if j < 0 {
			return out
		}
		out = append(out, s[:j])
		s = s[j:]
	}
}

func TestSuggestionsSpeakToTheReply(t *testing.T) {
	cust := "My parcel has not arrived."
	replies := []string{
		"Please DM us your tracking number.",
		"We're so sorry to hear that!",
		"Your parcel is with the courier.",
		"I'll chase the courier.",
		"Thanks for reaching out.",
	}
	seen := map[string]int{}
	for _, reply := range replies {
		r := Analyze(Input{CustomerMessage: cust, Reply: reply})
		if len(r.Reply.Suggestions) > 0 {
			seen[r.Reply.Suggestions[0].Text]++
		}
	}
	for text, n := range seen {
		if n > 2 {
			t.Errorf("%d of %d different replies get the same first suggestion %q", n, len(replies), text)
		}
	}
}

func TestEvidenceListsAreCapped(t *testing.T) {
	reply := strings.Repeat("I'm so sorry, you should have called us soon. Calm down, we apologize for any inconvenience. I will send it tomorrow at 2 pm. ", 2500) // about 300 KB
	cust := strings.Repeat("I'm so worried and angry!!! My mum died, I'm 82 and sick, I can't pay. Thanks. ", 3000)
	r := Analyze(Input{CustomerMessage: cust, Reply: reply})
	out := r.AppendJSON(nil)
	if len(out) > 64<<10 {
		t.Errorf("a %d KB reply gives a %d KB report", len(reply)>>10, len(out)>>10)
	}
}
