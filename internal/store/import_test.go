package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestImportCloseGivesTheWriterBack holds an import to what it borrows on
// SQLite: the writer's cache and checkpoints are its own again after
// Close, and the log the import wrote is copied in and cut.
func TestImportCloseGivesTheWriterBack(t *testing.T) {
	db := openDSN(t, filepath.Join(t.TempDir(), "kindred.db"))
	ctx := context.Background()
	pragma := func(name string) int {
		var v int
		if err := db.w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := map[string]int{"wal_autocheckpoint": pragma("wal_autocheckpoint"), "cache_size": pragma("cache_size")}
	im, err := db.Import("test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.Write(ctx, importBatch("a", 1000)); err != nil {
		t.Fatal(err)
	}
	if got := pragma("cache_size"); got == before["cache_size"] {
		t.Fatalf("cache_size %d while importing: the import did not take its cache", got)
	}
	if err := im.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for name, want := range before {
		if got := pragma(name); got != want {
			t.Errorf("PRAGMA %s = %d after Close, was %d", name, got, want)
		}
	}
	var busy, logged, moved int
	if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &moved); err != nil {
		t.Fatal(err)
	}
	if logged != 0 {
		t.Errorf("%d pages left in the log after Close", logged)
	}
	if n, err := db.ImportedMessages(ctx, "test", 1); err != nil || len(n) != 20 {
		t.Errorf("conversation 1: %d imported messages (%v), want 20", len(n), err)
	}
}
