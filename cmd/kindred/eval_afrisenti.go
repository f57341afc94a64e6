package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/compassion/swahili"
)

// evalAfriSenti cross-validates the Kiswahili sentiment on AfriSenti files
// (train and dev: the official test split is kept for judging): the
// majority class, a naive-Bayes bag of words, the Kiswahili model alone
// and the engine's customer.sentiment.label (the model with the
// lexicons), each text labelled by a model trained on the other folds.
func evalAfriSenti(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval afrisenti", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	folds := fs.Int("folds", 5, "cross-validation folds")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred eval afrisenti FILE... [--folds 5] [--json]")
		fmt.Fprintln(stderr, "FILEs are AfriSenti TSV files (tweet TAB label), e.g. ../shared/data/afrisenti-swa/{train,dev}.tsv.")
		fs.PrintDefaults()
	}
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("want at least one FILE")
	}
	if *folds < 2 || *folds > 20 {
		return fmt.Errorf("--folds %d: want 2 to 20", *folds)
	}
	var ex []swahili.Example
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		e, err := swahili.ReadAfriSenti(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ex = append(ex, e...)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	scores := swahili.CrossValidate(ex, *folds, 1, swahili.TrainOptions{}, swahili.Labeller{
		Name:  "kindred customer.sentiment.label (model + lexicons)",
		Label: compassion.SentimentLabelWith,
	})
	if *asJSON {
		type row struct {
			Name       string  `json:"name"`
			Accuracy   float64 `json:"accuracy"`
			WeightedF1 float64 `json:"weighted_f1"`
			MacroF1    float64 `json:"macro_f1"`
			NegativeF1 float64 `json:"negative_f1"`
		}
		out := struct {
			N     int   `json:"n"`
			Folds int   `json:"folds"`
			Rows  []row `json:"classifiers"`
		}{N: len(ex), Folds: *folds}
		for _, s := range scores {
			out.Rows = append(out.Rows, row{s.Name, round3(s.Accuracy), round3(s.WeightedF1), round3(s.MacroF1), round3(s.NegativeF1)})
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "AfriSenti Swahili, %d tweets, %d-fold cross-validation (identical tweets share a fold)\n", len(ex), *folds)
	fmt.Fprintf(stdout, "%-55s %8s %11s %8s %11s\n", "", "accuracy", "weighted F1", "macro F1", "negative F1")
	for _, s := range scores {
		fmt.Fprintf(stdout, "%-55s %8.3f %11.3f %8.3f %11.3f\n", s.Name, s.Accuracy, s.WeightedF1, s.MacroF1, s.NegativeF1)
	}
	return nil
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }
