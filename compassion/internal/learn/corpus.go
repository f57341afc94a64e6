package learn

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Corpus reads a labelled CSV data set with a header row, tolerant of what
// public corpora contain: a byte-order mark, CRLF line ends, stray quotes,
// embedded newlines and ragged rows. Columns are found by their header
// name, lower-cased and trimmed, so their order does not matter.
type Corpus struct {
	r   *csv.Reader
	col map[string]int
	rec []string
}

// NewCorpus reads the header from r and checks that the required columns
// are there.
func NewCorpus(r io.Reader, required ...string) (*Corpus, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	c := &Corpus{r: cr, col: make(map[string]int, len(header))}
	for i, h := range header {
		c.col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range required {
		if _, ok := c.col[need]; !ok {
			return nil, fmt.Errorf("header: no %q column", need)
		}
	}
	return c, nil
}

// Next moves to the next record; it returns false at the end of the data
// or on an error, which it returns.
func (c *Corpus) Next() (bool, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.rec = rec
	return true, nil
}

// Field returns the current record's value in the named column, or "" when
// the column is absent or the record too short.
func (c *Corpus) Field(name string) string {
	i, ok := c.col[name]
	if !ok || i >= len(c.rec) {
		return ""
	}
	return c.rec[i]
}
