package sentiment

import (
	"bufio"
	"compress/gzip"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testdata/python_reference.tsv.gz holds the scores that the reference Python
// (vaderSentiment.py at commit 44fc044, SentimentIntensityAnalyzer with the
// lexicons embedded here) gives every text of the three ground-truth corpora,
// as read by ReadRatings: corpus, line, neg, neu, pos, compound.
func loadReference(t *testing.T) map[string]map[int][4]float64 {
	t.Helper()
	f, err := os.Open("testdata/python_reference.tsv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	ref := map[string]map[int][4]float64{}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			t.Fatalf("bad reference line %q", sc.Text())
		}
		line, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		var v [4]float64
		for k := range v {
			if v[k], err = strconv.ParseFloat(f[2+k], 64); err != nil {
				t.Fatal(err)
			}
		}
		if ref[f[0]] == nil {
			ref[f[0]] = map[int][4]float64{}
		}
		ref[f[0]][line] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestAnalyzeMatchesPythonReferenceOnGroundTruth(t *testing.T) {
	ref := loadReference(t)
	for _, c := range corpora {
		ratings := loadCorpus(t, c)
		mismatches := 0
		for _, r := range ratings {
			want, ok := ref[c][r.Line]
			if !ok {
				t.Fatalf("%s line %d: no reference score", c, r.Line)
			}
			s := Analyze(r.Text)
			got := [4]float64{s.Negative, s.Neutral, s.Positive, s.Compound}
			if got != want {
				mismatches++
				if mismatches <= 10 {
					t.Errorf("%s line %d %q:\n got neg,neu,pos,compound %v\nwant %v", c, r.Line, r.Text, got, want)
				}
			}
		}
		t.Logf("%s: %d texts, %d differ from the Python reference", c, len(ratings), mismatches)
	}
}
