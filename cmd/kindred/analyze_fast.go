package main

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeLineFast decodes the common shape of an --jsonl line without
// encoding/json's reflection: one object whose keys are exactly "id",
// "customer_message", "reply", "customer_name", "accommodations", "channel"
// or "language", each at
// most once, with an id that is a string, a number without exponent or
// null, string (or null) messages and name, and accommodations an array of
// strings or null, with JSON white space anywhere between tokens.
//
// It returns false, leaving line untouched, on anything else — another key
// or spelling of one (encoding/json matches keys case-insensitively), a
// repeated key, another type, a syntax error, trailing bytes — and the
// caller then decodes with json.Unmarshal, whose results and errors stay
// the reference. When it returns true, line holds what json.Unmarshal
// would give, the id has passed validID, and line.ID shares data's bytes.
// line should be the zero value, as it is for every caller: it is
// overwritten whole, where json.Unmarshal would merge.
func decodeLineFast(data []byte, line *analyzeLine) bool {
	var l analyzeLine // filled here, copied to line only on success
	const (
		seenID = 1 << iota
		seenCustomer
		seenReply
		seenName
		seenAccommodations
		seenChannel
		seenLanguage
	)
	seen := 0
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			// The key: a plain string, without escapes.
			if i >= len(data) || data[i] != '"' {
				return false
			}
			k := i + 1
			for k < len(data) && data[k] >= 'a' && data[k] <= 'z' || k < len(data) && data[k] == '_' {
				k++
			}
			if k >= len(data) || data[k] != '"' {
				return false
			}
			var bit int
			switch string(data[i+1 : k]) {
			case "id":
				bit = seenID
			case "customer_message":
				bit = seenCustomer
			case "reply":
				bit = seenReply
			case "customer_name":
				bit = seenName
			case "accommodations":
				bit = seenAccommodations
			case "channel":
				bit = seenChannel
			case "language":
				bit = seenLanguage
			default:
				return false
			}
			if seen&bit != 0 {
				return false // a repeated key: let encoding/json apply its rule
			}
			seen |= bit
			i = skipSpace(data, k+1)
			if i >= len(data) || data[i] != ':' {
				return false
			}
			i = skipSpace(data, i+1)

			// The value.
			var ok bool
			switch bit {
			case seenID:
				var end int
				if end, ok = scanID(data, i); ok {
					l.ID = data[i:end:end]
					i = end
				}
			case seenCustomer:
				i, ok = scanStringOrNull(data, i, &l.CustomerMessage)
			case seenReply:
				i, ok = scanStringOrNull(data, i, &l.Reply)
			case seenName:
				i, ok = scanStringOrNull(data, i, &l.CustomerName)
			case seenAccommodations:
				i, ok = scanAccommodations(data, i, &l.Accommodations)
			case seenChannel:
				i, ok = scanStringOrNull(data, i, &l.Channel)
			case seenLanguage:
				i, ok = scanStringOrNull(data, i, &l.Language)
			}
			if !ok {
				return false
			}

			i = skipSpace(data, i)
			if i >= len(data) {
				return false
			}
			if data[i] == '}' {
				i++
				break
			}
			if data[i] != ',' {
				return false
			}
			i = skipSpace(data, i+1)
		}
	}
	if skipSpace(data, i) != len(data) {
		return false
	}
	*line = l
	return true
}

// skipSpace skips JSON white space: space, tab, CR and LF, not the other
// characters that bytes.TrimSpace knows.
func skipSpace(data []byte, i int) int {
	// data[i] <= ' ' first: between the tokens of a compact line, where
	// there is no white space, one comparison ends the loop.
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// scanID returns the end of the id at data[i:]: a JSON string, null, or a
// JSON number without exponent. It refuses numbers with an exponent, and
// longer than 300 bytes, which could overflow a float64 and so fail
// validID; anything shorter is well within range.
func scanID(data []byte, i int) (end int, ok bool) {
	if i >= len(data) {
		return i, false
	}
	switch c := data[i]; {
	case c == '"':
		return scanString(data, i, nil)
	case c == 'n':
		return i + 4, hasNull(data, i)
	case c == '-' || c >= '0' && c <= '9':
		j := i
		if data[j] == '-' {
			j++
		}
		switch {
		case j < len(data) && data[j] == '0':
			j++
		case j < len(data) && data[j] >= '1' && data[j] <= '9':
			for j < len(data) && data[j] >= '0' && data[j] <= '9' {
				j++
			}
		default:
			return j, false
		}
		if j < len(data) && data[j] == '.' {
			j++
			d := j
			for j < len(data) && data[j] >= '0' && data[j] <= '9' {
				j++
			}
			if j == d {
				return j, false
			}
		}
		// What follows must end the value; an exponent (e, E) or another
		// digit (as in 01) is left to encoding/json by the caller, which
		// expects , or } here.
		return j, j-i <= 300
	}
	return i, false
}

func hasNull(data []byte, i int) bool {
	return len(data)-i >= 4 && string(data[i:i+4]) == "null"
}

// scanStringOrNull decodes the string or null at data[i:] into *s (null
// leaves *s as it is, as json.Unmarshal does for a string field) and
// returns the index after it.
func scanStringOrNull(data []byte, i int, s *string) (int, bool) {
	if i < len(data) && data[i] == 'n' {
		return i + 4, hasNull(data, i)
	}
	if i >= len(data) || data[i] != '"' {
		return i, false
	}
	return scanString(data, i, s)
}

// scanAccommodations decodes an array of strings, or null, into *list:
// null gives a nil slice and [] an empty one, as json.Unmarshal does. A null
// element, or anything but a string, is refused.
func scanAccommodations(data []byte, i int, list *[]string) (int, bool) {
	if i < len(data) && data[i] == 'n' {
		*list = nil
		return i + 4, hasNull(data, i)
	}
	if i >= len(data) || data[i] != '[' {
		return i, false
	}
	i = skipSpace(data, i+1)
	out := []string{}
	if i < len(data) && data[i] == ']' {
		*list = out
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, false
		}
		var s string
		var ok bool
		if i, ok = scanString(data, i, &s); !ok {
			return i, false
		}
		out = append(out, s)
		i = skipSpace(data, i)
		if i >= len(data) {
			return i, false
		}
		if data[i] == ']' {
			*list = out
			return i + 1, true
		}
		if data[i] != ',' {
			return i, false
		}
		i = skipSpace(data, i+1)
	}
}

