package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

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
	// A tuning flag, when given, replaces the default of the dimensions
	// --dimension names; the defaults differ by dimension.
	defaults := empathy.DefaultTrainOptions()
	var set empathy.TrainOptions
	fs.Float64Var(&set.L2, "l2", defaults[0].L2, "L2 penalty")
	fs.IntVar(&set.MinCount, "min-count", defaults[0].MinCount, "keep features seen in at least this many rows")
	fs.Float64Var(&set.ClassWeightPower, "class-weight", defaults[0].ClassWeightPower, "class weight exponent (0 unweighted, 1 balanced)")
	fs.Float64Var(&set.RationaleWeight, "rationale-weight", defaults[0].RationaleWeight, "weight of rationale-only examples (0 none)")
	fs.Float64Var(&set.ContrastWeight, "contrast-weight", defaults[0].ContrastWeight, "weight of responses with their rationales cut out, labelled none (0 none)")
	fs.BoolVar(&set.Trigrams, "trigrams", defaults[0].Trigrams, "add word trigrams")
	fs.BoolVar(&set.Seeker, "seeker", defaults[0].Seeker, "add the seeker post's words")
	fs.BoolVar(&set.Persons, "persons", defaults[0].Persons, "add the shares of first- and second-person words")
	fs.IntVar(&set.MaxIter, "iter", defaults[0].MaxIter, "L-BFGS iterations")
	dimension := fs.String("dimension", "all", "the dimension the tuning flags apply to: all, "+strings.Join(empathy.Dimensions[:], ", "))
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred train empathy DIR [--out FILE] [--folds K]")
		fmt.Fprintln(stderr, "\nDIR holds EPITOME's emotional-reactions-, interpretations- and explorations-reddit.csv.")
		fmt.Fprintln(stderr, "The defaults reproduce the embedded model byte for byte; the defaults shown are")
		fmt.Fprintln(stderr, "emotional reactions' and explorations' (interpretations: -l2 5e-05 -class-weight 0.75 -persons).")
		fs.PrintDefaults()
	}
	dir, err := parseWithPath(fs, args, "DIR")
	if err != nil {
		return err
	}
	o, err := empathyOptions(fs, defaults, set, *dimension)
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

// empathyOptions applies the tuning flags given on the command line (and
// only those) to the defaults of the dimensions named by dimension.
func empathyOptions(fs *flag.FlagSet, defaults [3]empathy.TrainOptions, set empathy.TrainOptions, dimension string) ([3]empathy.TrainOptions, error) {
	o := defaults
	var dims []int
	for d, name := range empathy.Dimensions {
		if dimension == "all" || dimension == name {
			dims = append(dims, d)
		}
	}
	if len(dims) == 0 {
		return o, fmt.Errorf("unknown dimension %q: want all, %s", dimension, strings.Join(empathy.Dimensions[:], ", "))
	}
	fs.Visit(func(f *flag.Flag) {
		for _, d := range dims {
			t := &o[d]
			switch f.Name {
			case "l2":
				t.L2 = set.L2
			case "min-count":
				t.MinCount = set.MinCount
			case "class-weight":
				t.ClassWeightPower = set.ClassWeightPower
			case "rationale-weight":
				t.RationaleWeight = set.RationaleWeight
			case "contrast-weight":
				t.ContrastWeight = set.ContrastWeight
			case "trigrams":
				t.Trigrams = set.Trigrams
			case "seeker":
				t.Seeker = set.Seeker
			case "persons":
				t.Persons = set.Persons
			case "iter":
				t.MaxIter = set.MaxIter
			}
		}
	})
	return o, nil
}
