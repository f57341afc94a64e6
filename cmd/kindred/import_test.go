package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

// TestImportKilledHalfwayCompletesWithoutDuplicates kills `kindred import`
// with SIGKILL in the middle of a file, then runs the same command again:
// the second run carries on, and every message is there exactly once in
// an intact database.
func TestImportKilledHalfwayCompletesWithoutDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	const n = 6000
	bin := buildKindred(t)
	dir := t.TempDir()
	dbPath, input := filepath.Join(dir, "kindred.db"), filepath.Join(dir, "history.jsonl")
	var b bytes.Buffer
	at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		way, body := "in", fmt.Sprintf("My card has not come (%d). I need it for the clinic on Monday.", i)
		if i%2 == 1 {
			way, body = "out", fmt.Sprintf("I'm sorry, Amina. I have reprinted it today (%d); it reaches you by Friday.", i)
		}
		fmt.Fprintf(&b, `{"customer_id":"c%d","customer_name":"Amina Otieno","conversation_id":"t%d","channel":"sms","direction":%q,"body":%q,"created_at":%q,"message_id":"m%d"}`+"\n",
			i/40, i/20, way, body, at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
	}
	if err := os.WriteFile(input, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"import", "--db", dbPath, "--format", "jsonl", "--batch", "200", "--json", input}

	// Migrate first, so that the polling below only ever reads.
	runBinary(t, bin, "migrate", "--db", dbPath)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		convs, err := db.Conversations(context.Background(), kindred.ConversationFilter{Page: kindred.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) >= 20 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it could be killed: make the file longer", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the import wrote nothing in 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited

	var sum struct {
		Read, Imported, Already int
		Done                    bool
	}
	if err := json.Unmarshal([]byte(lastLine(t, runBinary(t, bin, args...))), &sum); err != nil {
		t.Fatal(err)
	}
	if !sum.Done || sum.Read != n || sum.Imported+sum.Already != n || sum.Already == 0 || sum.Imported == 0 {
		t.Fatalf("the run after the kill: %+v", sum)
	}
	if err := db.Check(context.Background()); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	convs, err := db.Conversations(context.Background(), kindred.ConversationFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range convs {
		full, err := db.Conversation(context.Background(), c.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Messages) != 20 {
			t.Errorf("conversation %d has %d messages, want 20", c.ID, len(full.Messages))
		}
		total += len(full.Messages)
	}
	if len(convs) != n/20 || total != n {
		t.Fatalf("%d conversations, %d messages; want %d and %d", len(convs), total, n/20, n)
	}
}
