package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func TestSQLiteConnectionsAreConfiguredForDurability(t *testing.T) {
	db := openDSN(t, filepath.Join(t.TempDir(), "kindred.db"))
	ctx := context.Background()
	tests := []struct {
		pool, pragma, want string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "synchronous", "2"}, // FULL
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", "10000"},
		{"writer", "query_only", "0"},
		{"writer", "secure_delete", "1"},
		{"writer", "temp_store", "2"}, // MEMORY: the savepoints' sub-journals
		{"reader", "journal_mode", "wal"},
		{"reader", "foreign_keys", "1"},
		{"reader", "busy_timeout", "10000"},
		{"reader", "query_only", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+" "+tt.pragma, func(t *testing.T) {
			pool := db.w
			if tt.pool == "reader" {
				pool = db.r
			}
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}
	if n := db.w.Stats().MaxOpenConnections; n != 1 {
		t.Fatalf("writer pool allows %d connections, want exactly 1", n)
	}
}

func TestSQLiteOpensFileURI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "uri.db")
	db := openDSN(t, "file:"+path+"?cache=private")
	c := &kindred.Customer{Name: "Amina"}
	if err := db.CreateCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	again := openDSN(t, path)
	if _, err := again.Customer(context.Background(), c.ID); err != nil {
		t.Fatalf("the file: URI and the plain path are not the same database: %v", err)
	}
}

func TestOpenRefusesSchemaNewerThanBuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kindred.db")
	db := openDSN(t, path)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)", 9999, "9999_future")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if other, err := Open(ctx, path); err == nil {
		other.Close()
		t.Fatal("opened a database migrated by a newer kindred")
	}
}

// BenchmarkAddMessage measures the hot path of POST /conversations/{id}/messages
// on SQLite: one short write transaction.
func BenchmarkAddMessage(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "kindred.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	c := &kindred.Customer{Name: "Amina"}
	if err := db.CreateCustomer(ctx, c); err != nil {
		b.Fatal(err)
	}
	conv := &kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat}
	if err := db.CreateConversation(ctx, conv); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: fmt.Sprintf("message %d", i)}
		if err := db.AddMessage(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWipedSecretsAreNotLeftInTheDatabaseFiles reads the SQLite files
// themselves (the database and its write-ahead log) after a code and a
// survey link were delivered and wiped: neither is anywhere in them, not in
// free space, not in an old page image in the log.
func TestWipedSecretsAreNotLeftInTheDatabaseFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kindred.db")
	db := openDSN(t, path)
	ctx := ctxAs(0, "test")
	const digits, link = "482 913", "https://desk.example/survey/Zk3q9VwPpL0sRr7TtY2uXx"
	for _, m := range []*kindred.OutboundMessage{
		{Channel: kindred.ChannelSMS, To: "+254711000111", Body: "Your kindred code is " + digits + ". It works for 10 minutes.", Purpose: "code"},
		{Channel: kindred.ChannelSMS, To: "+254711000111", Body: "How did we do? " + link, Purpose: "survey"},
	} {
		if err := db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Let the messages reach the database file itself too, as the
	// automatic checkpoint would on a busy desk.
	if _, err := db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.Claim(ctx, time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	for _, m := range claimed {
		if err := db.MarkSent(ctx, m.ID, "ATPid", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{digits, strings.ReplaceAll(digits, " ", ""), link, "Zk3q9VwPpL0sRr7TtY2uXx"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q after it was wiped", filepath.Base(name), secret)
			}
		}
	}
	// The desk still works: the messages are there, sent, without bodies.
	for _, m := range claimed {
		got, err := db.OutboundMessage(ctx, m.ID)
		if err != nil || got.Status != kindred.OutboxSent || got.Body != "" {
			t.Errorf("message %d: %+v %v", m.ID, got, err)
		}
	}
}
