package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// importBatch makes n messages of n/20 conversations, each message with a
// report the size the engine writes (about 4 KB for a reply).
func importBatch(prefix string, n int) []ImportMessage {
	reply := json.RawMessage(`{"r":"` + strings.Repeat("x", 4000) + `"}`)
	customer := json.RawMessage(`{"c":"` + strings.Repeat("x", 300) + `"}`)
	at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	msgs := make([]ImportMessage, n)
	var conv *ImportConversation
	for i := range msgs {
		if i%20 == 0 {
			cust := &ImportCustomer{SourceID: fmt.Sprintf("%sc%d", prefix, i/40), Name: "Amina Otieno", Phone: "+254722000111"}
			conv = &ImportConversation{SourceID: fmt.Sprintf("%st%d", prefix, i/20), Customer: cust, Channel: kindred.ChannelSMS,
				Status: kindred.StatusResolved, Priority: kindred.PriorityNormal}
		}
		s := 0.5
		msgs[i] = ImportMessage{SourceID: fmt.Sprintf("%sm%d", prefix, i), Conversation: conv, Direction: kindred.Outbound,
			AuthorName: "Brian", Body: "Thank you, I have updated your address today and I will call you on Friday.",
			CreatedAt: at.Add(time.Duration(i) * time.Minute), Analysis: &kindred.Analysis{Compassion: &s, Sentiment: 0.3, Report: reply}}
		if i%2 == 0 {
			msgs[i].Direction, msgs[i].Body = kindred.Inbound, "My card has not come and I need it for the clinic on Monday."
			msgs[i].Analysis = &kindred.Analysis{Distress: &s, Sentiment: -0.3, Report: customer}
		}
	}
	return msgs
}

// BenchmarkImportWriteSQLite writes batches of 5,000 messages, half of
// them replies with a report of a reply's size, into a growing database.
func BenchmarkImportWriteSQLite(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "kindred.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	im, err := db.Import("bench")
	b.Cleanup(func() { im.Close(ctx) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		msgs := importBatch(fmt.Sprint(i, "-"), 5000)
		t := time.Now()
		if _, err := im.Write(ctx, msgs); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(t).Microseconds())/5000, "µs/msg")
	}
}
