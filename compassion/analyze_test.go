package compassion

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

const pensionMessage = "I've waited three weeks for my pension card and I'm really worried. My hands go numb in the cold so I can't queue outside again. Nobody answers the phone."

func score(t *testing.T, in Input) (float64, Report) {
	t.Helper()
	r := Analyze(in)
	if r.Compassion == nil {
		t.Fatalf("no score for reply %q", in.Reply)
	}
	return *r.Compassion, r
}

func hasSignal(r Report, name string) bool {
	for _, s := range r.Reply.Signals {
		if s.Name == name {
			return true
		}
	}
	return false
}

func TestReplyComparisons(t *testing.T) {
	tests := []struct {
		name          string
		customer      string
		better, worse string
		customerName  string
		minGap        float64
	}{
		{
			name:     "warm reply scores clearly higher than cold",
			customer: pensionMessage,
			better:   "I'm so sorry you've waited three weeks, that must be worrying, and with your hands going numb in the cold you shouldn't have to queue. I've posted your card today; it reaches you by Friday 28 November. I'll call you on Thursday at 2 pm to check it arrived.",
			worse:    "Cards are processed in order. Check the website for updates.",
			minGap:   20,
		},
		{
			name:     "sincere apology beats a scripted one",
			customer: "My card still hasn't come.",
			better:   "I'm sorry your card hasn't come: we sent it to an old address. I'll post a new one today and it reaches you by Friday.",
			worse:    "We apologize for any inconvenience caused. Thank you for your patience. The card will be posted today and reaches you by Friday.",
			minGap:   5,
		},
		{
			name:     "blame lowers the score",
			customer: "My form was sent back to me.",
			better:   "The form came back because one box was empty. I'll mark it for you and post it back today.",
			worse:    "You should have read the instructions. You failed to fill in one box. I'll mark it for you and post it back today.",
			minGap:   8,
		},
		{
			name:         "using the name counts",
			customer:     "Where is my card?",
			customerName: "Mrs. Wanjiru",
			better:       "Mrs. Wanjiru, your card was posted today and reaches you by Friday.",
			worse:        "Your card was posted today and reaches you by Friday.",
			minGap:       4,
		},
		{
			name:     "a concrete time beats soon",
			customer: "When will my card arrive?",
			better:   "I posted your card today; it reaches you by Friday 28 November.",
			worse:    "Your card will arrive soon.",
			minGap:   5,
		},
		{
			name:     "dismissive words lower the score",
			customer: "I don't understand the form at all, it's so confusing.",
			better:   "The form is confusing, I agree. I'll go through it with you on the phone at 3 pm today.",
			worse:    "Calm down. As I already said, just fill in the form. It's simple.",
			minGap:   15,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good, gr := score(t, Input{CustomerMessage: tt.customer, Reply: tt.better, CustomerName: tt.customerName})
			bad, br := score(t, Input{CustomerMessage: tt.customer, Reply: tt.worse, CustomerName: tt.customerName})
			if good-bad < tt.minGap {
				t.Errorf("better %.1f vs worse %.1f: gap %.1f, want at least %.1f\nbetter signals: %s\nworse signals: %s",
					good, bad, good-bad, tt.minGap, signalList(gr), signalList(br))
			}
		})
	}
}

