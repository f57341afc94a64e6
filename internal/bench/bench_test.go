package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
)

// desk is a real API on a real SQLite store, and an agent's token for it.
func desk(t *testing.T) (url, token string, db *store.DB) {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	agent := &kindred.Agent{Name: "bench", Role: kindred.RoleAgent}
	if err := db.CreateAgent(ctx, agent, ""); err != nil {
		t.Fatal(err)
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &kindred.Token{AgentID: agent.ID, Name: "bench", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Config{Agents: db, Customers: db, Conversations: db, Audit: db, Outbox: db,
		Analyzer: compassion.DeskAnalyzer{}, Ready: db.Ping, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, secret, db
}

func TestRunPostsWhatEachModeSays(t *testing.T) {
	url, token, db := desk(t)
	ctx := context.Background()
	tests := []struct {
		mode                           string
		count                          int
		wantRequests                   int
		wantConversations, wantInbound int // added by the run, set-up included
	}{
		// Set-up: one customer, one conversation per client (and, for
		// replies, one customer message in each).
		{Messages, 40, 40, 4, 40},
		{Replies, 40, 40, 4, 4},
		{Customers, 12, 36, 12, 12},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			before := counts(t, db)
			r, err := Run(ctx, Config{URL: url, Token: token, Mode: tt.mode, Concurrency: 4, Count: tt.count})
			if err != nil {
				t.Fatal(err)
			}
			if r.Operations != tt.count || r.Errors != 0 || r.Requests != tt.wantRequests {
				t.Fatalf("result %+v, want %d operations, %d requests, no errors", r, tt.count, tt.wantRequests)
			}
			if !(r.P50 > 0 && r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max && r.PerSecond > 0) {
				t.Errorf("figures out of order: %+v", r)
			}
			after := counts(t, db)
			if got := after.conversations - before.conversations; got != tt.wantConversations {
				t.Errorf("%d conversations added, want %d", got, tt.wantConversations)
			}
			if got := after.inbound - before.inbound; got != tt.wantInbound {
				t.Errorf("%d customer messages added, want %d", got, tt.wantInbound)
			}
		})
	}
}

type tally struct{ conversations, inbound int }

func counts(t *testing.T, db *store.DB) tally {
	t.Helper()
	convs, err := db.Conversations(context.Background(), kindred.ConversationFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	n := tally{conversations: len(convs)}
	for _, c := range convs {
		full, err := db.Conversation(context.Background(), c.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range full.Messages {
			if m.Direction == kindred.Inbound {
				n.inbound++
			}
		}
	}
	return n
}

func TestRunStopsAtTheDuration(t *testing.T) {
	url, token, _ := desk(t)
	start := time.Now()
	r, err := Run(context.Background(), Config{URL: url, Token: token, Mode: Messages, Concurrency: 2, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("ran %s for a 300ms bound", took)
	}
	if r.Operations == 0 || r.Errors != 0 {
		t.Errorf("result %+v", r)
	}
}

func TestRunCountsFailures(t *testing.T) {
	url, _, _ := desk(t)
	_, err := Run(context.Background(), Config{URL: url, Token: "not a token", Mode: Messages, Concurrency: 1, Count: 1})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a refused set-up: %v, want the 401 named", err)
	}
}

func TestConfigNamesEachProblem(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		want []string
	}{
		{"empty", Config{}, []string{"url", "token", "mode", "concurrency", "count, duration"}},
		{"negative", Config{URL: "u", Token: "t", Mode: Replies, Concurrency: 1, Count: -1, Duration: -time.Second},
			[]string{"count -1", "duration -1s"}},
		{"unknown mode", Config{URL: "u", Token: "t", Mode: "storm", Concurrency: 1, Count: 1}, []string{`mode "storm"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v: lacks %q", err, w)
				}
			}
		})
	}
	if err := (Config{URL: "u", Token: "t", Mode: Messages, Concurrency: 16, Duration: time.Second}).Validate(); err != nil {
		t.Errorf("a good config: %v", err)
	}
}
