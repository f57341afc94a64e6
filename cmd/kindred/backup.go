package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

// runBackup writes a consistent copy of a live SQLite database, then opens
// the copy and checks it: a backup nobody has read back is a hope, not a
// backup.
func runBackup(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("backup", &cfg, stderr)
	fs.DB()
	var out string
	fs.StringVar(&out, "out", "", "file to write the copy to; must not exist (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if out == "" {
		return errors.New("--out is required: say where to write the copy")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.Postgres() {
		return errors.New("the database is PostgreSQL: back it up with pg_dump (e.g. pg_dump -Fc -f kindred.dump DBNAME)")
	}
	// Opening a missing SQLite file would create an empty database, and back that up.
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("database to back up: %w", err)
	}

	src, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := src.Backup(ctx, out); err != nil {
		return err
	}

	dst, err := store.Open(ctx, out)
	if err != nil {
		return fmt.Errorf("open the copy: %w", err)
	}
	defer dst.Close()
	if err := dst.Check(ctx); err != nil {
		return fmt.Errorf("the copy %s fails its check, do not rely on it: %w", out, err)
	}
	v, err := dst.Version(ctx)
	if err != nil {
		return err
	}
	info, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, schema version %d): integrity check ok\n", out, info.Size(), v)
	return nil
}
