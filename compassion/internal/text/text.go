// Package text splits messages into words and sentences with byte offsets,
// and finds listed phrases in them. It is the engine's shared reading layer:
// every piece of evidence the engine shows points back into the original text
// through these offsets.
package text

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one word: letters and digits, with inner apostrophes and hyphens
// kept ("don't", "follow-up"). Lower is the lower-cased form with curly
// apostrophes made straight. The word as written is s[Start:End] of the
// text s it was read from: a token holds no copy of it, so that a token is
// 24 bytes and a message's tokens take half the cache lines they would.
type Token struct {
	Lower string
	Start int32 // byte offset of the first byte
	End   int32 // byte offset just past the last byte
}

// Text returns the word as written in s, the text t was read from.
func (t Token) Text(s string) string { return s[t.Start:t.End] }

// maxText is how much of a text Tokens reads: offsets are int32.
const maxText = math.MaxInt32

// Tokens appends the words of s to buf and returns it. Pass buf[:0] of a
// reused slice to avoid allocation on hot paths: words that need lower-casing
// share one allocation per call.
//
// Only the first 2 GiB of s are read; the engine clips a message long before.
func Tokens(s string, buf []Token) []Token {
	if len(s) > maxText {
		s = s[:maxText]
	}
	// The lower-cased forms of ASCII words with capitals, built in one
	// buffer: one allocation for them all, each Lower a slice of its String.
	var arena strings.Builder
	i := 0
	for i < len(s) {
		// The word's case is gathered as it is read: the class bits of
		// its ASCII bytes, and caseNonASCII for any other rune.
		c := s[i]
		class := asciiWord[c]
		start := i
		if class != 0 {
			i++
		} else if c < utf8.RuneSelf {
			i++ // the common case of a space or punctuation, without decoding
			continue
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if !isWordRune(r) {
				continue
			}
			class = caseNonASCII
		}
		for {
			// The common case, ASCII letters and digits, in a loop of its
			// own: with no call in it, it keeps i and class in registers.
			for i < len(s) {
				k := asciiWord[s[i]]
				if k == 0 {
					break
				}
				class |= k
				i++
			}
			if i == len(s) {
				break
			}
			c := s[i]
			if c < utf8.RuneSelf && c != '\'' && c != '-' {
				break // the common end of a word: a space or a mark
			}
			r, size := decode(s, i)
			if isWordRune(r) {
				class |= caseNonASCII // ASCII word runes were read above
				i += size
				continue
			}
			// An apostrophe or hyphen joins two word runes: "don't", "re-send".
			if isJoiner(r) && i+size < len(s) {
				if r2, _ := decode(s, i+size); isWordRune(r2) {
					if c >= utf8.RuneSelf {
						class |= caseNonASCII // ’
					}
					i += size
					continue
				}
			}
			break
		}
		word := s[start:i]
		var lower string
		switch {
		case class&caseNonASCII != 0:
			lower = strings.ReplaceAll(strings.ToLower(word), "’", "'")
		case class&caseUpper == 0:
			lower = word
		default: // ASCII with capitals
			if arena.Cap() == 0 {
				arena.Grow(len(s) - start)
			}
			from := arena.Len()
			for j := 0; j < len(word); j++ {
				c := word[j]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				arena.WriteByte(c)
			}
			lower = arena.String()[from:]
		}
		// Field by field, not as a composite literal: while the collector
		// marks, a Token literal is copied with typedmemmove, some 450
		// instructions a word, where these stores take one buffered write
		// barrier.
		n := len(buf)
		if n == cap(buf) {
			buf = slices.Grow(buf, 1)
		}
		buf = buf[:n+1]
		t := &buf[n]
		t.Lower, t.Start, t.End = lower, int32(start), int32(i)
	}
	return buf
}

