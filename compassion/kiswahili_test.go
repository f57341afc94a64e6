package compassion

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/swahili"
)

// twins are the same reply in Kiswahili and in English, to the same
// customer message in each language: warm ones and cold ones.
var twins = []struct {
	name           string
	custSw, custEn string
	nameSw, nameEn string
	warmSw, warmEn string
	coldSw, coldEn string
}{
	{
		name:   "late card",
		custSw: "Nimesubiri kadi yangu kwa wiki tatu na sijapata chochote. Nina wasiwasi sana.",
		custEn: "I have waited three weeks for my card and got nothing. I am very worried.",
		nameSw: "Mama Wanjiru", nameEn: "Mrs Wanjiru",
		warmSw: "Pole sana Mama Wanjiru, samahani kwa kuchelewa. Nitampigia simu ofisi ya uchapishaji leo na nitakujulisha kesho saa nne.",
		warmEn: "I'm so sorry, Mrs Wanjiru, for the delay. I will call the printing office today and let you know tomorrow at 10 am.",
		coldSw: "Kadi bado haijachapishwa. Subiri.",
		coldEn: "The card is not printed yet. Wait.",
	},
	{
		name:   "bereavement",
		custSw: "Mume wangu amefariki mwezi uliopita na sasa sina pesa ya kulipa ada.",
		custEn: "My husband died last month and now I have no money to pay the fee.",
		nameSw: "Bi. Achieng", nameEn: "Mrs Achieng",
		warmSw: "Pole sana kwa msiba wako, Bi. Achieng. Naelewa jinsi hali ilivyo ngumu. Nitaomba msamaha wa ada leo na nitakupigia simu Ijumaa saa tatu asubuhi.",
		warmEn: "I'm so sorry for your loss, Mrs Achieng. I understand how hard this is. I will ask for the fee to be waived today and call you on Friday at 9 am.",
		coldSw: "Ada lazima ilipwe. Jaza fomu tena.",
		coldEn: "The fee must be paid. Fill in the form again.",
	},
	{
		name:   "old man waiting",
		custSw: "Mimi ni mzee wa miaka 80. Nimekuja ofisini mara tatu na bado sijapata pensheni yangu. Nimechoka.",
		custEn: "I am 80 years old. I have come to the office three times and still have not got my pension. I am tired.",
		nameSw: "Mzee Otieno", nameEn: "Mr Otieno",
		warmSw: "Samahani sana Mzee Otieno, hukupaswa kuja mara tatu. Nimeshughulikia pensheni yako leo na itafika kwenye akaunti yako Jumatatu.",
		warmEn: "I'm very sorry, Mr Otieno, you should not have had to come three times. I have dealt with your pension today and it reaches your account on Monday.",
		coldSw: "Kama nilivyosema, pensheni inachukua muda. Si kosa letu.",
		coldEn: "As I said, the pension takes time. It's not our fault.",
	},
}

func scoreOf(t *testing.T, cust, reply, name string) float64 {
	t.Helper()
	r := Analyze(Input{CustomerMessage: cust, Reply: reply, CustomerName: name})
	if r.Compassion == nil {
		t.Fatalf("no score for %q", reply)
	}
	return *r.Compassion
}

// TestKiswahiliWarmReplyScoresNearItsEnglishTwin holds the goal: a
// warm Kiswahili reply within 10 points of its English twin, and the
// warm–cold gap about as wide in Kiswahili as in English.
func TestKiswahiliWarmReplyScoresNearItsEnglishTwin(t *testing.T) {
	for _, tw := range twins {
		t.Run(tw.name, func(t *testing.T) {
			ws, we := scoreOf(t, tw.custSw, tw.warmSw, tw.nameSw), scoreOf(t, tw.custEn, tw.warmEn, tw.nameEn)
			cs, ce := scoreOf(t, tw.custSw, tw.coldSw, tw.nameSw), scoreOf(t, tw.custEn, tw.coldEn, tw.nameEn)
			t.Logf("warm sw %.1f en %.1f; cold sw %.1f en %.1f", ws, we, cs, ce)
			if math.Abs(ws-we) > 10 {
				t.Errorf("warm Kiswahili %.1f is more than 10 points from its English twin %.1f", ws, we)
			}
			if gs, ge := ws-cs, we-ce; gs < 0.8*ge || gs < 20 {
				t.Errorf("warm–cold gap %.1f in Kiswahili against %.1f in English", gs, ge)
			}
		})
	}
}

