package compassion

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/politeness"
	"github.com/kindred-desk/kindred/compassion/sentiment"
)

// AppendJSON appends the report as compact JSON to dst and returns the
// extended slice. Its output is byte for byte what a json.Encoder with
// SetEscapeHTML(false) writes for r, less the final newline: the same field
// order, omitempty fields, null for nil pointers and nil slices, [] for
// empty ones, numbers and string escapes as encoding/json writes them. It
// exists because a bulk caller (kindred analyze --jsonl) spent more time in
// encoding/json's reflection than in many parts of the analysis; it
// allocates nothing beyond growing dst.
//
// encoding/json fails where AppendJSON cannot, and there AppendJSON writes
// null instead: for a NaN or infinite number (Analyze never produces one;
// its tests check), and for an ID that is not valid JSON (Report.ID must
// hold valid JSON; an empty non-nil ID counts as invalid). Any other ID is
// written with its insignificant white space removed, as encoding/json
// compacts a json.RawMessage.
func (r *Report) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendRawJSON(dst, r.ID)
	dst = append(dst, `,"compassion":`...)
	if r.Compassion == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendFloat(dst, *r.Compassion)
	}
	dst = append(dst, `,"customer":`...)
	if r.Customer == nil {
		dst = append(dst, "null"...)
	} else {
		dst = r.Customer.appendJSON(dst)
	}
	dst = append(dst, `,"reply":`...)
	if r.Reply == nil {
		dst = append(dst, "null"...)
	} else {
		dst = r.Reply.appendJSON(dst)
	}
	if r.Truncated { // omitempty
		dst = append(dst, `,"truncated":true`...)
	}
	return append(dst, '}')
}

