package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestMigrateCreatesTheSchemaAndSaysWhichVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	for range 2 { // the second run finds nothing to do
		code, stdout, stderr := runKindred("migrate", "--db", db)
		if code != 0 || !strings.Contains(stdout, "sqlite database is at schema version ") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	}
	checkIntegrity(t, db)
}

func TestBackupCopiesALiveDatabaseAndChecksTheCopy(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "kindred.db")
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})

	// Keep the source open, as a running server would, with its WAL holding
	// changes not yet checkpointed into the main file.
	live, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	c := &kindred.Customer{Name: "Baba Otieno", PreferredName: "Baba"}
	if err := live.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "copy.db")
	code, stdout, stderr := runKindred("backup", "--db", src, "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote "+out) || !strings.Contains(stdout, "integrity check ok") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	copied, err := store.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	got, err := copied.Customer(ctx, c.ID)
	if err != nil || got.AddressAs() != "Baba" {
		t.Fatalf("customer in the copy = %+v, %v", got, err)
	}

	// A second backup to the same file must not overwrite the first.
	code, _, stderr = runKindred("backup", "--db", src, "--out", out)
	if code == 0 || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup over an existing file: exit %d, stderr %q", code, stderr)
	}
}

func TestBackupRefusesWhatItCannotCopy(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"backup", "--db", missing}, "--out is required"},
		{"missing database", []string{"backup", "--db", missing, "--out", filepath.Join(dir, "copy.db")}, "no such file"},
		{"postgres", []string{"backup", "--db", "postgres://kindred@localhost/kindred", "--out", filepath.Join(dir, "copy.db")}, "pg_dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runKindred(tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, stderr, tt.want)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("backup created the database it was asked to copy")
	}
}
