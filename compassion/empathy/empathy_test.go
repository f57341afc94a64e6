package empathy

import (
	"bytes"
	"context"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// dataDir is the shared EPITOME training split, relative to this package.
const dataDir = "../../../shared/data/epitome"

func readShared(t testing.TB) Data {
	t.Helper()
	d, err := ReadData(os.DirFS(dataDir))
	if err != nil {
		t.Skipf("EPITOME data not available at %s: %v", dataDir, err)
	}
	return d
}

func TestEmbeddedModelLoads(t *testing.T) {
	m, err := NewModel(modelBytes)
	if err != nil {
		t.Fatalf("embedded model.bin: %v", err)
	}
	if m.table.Len() < 1000 {
		t.Fatalf("embedded model has only %d features", m.table.Len())
	}
}

func checkResult(t *testing.T, response string, r Result) {
	t.Helper()
	levels := [3]Level{r.Levels.EmotionalReactions, r.Levels.Interpretations, r.Levels.Explorations}
	for d, p := range r.Probabilities {
		sum := 0.0
		best := 0
		for k, v := range p {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("probability %v out of [0,1]", v)
			}
			sum += v
			if v > p[best] {
				best = k
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("dimension %d probabilities sum to %v", d, sum)
		}
		if levels[d] < 0 || levels[d] > 2 || Level(best) != levels[d] {
			t.Fatalf("dimension %d level %d, most probable %d", d, levels[d], best)
		}
	}
	for _, e := range r.Evidence {
		if e.Start < 0 || e.End > len(response) || e.Start >= e.End || response[e.Start:e.End] != e.Text {
			t.Fatalf("evidence %+v outside the response (len %d)", e, len(response))
		}
		d := -1
		for i, name := range Dimensions {
			if name == e.Dimension {
				d = i
			}
		}
		if d < 0 || levels[d] == None || e.Weight <= 0 {
			t.Fatalf("evidence %+v for a dimension predicted none, or with no weight", e)
		}
	}
}

func TestPredictFindsEmpathyWhereItIsObvious(t *testing.T) {
	seeker := "My dog died yesterday and I can't stop crying."
	tests := []struct {
		name     string
		response string
		dim      int
	}{
		{"emotional reaction", "I'm so sorry for your loss, my heart goes out to you.", 0},
		{"interpretation", "I know how you feel, I lost my dog last year and it broke me.", 1},
		{"exploration", "How old was he? What was his name?", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Predict(seeker, tt.response)
			checkResult(t, tt.response, r)
			if r.Probabilities[tt.dim][0] > 0.5 {
				t.Errorf("P(none) = %.2f for %q", r.Probabilities[tt.dim][0], tt.response)
			}
		})
	}
	if r := Predict(seeker, "Check the settings page."); r.Levels != (Levels{}) {
		t.Errorf("a flat instruction got levels %+v", r.Levels)
	}
}

func TestPredictSurvivesOddInput(t *testing.T) {
	for _, s := range []string{"", " ", "\xff\xfe\xfd", strings.Repeat("so sorry? ", 50000), "??!!..", "\u2019\u2019", "日本語のテキスト"} {
		checkResult(t, s, Predict(s, s))
	}
}

