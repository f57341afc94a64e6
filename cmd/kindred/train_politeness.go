package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/compassion/politeness"
)

// trainPoliteness trains the politeness model on the top and bottom
// quartiles (per community) of a Stanford Politeness Corpus CSV and writes
// the model file; with --folds it first prints cross-validated accuracy.
func trainPoliteness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train politeness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "compassion/politeness/model.bin", "where to write the model file")
	folds := fs.Int("folds", 0, "print K-fold cross-validated accuracy before training; 0 skips")
	cvOnly := fs.Bool("cv-only", false, "with --folds, stop after cross-validation")
	o := politeness.DefaultTrainOptions()
	fs.Float64Var(&o.L2, "l2", o.L2, "L2 penalty")
	fs.IntVar(&o.MinCount, "min-count", o.MinCount, "keep features seen in at least this many requests")
	fs.IntVar(&o.MaxIter, "iter", o.MaxIter, "L-BFGS iterations")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred train politeness FILE [--out FILE] [--folds K]")
		fmt.Fprintln(stderr, "\nFILE is a Stanford Politeness Corpus CSV (Community, Id, Request, …, Normalized Score).")
		fmt.Fprintln(stderr, "The defaults reproduce the embedded model byte for byte.")
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
	if *folds > 1 {
		s, err := politeness.CrossValidate(ctx, data, *folds, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d-fold cross-validation: accuracy %.4f  n %d\n", *folds, s.Accuracy, s.N)
		if *cvOnly {
			return nil
		}
	}
	model, err := politeness.Train(ctx, data, o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(model))
	return nil
}

// readPoliteness reads a corpus CSV and keeps its labelled quartiles.
func readPoliteness(file string) ([]politeness.Labelled, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reqs, err := politeness.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return politeness.Quartiles(reqs), nil
}
