package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kindred-desk/kindred"
)

// readAll reads input as format with the readers alone (no database) and
// returns the messages emitted.
func readAll(format string, input []byte) ([]*item, error) {
	t := newTracker("KE", map[string]kindred.Agent{})
	in := &countingReader{r: bytes.NewReader(input)}
	var (
		r   reader
		err error
	)
	switch format {
	case CSV, JSONL:
		r, err = newFlatReader(format, in, t)
	case Zendesk:
		r, err = newZendeskReader(in, bytes.NewReader(input), nil, t)
	case Chatwoot:
		r = newChatwootReader(in, t)
	}
	if err != nil {
		return nil, err
	}
	var items []*item
	err = r.read(context.Background(), func(it *item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// fuzzReader feeds a reader any bytes: it must neither panic nor loop, and
// every message it emits is either rejected with a reason or whole.
func fuzzReader(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		items, _ := readAll(format, input)
		for _, it := range items {
			if len(it.rejected) > 0 {
				for _, r := range it.rejected {
					if r.At == "" || r.Field == "" || r.Reason == "" {
						t.Fatalf("a rejection without its place, field or reason: %+v", r)
					}
				}
				continue
			}
			m := it.msg
			if m.SourceID == "" || m.Conversation == nil || m.Conversation.SourceID == "" || m.Conversation.Customer == nil ||
				m.Conversation.Customer.Name == "" || m.CreatedAt.IsZero() || m.Body == "" {
				t.Fatalf("an accepted message is not whole: %+v", m)
			}
		}
	})
}

func FuzzCSV(f *testing.F)   { fuzzReader(f, CSV, "messages.csv") }
func FuzzJSONL(f *testing.F) { fuzzReader(f, JSONL, "messages.jsonl") }
func FuzzZendesk(f *testing.F) {
	fuzzReader(f, Zendesk, "zendesk_tickets.json", "zendesk_export.ndjson")
}
func FuzzChatwoot(f *testing.F) { fuzzReader(f, Chatwoot, "chatwoot_conversations.json") }