func signalList(r Report) string {
	var b strings.Builder
	for _, s := range r.Reply.Signals {
		b.WriteString(s.Name)
		b.WriteString("=")
		b.WriteString(strings.TrimRight(strings.TrimRight(jsonNumber(s.Effect), "0"), "."))
		b.WriteString(" ")
	}
	return b.String()
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestSuggestions(t *testing.T) {
	tests := []struct {
		name, customer, reply, customerName string
		accommodations                      []string
		want                                string // in the first suggestion's text, case-insensitive
		anywhere                            bool   // in any suggestion rather than the first
	}{
		{
			name:     "an unacknowledged cue is the top suggestion",
			customer: pensionMessage,
			reply:    "Your card will be posted today and reaches you by Friday.",
			want:     "hands go numb",
		},
		{
			name:     "vague soon yields the suggestion",
			customer: "When will my card arrive?",
			reply:    "Your card will arrive soon.",
			want:     "“soon”",
		},
		{
			name:     "blame is quoted",
			customer: "My form was sent back.",
			reply:    "You should have read the instructions. I'll post it back today.",
			want:     "“You should have”",
		},
		{
			name:     "scripted formula gets a rewrite",
			customer: "My card is late.",
			reply:    "We apologise for any inconvenience. Your card was posted today and reaches you by Friday.",
			want:     "a sorry that names what went wrong",
		},
		{
			name:         "missing name",
			customer:     "Where is my card?",
			customerName: "Baba Otieno",
			reply:        "I posted your card today and it reaches you by Friday.",
			want:         "Greet Baba Otieno by name",
		},
		{
			name:           "long sentences for the plain-language accommodation",
			customer:       "What do I need to bring?",
			accommodations: []string{"plain language"},
			reply:          "I'll explain it now: you need to bring your identity card and the letter we sent you last month together with a recent photograph and the receipt from the bank where you paid the fee on Monday.",
			want:           "shorter sentences",
		},
		{
			name:     "feelings not acknowledged",
			customer: "I'm so worried and upset, I've been waiting for weeks and nobody tells me anything. I can't sleep.",
			reply:    "Your application was approved on Monday. The card will be posted on Tuesday by the Records Office.",
			want:     "Acknowledge how the customer feels",
			anywhere: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(Input{CustomerMessage: tt.customer, Reply: tt.reply, CustomerName: tt.customerName, Accommodations: tt.accommodations})
			s := r.Reply.Suggestions
			if len(s) == 0 || len(s) > MaxSuggestions {
				t.Fatalf("got %d suggestions, want 1..%d", len(s), MaxSuggestions)
			}
			found := false
			for i, x := range s {
				if strings.Contains(strings.ToLower(x.Text), strings.ToLower(tt.want)) && (i == 0 || tt.anywhere) {
					found = true
				}
			}
			if !found {
				b, _ := json.MarshalIndent(s, "", "  ")
				t.Errorf("want %q in the %s suggestion, got %s", tt.want, map[bool]string{false: "first", true: "any"}[tt.anywhere], b)
			}
			for _, x := range s {
				for _, pronoun := range []string{" he ", " she ", " his ", " her ", " him "} {
					if strings.Contains(" "+strings.ToLower(x.Text+" "+x.Why)+" ", pronoun) {
						t.Errorf("suggestion %q uses a gendered pronoun", x.Text)
					}
				}
			}
		})
	}
}

func TestScoreIsRecomputableFromSignals(t *testing.T) {
	inputs := []Input{
		{CustomerMessage: pensionMessage, Reply: "I'm so sorry. I'll post it today.", CustomerName: "Mrs. Wanjiru"},
		{Reply: "Calm down. You should have read it. You failed to sign. Not my department. Nothing I can do. Obviously simply."},
		{CustomerMessage: "thanks", Reply: "Mrs. Wanjiru, I can hear how worrying this has been. I'm sorry: that was our error. I've posted your card today, it reaches you by Friday 28 November, and I'll call you on Thursday at 2 pm. How are you coping?", CustomerName: "Mrs. Wanjiru"},
	}
	for _, in := range inputs {
		r := Analyze(in)
		sum := float64(ScoreBase)
		for _, s := range r.Reply.Signals {
			sum += s.Effect
			for _, e := range s.Evidence {
				if in.Reply[e.Start:e.End] != e.Text {
					t.Errorf("signal %s evidence %q does not match the reply at [%d,%d)", s.Name, e.Text, e.Start, e.End)
				}
			}
		}
		want := math.Round(math.Max(0, math.Min(100, sum))*10) / 10
		if *r.Compassion != want {
			t.Errorf("score %.1f, signals add up to %.1f (clamped %.1f) for %q", *r.Compassion, sum, want, in.Reply)
		}
	}
}