func (c *CustomerReport) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"language":`...)
	dst = appendString(dst, c.Language)
	dst = append(dst, `,"sentiment":`...)
	dst = appendScores(dst, &c.Sentiment.Scores)
	dst = append(dst[:len(dst)-1], `,"label":`...) // inside the scores' object, as encoding/json inlines them
	dst = appendString(dst, c.Sentiment.Label)
	dst = append(dst, '}')
	dst = append(dst, `,"emotions":`...)
	dst = appendList(dst, c.Emotions, appendEmotion)
	dst = append(dst, `,"distress":`...)
	dst = appendFloat(dst, c.Distress)
	dst = append(dst, `,"urgency":`...)
	dst = appendString(dst, c.Urgency)
	if len(c.UrgencyEvidence) > 0 { // omitempty: nil and [] are both left out
		dst = append(dst, `,"urgency_evidence":`...)
		dst = appendList(dst, c.UrgencyEvidence, appendEvidence)
	}
	dst = append(dst, `,"cues":`...)
	dst = appendList(dst, c.Cues, appendCue)
	dst = append(dst, `,"wants_to_be_heard":`...)
	dst = strconv.AppendBool(dst, c.WantsToBeHeard)
	if len(c.HeardEvidence) > 0 {
		dst = append(dst, `,"heard_evidence":`...)
		dst = appendList(dst, c.HeardEvidence, appendEvidence)
	}
	return append(dst, '}')
}

func (rep *ReplyReport) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"language":`...)
	dst = appendString(dst, rep.Language)
	dst = append(dst, `,"sentiment":`...)
	dst = appendScores(dst, &rep.Sentiment)
	dst = append(dst, `,"empathy":{"emotional_reactions":`...)
	// empathy.Level is a plain int type with no MarshalJSON or String
	// method used by encoding/json: it is written as a number.
	dst = appendInt(dst, int(rep.Empathy.EmotionalReactions))
	dst = append(dst, `,"interpretations":`...)
	dst = appendInt(dst, int(rep.Empathy.Interpretations))
	dst = append(dst, `,"explorations":`...)
	dst = appendInt(dst, int(rep.Empathy.Explorations))
	dst = append(dst, `},"empathy_evidence":`...)
	dst = appendList(dst, rep.EmpathyEvidence, appendEmpathyEvidence)
	dst = append(dst, `,"politeness":`...)
	dst = appendFloat(dst, rep.Politeness)
	dst = append(dst, `,"politeness_strategies":`...)
	dst = appendList(dst, rep.PolitenessStrategies, appendStrategy)
	dst = append(dst, `,"concreteness":`...)
	dst = appendFloat(dst, rep.Concreteness)
	dst = append(dst, `,"rated_words":`...)
	dst = appendInt(dst, int(rep.RatedWords))
	dst = append(dst, `,"vague_words":`...)
	dst = appendList(dst, rep.VagueWords, appendAlternative)

	p := &rep.PlainLanguage
	dst = append(dst, `,"plain_language":{"measure":`...)
	dst = appendString(dst, p.Measure)
	dst = append(dst, `,"grade":`...)
	dst = appendFloat(dst, p.Grade)
	dst = append(dst, `,"target_grade":`...)
	dst = appendFloat(dst, p.TargetGrade)
	dst = append(dst, `,"words":`...)
	dst = appendInt(dst, int(p.Words))
	dst = append(dst, `,"sentences":`...)
	dst = appendInt(dst, int(p.Sentences))
	dst = append(dst, `,"mean_sentence_words":`...)
	dst = appendFloat(dst, p.MeanSentenceWords)
	dst = append(dst, `,"longest_sentence_words":`...)
	dst = appendInt(dst, int(p.LongestSentenceWords))
	dst = append(dst, `,"max_sentence_words":`...)
	dst = appendInt(dst, int(p.MaxSentenceWords))
	dst = append(dst, `,"long_sentences":`...)
	dst = appendList(dst, p.LongSentences, appendEvidence)
	dst = append(dst, `,"jargon":`...)
	dst = appendList(dst, p.Jargon, appendAlternative)
	if len(p.LongWords) > 0 { // omitempty
		dst = append(dst, `,"long_words":`...)
		dst = appendList(dst, p.LongWords, appendEvidence)
	}

	n := &rep.NextStep
	dst = append(dst, `},"next_step":{"what":`...)
	dst = strconv.AppendBool(dst, n.What)
	dst = append(dst, `,"who":`...)
	dst = strconv.AppendBool(dst, n.Who)
	dst = append(dst, `,"when":`...)
	dst = strconv.AppendBool(dst, n.When)
	dst = append(dst, `,"what_evidence":`...)
	dst = appendList(dst, n.WhatEvidence, appendEvidence)
	dst = append(dst, `,"who_evidence":`...)
	dst = appendList(dst, n.WhoEvidence, appendEvidence)
	dst = append(dst, `,"when_evidence":`...)
	dst = appendList(dst, n.WhenEvidence, appendEvidence)
	if len(n.Times) > 0 { // omitempty
		dst = append(dst, `,"times":[`...)
		for i, t := range n.Times {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, t)
		}
		dst = append(dst, ']')
	}

	dst = append(dst, `},"signals":`...)
	dst = appendList(dst, rep.Signals, appendSignal)
	dst = append(dst, `,"suggestions":`...)
	dst = appendList(dst, rep.Suggestions, appendSuggestion)
	return append(dst, '}')
}

func appendScores(dst []byte, s *sentiment.Scores) []byte {
	dst = append(dst, `{"neg":`...)
	dst = appendFloat(dst, s.Negative)
	dst = append(dst, `,"neu":`...)
	dst = appendFloat(dst, s.Neutral)
	dst = append(dst, `,"pos":`...)
	dst = appendFloat(dst, s.Positive)
	dst = append(dst, `,"compound":`...)
	dst = appendFloat(dst, s.Compound)
	if len(s.Evidence) > 0 { // omitempty
		dst = append(dst, `,"evidence":`...)
		dst = appendList(dst, s.Evidence, appendSentimentEvidence)
	}
	return append(dst, '}')
}

func appendSentimentEvidence(dst []byte, e *sentiment.Evidence) []byte {
	dst = append(dst, `{"text":`...)
	dst = appendString(dst, e.Text)
	dst = appendSpan(dst, e.Start, e.End)
	dst = append(dst, `,"valence":`...)
	dst = appendFloat(dst, e.Valence)
	return append(dst, '}')
}

