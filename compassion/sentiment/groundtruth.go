package sentiment

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/kindred-desk/kindred/compassion/internal/stats"
)

// Rating is one text of a ground-truth file with its mean human rating.
type Rating struct {
	ID   string
	Mean float64 // VADER's files use −4..+4
	Text string  // HTML entities decoded, surrounding white space trimmed
	Line int     // 1-based line in the file
}

// LineError is a line of a ground-truth file that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ReadRatings reads a ground-truth file in the format of VADER's
// *_GroundTruth.txt: one "id TAB mean TAB text" per line. It is lenient
// about what such files look like in the wild: CRLF or LF line ends, a UTF-8
// byte-order mark, blank lines, white space around fields, fields separated by
// spaces when there is no tab, a text in double quotes (with "" for a quote),
// HTML entities such as &amp;, and a header line first. A line that still
// cannot be read is returned in bad and does not stop the reading; err is only
// for a failing reader.
func ReadRatings(r io.Reader) (ratings []Rating, bad []LineError, err error) {
	br := bufio.NewReader(r)
	first := true
	for n := 1; ; n++ {
		line, rerr := br.ReadString('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return ratings, bad, fmt.Errorf("read ratings: line %d: %w", n, rerr)
		}
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if strings.TrimSpace(line) != "" {
			rt, perr := parseRating(line)
			switch {
			case perr == nil:
				rt.Line = n
				ratings = append(ratings, rt)
			case first && errors.Is(perr, errMean):
				// A first line whose mean is not a number is a header.
			default:
				bad = append(bad, LineError{Line: n, Err: perr})
			}
			first = false
		}
		if rerr != nil {
			return ratings, bad, nil
		}
	}
}

var errMean = errors.New("mean is not a finite number")

func parseRating(line string) (Rating, error) {
	line = strings.TrimRight(line, "\r\n")
	var id, mean, text string
	if f := strings.SplitN(line, "\t", 3); len(f) == 3 {
		id, mean, text = f[0], f[1], f[2]
	} else {
		// No tabs (or too few): fall back to white-space separated fields.
		f := strings.FieldsFunc(line, unicode.IsSpace)
		if len(f) < 3 {
			return Rating{}, fmt.Errorf("want id, mean and text, found %d field(s)", len(f))
		}
		id, mean = f[0], f[1]
		rest := strings.TrimLeftFunc(line, unicode.IsSpace)
		rest = strings.TrimLeftFunc(rest[len(id):], unicode.IsSpace)
		text = rest[len(mean):]
	}
	id = strings.TrimSpace(id)
	m, err := strconv.ParseFloat(strings.TrimSpace(mean), 64)
	if err != nil || math.IsNaN(m) || math.IsInf(m, 0) {
		return Rating{}, fmt.Errorf("%w: %q", errMean, strings.TrimSpace(mean))
	}
	text = strings.TrimSpace(text)
	text = unquote(text)
	text = strings.TrimSpace(html.UnescapeString(text))
	if text == "" {
		return Rating{}, errors.New("empty text")
	}
	return Rating{ID: id, Mean: m, Text: text}, nil
}

// unquote undoes CSV-style quoting: a text wrapped in double quotes in which
// every inner quote is doubled. Anything else is a text that merely starts
// and ends with a quotation, and is kept as it is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	if strings.Count(inner, `"`) != 2*strings.Count(inner, `""`) {
		return s
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}

// Correlation scores each rating's text with Analyze and returns Pearson's r
// between the compound scores and the human means: the figure VADER's paper
// reports (0.881 on its tweets).
func Correlation(ratings []Rating) (float64, error) {
	a := Analyzer{OmitEvidence: true}
	compound, human := make([]float64, len(ratings)), make([]float64, len(ratings))
	for i, r := range ratings {
		compound[i] = a.Analyze(r.Text).Compound
		human[i] = r.Mean
	}
	return stats.Pearson(compound, human)
}