func TestPredictIsSafeForConcurrentUse(t *testing.T) {
	want := Predict("I feel alone", "That sounds lonely. Do you want to talk about it?")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				got := Predict("I feel alone", "That sounds lonely. Do you want to talk about it?")
				if got.Levels != want.Levels || got.Probabilities != want.Probabilities || len(got.Evidence) != len(want.Evidence) {
					t.Error("concurrent predictions differ")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestCrossValidationBeatsMajorityBaseline checks, on held-out folds grouped
// by response id, that every dimension's macro-F1 clears the majority
// baseline's by a wide margin and its accuracy is above the baseline's.
func TestCrossValidationBeatsMajorityBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 15 models (about 10 s); skipped with -short")
	}
	data := readShared(t)
	scores, err := CrossValidate(context.Background(), data, 5, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	for d, pairs := range data {
		var counts [3]int
		for _, p := range pairs {
			counts[p.Level]++
		}
		major := max(counts[0], counts[1], counts[2])
		p := float64(major) / float64(len(pairs))
		present := 0
		for _, c := range counts {
			if c > 0 {
				present++
			}
		}
		baseF1 := 2 * p / (1 + p) / float64(present)
		s := scores[d]
		t.Logf("%s: CV accuracy %.3f (majority %.3f), macro-F1 %.3f (majority %.3f)", Dimensions[d], s.Accuracy, p, s.MacroF1, baseF1)
		if s.MacroF1 < baseF1+0.2 {
			t.Errorf("%s: macro-F1 %.3f does not beat the majority baseline %.3f by 0.2", Dimensions[d], s.MacroF1, baseF1)
		}
		if s.Accuracy <= p {
			t.Errorf("%s: accuracy %.3f not above the majority baseline %.3f", Dimensions[d], s.Accuracy, p)
		}
	}
}

// TestTrainingReproducesEmbeddedModel retrains on the shared split with the
// default options and compares with the embedded bytes.
func TestTrainingReproducesEmbeddedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the full model (about 5 s); skipped with -short")
	}
	data := readShared(t)
	b, err := Train(context.Background(), data, DefaultTrainOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, modelBytes) {
		t.Fatalf("retrained model (%d bytes) differs from embedded model.bin (%d bytes); run: go run ./cmd/kindred train empathy %s", len(b), len(modelBytes), dataDir)
	}
}

func FuzzPredict(f *testing.F) {
	f.Add("I lost my job", "I'm sorry. What happened?")
	f.Add("", "")
	f.Add("\xff", "I\u2019ve been there\xfe")
	f.Fuzz(func(t *testing.T, seeker, response string) {
		checkResult(t, response, Predict(seeker, response))
	})
}

func BenchmarkPredict(b *testing.B) {
	seeker := "I've been feeling really down lately and nobody seems to care. I don't know what to do anymore."
	response := "I'm really sorry you're going through this. I've been there too and it does get better. What's been weighing on you the most?"
	b.ReportAllocs()
	b.SetBytes(int64(len(seeker) + len(response)))
	for b.Loop() {
		Predict(seeker, response)
	}
}

// TestDefaultWithWeightsPredictsAsDefault checks the model built on a
// table decoded joined from DefaultTable against the embedded model.
func TestDefaultWithWeightsPredictsAsDefault(t *testing.T) {
	e, _, err := learn.DecodeJoined(DefaultTable(), DefaultTable())
	if err != nil {
		t.Fatal(err)
	}
	m := DefaultWithWeights(e)
	for _, p := range [][2]string{
		{"I lost my job and feel hopeless.", "I'm so sorry, that sounds really hard. What happened?"},
		{"", "You should try again."},
		{"My exam went badly", ""},
	} {
		if got, want := m.Predict(p[0], p[1]), Default().Predict(p[0], p[1]); !reflect.DeepEqual(got, want) {
			t.Errorf("Predict(%q, %q) = %+v, want %+v", p[0], p[1], got, want)
		}
	}
	if m := DefaultWithWeights(nil); m.table != nil {
		t.Error("DefaultWithWeights(nil) must weigh nothing")
	}
}

// TestIsContentCountsLongWords checks the arithmetic test for the words
// the overlap feature counts, at the length's edge and on punctuation.
func TestIsContentCountsLongWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		tok  learn.Token
		want uint64
	}{
		{"empty word", learn.Token{Start: 5, End: 5, Kind: learn.Word}, 0},
		{"three bytes", learn.Token{Start: 5, End: 8, Kind: learn.Word}, 0},
		{"four bytes", learn.Token{Start: 5, End: 9, Kind: learn.Word}, 1},
		{"long word", learn.Token{Start: 0, End: 1 << 40, Kind: learn.Word}, 1},
		{"four marks", learn.Token{Start: 5, End: 9, Kind: learn.Punct}, 0},
		{"one mark", learn.Token{Start: 5, End: 6, Kind: learn.Punct}, 0},
	} {
		if got := isContent(tc.tok); got != tc.want {
			t.Errorf("%s: isContent = %d, want %d", tc.name, got, tc.want)
		}
	}
}
