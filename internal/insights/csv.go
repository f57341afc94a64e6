package insights

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes t's numbers as CSV (RFC 4180): its column names, then its
// rows. A cell of text that a spreadsheet would run as a formula (a team
// named "=HYPERLINK(…)") is written with a leading apostrophe.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	for _, row := range t.Rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = defuse(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(c string) string {
	if c == "" || strings.IndexByte("=+-@\t\r", c[0]) < 0 {
		return c
	}
	if _, err := strconv.ParseFloat(c, 64); err == nil {
		return c
	}
	return "'" + c
}
