package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/kindred-desk/kindred/compassion/politeness"
)

// evalPoliteness scores the embedded politeness model on a corpus CSV:
// top versus bottom quartile of Normalized Score, per community.
func evalPoliteness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval politeness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `print {"accuracy", "n"} as JSON`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred eval politeness FILE [--json]")
		fmt.Fprintln(stderr, "\nQuartiles are computed per community on FILE; the top quartile is polite, the bottom")
		fmt.Fprintln(stderr, "impolite. The embedded model was trained on the shared training split: evaluating on")
		fmt.Fprintln(stderr, "that split measures training fit, not generalisation.")
		fs.PrintDefaults()
	}
	file, err := parseWithPath(fs, args, "FILE")
	if err != nil {
		return err
	}
	data, err := readPoliteness(file)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s := politeness.Evaluate(politeness.Default(), data)
	if *asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "politeness (top vs bottom quartile)  accuracy %.4f  n %d\n", s.Accuracy, s.N)
	return nil
}