// The case classes of a word's characters, ORed together as Tokens reads
// it: a word with none of caseUpper and caseNonASCII is already lower case.
const (
	caseLower    = 1 << iota // a lower-case ASCII letter or a digit
	caseUpper                // an upper-case ASCII letter
	caseNonASCII             // any other word rune, or ’
)

func decode(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// asciiWord gives the case class of each ASCII byte that is a word rune
// (see isWordRune), 0 for the others and for every byte from 0x80 up.
var asciiWord = func() (t [256]uint8) {
	for c := range utf8.RuneSelf {
		switch {
		case 'A' <= c && c <= 'Z':
			t[c] = caseUpper
		case isWordRune(rune(c)):
			t[c] = caseLower
		}
	}
	return t
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isJoiner(r rune) bool {
	return r == '\'' || r == '’' || r == '-'
}

// Span is a stretch of text by byte offsets.
type Span struct {
	Start, End int
}

// Sentences returns the spans of the sentences in s: text up to and
// including '.', '!', '?' or a line break, trimmed of surrounding space.
// A full stop inside a number ("3.5") or after a single capital ("J. Otieno")
// does not end a sentence.
func Sentences(s string) []Span {
	return AppendSentences(nil, s)
}

// AppendSentences appends the spans of the sentences in s, as Sentences
// finds them, to dst and returns it: pass dst[:0] of a reused slice to avoid
// allocating on hot paths.
func AppendSentences(dst []Span, s string) []Span {
	out := dst
	start := 0
	flush := func(end int) {
		a, b := start, end
		// Trimmed as strings.TrimSpace trims (a form feed, a no-break
		// space), so that no sentence is whitespace alone.
		for a < b {
			r, n := rune(s[a]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRuneInString(s[a:b])
			}
			if !unicode.IsSpace(r) {
				break
			}
			a += n
		}
		for b > a {
			r, n := rune(s[b-1]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeLastRuneInString(s[a:b])
			}
			if !unicode.IsSpace(r) {
				break
			}
			b -= n
		}
		if a < b {
			out = append(out, Span{a, b})
		}
		start = end
	}
	for i := 0; i < len(s); i++ {
		// Skip to the next byte that may end a sentence, eight bytes at a
		// time, in loops whose exits are taken once a mark: testing each
		// byte in the switch below was a mispredicted branch every few
		// bytes.
		for i+8 <= len(s) && !hasMark(load64(s[i:i+8])) {
			i += 8
		}
		for i < len(s) && !sentenceMark[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		switch c {
		case '\n':
			flush(i + 1)
		case '!', '?':
			for i+1 < len(s) && (s[i+1] == '!' || s[i+1] == '?' || s[i+1] == '.') {
				i++
			}
			flush(i + 1)
		case '.':
			if i+1 < len(s) && isDigit(s[i+1]) && i > 0 && isDigit(s[i-1]) {
				continue
			}
			if i >= 1 && 'A' <= s[i-1] && s[i-1] <= 'Z' && (i == 1 || !isLetter(s[i-2])) {
				continue
			}
			for i+1 < len(s) && s[i+1] == '.' {
				i++
			}
			flush(i + 1)
		}
	}
	flush(len(s))
	return out
}

// sentenceMark holds the bytes that may end a sentence.
var sentenceMark = [256]bool{'\n': true, '!': true, '.': true, '?': true}

// load64 reads the first 8 bytes of w, little-endian, in one load.
func load64(w string) uint64 {
	_ = w[7]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// hasMark reports whether any of the 8 bytes of x is a sentenceMark.
func hasMark(x uint64) bool {
	const ones = 0x0101010101010101
	// (v-ones)&^v has a byte's high bit set where v has a zero byte, if it
	// has one (bits above the first zero byte may be wrong, which does not
	// matter here).
	a, b, c, d := x^(ones*'\n'), x^(ones*'!'), x^(ones*'.'), x^(ones*'?')
	return ((a-ones)&^a|(b-ones)&^b|(c-ones)&^c|(d-ones)&^d)&(ones*0x80) != 0
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
