package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/demo"
	"github.com/kindred-desk/kindred/internal/store"
)

// runDemo fills a database with a few months of invented history (see
// package demo), so that the console and the insights dashboard have
// something to show on a fresh machine.
func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("demo", &cfg, stderr)
	fs.DB()
	fs.Clock()
	var o demo.Options
	fs.IntVar(&o.Months, "months", 3, "months of history to write, ending now")
	fs.Uint64Var(&o.Seed, "seed", 1, "the same seed writes the same desk")
	fs.BoolVar(&o.Force, "force", false, "add the demo to a database that already holds customers or conversations")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Months < 1 || o.Months > 24 {
		return fmt.Errorf("--months %d: give 1 to 24", o.Months)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	// The lobby's office days are on the desk's clock, as serve keeps them.
	db.SetLocation(cfg.Location)
	o.Location = cfg.Location
	start := time.Now()
	sum, err := demo.Fill(ctx, db, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s in %s\n", sum, time.Since(start).Round(time.Second))
	fmt.Fprintln(stdout, "the demo agents have no passwords: run kindred serve and use the setup link to create your administrator, then open /insights")
	return nil
}
