package politeness

import (
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// Request is one annotated request of the Stanford Politeness Corpus.
type Request struct {
	Community string
	ID        string
	Text      string
	Score     float64 // normalised politeness score, higher is more polite
}

// ReadCSV reads the corpus' CSV: a header naming at least Request and
// Normalized Score (Community and Id are optional: without Community every
// row is one community), then one request per record. It tolerates a
// byte-order mark, CRLF line ends, stray quotes and embedded newlines; rows
// without a numeric score are skipped.
func ReadCSV(r io.Reader) ([]Request, error) {
	c, err := learn.NewCorpus(r, "request", "normalized score")
	if err != nil {
		return nil, err
	}
	field := c.Field
	var out []Request
	for {
		ok, err := c.Next()
		if err != nil {
			return out, err
		}
		if !ok {
			break
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(field("normalized score")), 64)
		if err != nil || math.IsNaN(score) || math.IsInf(score, 0) {
			continue
		}
		out = append(out, Request{
			Community: strings.TrimSpace(field("community")),
			ID:        strings.TrimSpace(field("id")),
			Text:      html.UnescapeString(strings.ReplaceAll(field("request"), "\r\n", "\n")),
			Score:     score,
		})
	}
	return out, nil
}

// Labelled is a request with its class: polite (top quartile of its
// community) or impolite (bottom quartile).
type Labelled struct {
	Request
	Polite bool
}

// Quartiles keeps the top and bottom quartile of each community's scores,
// computed on reqs themselves, as the 2013 paper's classification task
// does; the middle half is dropped. Order follows reqs.
func Quartiles(reqs []Request) []Labelled {
	byCommunity := map[string][]float64{}
	for _, r := range reqs {
		byCommunity[r.Community] = append(byCommunity[r.Community], r.Score)
	}
	type cut struct{ low, high float64 }
	cuts := map[string]cut{}
	for c, scores := range byCommunity {
		slices.Sort(scores)
		cuts[c] = cut{quantile(scores, 0.25), quantile(scores, 0.75)}
	}
	var out []Labelled
	for _, r := range reqs {
		c := cuts[r.Community]
		switch {
		case r.Score >= c.high && r.Score > c.low:
			out = append(out, Labelled{r, true})
		case r.Score <= c.low && r.Score < c.high:
			out = append(out, Labelled{r, false})
		}
	}
	return out
}

// quantile interpolates linearly between sorted values (numpy's default).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}
