package compassion

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kindred-desk/kindred/compassion/internal/text"
)

// rephraseSentenceWords is the sentence length past which Rephrase splits a
// sentence: a little under the plain-language limit, so that the result
// fits it.
const rephraseSentenceWords = 20

// Rephrase returns a plainer version of an agent's explanation, for "explain
// it again, more simply": official or technical words become everyday ones
// ("prior to" → "before"), vague words become a bracketed prompt for the
// agent to fill in ("soon" → "[a day and date]"), and sentences longer than
// 20 words are split at a joining word ("…, and …" → "…. …"). It works by
// rule, so it never changes what the reply promises; the agent should read
// it before sending.
func Rephrase(s string) string {
	lx := loadLexicons()
	toks := text.Tokens(s, nil)
	b := make([]byte, 0, len(s))
	last := 0
	for _, m := range lx.plain.Find(toks, nil) {
		info := lx.info[m.Label]
		instead := info.alt
		if info.kind == kindVague {
			hint, _, _ := strings.Cut(instead, ":")
			instead = "[" + hint + "]"
		}
		if instead == "(leave out)" {
			instead = ""
		}
		b = append(b, s[last:m.Start]...)
		r, _ := utf8.DecodeRuneInString(s[m.Start:])
		capital := unicode.IsUpper(r)
		if capital {
			instead = upperFirstRune(instead)
		}
		b = append(b, instead...)
		last = m.End
		if instead == "" {
			// A phrase left out takes one space with it: the one after it,
			// or before punctuation the one before it ("done in due form." →
			// "done.").
			switch {
			case last < len(s) && s[last] == ' ':
				last++
			case last < len(s) && strings.IndexByte(".,;:!?", s[last]) >= 0 && len(b) > 0 && b[len(b)-1] == ' ':
				b = b[:len(b)-1]
			}
			// A sentence that began with the phrase now begins with the next word.
			if capital && last < len(s) {
				r, size := utf8.DecodeRuneInString(s[last:])
				if unicode.IsLower(r) {
					b = utf8.AppendRune(b, unicode.ToUpper(r))
					last += size
				}
			}
		}
	}
	b = append(b, s[last:]...)
	return splitLong(string(b))
}

// splitLong splits each sentence longer than rephraseSentenceWords at the
// joining word nearest its middle, as long as that leaves both halves at
// least four words long, and repeats on the halves.
func splitLong(s string) string {
	var b strings.Builder
	last := 0
	for _, sp := range text.Sentences(s) {
		b.WriteString(s[last:sp.Start])
		b.WriteString(splitSentence(s[sp.Start:sp.End], 0))
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String()
}

func splitSentence(sent string, depth int) string {
	toks := text.Tokens(sent, nil)
	if len(toks) <= rephraseSentenceWords || depth > 4 {
		return sent
	}
	best := -1
	for i := 4; i < len(toks)-4; i++ {
		switch toks[i].Lower {
		case "and", "but", "so", "because", "which", "then":
		default:
			continue
		}
		// Only where the writer already paused: after a comma or semicolon.
		gap := strings.TrimSpace(sent[toks[i-1].End:toks[i].Start])
		if gap != "," && gap != ";" {
			continue
		}
		if best < 0 || abs(i-len(toks)/2) < abs(best-len(toks)/2) {
			best = i
		}
	}
	if best < 0 {
		return sent
	}
	head := strings.TrimRight(sent[:toks[best-1].End], " ,;")
	word := toks[best]
	rest := sent[word.End:]
	var start string
	switch word.Lower {
	case "and":
		start = ""
	case "because":
		start = "This is because"
	case "which":
		start = "This"
	default:
		start = upperFirstRune(word.Text(sent))
	}
	rest = strings.TrimLeft(rest, " ")
	if start == "" {
		rest = upperFirstRune(rest)
	} else {
		rest = start + " " + rest
	}
	return splitSentence(head+".", depth+1) + " " + splitSentence(rest, depth+1)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func upperFirstRune(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
