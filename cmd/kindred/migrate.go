package main

import (
	"context"
	"fmt"
	"io"

	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

// runMigrate brings the database's schema up to date, which serve also does
// on start; run it on its own to migrate before a deploy, or to see the
// schema version.
func runMigrate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("migrate", &cfg, stderr)
	fs.DB()
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	db, err := store.Open(ctx, cfg.DB) // opening applies the migrations
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s database is at schema version %d\n", db.Dialect(), v)
	return nil
}
