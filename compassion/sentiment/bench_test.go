package sentiment

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/jonreiter/govader"
)

// benchTexts is the tweets ground truth plus the helper responses of the
// EPITOME emotional-reactions data: real short texts of the kind agents type.
func benchTexts(b *testing.B) []string {
	b.Helper()
	var texts []string
	for _, r := range loadCorpus(b, "tweets") {
		texts = append(texts, r.Text)
	}
	path := filepath.Join(dataDir, "..", "epitome", "emotional-reactions-reddit.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		b.Skipf("EPITOME data not found: %v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	col := -1
	for i, name := range rows[0] {
		if name == "response_post" {
			col = i
		}
	}
	if col < 0 {
		b.Fatal("no response_post column")
	}
	for _, row := range rows[1:] {
		texts = append(texts, row[col])
	}
	return texts
}

func report(b *testing.B, texts int) {
	b.ReportMetric(float64(texts)/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkAnalyze(b *testing.B) {
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		Analyze(texts[n%len(texts)])
		n++
	}
	report(b, n)
}

func BenchmarkAnalyzeOmitEvidence(b *testing.B) {
	texts := benchTexts(b)
	a := Analyzer{OmitEvidence: true}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		a.Analyze(texts[n%len(texts)])
		n++
	}
	report(b, n)
}

func BenchmarkGovader(b *testing.B) {
	texts := benchTexts(b)
	sia := govader.NewSentimentIntensityAnalyzer()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		sia.PolarityScores(texts[n%len(texts)])
		n++
	}
	report(b, n)
}
