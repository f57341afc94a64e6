package sentiment

import (
	"os"
	"path/filepath"
	"testing"
)

// dataDir is the shared data folder, beside the repository.
const dataDir = "../../../shared/data/vader"

// corpora are VADER's three ground-truth files that are shipped to us.
var corpora = []string{"tweets", "movieReviewSnippets", "amazonReviewSnippets"}

// loadCorpus reads one ground-truth corpus, or skips the test when the shared
// data is not there.
func loadCorpus(tb testing.TB, name string) []Rating {
	tb.Helper()
	path := filepath.Join(dataDir, name+"_GroundTruth.txt")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("ground truth %s not found (the shared data folder is expected beside the repository): %v", name, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ratings, bad, err := ReadRatings(f)
	if err != nil {
		tb.Fatal(err)
	}
	if len(bad) > 0 {
		tb.Fatalf("%s: %d unreadable lines, first %v", name, len(bad), &bad[0])
	}
	return ratings
}
