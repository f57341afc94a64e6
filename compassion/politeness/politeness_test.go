package politeness

import (
	"bytes"
	"context"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
)

const dataFile = "../../../shared/data/politeness/wikipedia.annotated.csv"

func readShared(t testing.TB) []Labelled {
	t.Helper()
	f, err := os.Open(dataFile)
	if err != nil {
		t.Skipf("politeness corpus not available at %s: %v", dataFile, err)
	}
	defer f.Close()
	reqs, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return Quartiles(reqs)
}

func TestEmbeddedModelLoads(t *testing.T) {
	m, err := NewModel(modelBytes)
	if err != nil {
		t.Fatalf("embedded model.bin: %v", err)
	}
	if m.table.Len() < 500 {
		t.Fatalf("embedded model has only %d features", m.table.Len())
	}
}

func checkResult(t *testing.T, text string, r Result) {
	t.Helper()
	if !(r.Probability >= 0 && r.Probability <= 1) {
		t.Fatalf("probability %v out of [0,1]", r.Probability)
	}
	names := map[string]bool{}
	for _, n := range StrategyNames() {
		names[n] = true
	}
	last := 0
	for _, s := range r.Strategies {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End || text[s.Start:s.End] != s.Text {
			t.Fatalf("strategy %+v outside the text", s)
		}
		if s.Start < last {
			t.Fatalf("strategies out of text order: %+v", r.Strategies)
		}
		last = s.Start
		if !names[s.Name] {
			t.Fatalf("unknown strategy %q", s.Name)
		}
	}
}

func TestDetectFindsThePaperStrategies(t *testing.T) {
	tests := []struct {
		text, strategy, span string
	}{
		{"Thanks for the fix.", "gratitude", "Thanks"},
		{"Nice work on the page. Can you add a source?", "deference", "Nice"},
		{"Hey, is this yours?", "greeting", "Hey"},
		{"Sorry to bother you.", "apologizing", "Sorry"},
		{"Could you please check it?", "please", "please"},
		{"Please stop reverting.", "please_start", "Please"},
		{"By the way, the link is dead.", "indirect_btw", "By the way"},
		{"Why did you delete it?", "direct_question", "Why"},
		{"So what is the source?", "direct_start", "So"},
		{"Would you mind looking?", "subjunctive", "Would you"},
		{"Can you look?", "indicative", "Can you"},
		{"I removed it. We can talk.", "first_person_start", "I"},
		{"Let me know what we think.", "first_person_plural", "we"},
		{"You did it wrong.", "second_person_start", "You"},
		{"I think it might be fine.", "hedges", "think"},
		{"In fact it is wrong.", "factuality", "In fact"},
		{"That is a great idea.", "positive_lexicon", "great"},
		{"That is a stupid idea.", "negative_lexicon", "stupid"},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			r := Analyze(tt.text)
			checkResult(t, tt.text, r)
			for _, s := range r.Strategies {
				if s.Name == tt.strategy && s.Text == tt.span {
					return
				}
			}
			t.Errorf("%q: no %s on %q in %+v", tt.text, tt.strategy, tt.span, r.Strategies)
		})
	}
	// "What" opens a statement here, not a question.
	for _, s := range Analyze("What you said is fine.").Strategies {
		if s.Name == "direct_question" {
			t.Error("direct_question found in a statement")
		}
	}
}

func TestAnalyzeRanksPoliteAboveRude(t *testing.T) {
	polite := Analyze("Hi! Would you mind having a look at this when you have time? Thanks a lot.")
	rude := Analyze("Why did you delete my edit? Stop it.")
	if polite.Probability < 0.5 || rude.Probability >= 0.5 {
		t.Errorf("polite %.2f, rude %.2f", polite.Probability, rude.Probability)
	}
}

func TestAnalyzeSurvivesOddInput(t *testing.T) {
	for _, s := range []string{"", " ", "\xff\xfe", strings.Repeat("please? ", 60000), "!!??", "日本語"} {
		checkResult(t, s, Analyze(s))
	}
}

func TestAnalyzeIsSafeForConcurrentUse(t *testing.T) {
	want := Analyze("Could you please help me?")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if got := Analyze("Could you please help me?"); got.Probability != want.Probability || len(got.Strategies) != len(want.Strategies) {
					t.Error("concurrent results differ")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestCrossValidationBeatsBagOfWordsBaseline checks held-out accuracy on the
// top-versus-bottom quartile task against the paper's bag-of-words figure
// less a margin for our smaller training set (majority is 50 %).
func TestCrossValidationBeatsBagOfWordsBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 10 models; skipped with -short")
	}
	data := readShared(t)
	s, err := CrossValidate(context.Background(), data, 10, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("10-fold CV accuracy %.3f on %d requests", s.Accuracy, s.N)
	if s.Accuracy < 0.75 {
		t.Errorf("CV accuracy %.3f, want at least 0.75", s.Accuracy)
	}
}

func TestTrainingReproducesEmbeddedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the full model; skipped with -short")
	}
	b, err := Train(context.Background(), readShared(t), DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, modelBytes) {
		t.Fatalf("retrained model (%d bytes) differs from embedded model.bin (%d bytes); run: go run ./cmd/kindred train politeness %s", len(b), len(modelBytes), dataFile)
	}
}

// TestProbabilityMatchesPoliteRateOnHeldOutFolds is a coarse calibration
// check: over held-out rows, the mean predicted probability and the share
// of polite requests agree within 5 points.
func TestProbabilityMatchesPoliteRateOnHeldOutFolds(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 5 models; skipped with -short")
	}
	data := readShared(t)
	sumP, sumY := 0.0, 0.0
	for f := 0; f < 5; f++ {
		var train, test []Labelled
		for i, d := range data {
			if i%5 == f {
				test = append(test, d)
			} else {
				train = append(train, d)
			}
		}
		b, err := Train(context.Background(), train, DefaultTrainOptions())
		if err != nil {
			t.Fatal(err)
		}
		m, _ := NewModel(b)
		for _, d := range test {
			sumP += m.Analyze(d.Text).Probability
			if d.Polite {
				sumY++
			}
		}
	}
	if diff := math.Abs(sumP-sumY) / float64(len(data)); diff > 0.05 {
		t.Errorf("mean probability and polite rate differ by %.3f", diff)
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add("Could you please help?")
	f.Add("")
	f.Add("\xffBy the\xfe way")
	f.Fuzz(func(t *testing.T, text string) {
		checkResult(t, text, Analyze(text))
	})
}

func BenchmarkAnalyze(b *testing.B) {
	text := "Hi, thanks for the quick fix! Could you please also take a look at the second issue when you have a moment?"
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Analyze(text)
	}
}
