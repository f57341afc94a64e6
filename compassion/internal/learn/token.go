package learn

import (
	"unicode"
	"unicode/utf8"
)

// Kind tells what a Token is.
type Kind uint8

// Token kinds.
const (
	Word  Kind = iota // letters, digits and inner apostrophes
	Punct             // one of . ! ? , ; : and the like
)

// Token is one word or punctuation mark of a text, by byte offsets, with the
// hash of its lower-cased form.
type Token struct {
	Start, End int
	Hash       uint64
	Kind       Kind
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// HashString returns the hash Tokenize gives a word spelled s (which should
// already be lower case).
func HashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// Mix combines two hashes into one, order-sensitively; it builds n-gram and
// prefixed feature keys.
func Mix(a, b uint64) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ b
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 32
	return h
}

func hashByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	return h * fnvPrime
}

func isPunct(c byte) bool {
	switch c {
	case '.', '!', '?', ',', ';', ':':
		return true
	}
	return false
}

// Tokenize appends the tokens of s to dst and returns it. Words are runs of
// letters, digits and apostrophes inside a word (typographic apostrophes
// count as '); their hash is of the lower-cased UTF-8 form. Runs of the same
// punctuation mark ("!!!") make one token. Invalid UTF-8 separates words.
func Tokenize(dst []Token, s string) []Token {
	for t, ok := Next(s, 0); ok; t, ok = Next(s, t.End) {
		dst = append(dst, t)
	}
	return dst
}

// Next returns the first token of s (as Tokenize finds them) that starts at
// byte i or after, and false when there is none. The token after it starts
// at its End or after. It reads a text without keeping its tokens.
func Next(s string, i int) (Token, bool) {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			// One table lookup a test: the range tests and the switch
			// over the marks were a chain of branches, some mispredicted
			// at each token.
			switch {
			case lowerWordByte[c] != 0:
				j, h := scanWord(s, i)
				return Token{Start: i, End: j, Hash: h, Kind: Word}, true
			case punctByte[c]:
				j := i + 1
				for j < len(s) && s[j] == c {
					j++
				}
				return Token{Start: i, End: j, Hash: hashByte(fnvOffset, c), Kind: Punct}, true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			j, h := scanWord(s, i)
			return Token{Start: i, End: j, Hash: h, Kind: Word}, true
		}
		i += size
	}
	return Token{}, false
}

// punctByte is isPunct as a table.
var punctByte = func() (t [256]bool) {
	for c := range t {
		t[c] = isPunct(byte(c))
	}
	return t
}()

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lowerWordByte maps each ASCII letter and digit to its lower-case form,
// and every other byte to 0: one lookup per byte of a word instead of
// three range tests.
var lowerWordByte = func() (t [256]byte) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = byte(c + 'a' - 'A')
		case isWordByte(byte(c)):
			t[c] = byte(c)
		}
	}
	return t
}()

// scanWord reads the word starting at s[i] and returns its end and hash.
func scanWord(s string, i int) (int, uint64) {
	h := uint64(fnvOffset)
	for i < len(s) {
		c := s[i]
		if l := lowerWordByte[c]; l != 0 {
			h = hashByte(h, l)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if c == '\'' && i+1 < len(s) && isWordByte(s[i+1]) {
				h = hashByte(h, '\'')
				i++
				continue
			}
			return i, h
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\u2019' && i+size < len(s) && isWordByte(s[i+size]):
			h = hashByte(h, '\'')
		case r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
			for k := 0; k < n; k++ {
				h = hashByte(h, buf[k])
			}
		default:
			return i, h
		}
		i += size
	}
	return i, h
}
