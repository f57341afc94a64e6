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

func TestEvalAfriSentiCrossValidatesEveryClassifier(t *testing.T) {
	file := filepath.Join(t.TempDir(), "swa.tsv")
	var b strings.Builder
	b.WriteString("tweet\tlabel\n")
	rows := []string{
		"asante sana kwa huduma nzuri\tpositive", "nimefurahi sana leo\tpositive", "hongera kwa kazi nzuri\tpositive",
		"huduma mbaya sana nimekasirika\tnegative", "wezi hawa ni matapeli\tnegative", "nimechoshwa na huduma hii\tnegative",
		"mkutano utafanyika kesho\tneutral", "rais amezungumza leo bungeni\tneutral", "bei ya mafuta imetangazwa\tneutral",
	}
	for i := 0; i < 4; i++ {
		for _, r := range rows {
			b.WriteString(strings.Replace(r, "\t", " "+string(rune('a'+i))+"\t", 1) + "\n")
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := evalAfriSenti(context.Background(), []string{file, "--folds", "3", "--json"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		N    int `json:"n"`
		Rows []struct {
			Name       string  `json:"name"`
			WeightedF1 float64 `json:"weighted_f1"`
		} `json:"classifiers"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %s", out.String())
	}
	if got.N != 36 || len(got.Rows) != 4 {
		t.Fatalf("got %+v, want 36 tweets and four classifiers", got)
	}
	for _, r := range got.Rows {
		if r.WeightedF1 < 0 || r.WeightedF1 > 1 {
			t.Errorf("%s: weighted F1 %v", r.Name, r.WeightedF1)
		}
	}
}

func TestEvalAfriSentiRefusesABadLabel(t *testing.T) {
	file := filepath.Join(t.TempDir(), "swa.tsv")
	if err := os.WriteFile(file, []byte("tweet\tlabel\nhabari\tgood\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := evalAfriSenti(context.Background(), []string{file}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `"good"`) {
		t.Errorf("error %v, want the line and the bad label", err)
	}
}
