package swahili

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "retrain model.tsv on AfriSenti train+dev")

const afrisentiDir = "../../../shared/data/afrisenti-swa/"

func readSplits(t testing.TB) []Example {
	var all []Example
	for _, name := range []string{"train.tsv", "dev.tsv"} {
		f, err := os.Open(afrisentiDir + name)
		if err != nil {
			t.Skipf("AfriSenti not here: %v", err)
		}
		ex, err := ReadAfriSenti(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ex...)
	}
	return all
}

// TestAfriSentiCrossValidation prints the cross-validated figures (go test
// -v -run AfriSenti ./compassion/swahili/) and holds the model to beating
// both baselines on weighted and macro F1.
func TestAfriSentiCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five models")
	}
	ex := readSplits(t)
	s := CrossValidate(ex, 5, 1, TrainOptions{})
	for _, x := range s {
		t.Logf("%-45s accuracy %.3f  weighted F1 %.3f  macro F1 %.3f  negative F1 %.3f", x.Name, x.Accuracy, x.WeightedF1, x.MacroF1, x.NegativeF1)
	}
	for _, base := range s[:2] {
		if s[2].WeightedF1 <= base.WeightedF1 || s[2].MacroF1 <= base.MacroF1 {
			t.Errorf("model (weighted %.3f, macro %.3f) does not beat %s (%.3f, %.3f)", s[2].WeightedF1, s[2].MacroF1, base.Name, base.WeightedF1, base.MacroF1)
		}
	}
	if *update {
		m := Train(ex, TrainOptions{})
		f, err := os.Create("model.tsv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := m.Format(f, "Kiswahili sentiment: logistic regression on AfriSenti swa train+dev (2,263 tweets).\nAfriSenti, Muhammad et al., EMNLP 2023, CC BY 4.0. Regenerate: go test -run AfriSenti ./compassion/swahili/ -update\ncolumns: word, negative, neutral, positive"); err != nil {
			t.Fatal(err)
		}
	}
}