func appendEmotion(dst []byte, e *Emotion) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendString(dst, e.Name)
	dst = append(dst, `,"score":`...)
	dst = appendFloat(dst, e.Score)
	dst = append(dst, `,"evidence":`...)
	dst = appendList(dst, e.Evidence, appendEvidence)
	return append(dst, '}')
}

func appendEvidence(dst []byte, e *Evidence) []byte {
	dst = append(dst, `{"text":`...)
	dst = appendString(dst, e.Text)
	dst = appendSpan(dst, e.Start, e.End)
	return append(dst, '}')
}

// appendCue writes a Cue, whose embedded Evidence has its fields inlined
// between kind and care, as encoding/json does with an embedded struct.
func appendCue(dst []byte, c *Cue) []byte {
	dst = append(dst, `{"kind":`...)
	dst = appendString(dst, c.Kind)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, c.Text)
	dst = appendSpan(dst, c.Start, c.End)
	dst = append(dst, `,"care":`...)
	dst = appendString(dst, c.Care)
	return append(dst, '}')
}

// appendAlternative writes an Alternative: its embedded Evidence inlined,
// then instead.
func appendAlternative(dst []byte, a *Alternative) []byte {
	dst = append(dst, `{"text":`...)
	dst = appendString(dst, a.Text)
	dst = appendSpan(dst, a.Start, a.End)
	dst = append(dst, `,"instead":`...)
	dst = appendString(dst, a.Instead)
	return append(dst, '}')
}

func appendEmpathyEvidence(dst []byte, e *empathy.Evidence) []byte {
	dst = append(dst, `{"dimension":`...)
	dst = appendString(dst, e.Dimension)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, e.Text)
	dst = appendSpan(dst, e.Start, e.End)
	dst = append(dst, `,"weight":`...)
	dst = appendFloat(dst, e.Weight)
	return append(dst, '}')
}

func appendStrategy(dst []byte, s *politeness.Strategy) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendString(dst, s.Name)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, s.Text)
	dst = appendSpan(dst, s.Start, s.End)
	dst = append(dst, `,"polite":`...)
	dst = strconv.AppendBool(dst, s.Polite)
	return append(dst, '}')
}

func appendSignal(dst []byte, s *Signal) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendString(dst, s.Name)
	dst = append(dst, `,"effect":`...)
	dst = appendFloat(dst, s.Effect)
	dst = append(dst, `,"evidence":`...)
	dst = appendList(dst, s.Evidence, appendEvidence)
	dst = append(dst, `,"detail":`...)
	dst = appendString(dst, s.Detail)
	return append(dst, '}')
}

func appendSuggestion(dst []byte, s *Suggestion) []byte {
	dst = append(dst, `{"text":`...)
	dst = appendString(dst, s.Text)
	dst = append(dst, `,"why":`...)
	dst = appendString(dst, s.Why)
	if len(s.Evidence) > 0 { // omitempty
		dst = append(dst, `,"evidence":`...)
		dst = appendList(dst, s.Evidence, appendEvidence)
	}
	return append(dst, '}')
}

// appendSpan writes the start and end fields that every kind of evidence
// has after its text.
func appendSpan(dst []byte, start, end int) []byte {
	dst = append(dst, `,"start":`...)
	dst = appendInt(dst, start)
	dst = append(dst, `,"end":`...)
	return appendInt(dst, end)
}

// appendList writes a slice as a JSON array: null when it is nil, [] when it
// is empty but not nil, as encoding/json does.
func appendList[T any](dst []byte, list []T, elem func([]byte, *T) []byte) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = elem(dst, &list[i])
	}
	return append(dst, ']')
}

