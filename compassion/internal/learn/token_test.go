package learn

import (
	"testing"
	"unicode/utf8"
)

func TestTokenizeKeepsOffsetsAndLowercases(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // token texts
	}{
		{"words and punctuation", "I'm so sorry!! Are you OK?", []string{"I'm", "so", "sorry", "!!", "Are", "you", "OK", "?"}},
		{"typographic apostrophe", "I\u2019ve been there", []string{"I\u2019ve", "been", "there"}},
		{"trailing apostrophe is not a word", "dogs' toys", []string{"dogs", "toys"}},
		{"invalid UTF-8 separates", "ab\xffcd", []string{"ab", "cd"}},
		{"accented letters", "Café déjà-vu", []string{"Café", "déjà", "vu"}},
		{"empty", "", nil},
		{"only symbols", "<> -- ##", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks := Tokenize(nil, tt.in)
			if len(toks) != len(tt.want) {
				t.Fatalf("got %d tokens, want %d (%q)", len(toks), len(tt.want), tt.want)
			}
			for i, tok := range toks {
				if got := tt.in[tok.Start:tok.End]; got != tt.want[i] {
					t.Errorf("token %d = %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestTokenizeHashesCaseAndApostropheAlike(t *testing.T) {
	pairs := [][2]string{
		{"SORRY", "sorry"},
		{"I\u2019m", "i'm"},
		{"CAFÉ", "café"},
	}
	for _, p := range pairs {
		a, b := Tokenize(nil, p[0]), Tokenize(nil, p[1])
		if len(a) != 1 || len(b) != 1 || a[0].Hash != b[0].Hash {
			t.Errorf("%q and %q should hash alike: %v %v", p[0], p[1], a, b)
		}
		if b[0].Hash != HashString(p[1]) && utf8.ValidString(p[1]) && p[1] != "i'm" && p[1] != "café" {
			t.Errorf("HashString(%q) differs from the token hash", p[1])
		}
	}
	if Tokenize(nil, "please")[0].Hash != HashString("please") {
		t.Error("HashString must match Tokenize for lower-case ASCII words")
	}
	if Tokenize(nil, "i'm")[0].Hash != HashString("i'm") {
		t.Error("HashString must match Tokenize for words with apostrophes")
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "Hi!", "I\u2019m fine?", "\xff\xfe", "a'b'c''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, tok := range Tokenize(nil, s) {
			if tok.Start < last || tok.End <= tok.Start || tok.End > len(s) {
				t.Fatalf("bad token %+v in %q", tok, s)
			}
			last = tok.End
		}
	})
}

func TestNextStartsWhereItIsTold(t *testing.T) {
	s := "Hi,  you!!"
	for _, c := range []struct {
		from       int
		start, end int
		kind       Kind
		ok         bool
	}{
		{0, 0, 2, Word, true},
		{1, 1, 2, Word, true}, // from inside a word, the rest of it
		{2, 2, 3, Punct, true},
		{3, 5, 8, Word, true},
		{8, 8, 10, Punct, true},
		{10, 0, 0, 0, false},
	} {
		tok, ok := Next(s, c.from)
		if ok != c.ok || ok && (tok.Start != c.start || tok.End != c.end || tok.Kind != c.kind) {
			t.Errorf("Next(%q, %d) = %+v, %v; want [%d, %d) kind %d, %v", s, c.from, tok, ok, c.start, c.end, c.kind, c.ok)
		}
	}
	if tok, _ := Next(s, 3); tok.Hash != HashString("you") {
		t.Errorf("Next's hash of \"you\" is %x, want %x", tok.Hash, HashString("you"))
	}
}

// TestByteTablesMatchTests holds the tables Next reads to the tests they
// replace, for every byte.
func TestByteTablesMatchTests(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if punctByte[b] != isPunct(b) || (lowerWordByte[b] != 0) != isWordByte(b) {
			t.Errorf("byte %#x: punctByte %v, isPunct %v, lowerWordByte %#x, isWordByte %v",
				b, punctByte[b], isPunct(b), lowerWordByte[b], isWordByte(b))
		}
	}
}
