package text

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func words(toks []Token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.Lower)
	}
	return out
}

func TestTokensKeepOffsetsAndJoinedWords(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"plain", "Hello Mrs. Wanjiru", []string{"hello", "mrs", "wanjiru"}},
		{"apostrophes", "I don't know, it’s late", []string{"i", "don't", "know", "it's", "late"}},
		{"hyphen joins words only", "follow-up - done -x", []string{"follow-up", "done", "x"}},
		{"trailing apostrophe dropped", "the customers' forms", []string{"the", "customers", "forms"}},
		{"numbers", "card 482 913 by 5pm", []string{"card", "482", "913", "by", "5pm"}},
		{"swahili and accents", "Habari, José", []string{"habari", "josé"}},
		{"empty", "  ...  ", nil},
		{"invalid utf8", "ok\xffthen", []string{"ok", "then"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks := Tokens(tt.in, nil)
			if got := words(toks); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, tok := range toks {
				if w := tt.in[tok.Start:tok.End]; strings.ReplaceAll(strings.ToLower(w), "’", "'") != tok.Lower {
					t.Errorf("token %q has offsets [%d,%d) that read %q", tok.Lower, tok.Start, tok.End, w)
				}
			}
		})
	}
}

func TestSentences(t *testing.T) {
	in := "Hello Mr. J. Otieno. Your fee is 3.5 dollars! Is it ok?? Yes\nthanks"
	var got []string
	for _, sp := range Sentences(in) {
		got = append(got, in[sp.Start:sp.End])
	}
	want := []string{"Hello Mr.", "J. Otieno.", "Your fee is 3.5 dollars!", "Is it ok??", "Yes", "thanks"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Sentences = %q, want %q", got, want)
	}
}

func TestPhrasesMatchWholeWordsLongestFirst(t *testing.T) {
	p := NewPhrases([]string{"calm down", "just", "I am sorry", "I am", "sorry * inconvenience"}, nil)
	in := "Please CALM   down, justice is just. I am sorry for the inconvenience; sorry for inconvenience"
	toks := Tokens(in, nil)
	var got []string
	for _, m := range p.Find(toks, nil) {
		got = append(got, m.Label+"="+in[m.Start:m.End])
	}
	want := []string{"calm down=CALM   down", "just=just", "I am sorry=I am sorry", "sorry * inconvenience=sorry for inconvenience"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Find = %q, want %q", got, want)
	}
}

func FuzzTokens(f *testing.F) {
	f.Add("I don't know, it’s late")
	f.Add("a-'b\xff-")
	f.Add("Don’t SHOUT, Ça va? 2PM x-Ray ÉCOLE")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Tokens(s, nil), tokensByRune(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("Tokens(%q) = %+v, want %+v", s, got, want)
		}
		for _, tok := range Tokens(s, nil) {
			if tok.Start < 0 || int(tok.End) > len(s) || tok.Start >= tok.End {
				t.Fatalf("bad token %+v in %q", tok, s)
			}
			if want := strings.ReplaceAll(strings.ToLower(tok.Text(s)), "’", "'"); tok.Lower != want {
				t.Fatalf("token %+v in %q: Lower should be %q", tok, s, want)
			}
		}
		for _, sp := range Sentences(s) {
			if sp.Start < 0 || sp.End > len(s) || sp.Start >= sp.End || strings.TrimSpace(s[sp.Start:sp.End]) == "" {
				t.Fatalf("bad sentence %+v in %q", sp, s)
			}
		}
	})
}

// tokensByRune is what Tokens does, read the plain way, a rune at a time:
// the fuzz test holds Tokens' fast paths to it.
func tokensByRune(s string) []Token {
	var out []Token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i += size; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isWordRune(r) {
				if !isJoiner(r) || i+size == len(s) {
					break
				}
				if r2, _ := utf8.DecodeRuneInString(s[i+size:]); !isWordRune(r2) {
					break
				}
			}
			i += size
		}
		w := s[start:i]
		out = append(out, Token{Lower: strings.ReplaceAll(strings.ToLower(w), "’", "'"), Start: int32(start), End: int32(i)})
	}
	return out
}

func BenchmarkTokens(b *testing.B) {
	s := strings.Repeat("I'm so sorry your card hasn't arrived, Mrs. Wanjiru. I'll post it today. ", 4)
	buf := make([]Token, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = Tokens(s, buf[:0])
	}
}

// A sentence is never whitespace alone, whatever the whitespace: the fuzz
// test found a form feed read as a sentence.
func TestSentencesAreNeverWhitespaceAlone(t *testing.T) {
	for _, s := range []string{"\f", "\v", "\u00a0", "Hello.\f\nThanks!\u00a0\u0085", "\u2003.\u2003"} {
		for _, sp := range Sentences(s) {
			if strings.TrimSpace(s[sp.Start:sp.End]) == "" || s[sp.Start:sp.End] != strings.TrimSpace(s[sp.Start:sp.End]) {
				t.Errorf("Sentences(%q) gave %q", s, s[sp.Start:sp.End])
			}
		}
	}
}

// Random texts of the characters at the edges of Tokens' byte classes
// hold its fast paths to tokensByRune, as the fuzz test does, on every run.
func TestTokensAgreesWithReadingByRune(t *testing.T) {
	pieces := []string{"a", "z", "A", "Z", "0", "9", "@", "[", "`", "{", "/", ":", " ", "'", "-", "’", "é", "É", "\xff", "\x7f", "\n", ".", "word", "WORD", "Mixed"}
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for range 20000 {
		b.Reset()
		for k := rng.IntN(24); k > 0; k-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := Tokens(s, nil), tokensByRune(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("Tokens(%q) = %+v, want %+v", s, got, want)
		}
	}
}