func TestNextStep(t *testing.T) {
	tests := []struct {
		reply           string
		what, who, when bool
	}{
		{"I'll post the form today.", true, true, true},
		{"Amina will call you on Tuesday at 10 am.", true, true, true},
		{"The passport office will write to you within 5 working days.", true, true, true},
		{"Your card will arrive soon.", true, false, false},
		{"We'll look into it shortly.", true, true, false},
		{"Thank you for your message.", false, false, false},
		{"Will you send me the form?", false, false, false},
		{"I've posted it, it reaches you by 28 November.", true, true, true},
		{"I will not be able to help.", false, false, false},
	}
	for _, tt := range tests {
		r := Analyze(Input{Reply: tt.reply})
		ns := r.Reply.NextStep
		if ns.What != tt.what || ns.Who != tt.who || ns.When != tt.when {
			t.Errorf("%q: what/who/when = %v/%v/%v, want %v/%v/%v", tt.reply, ns.What, ns.Who, ns.When, tt.what, tt.who, tt.when)
		}
	}
}

func TestConcreteness(t *testing.T) {
	concrete := Analyze(Input{Reply: "I posted the card and the form to your house in a brown envelope."}).Reply
	abstract := Analyze(Input{Reply: "We appreciate the situation and the concern regarding the issue."}).Reply
	if concrete.Concreteness <= abstract.Concreteness {
		t.Errorf("concrete reply %.2f not above abstract %.2f", concrete.Concreteness, abstract.Concreteness)
	}
	if concrete.Concreteness < 1 || concrete.Concreteness > 5 {
		t.Errorf("concreteness %.2f outside 1..5", concrete.Concreteness)
	}
	none := Analyze(Input{Reply: "12345 !!!"}).Reply
	if none.Concreteness != defaultConcreteness || none.RatedWords != 0 {
		t.Errorf("no rated words: got %.2f from %d words, want the default %.1f", none.Concreteness, none.RatedWords, defaultConcreteness)
	}
}

func TestEmptyInputs(t *testing.T) {
	r := Analyze(Input{})
	if r.Compassion != nil || r.Reply != nil || r.Customer != nil {
		t.Errorf("empty input: want null score, reply and customer, got %+v", r)
	}
	r = Analyze(Input{CustomerMessage: "Where is my card?"})
	if r.Compassion != nil || r.Reply != nil || r.Customer == nil {
		t.Errorf("customer message only: want a customer report and no score")
	}
	r = Analyze(Input{Reply: "I'll post it today."})
	if r.Compassion == nil || r.Customer != nil {
		t.Errorf("reply only: want a score and no customer report")
	}
	b, err := json.Marshal(Analyze(Input{Reply: "ok"}))
	if err != nil || !strings.Contains(string(b), `"id":null`) {
		t.Errorf("report JSON %s, err %v", b, err)
	}
}

func TestAccommodationSpellings(t *testing.T) {
	for _, a := range []string{"plain_language", "Plain Language", "plain-language", " LOW_VISION "} {
		if !needsPlainLanguage([]string{a}) {
			t.Errorf("%q not recognised", a)
		}
	}
	if needsPlainLanguage([]string{"wheelchair", "plainlanguage"}) {
		t.Error("unrelated accommodation recognised")
	}
}

