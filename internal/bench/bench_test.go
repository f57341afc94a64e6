package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

func TestRunPausesBetweenOperations(t *testing.T) {
	url, token, _ := desk(t)
	start := time.Now()
	r, err := Run(context.Background(), Config{URL: url, Token: token, Mode: Messages, Concurrency: 1, Count: 3, Pause: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Three operations by one client: at least two pauses between them.
	if took := time.Since(start); r.Operations != 3 || took < 300*time.Millisecond {
		t.Errorf("3 operations with 150ms pauses took %s: %+v", took, r)
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
		{"negative", Config{URL: "u", Token: "t", Mode: Replies, Concurrency: 1, Count: -1, Duration: -time.Second, Pause: -time.Millisecond},
			[]string{"count -1", "duration -1s", "pause -1ms"}},
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

func TestRunWritesDownEveryAcknowledgedWrite(t *testing.T) {
	url, token, db := desk(t)
	ctx := context.Background()
	tests := []struct {
		mode  string
		count int
		// acknowledged writes: set-up included
		wantCustomers, wantConversations, wantMessages int
	}{
		{Customers, 6, 6, 6, 6},
		// Set-up: a customer, a conversation and a customer message per client.
		{Outbound, 10, 4, 4, 4 + 10},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			var buf bytes.Buffer
			r, err := Run(ctx, Config{URL: url, Token: token, Mode: tt.mode, Concurrency: 4, Count: tt.count, Acked: &buf})
			if err != nil {
				t.Fatal(err)
			}
			if r.Operations != tt.count || r.Errors != 0 {
				t.Fatalf("result %+v", r)
			}
			kinds := map[string]int{}
			channels := map[kindred.Channel]int{}
			dec := json.NewDecoder(&buf)
			for {
				var a Ack
				if err := dec.Decode(&a); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				kinds[a.Kind]++
				switch a.Kind {
				case "customer":
					if _, err := db.Customer(ctx, a.ID); err != nil {
						t.Errorf("acknowledged customer %d: %v", a.ID, err)
					}
				case "conversation":
					c, err := db.Conversation(ctx, a.ID, false)
					if err != nil {
						t.Fatalf("acknowledged conversation %d: %v", a.ID, err)
					}
					if c.CustomerID != a.CustomerID || string(c.Channel) != a.Channel {
						t.Errorf("conversation %d is the customer %d's on %s, acknowledged as %+v", a.ID, c.CustomerID, c.Channel, a)
					}
				case "message":
					m, err := db.Message(ctx, a.ID)
					if err != nil {
						t.Fatalf("acknowledged message %d: %v", a.ID, err)
					}
					if m.ConversationID != a.ConversationID || string(m.Direction) != a.Direction || m.Body != a.Body {
						t.Errorf("message %d is %+v, acknowledged as %+v", a.ID, m, a)
					}
					if m.Direction == kindred.Outbound {
						channels[m.Channel]++
						if m.DeliveryStatus == "" || m.DeliveryStatus == kindred.DeliveryRecorded {
							t.Errorf("reply %d on %s is %q: not queued to be sent", m.ID, m.Channel, m.DeliveryStatus)
						}
					}
				default:
					t.Errorf("an acknowledged %q", a.Kind)
				}
			}
			if kinds["customer"] != tt.wantCustomers || kinds["conversation"] != tt.wantConversations || kinds["message"] != tt.wantMessages {
				t.Errorf("acknowledged %v, want %d customers, %d conversations, %d messages",
					kinds, tt.wantCustomers, tt.wantConversations, tt.wantMessages)
			}
			if tt.mode == Outbound && (channels[kindred.ChannelSMS] == 0 || channels[kindred.ChannelEmail] == 0 ||
				channels[kindred.ChannelSMS]+channels[kindred.ChannelEmail] != tt.count) {
				t.Errorf("replies by channel %v: want %d in all, by SMS and by email", channels, tt.count)
			}
		})
	}
}

func TestRunFailsWhenItCannotWriteDownAnAcknowledgedWrite(t *testing.T) {
	url, token, _ := desk(t)
	_, err := Run(context.Background(), Config{URL: url, Token: token, Mode: Customers, Concurrency: 1, Count: 2, Acked: failingWriter{}})
	if err == nil || !strings.Contains(err.Error(), "write down") {
		t.Errorf("a record that cannot be written: %v, want the run to fail", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
