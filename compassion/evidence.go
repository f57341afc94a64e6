package compassion

// Evidence is a stretch of the analysed text, by byte offsets, that produced
// a finding.
type Evidence struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

func evidenceAt(s string, start, end int) Evidence {
	return Evidence{Text: s[start:end], Start: start, End: end}
}
