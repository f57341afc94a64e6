package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

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
