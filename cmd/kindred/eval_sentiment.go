package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/compassion/sentiment"
)

// evalSentiment scores a ground-truth file in VADER's format and prints the
// Pearson correlation of the compound scores with the human means.
func evalSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval sentiment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `print {"pearson": R, "n": N, "skipped": S} instead of text`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred eval sentiment FILE [--json]")
		fmt.Fprintln(stderr, "FILE holds lines of: id TAB mean human rating TAB text (VADER's *_GroundTruth.txt).")
		fs.PrintDefaults()
	}
	// Flags may come before or after FILE.
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
	if len(files) != 1 {
		fs.Usage()
		return errors.New("want exactly one FILE")
	}
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	ratings, bad, err := sentiment.ReadRatings(f)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	const shown = 10
	for i, e := range bad {
		if i == shown {
			fmt.Fprintf(stderr, "%s: ... and %d more unreadable lines\n", files[0], len(bad)-shown)
			break
		}
		fmt.Fprintf(stderr, "%s: skipped %v\n", files[0], &e)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := sentiment.Correlation(ratings)
	if err != nil {
		return fmt.Errorf("%s: %d texts read, %d skipped: %w", files[0], len(ratings), len(bad), err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			Pearson float64 `json:"pearson"`
			N       int     `json:"n"`
			Skipped int     `json:"skipped"`
		}{r, len(ratings), len(bad)})
	}
	_, err = fmt.Fprintf(stdout, "pearson r = %.4f  n = %d  skipped = %d\n", r, len(ratings), len(bad))
	return err
}
