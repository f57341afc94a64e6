package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalSentimentPrintsPearsonAndSkipsBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gt.txt")
	data := "id\tmean\ttext\r\n1\t3\tI love it, wonderful!\r\n2\t-3\tterrible &amp; I hate it\r\n\r\n" +
		"3\tx\tbroken line\n4\t0.1\tthe box is brown\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := evalSentiment(context.Background(), []string{path, "--json"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Pearson float64 `json:"pearson"`
		N       int     `json:"n"`
		Skipped int     `json:"skipped"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if got.N != 3 || got.Skipped != 1 || got.Pearson < 0.9 {
		t.Errorf("got %+v", got)
	}
	if !strings.Contains(errOut.String(), "line 5") {
		t.Errorf("stderr %q does not name the bad line", errOut.String())
	}

	out.Reset()
	if err := evalSentiment(context.Background(), []string{path}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "pearson r = ") || !strings.Contains(out.String(), "n = 3") {
		t.Errorf("text output %q", out.String())
	}
}

func TestEvalSentimentNeedsOneFile(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := evalSentiment(context.Background(), nil, &out, &errOut); err == nil {
		t.Error("no file: no error")
	}
	if err := evalSentiment(context.Background(), []string{filepath.Join(t.TempDir(), "missing")}, &out, &errOut); err == nil {
		t.Error("missing file: no error")
	}
}
