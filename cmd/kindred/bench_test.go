package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/kindred-desk/kindred/internal/bench"
)

// TestBenchChatModeTalksToItsOwnDesk: kindred bench --mode chat starts a
// desk with the web chat on, and its visitors and agent complete every
// exchange: each message stored, each reply in the widget.
func TestBenchChatModeTalksToItsOwnDesk(t *testing.T) {
	var out bytes.Buffer
	err := runBench(context.Background(), []string{"--mode", "chat", "-c", "5", "-n", "10", "--duration", "0"}, nil, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var r bench.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Mode != bench.Chat || r.Operations != 10 || r.Errors != 0 || r.Stored == nil || r.Stored.N != 10 || r.Reply.N != 10 || r.Push.N != 10 {
		t.Fatalf("result %s", out.String())
	}
}