func TestKiswahiliCondolenceBeatsJazaFomuTena(t *testing.T) {
	cust := "Mama yangu amefariki jana. Nifanye nini na akaunti yake?"
	condolence := scoreOf(t, cust, "Pole sana kwa msiba wa mama yako. Mungu awape nguvu.", "")
	cold := scoreOf(t, cust, "Jaza fomu tena.", "")
	if condolence <= cold {
		t.Errorf("condolence %.1f does not beat “Jaza fomu tena.” %.1f", condolence, cold)
	}
}

func TestKiswahiliPairsWarmBeatsCold(t *testing.T) {
	cust := "Nimesubiri simu yenu tangu Jumatatu. Nina wasiwasi sana kuhusu malipo ya mtoto wangu."
	pairs := []struct{ name, warm, cold string }{
		{"pole against nothing", "Pole sana kwa kusubiri. Nitakupigia leo saa nane mchana.", "Utapigiwa."},
		{"ownership against blame", "Ni kosa letu, samahani. Nimeshughulikia malipo leo.", "Si kosa letu. Ulipaswa kujaza fomu vizuri."},
		{"plain against dismissive", "Naelewa wasiwasi wako. Nitakutumia ujumbe kesho asubuhi.", "Kama nilivyosema, subiri tu."},
		{"a time against vague", "Nitakupigia kesho saa nne asubuhi.", "Tutakupigia hivi karibuni."},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			if w, c := scoreOf(t, cust, p.warm, ""), scoreOf(t, cust, p.cold, ""); w <= c {
				t.Errorf("warm %.1f ≤ cold %.1f", w, c)
			}
		})
	}
}

func TestKiswahiliReplyReadsItsOwnWay(t *testing.T) {
	r := Analyze(Input{
		CustomerMessage: "Nina wasiwasi, kadi yangu haijafika.",
		Reply:           "Pole sana Mama Wanjiru, samahani kwa kuchelewa. Nitampigia simu ofisi ya uchapishaji leo na nitakujulisha kesho saa nne.",
		CustomerName:    "Mama Wanjiru",
	})
	rep := r.Reply
	if rep.Language != swahili.Swahili || r.Customer.Language != swahili.Swahili {
		t.Fatalf("languages reply %q customer %q, want sw", rep.Language, r.Customer.Language)
	}
	if rep.PlainLanguage.Measure != MeasureKiswahili || rep.PlainLanguage.Grade != 0 {
		t.Errorf("plain language %+v: want the Kiswahili measure and no grade", rep.PlainLanguage)
	}
	if rep.RatedWords != 0 || rep.Politeness != 0.5 {
		t.Errorf("English models applied: %d rated words, politeness %.2f", rep.RatedWords, rep.Politeness)
	}
	for _, s := range rep.Signals {
		switch s.Name {
		case "reading_grade", "concreteness", "politeness", "jargon":
			t.Errorf("signal %s on a Kiswahili reply", s.Name)
		}
	}
	want := map[string]bool{"apology": false, "ownership": false, "name": false, "next_step_what": false, "next_step_who": false, "next_step_when": false, "personal_address": false}
	for _, s := range rep.Signals {
		if _, ok := want[s.Name]; ok && s.Effect > 0 {
			want[s.Name] = true
		}
	}
	for name, ok := range want {
		if !ok {
			t.Errorf("no %s in %+v", name, rep.Signals)
		}
	}
	if !slices.Equal(rep.NextStep.Times, []string{"10:00"}) {
		t.Errorf("times %v, want saa nne read as 10:00", rep.NextStep.Times)
	}
	for _, s := range rep.Suggestions {
		if strings.Contains(s.Text, "grade") {
			t.Errorf("suggestion about a reading grade: %q", s.Text)
		}
	}
}

func TestKiswahiliBlameAndDismissalCost(t *testing.T) {
	r := Analyze(Input{Reply: "Kama nilivyosema, si kosa letu. Ulipaswa kusoma barua."})
	got := map[string]bool{}
	for _, s := range r.Reply.Signals {
		got[s.Name] = true
	}
	if !got["blame"] || !got["dismissive"] {
		t.Errorf("signals %+v: want blame and dismissive", r.Reply.Signals)
	}
}

