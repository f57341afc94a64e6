// Package golden pins a model's outputs on a corpus: each output, written as
// a line of text, is kept as a short fingerprint in a gzipped file under
// testdata, so a test can say which text's result changed without storing
// the results themselves. Refresh a file with `go test -update` after a
// change that is meant to alter results.
package golden

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func fingerprint(line string) string {
	sum := sha256.Sum256([]byte(line))
	return hex.EncodeToString(sum[:8])
}

// Check compares the fingerprints of lines with those stored at path, or
// writes them there when update is set. names[i] says, in a failure, which
// input produced lines[i].
func Check(t testing.TB, path string, names, lines []string, update bool) {
	t.Helper()
	if update {
		if err := write(path, lines); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d fingerprints to %s", len(lines), path)
		return
	}
	want, err := read(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if len(want) != len(lines) {
		t.Fatalf("%s holds %d results, the corpus gives %d: the data or the code changed (-update if meant)", path, len(want), len(lines))
	}
	bad := 0
	for i, line := range lines {
		if fingerprint(line) != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("result %d changed (%s): now %s", i, names[i], line)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d results differ from %s (-update if the change is meant)", bad, len(lines), path)
	}
}

func write(path string, lines []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	for _, line := range lines {
		w.WriteString(fingerprint(line))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func read(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var out []string
	s := bufio.NewScanner(zr)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out, s.Err()
}