// scanString reads the JSON string that starts with the quote at data[i]
// and returns the index after its closing quote. With s not nil it stores
// the decoded string there, decoded as json.Unmarshal decodes it: escapes
// resolved, a \u escape of a lone surrogate and each byte of invalid UTF-8
// replaced by U+FFFD. A control character or an unknown escape, which
// encoding/json rejects, is refused.
func scanString(data []byte, i int, s *string) (int, bool) {
	start := i + 1
	j := skipPlain(data, start)
	if j >= len(data) {
		return j, false // unterminated
	}
	if data[j] == '"' { // the common case: nothing to decode
		if s != nil {
			*s = string(data[start:j])
		}
		return j + 1, true
	}

	// Escapes or invalid UTF-8: decode into a builder sized for the
	// string's raw length, which the decoded string exceeds only where
	// invalid bytes become three-byte U+FFFD.
	var b strings.Builder
	if s != nil {
		end := j
		for end < len(data) && data[end] != '"' {
			if data[end] == '\\' {
				end++
			}
			end++
		}
		b.Grow(end - start)
	}
	b.Write(data[start:j])
	for j < len(data) {
		switch c := data[j]; {
		case c == '"':
			if s != nil {
				*s = b.String()
			}
			return j + 1, true
		case c < 0x20:
			return j, false
		case c == '\\':
			if j+1 >= len(data) {
				return j, false
			}
			switch e := data[j+1]; {
			case shortEscapes[e] != 0:
				b.WriteByte(shortEscapes[e])
				j += 2
			case e == 'u':
				r := hex4(data, j)
				if r < 0 {
					return j, false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					// A pair only when a \u escape of the other half
					// follows; else U+FFFD, and what follows is read on
					// its own (encoding/json's unquote does the same).
					r2 := hex4(data, j)
					if dec := utf16.DecodeRune(r, r2); r2 >= 0 && dec != utf8.RuneError {
						r = dec
						j += 6
					} else {
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
			default:
				return j, false // not a JSON escape
			}
		default: // a byte of invalid UTF-8, where skipPlain stopped
			b.WriteRune(utf8.RuneError)
			j++
		}
		k := skipPlain(data, j)
		b.Write(data[j:k])
		j = k
	}
	return j, false // unterminated
}

// shortEscapes maps the letter of each two-byte JSON escape (\n, \", …)
// to the byte it stands for; 0 for the rest.
var shortEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// skipPlain returns the index of the first byte from data[i] on that a JSON
// string cannot carry as it is: a quote, a backslash, a control character
// or a byte of invalid UTF-8; len(data) when there is none.
func skipPlain(data []byte, i int) int {
	for i < len(data) {
		// Eight bytes at a time while none is special or non-ASCII (SWAR:
		// each test is exact as to whether any byte of the word matches).
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			quote, backslash := w^(lsb*'"'), w^(lsb*'\\')
			if (w|(w-lsb*0x20)|(quote-lsb)&^quote|(backslash-lsb)&^backslash)&msb != 0 {
				break
			}
			i += 8
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		if c < utf8.RuneSelf {
			if c == '"' || c == '\\' || c < 0x20 {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}

const (
	lsb = 0x0101010101010101 // the low bit of each byte of a word
	msb = 0x8080808080808080 // the high bit of each byte
)

// hex4 returns the code unit of the \uXXXX escape at data[i:], or -1 when
// there is none.
func hex4(data []byte, i int) rune {
	if len(data)-i < 6 || data[i] != '\\' || data[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range data[i+2 : i+6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