func TestKiswahiliCustomerSideFindsCuesAndSentiment(t *testing.T) {
	cases := []struct {
		msg     string
		lang    string
		label   string
		cues    []string
		emotion string
	}{
		{"Mzee wangu amefariki na sina pesa ya mazishi.", swahili.Swahili, swahili.Negative, []string{CueAge, CueBereavement, CueFinancialHardship}, ""},
		{"Naandika kwa niaba ya mama yangu, yeye hawezi kusoma.", swahili.Swahili, "", []string{CueHelper}, ""},
		{"Nina ulemavu na siwezi kusoma barua zenu.", swahili.Swahili, "", []string{CueDisability, CueReadingDifficulty}, ""},
		{"Ninaumwa sana, nimelazwa hospitalini.", swahili.Swahili, swahili.Negative, []string{CueIllness}, ""},
		{"Asante sana kwa msaada wenu, Mungu akubariki!", swahili.Swahili, swahili.Positive, nil, EmotionGratitude},
		{"Nimekasirika sana, huduma mbaya kabisa!", swahili.Swahili, swahili.Negative, nil, EmotionAnger},
		{"Manze nimechoshwa, account yangu imeblockiwa tangu last week na sina doh", swahili.Mixed, swahili.Negative, []string{CueFinancialHardship}, EmotionFrustration},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			r := AnalyzeCustomer(c.msg)
			if r.Language != c.lang {
				t.Errorf("language %q, want %q", r.Language, c.lang)
			}
			if c.label != "" && r.Sentiment.Label != c.label {
				t.Errorf("label %q (compound %.2f), want %q", r.Sentiment.Label, r.Sentiment.Compound, c.label)
			}
			for _, k := range c.cues {
				if !slices.ContainsFunc(r.Cues, func(cu Cue) bool { return cu.Kind == k }) {
					t.Errorf("no %s cue in %+v", k, r.Cues)
				}
			}
			if c.emotion != "" && !slices.ContainsFunc(r.Emotions, func(e Emotion) bool { return e.Name == c.emotion }) {
				t.Errorf("no %s in %+v", c.emotion, r.Emotions)
			}
		})
	}
}

func TestKiswahiliTitlesAndNames(t *testing.T) {
	cases := []struct{ name, reply string }{
		{"Bi. Achieng", "Habari Bi. Achieng, nitakupigia kesho."},
		{"Mzee Otieno", "Pole Mzee Otieno, nimeshughulikia ombi lako leo."},
		{"Baba Otieno", "Asante Baba Otieno, tutakutumia barua Ijumaa."},
		{"Mama Wanjiru", "Samahani Mama Wanjiru, nitampigia simu afisa leo."},
	}
	for _, c := range cases {
		r := Analyze(Input{Reply: c.reply, CustomerName: c.name})
		if !slices.Contains(signalNames(r), "name") {
			t.Errorf("%q to %s: no name signal in %v", c.reply, c.name, signalNames(r))
		}
		if r.Reply.Language != swahili.Swahili {
			t.Errorf("%q read as %s", c.reply, r.Reply.Language)
		}
	}
	// The title alone is not the name.
	r := Analyze(Input{Reply: "Pole mama, nitakupigia kesho.", CustomerName: "Mama Wanjiru"})
	if slices.Contains(signalNames(r), "name") {
		t.Errorf("“mama” alone credited as the name %q", "Mama Wanjiru")
	}
}

// TestExamplesAreInTheReplysLanguage: the suggestions speak the console's
// language, but the words they offer to put in the reply are in the
// reply's, so that an officer with an English console who answers in
// Kiswahili is offered Kiswahili, and the other way round.
func TestExamplesAreInTheReplysLanguage(t *testing.T) {
	cases := []struct {
		console, cust, reply string
		text, example        string // the suggestion's start and the example it offers
	}{
		{"en", "Sielewi fomu ya mtandaoni.", "Jaza fomu tena.", "You ask", "Nitaangalia na kukujibu leo."},
		{"sw", "I cannot understand the online form.", "Please fill the form again.", "Unamwomba", "I'll check it and reply today."},
		{"en", "I cannot understand the online form.", "Please fill the form again.", "You ask", "I'll check it and reply today."},
		{"sw", "Sielewi fomu ya mtandaoni.", "Jaza fomu tena.", "Unamwomba", "Nitaangalia na kukujibu leo."},
		{"en", "Nimechoka, nimesubiri wiki tatu na hakuna anayejibu.", "Kadi yako itafika.", "Acknowledge how", "Pole sana"},
		{"sw", "I am so tired of waiting, three weeks and nobody answers.", "Your card will come.", "Onyesha umeelewa", "I can hear how"},
	}
	for _, c := range cases {
		t.Run(c.console+": "+c.reply, func(t *testing.T) {
			r := Analyze(Input{CustomerMessage: c.cust, Reply: c.reply, CustomerName: "Amina", Language: c.console})
			for _, s := range r.Reply.Suggestions {
				if strings.HasPrefix(s.Text, c.text) {
					if !strings.Contains(s.Text, "“"+c.example) {
						t.Errorf("%q: want the example %q", s.Text, c.example)
					}
					return
				}
			}
			t.Errorf("no suggestion starting %q in %+v", c.text, r.Reply.Suggestions)
		})
	}
}
