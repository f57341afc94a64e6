package empathy

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred/compassion/internal/learn"
)

// Pair is one annotated (seeker post, response) pair of an EPITOME file.
type Pair struct {
	SeekerID   string
	ResponseID string
	Seeker     string
	Response   string
	Level      Level
	Rationales []string // spans of the response the annotators marked
}

// Data holds the pairs of the three EPITOME files, indexed like
// Dimensions (ER, IP, EX).
type Data [3][]Pair

// Files names the EPITOME Reddit files, indexed like Dimensions.
var Files = [3]string{"emotional-reactions-reddit.csv", "interpretations-reddit.csv", "explorations-reddit.csv"}

// ReadData reads the three EPITOME files from fsys.
func ReadData(fsys fs.FS) (Data, error) {
	var d Data
	for i, name := range Files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return d, fmt.Errorf("read %s: %w", name, err)
		}
		d[i], err = ReadCSV(bytes.NewReader(b))
		if err != nil {
			return d, fmt.Errorf("read %s: %w", name, err)
		}
	}
	return d, nil
}

// ReadCSV reads one EPITOME file: a header naming at least seeker_post,
// response_post and level (sp_id, rp_id and rationales are optional), then
// one pair per record. It tolerates a byte-order mark, CRLF line ends,
// stray quotes, embedded newlines and HTML entities (Reddit's "&amp;").
// Records with a missing or unknown level are skipped.
func ReadCSV(r io.Reader) ([]Pair, error) {
	c, err := learn.NewCorpus(r, "seeker_post", "response_post", "level")
	if err != nil {
		return nil, err
	}
	field := c.Field
	var pairs []Pair
	for {
		ok, err := c.Next()
		if err != nil {
			return pairs, err
		}
		if !ok {
			break
		}
		lv, err := strconv.ParseFloat(strings.TrimSpace(field("level")), 64)
		if err != nil || lv != 0 && lv != 1 && lv != 2 {
			continue
		}
		p := Pair{
			SeekerID:   strings.TrimSpace(field("sp_id")),
			ResponseID: strings.TrimSpace(field("rp_id")),
			Seeker:     cleanText(field("seeker_post")),
			Response:   cleanText(field("response_post")),
			Level:      Level(lv),
		}
		for _, span := range strings.Split(field("rationales"), "|") {
			if span = strings.TrimSpace(cleanText(span)); span != "" {
				p.Rationales = append(p.Rationales, span)
			}
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return html.UnescapeString(s)
}

// Joined is a pair with its levels on all three dimensions.
type Joined struct {
	Seeker, Response string
	Levels           [3]Level
}

// Join matches the three files' pairs on (sp_id, rp_id); a key repeated
// within a file is matched occurrence by occurrence. It reports false when
// the files do not hold the same pairs (or ids are missing), in which case
// each file should be evaluated on its own rows.
func (d Data) Join() ([]Joined, bool) {
	type key struct{ sp, rp string }
	index := map[key][]int{}
	out := make([]Joined, 0, len(d[0]))
	for _, p := range d[0] {
		k := key{p.SeekerID, p.ResponseID}
		if k.sp == "" || k.rp == "" {
			return nil, false
		}
		index[k] = append(index[k], len(out))
		out = append(out, Joined{Seeker: p.Seeker, Response: p.Response, Levels: [3]Level{p.Level, -1, -1}})
	}
	for dim := 1; dim < 3; dim++ {
		if len(d[dim]) != len(out) {
			return nil, false
		}
		used := map[key]int{}
		for _, p := range d[dim] {
			k := key{p.SeekerID, p.ResponseID}
			n := used[k]
			if n >= len(index[k]) {
				return nil, false
			}
			used[k] = n + 1
			out[index[k][n]].Levels[dim] = p.Level
		}
	}
	return out, true
}