// appendFloat writes f as encoding/json's float64 encoder does (ES6 number
// formatting): the shortest decimal that reads back as f, in exponent form
// only below 1e-6 or from 1e21 up, with a one-digit negative exponent
// unpadded (1e-7, not 1e-07). encoding/json refuses NaN and ±Inf; they are
// written as null here.
func appendFloat(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	// Fast path: nearly every number of a report is rounded to at most four
	// decimals (0.319, 68.3, -0.5106). Such a number is k/10^4 for the k
	// nearest abs·10^4 (the product's error is far below 0.5 in this range),
	// and when k/10^4 reads back as f, k with its trailing zeros dropped is
	// the decimal strconv's shortest formatting finds: a double's spacing
	// here is far below 10^-4, so no other number of four decimals or fewer
	// reads back as f. One rounding and one division, where a search over
	// the count of decimals had a branch it mispredicted; the sign, the
	// digits and the point are written as words cut to length, with no
	// branch on their counts either. NaN and ±Inf fail the range test.
	if abs >= 1e-4 && abs < 1000 && cap(dst)-len(dst) >= 16 {
		// abs·10^4 >= 0.5, where adding 0.5 and truncating rounds as
		// math.Round does.
		k := uint64(int64(abs*1e4 + 0.5))
		if float64(k)/1e4 == abs {
			i := len(dst)
			b := dst[i : i+16]
			b[0] = '-'
			j := int(math.Float64bits(f) >> 63) // after the sign, if any
			whole := smallDigits[k/1e4]
			binary.LittleEndian.PutUint32(b[j:], whole)
			j += int(whole >> 24)
			frac := k % 1e4
			digits := uint32(digitPairs[frac/100]) | uint32(digitPairs[frac%100])<<16
			keep := 4 - bits.LeadingZeros32(digits^0x30303030)/8 // digits less trailing zeros
			keep += int(uint(-keep) >> 63)                       // and the point, if any digit
			binary.LittleEndian.PutUint64(b[j:], '.'|uint64(digits)<<8)
			return dst[:i+j+keep]
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// pow10[d] is 10^d; score.go's appendFixed rounds with it.
var pow10 = [...]float64{1, 10, 100, 1000, 10000}

// digitPairs[n] is n's two decimal digits, the first in the low byte.
var digitPairs = func() (t [100]uint16) {
	for n := range t {
		t[n] = uint16('0'+n/10) | uint16('0'+n%10)<<8
	}
	return t
}()

// appendInt writes n in decimal as strconv.AppendInt does. Nearly every
// number of a report (offsets, counts, levels) is below 1000: those are
// written here as one word of smallDigits cut to length, without
// strconv's call and its copy of the digits, which were 2% of the whole
// command, and with no branch on the count of digits.
func appendInt(dst []byte, n int) []byte {
	i := len(dst)
	if uint(n) >= 1000 || cap(dst)-i < 4 {
		return strconv.AppendInt(dst, int64(n), 10)
	}
	w := smallDigits[n]
	binary.LittleEndian.PutUint32(dst[i:i+4], w)
	return dst[:i+int(w>>24)]
}

// smallDigits[n] is n's decimal digits, the first in the low byte, and
// their count in the high byte.
var smallDigits = func() (t [1000]uint32) {
	for n := range t {
		s := strconv.Itoa(n)
		for i := range len(s) {
			t[n] |= uint32(s[i]) << (8 * i)
		}
		t[n] |= uint32(len(s)) << 24
	}
	return t
}()

const hexDigits = "0123456789abcdef"

const (
	lsb = 0x0101010101010101 // the low bit of each byte of a word
	msb = 0x8080808080808080 // the high bit of each byte
)

// specialBytes has a high bit (msb) set when a byte of w is below 0x20, a
// '"', a '\\' or from 0x80 up, and none when no byte is: SWAR tests, each
// exact as to whether any byte matches. The high bits are left unmasked
// for callers that or the results of several words together.
//
// Each subtraction borrows across bytes only from a byte that matches;
// the usual "&^ x" that keeps a byte from 0x80 up out of the quote and
// backslash tests is not needed, since w itself flags those bytes.
func specialBytes(w uint64) uint64 {
	quote, backslash := w^(lsb*'"'), w^(lsb*'\\') // a zero byte where one is
	return w | (w - lsb*0x20) | (quote - lsb) | (backslash - lsb)
}

// load64 reads s's first eight bytes as a little-endian word: one bounds
// check for the eight loads, which the compiler makes one.
func load64(s string) uint64 {
	t := s[:8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// load32 reads s's first four bytes as a little-endian word.
func load32(s string) uint32 {
	t := s[:4]
	return uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24
}

// plainByte[b] reports whether the ASCII byte b is written as it is in a
// JSON string: a table lookup is the cheapest test on the hot path.
var plainByte = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendString writes s as a JSON string as encoding/json does with HTML
// escaping off: " and \ and the control characters \b \f \n \r \t get their
// short escapes, other bytes below 0x20 \u00XX, each byte of invalid UTF-8
// becomes U+FFFD (the character, as Go 1.27's encoding/json writes it), and U+2028 and U+2029 are escaped (\u2028, \u2029) for
// the sake of JavaScript readers. Everything else, <, > and & included, is
// copied as it is.
func appendString(dst []byte, s string) []byte {
	// Fast path: a string of plain ASCII, as nearly every string of a
	// report is, is copied eight bytes at a time into dst's spare room and
	// tested on the way, with no call of memmove (whose branches on the
	// length, shared by every caller, were often mispredicted) and one
	// branch on the outcome; the last word overlaps the one before it.
	n := len(s)
	if i := len(dst); cap(dst)-i >= n+10 {
		b := dst[i : i+n+10]
		b[0] = '"'
		var special uint64 // specialBytes of each word, or'ed
		switch {
		case n >= 8:
			out := b[1:]
			for j := 0; j < n-8; j += 8 {
				w := load64(s[j:])
				special |= specialBytes(w)
				binary.LittleEndian.PutUint64(out[j:j+8], w)
			}
			w := load64(s[n-8:])
			special |= specialBytes(w)
			binary.LittleEndian.PutUint64(out[n-8:n], w)
		case n >= 4:
			lo, hi := load32(s), load32(s[n-4:])
			special = specialBytes(uint64(lo) | uint64(hi)<<32)
			binary.LittleEndian.PutUint32(b[1:5], lo)
			binary.LittleEndian.PutUint32(b[n-3:n+1], hi)
		case n > 0:
			c0, c1, c2 := s[0], s[n/2], s[n-1] // every byte of s
			special = specialBytes(uint64(c0) | uint64(c1)<<8 | uint64(c2)<<16 | 0x6161616161000000)
			b[1], b[1+n/2], b[n] = c0, c1, c2
		}
		if special&msb == 0 {
			b[n+1] = '"'
			return dst[:i+n+2]
		}
	}
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, to be copied in one go
	for i := 0; i < len(s); {
		// Skip eight plain bytes at a time while there are.
		for i+8 <= len(s) && specialBytes(load64(s[i:]))&msb == 0 {
			i += 8
		}
		if i >= len(s) {
			break
		}
		b := s[i]
		if plainByte[b] {
			i++
			continue
		}
		if b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plainID reports whether raw is an integer (-?(0|[1-9][0-9]*)) or a
// string of printable ASCII with no escape: the ids of nearly every line,
// valid and compact as they are, which need neither json.Valid (a
// thousand instructions for the id 1) nor a scan for white space.
func plainID(raw []byte) bool {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		for _, c := range raw[1 : len(raw)-1] {
			if !plainByte[c] {
				return false
			}
		}
		return true
	}
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || digits[0] == '0' && len(digits) > 1 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// appendRawJSON writes a json.RawMessage as encoding/json does: null when it
// is nil, else the JSON with the white space between tokens removed and
// U+2028 and U+2029 in strings escaped. Where
// encoding/json would fail (raw is not valid JSON), it writes null.
func appendRawJSON(dst []byte, raw json.RawMessage) []byte {
	if plainID(raw) {
		return append(dst, raw...)
	}
	if raw == nil || !json.Valid(raw) {
		return append(dst, "null"...)
	}
	inString := false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			case 0xE2: // U+2028 and U+2029 are escaped for JavaScript readers, as in strings
				if i+2 < len(raw) && raw[i+1] == 0x80 && (raw[i+2] == 0xA8 || raw[i+2] == 0xA9) {
					dst = append(dst, raw[start:i]...)
					dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[raw[i+2]&0xF])
					i += 2
					start = i + 1
				}
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			dst = append(dst, raw[start:i]...)
			start = i + 1
		}
	}
	return append(dst, raw[start:]...)
}
