package sentiment

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The expected scores below were produced by the reference Python
// (vaderSentiment.py at commit 44fc044) with the lexicons embedded here.
func TestAnalyzeFollowsPythonRules(t *testing.T) {
	tests := []struct {
		name, text string
		want       Scores
	}{
		{"readme", "VADER is smart, handsome, and funny.", Scores{Negative: 0.0, Neutral: 0.254, Positive: 0.746, Compound: 0.8316}},
		{"exclamation", "VADER is smart, handsome, and funny!", Scores{Negative: 0.0, Neutral: 0.248, Positive: 0.752, Compound: 0.8439}},
		{"booster", "VADER is very smart, handsome, and funny.", Scores{Negative: 0.0, Neutral: 0.299, Positive: 0.701, Compound: 0.8545}},
		{"caps emphasis", "VADER is VERY SMART, handsome, and FUNNY.", Scores{Negative: 0.0, Neutral: 0.246, Positive: 0.754, Compound: 0.9227}},
		{"caps booster and marks", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", Scores{Negative: 0.0, Neutral: 0.294, Positive: 0.706, Compound: 0.9469}},
		{"negation with nor", "VADER is not smart, handsome, nor funny.", Scores{Negative: 0.646, Neutral: 0.354, Positive: 0.0, Compound: -0.7424}},
		{"at least is not negation", "At least it isn't a horrible book.", Scores{Negative: 0.0, Neutral: 0.678, Positive: 0.322, Compound: 0.431}},
		{"kind of dampens", "The book was only kind of good.", Scores{Negative: 0.0, Neutral: 0.697, Positive: 0.303, Compound: 0.3832}},
		{"but shifts weight", "The plot was good, but the characters are uncompelling and the dialog is not great.", Scores{Negative: 0.327, Neutral: 0.579, Positive: 0.094, Compound: -0.7042}},
		{"slang caps", "Today SUX!", Scores{Negative: 0.779, Neutral: 0.221, Positive: 0.0, Compound: -0.5461}},
		{"emoticons", "Make sure you :) or :D today!", Scores{Negative: 0.0, Neutral: 0.294, Positive: 0.706, Compound: 0.8633}},
		{"emoji", "Catch utf-8 emoji such as 💘 and 💋 and 😁", Scores{Negative: 0.0, Neutral: 0.583, Positive: 0.417, Compound: 0.875}},
		{"emoji glued to word", "thanks😁so much", Scores{Negative: 0.0, Neutral: 0.459, Positive: 0.541, Compound: 0.7096}},
		{"never this good", "Sentiment analysis has never been this good!", Scores{Negative: 0.0, Neutral: 0.621, Positive: 0.379, Compound: 0.5672}},
		{"the shit", "With VADER, sentiment analysis is the shit!", Scores{Negative: 0.0, Neutral: 0.583, Positive: 0.417, Compound: 0.6476}},
		{"bad ass", "On the other hand, VADER is quite bad ass", Scores{Negative: 0.0, Neutral: 0.423, Positive: 0.577, Compound: 0.802}},
		{"without a doubt", "Without a doubt, excellent idea.", Scores{Negative: 0.0, Neutral: 0.341, Positive: 0.659, Compound: 0.7013}},
		{"least negates", "Roger Dodger is one of the least compelling variations on this theme.", Scores{Negative: 0.132, Neutral: 0.868, Positive: 0.0, Compound: -0.1695}},
		{"no before lexicon word", "no problem at all", Scores{Negative: 0.0, Neutral: 0.571, Positive: 0.429, Compound: 0.3089}},
		{"no negates no", "no no no", Scores{Negative: 0.0, Neutral: 0.209, Positive: 0.791, Compound: 0.4168}},
		{"quirk: so or this two words back boosts without never", "it is this good", Scores{Negative: 0.0, Neutral: 0.471, Positive: 0.529, Compound: 0.5228}},
		{"quirk: but scales the first equal value", "fav but bffn", Scores{Negative: 0.0, Neutral: 0.222, Positive: 0.778, Compound: 0.3612}},
		{"questions", "Is it good??", Scores{Negative: 0.0, Neutral: 0.38, Positive: 0.62, Compound: 0.504}},
		{"four questions", "Is it good????", Scores{Negative: 0.0, Neutral: 0.341, Positive: 0.659, Compound: 0.594}},
		{"dotless capital I lowers to two runes", "I LİKE it a lot", Scores{Negative: 0.0, Neutral: 1.0, Positive: 0.0, Compound: 0.0}},
		{"unit separator splits", "good\u001cbad", Scores{Negative: 0.547, Neutral: 0.0, Positive: 0.453, Compound: -0.1531}},
		{"non-breaking space splits", "so\u00a0good", Scores{Negative: 0.0, Neutral: 0.238, Positive: 0.762, Compound: 0.4927}},
		{"zero width space does not split", "so\u200bgood", Scores{Negative: 0.0, Neutral: 1.0, Positive: 0.0, Compound: 0.0}},
		{"two letters keep their punctuation", "ok! ok", Scores{Negative: 0.0, Neutral: 0.286, Positive: 0.714, Compound: 0.3595}},
		{"empty", "", Scores{Negative: 0.0, Neutral: 0.0, Positive: 0.0, Compound: 0.0}},
		{"only white space", " \u0009\u000a", Scores{Negative: 0.0, Neutral: 0.0, Positive: 0.0, Compound: 0.0}},
		{"only punctuation", "!!! ???", Scores{Negative: 0.0, Neutral: 1.0, Positive: 0.0, Compound: 0.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Analyzer{OmitEvidence: true}.Analyze(tt.text)
			if got.Negative != tt.want.Negative || got.Neutral != tt.want.Neutral ||
				got.Positive != tt.want.Positive || got.Compound != tt.want.Compound {
				t.Errorf("Analyze(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

// testdata/python_reference_random.jsonl.gz holds 3,000 random texts built to
// stress the rules (rule words, lexicon words, emoji, caps, odd white space and
// Unicode, punctuation) with the reference Python's scores
// [neg, neu, pos, compound].
func TestAnalyzeMatchesPythonReferenceOnRandomTexts(t *testing.T) {
	f, err := os.Open("testdata/python_reference_random.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	n, bad := 0, 0
	for sc.Scan() {
		var c struct {
			Text   string     `json:"text"`
			Scores [4]float64 `json:"scores"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		s := Analyze(c.Text)
		n++
		if got := [4]float64{s.Negative, s.Neutral, s.Positive, s.Compound}; got != c.Scores {
			if bad++; bad <= 10 {
				t.Errorf("Analyze(%q)\n got %v\nwant %v", c.Text, got, c.Scores)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Fatalf("read %d cases, want 3000", n)
	}
}

func TestEvidenceShowsWordsAfterRules(t *testing.T) {
	text := "The food was NOT good, but the staff were very kind 😁!"
	got := Analyze(text).Evidence
	want := []struct {
		text     string
		negative bool
	}{{"good", true}, {"kind", false}, {"😁", false}}
	if len(got) != len(want) {
		t.Fatalf("evidence = %+v, want %d items", got, len(want))
	}
	for i, w := range want {
		e := got[i]
		if e.Text != w.text || text[e.Start:e.End] != e.Text || (e.Valence < 0) != w.negative {
			t.Errorf("evidence[%d] = %+v, want %q negative=%v", i, e, w.text, w.negative)
		}
	}
	// "NOT good" before "but": 1.9 * -0.74, halved.
	if math.Abs(got[0].Valence-1.9*-0.74*0.5) > 1e-9 {
		t.Errorf("good: valence %v, want %v", got[0].Valence, 1.9*-0.74*0.5)
	}
	if Analyze("nothing to see here").Evidence != nil {
		t.Error("neutral text has evidence")
	}
}

func TestAnalyzeIsSafeForConcurrentUse(t *testing.T) {
	texts := []string{"I love it!", "This is awful :(", "", "not bad at all 😁", strings.Repeat("very good but bad ", 300)}
	want := make([]Scores, len(texts))
	for i, s := range texts {
		want[i] = Analyze(s)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				i := (g + k) % len(texts)
				if got := Analyze(texts[i]); got.Compound != want[i].Compound || len(got.Evidence) != len(want[i].Evidence) {
					t.Errorf("concurrent Analyze(%q) = %v, want %v", texts[i], got.Compound, want[i].Compound)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestAnalyzeAcceptsInvalidUTF8(t *testing.T) {
	for _, text := range []string{"\xff", "good \xfe\xff bad", "\xe2\x9d", "😁\xff", "GOOD\xc0 \x80!!"} {
		checkScores(t, text, Analyze(text))
	}
}

func TestLookups(t *testing.T) {
	if v, ok := Valence("GOOD"); !ok || v != 1.9 {
		t.Errorf(`Valence("GOOD") = %v, %v; want 1.9, true`, v, ok)
	}
	if _, ok := Valence("very"); ok {
		t.Error(`Valence("very"): a booster is not a lexicon word`)
	}
	if b, ok := IsBooster("Very"); !ok || b != 0.293 {
		t.Errorf(`IsBooster("Very") = %v, %v`, b, ok)
	}
	for w, want := range map[string]bool{"not": true, "NEVER": true, "shouldn't": true, "ain't": true, "nice": false} {
		if IsNegation(w) != want {
			t.Errorf("IsNegation(%q) = %v", w, !want)
		}
	}
}

// checkScores asserts what holds for any text: compound in [-1, 1],
// proportions summing to 1 (or all 0 when there are no words) and evidence
// inside the text.
func checkScores(t *testing.T, text string, s Scores) {
	t.Helper()
	if !(s.Compound >= -1 && s.Compound <= 1) {
		t.Errorf("%q: compound %v out of [-1, 1]", text, s.Compound)
	}
	sum := s.Negative + s.Neutral + s.Positive
	if sum != 0 && math.Abs(sum-1) > 0.002 {
		t.Errorf("%q: neg+neu+pos = %v", text, sum)
	}
	if sum == 0 && s.Compound != 0 {
		t.Errorf("%q: no words but compound %v", text, s.Compound)
	}
	for _, v := range []float64{s.Negative, s.Neutral, s.Positive} {
		if v < 0 || v > 1 {
			t.Errorf("%q: proportion %v out of [0, 1]", text, v)
		}
	}
	last := 0
	for _, e := range s.Evidence {
		if e.Start < last || e.End <= e.Start || e.End > len(text) || text[e.Start:e.End] != e.Text || e.Valence == 0 ||
			math.IsNaN(e.Valence) {
			t.Errorf("%q: bad evidence %+v", text, e)
		}
		last = e.End
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "I love it!", "NOT good, but kind of ok??", ":) 😁💘", "\xff\xfe", "no no no",
		"İ K \u00a0\x1c", "the shit", "at least", "kiss of death", strings.Repeat("!", 10)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := Analyze(text)
		checkScores(t, text, s)
		if utf8.ValidString(text) && len(s.Evidence) > 0 && s.Compound == 0 && s.Negative+s.Positive == 0 {
			t.Errorf("%q: evidence without sentiment", text)
		}
	})
}

// TestRoundMatchesDecimalRounding holds round's fast path to the exact one
// (format to prec decimals, parse back) on random values and on values a
// hair from a tie.
func TestRoundMatchesDecimalRounding(t *testing.T) {
	exact := func(x float64, prec int) float64 {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', prec, 64), 64)
		if r == 0 {
			return 0
		}
		return r
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1_000_000 {
		x := rng.Float64()*2 - 1
		if i%4 == 0 { // near a tie at 4 decimals
			x = (math.Round(x*1e4) + 0.5) / 1e4
			x = math.Nextafter(x, float64(i%3-1))
		}
		for _, prec := range []int{3, 4} {
			if got, want := round(x, prec), exact(x, prec); got != want || math.Signbit(got) != math.Signbit(want) {
				t.Fatalf("round(%v, %d) = %v, want %v", x, prec, got, want)
			}
		}
	}
}

// TestSplitReadsAsByteByByte holds split, which reads eight bytes at a
// time, to a split reading byte by byte, on random texts of the bytes at
// its tests' edges.
func TestSplitReadsAsByteByByte(t *testing.T) {
	edges := []string{"\x00", "\x01", "\x08", "\t", "\r", "\x1f", " ", "!", "&", "'", "(", "@", "A", "Z", "[", "`", "a", "z", "\x7f",
		"\x80", "\xc3", "\xff", "é", "É", "\u00a0", "\u2003", "n't", "N'T", "DON'T", ":)"}
	rng := rand.New(rand.NewPCG(1, 2))
	var fast, slow scratch
	for range 20000 {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			b.WriteString(edges[rng.IntN(len(edges))])
		}
		text := b.String()
		fast.toks, fast.upper, fast.but = fast.toks[:0], 0, -1
		slow.toks, slow.upper, slow.but = slow.toks[:0], 0, -1
		fast.split(text, nil)
		splitByteByByte(&slow, text)
		if !slices.Equal(fast.toks, slow.toks) || fast.upper != slow.upper || fast.but != slow.but {
			t.Fatalf("split(%q) = %+v, want %+v", text, fast.toks, slow.toks)
		}
	}
}

// splitByteByByte is split as it read each byte's class in turn.
func splitByteByByte(s *scratch, t string) {
	for i := 0; i < len(t); {
		if k := byteClass[t[i]]; k&bSpace != 0 {
			i++
			continue
		} else if k&bHigh != 0 {
			if r, size := utf8.DecodeRuneInString(t[i:]); isSpace(r) {
				i += size
				continue
			}
		}
		j, class := i, uint8(0)
		for j < len(t) {
			k := byteClass[t[j]]
			if k&(bSpace|bHigh) == 0 {
				class |= k
				j++
				continue
			}
			if k&bSpace != 0 {
				break
			}
			r, size := utf8.DecodeRuneInString(t[j:])
			if isSpace(r) {
				break
			}
			class |= bHigh
			j += size
		}
		s.add(t, i, j, nil, class)
		i = j
	}
}

// TestAddStripsAsPython holds add's stripping of the marks around a
// token, done partly without branches, to the rule read plainly: strip
// string.punctuation from both ends unless that leaves two runes or fewer.
func TestAddStripsAsPython(t *testing.T) {
	pieces := []string{"a", "ok", "don't", "é", "日本", "!", "?", ".", ":", ")", "(", "'", "-", "…", "x"}
	rng := rand.New(rand.NewPCG(5, 6))
	var s scratch
	for range 50000 {
		var b strings.Builder
		for n := 1 + rng.IntN(5); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		w := b.String()
		stripped := strings.TrimFunc(w, func(r rune) bool { return r < utf8.RuneSelf && punct[r] })
		wantStart, wantEnd := strings.Index(w, stripped), 0
		wantEnd = wantStart + len(stripped)
		if utf8.RuneCountInString(stripped) <= 2 {
			wantStart, wantEnd = 0, len(w)
		}
		class := uint8(0)
		for i := 0; i < len(w); i++ {
			class |= byteClass[w[i]]
		}
		s.toks, s.but = s.toks[:0], -1
		s.add(w, 0, len(w), nil, class)
		if got := s.toks[0]; got.start != wantStart || got.end != wantEnd {
			t.Fatalf("add(%q) kept [%d, %d), want [%d, %d)", w, got.start, got.end, wantStart, wantEnd)
		}
	}
}