func TestAnalyzeIsSafeForConcurrentUse(t *testing.T) {
	inputs := []Input{
		{CustomerMessage: pensionMessage, Reply: "I'm so sorry. I'll post it today.", CustomerName: "Mrs. Wanjiru"},
		{CustomerMessage: "My husband died last month and the bill is in his name.", Reply: "You'll have to send the death certificate. Nothing I can do until then."},
		{Reply: "Calm down. As I said, it will be sent soon."},
	}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		b, _ := json.Marshal(Analyze(in))
		want[i] = string(b)
	}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for k := range 50 {
				i := (g + k) % len(inputs)
				if b, _ := json.Marshal(Analyze(inputs[i])); string(b) != want[i] {
					done <- fmt.Errorf("input %d gave a different report when run concurrently", i)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestHugeMessagesAreClipped(t *testing.T) {
	reply := strings.Repeat("I'll call you soon. ", MaxAnalyzed/10)
	r := Analyze(Input{CustomerMessage: "Where is my card?", Reply: reply})
	if !r.Truncated || r.Compassion == nil {
		t.Fatalf("truncated %v, score %v", r.Truncated, r.Compassion)
	}
	if w := r.Reply.PlainLanguage.Words; w > MaxAnalyzed/4 {
		t.Errorf("read %d words of a clipped reply", w)
	}
	if s, cut := clip("é" + strings.Repeat("é", MaxAnalyzed)); !cut || !utf8.ValidString(s) {
		t.Error("clip cut inside a character")
	}
	if Analyze(Input{Reply: "ok"}).Truncated {
		t.Error("a short reply reported truncated")
	}
}

// TestAppendJSONWritesTheReportOfAnalyze holds AppendJSON, which reuses a
// report's storage from one call to the next, to what Analyze's report
// writes, on every arrangement of the golden test's texts, and checks that
// a report kept from Analyze is not changed by the calls that follow.
func TestAppendJSONWritesTheReportOfAnalyze(t *testing.T) {
	d, err := benchData()
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	var ins []Input
	for _, p := range d["epitome"] {
		ins = append(ins, Input{CustomerMessage: p.customer, Reply: p.reply}, Input{Reply: p.reply})
	}
	tw := d["tweets"]
	for i, p := range tw {
		in := Input{CustomerMessage: p.reply, Reply: tw[(i+1)%len(tw)].reply, CustomerName: "Mrs. Wanjiru"}
		if i%3 == 0 {
			in.Accommodations = []string{"plain_language"}
		}
		ins = append(ins, Input{Reply: p.reply}, Input{CustomerMessage: p.reply}, in)
	}
	kept := Analyze(ins[0])
	keptJSON := string(kept.AppendJSON(nil))
	var buf, lines []byte
	ids := make([]json.RawMessage, len(ins))
	for i, in := range ins {
		ids[i] = json.RawMessage(fmt.Sprint(i))
		r := Analyze(in)
		r.ID = ids[i]
		want := r.AppendJSON(nil)
		buf = AppendJSON(buf[:0], ids[i], in)
		if string(buf) != string(want) {
			t.Fatalf("input %d: AppendJSON wrote\n%.400s\nwant\n%.400s", i, buf, want)
		}
		lines = append(append(lines, want...), '\n')
	}
	if got := string(kept.AppendJSON(nil)); got != keptJSON {
		t.Errorf("a report kept from Analyze changed after AppendJSON calls:\n%.400s\nwas\n%.400s", got, keptJSON)
	}

	// Read in batches, stage by stage, each report is still what Analyze
	// gives: a stage must not see another exchange's scratch. The batches
	// come in sizes below, at and above MaxBatch.
	for _, size := range []int{2, 7, MaxBatch, MaxBatch + 5} {
		var got []byte
		for from := 0; from < len(ins); from += size {
			to := min(from+size, len(ins))
			got = AppendJSONLines(got, ids[from:to], ins[from:to])
		}
		if string(got) != string(lines) {
			g, w := strings.Split(string(got), "\n"), strings.Split(string(lines), "\n")
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Fatalf("batches of %d: line %d is\n%.400s\nwant\n%.400s", size, i, g[i], w[i])
				}
			}
			t.Fatalf("batches of %d: %d lines, want %d", size, len(g), len(w))
		}
	}
}
