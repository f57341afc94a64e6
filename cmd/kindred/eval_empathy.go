package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/compassion/empathy"
)

// evalEmpathy scores the embedded empathy model on EPITOME files in DIR.
func evalEmpathy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval empathy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print accuracy, macro_f1 and n per dimension as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred eval empathy DIR [--json]")
		fmt.Fprintln(stderr, "\nDIR holds EPITOME's emotional-reactions-, interpretations- and explorations-reddit.csv.")
		fmt.Fprintln(stderr, "The embedded model was trained on the shared training split: evaluating on that split")
		fmt.Fprintln(stderr, "measures training fit, not generalisation. Use a held-out split, or")
		fmt.Fprintln(stderr, "'kindred train empathy DIR --folds 5 --cv-only' for cross-validation.")
		fs.PrintDefaults()
	}
	dir, err := parseWithPath(fs, args, "DIR")
	if err != nil {
		return err
	}
	data, err := empathy.ReadData(os.DirFS(dir))
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	writeEmpathyScores(stdout, empathy.Evaluate(empathy.Default(), data), *asJSON)
	return nil
}

type empathyScore struct {
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	N        int     `json:"n"`
}

func writeEmpathyScores(w io.Writer, s [3]empathy.Scores, asJSON bool) {
	if asJSON {
		out := struct {
			ER empathyScore `json:"emotional_reactions"`
			IP empathyScore `json:"interpretations"`
			EX empathyScore `json:"explorations"`
		}{
			empathyScore{s[0].Accuracy, s[0].MacroF1, s[0].N},
			empathyScore{s[1].Accuracy, s[1].MacroF1, s[1].N},
			empathyScore{s[2].Accuracy, s[2].MacroF1, s[2].N},
		}
		b, _ := json.Marshal(out)
		fmt.Fprintln(w, string(b))
		return
	}
	for d, name := range empathy.Dimensions {
		fmt.Fprintf(w, "%-20s accuracy %.4f  macro-F1 %.4f  n %d\n", name, s[d].Accuracy, s[d].MacroF1, s[d].N)
		fmt.Fprintf(w, "  %-10s %8s %8s %8s\n", "true\\pred", "none", "weak", "strong")
		for i, row := range s[d].Confusion {
			fmt.Fprintf(w, "  %-10s %8d %8d %8d\n", [3]string{"none", "weak", "strong"}[i], row[0], row[1], row[2])
		}
	}
}
