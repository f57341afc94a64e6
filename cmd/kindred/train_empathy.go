package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/compassion/empathy"
)

// trainEmpathy trains the empathy model on EPITOME's three Reddit files in
// DIR and writes the model file; with --folds it first prints grouped
// cross-validation scores.
func trainEmpathy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train empathy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "compassion/empathy/model.bin", "where to write the model file")
	folds := fs.Int("folds", 0, "print K-fold cross-validation scores (folds grouped by rp_id) before training; 0 skips")
	cvOnly := fs.Bool("cv-only", false, "with --folds, stop after cross-validation")
	o := empathy.DefaultTrainOptions()
	fs.Float64Var(&o.L2, "l2", o.L2, "L2 penalty")
	fs.IntVar(&o.MinCount, "min-count", o.MinCount, "keep features seen in at least this many rows")
	fs.Float64Var(&o.ClassWeightPower, "class-weight", o.ClassWeightPower, "class weight exponent (0 unweighted, 1 balanced)")
	fs.Float64Var(&o.RationaleWeight, "rationale-weight", o.RationaleWeight, "weight of rationale-only examples (0 none)")
	fs.Float64Var(&o.ContrastWeight, "contrast-weight", o.ContrastWeight, "weight of responses with their rationales cut out, labelled none (0 none)")
	fs.BoolVar(&o.Trigrams, "trigrams", o.Trigrams, "add word trigrams")
	fs.BoolVar(&o.Seeker, "seeker", o.Seeker, "add the seeker post's words")
	fs.IntVar(&o.MaxIter, "iter", o.MaxIter, "L-BFGS iterations")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred train empathy DIR [--out FILE] [--folds K]")
		fmt.Fprintln(stderr, "\nDIR holds EPITOME's emotional-reactions-, interpretations- and explorations-reddit.csv.")
		fmt.Fprintln(stderr, "The defaults reproduce the embedded model byte for byte.")
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
	if *folds > 1 {
		scores, err := empathy.CrossValidate(ctx, data, *folds, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d-fold cross-validation (grouped by rp_id):\n", *folds)
		writeEmpathyScores(stdout, scores, false)
		if *cvOnly {
			return nil
		}
	}
	model, err := empathy.Train(ctx, data, o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, len(model))
	return nil
}
