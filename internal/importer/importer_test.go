package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/store/storetest"
)

// eachStore runs fn on a fresh SQLite store, and on a fresh PostgreSQL
// schema when KINDRED_TEST_POSTGRES names a server.
func eachStore(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openStore(t, filepath.Join(t.TempDir(), "kindred.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("KINDRED_TEST_POSTGRES")
		if base == "" {
			t.Skip("KINDRED_TEST_POSTGRES is not set")
		}
		fn(t, openStore(t, storetest.Schema(t, base)))
	})
}

func openStore(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importFile imports testdata/name and returns the summary and rejections.
func importFile(t *testing.T, db *store.DB, name string, o Options) (Summary, []Rejection) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rejected []Rejection
	o.Reject = func(r Rejection) { rejected = append(rejected, r) }
	sum, err := Run(context.Background(), db, f, o)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return sum, rejected
}

// conversation returns the conversation imported as sid from source, with
// its messages.
func conversation(t *testing.T, db *store.DB, source, sid string) *kindred.Conversation {
	t.Helper()
	ctx := context.Background()
	id, err := db.ImportedID(ctx, source, "conversation", sid)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.Conversation(ctx, id, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func allConversations(t *testing.T, db *store.DB) []kindred.Conversation {
	t.Helper()
	cs, err := db.Conversations(context.Background(), kindred.ConversationFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func countMessages(t *testing.T, db *store.DB) int {
	t.Helper()
	n := 0
	for _, c := range allConversations(t, db) {
		full, err := db.Conversation(context.Background(), c.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		n += len(full.Messages)
	}
	return n
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCSVImportsMessagesAndRejectsBadRowsWithReasons(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cynthia := &kindred.Agent{Name: "Cynthia Mutua", Email: "cynthia@desk.example", Role: kindred.RoleAgent}
		if err := db.CreateAgent(ctx, cynthia, ""); err != nil {
			t.Fatal(err)
		}
		sum, rejected := importFile(t, db, "messages.csv", Options{Format: CSV, BatchSize: 3})
		want := Summary{Read: 12, Imported: 8, Rejected: 4, Customers: 3, Conversations: 3}
		if sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		wantRejected := []Rejection{
			{At: "line 8", SourceID: "M-7", Field: "phone", Reason: "is not a valid phone number; check the digits and the country code (numbers without one are read as KE)"},
			{At: "line 9", SourceID: "M-8", Field: "body", Reason: "is required"},
			{At: "line 10", SourceID: "M-9", Field: "created_at", Reason: "is not a time: write it as 2024-03-01T09:30:00Z, 2024-03-01 09:30:00 (UTC) or Unix seconds"},
			{At: "line 11", SourceID: "M-10", Field: "direction", Reason: "must be in, out or note"},
		}
		if !slices.Equal(rejected, wantRejected) {
			t.Errorf("rejected\n%v\nwant\n%v", rejected, wantRejected)
		}
		if len(allConversations(t, db)) != 3 {
			t.Errorf("a rejected row left a conversation behind")
		}

		c := conversation(t, db, "csv", "T-5001")
		if c.Channel != kindred.ChannelSMS || c.Subject != "Replacement card" || c.Status != kindred.StatusResolved {
			t.Errorf("conversation %+v", c)
		}
		if !c.CreatedAt.Equal(at("2024-03-01T09:30:00Z")) || !c.UpdatedAt.Equal(at("2024-03-05T16:12:00Z")) {
			t.Errorf("created %v, updated %v", c.CreatedAt, c.UpdatedAt)
		}
		if c.FirstResponseAt == nil || !c.FirstResponseAt.Equal(at("2024-03-01T10:05:00Z")) {
			t.Errorf("first response %v, want the reply's time", c.FirstResponseAt)
		}
		if c.ResolvedAt == nil || !c.ResolvedAt.Equal(at("2024-03-05T16:12:00Z")) {
			t.Errorf("resolved %v, want the last message's time", c.ResolvedAt)
		}
		cust, err := db.Customer(ctx, c.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if cust.Name != "Amina Odhiambo" || cust.Phone != "+254722000111" || cust.Email != "amina@example.org" {
			t.Errorf("customer %+v", cust)
		}
		var dirs []kindred.Direction
		for _, m := range c.Messages {
			dirs = append(dirs, m.Direction)
		}
		if want := []kindred.Direction{"in", "out", "note", "in"}; !slices.Equal(dirs, want) {
			t.Errorf("directions %v, want %v", dirs, want)
		}
		in, out, note := c.Messages[0], c.Messages[1], c.Messages[2]
		if in.AuthorName != "Amina Odhiambo" || in.Analysis == nil || in.Analysis.Distress == nil {
			t.Errorf("customer message %+v: want the customer's name and a customer analysis", in)
		}
		if out.AuthorName != "Brian Ochieng" || out.AuthorID != nil || out.Analysis == nil || out.Analysis.Compassion == nil {
			t.Errorf("reply %+v: want the author's name, no agent, and a reply analysis", out)
		}
		if note.Analysis != nil || !note.CreatedAt.Equal(time.Unix(1709288000, 0)) {
			t.Errorf("note %+v: want no analysis, the Unix time read", note)
		}

		k := conversation(t, db, "csv", "T-5002")
		if k.Status != kindred.StatusWaitingOnUs || k.Channel != kindred.ChannelWhatsApp {
			t.Errorf("conversation T-5002 %s on %s", k.Status, k.Channel)
		}
		if r := k.Messages[1]; r.AuthorID == nil || *r.AuthorID != cynthia.ID || r.AuthorName != "Cynthia Mutua" {
			t.Errorf("a reply by an agent's email is not theirs: %+v", r)
		}
		// No status in the file: history is taken as resolved.
		if p := conversation(t, db, "csv", "T-5004"); p.Status != kindred.StatusResolved || len(p.Messages) != 2 {
			t.Errorf("conversation T-5004 %s with %d messages", p.Status, len(p.Messages))
		}
	})
}

func TestImportedRepliesAreNeverSent(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hook := &kindred.Webhook{URL: "https://crm.example/hook", Secret: strings.Repeat("s", 16),
			Events: []kindred.WebhookEvent{kindred.EventMessageCreated, kindred.EventConversationUpdated}}
		if err := db.CreateWebhook(ctx, hook); err != nil {
			t.Fatal(err)
		}
		importFile(t, db, "messages.csv", Options{Format: CSV})
		importFile(t, db, "zendesk_tickets.json", Options{Format: Zendesk})
		replies := 0
		for _, c := range allConversations(t, db) {
			full, err := db.Conversation(ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range full.Messages {
				if m.Direction == kindred.Outbound {
					replies++
				}
				if m.DeliveryStatus != "" || m.To != "" {
					t.Errorf("message %d on %s has delivery status %q to %q", m.ID, c.Channel, m.DeliveryStatus, m.To)
				}
			}
		}
		if replies < 4 {
			t.Fatalf("only %d replies imported: the test proves nothing", replies)
		}
		out, err := db.Outbox(ctx, kindred.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 0 {
			t.Errorf("the import queued %d outbound messages, e.g. %+v", len(out), out[0])
		}
		ds, err := db.WebhookDeliveries(ctx, kindred.WebhookDeliveryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 0 {
			t.Errorf("the import sent %d webhook events", len(ds))
		}
	})
}

func TestImportingTheSameFileAgainAddsNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		for _, f := range []struct{ name, format string }{
			{"messages.csv", CSV}, {"messages.jsonl", JSONL}, {"zendesk_tickets.json", Zendesk}, {"chatwoot_conversations.json", Chatwoot},
		} {
			first, _ := importFile(t, db, f.name, Options{Format: f.format, BatchSize: 2})
			n := countMessages(t, db)
			again, _ := importFile(t, db, f.name, Options{Format: f.format, BatchSize: 3})
			if first.Imported == 0 {
				t.Fatalf("%s: nothing imported", f.name)
			}
			want := Summary{Read: first.Read, Already: first.Imported, Rejected: first.Rejected, Skipped: first.Skipped}
			if again != want {
				t.Errorf("%s again: %+v, want %+v", f.name, again, want)
			}
			if m := countMessages(t, db); m != n {
				t.Errorf("%s again: %d messages, was %d", f.name, m, n)
			}
		}
	})
}

// history writes n messages of conversations of 20 as JSON Lines.
func history(n int) []byte {
	var b bytes.Buffer
	at := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		dir, body, author := "in", fmt.Sprintf("My card has still not come, this is message %d. I need it for the clinic.", i), ""
		if i%2 == 1 {
			dir, body, author = "out", fmt.Sprintf("I'm sorry, Amina. I have reprinted it today (%d) and it reaches you by Friday.", i), "Brian"
		}
		fmt.Fprintf(&b, `{"customer_id":"c%d","customer_name":"Amina %d","conversation_id":"t%d","channel":"sms","direction":%q,"author":%q,"body":%q,"created_at":%q,"message_id":"m%d"}`+"\n",
			i/60, i/60, i/20, dir, author, body, at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), i)
	}
	return b.Bytes()
}

func TestAnImportStoppedHalfwayCompletesWithoutDuplicates(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		const n = 2000
		input := history(n)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		batches := 0
		sum, err := Run(ctx, db, bytes.NewReader(input), Options{Format: JSONL, BatchSize: 100, Progress: func(p Progress) {
			if batches++; batches == 7 {
				cancel() // as a Ctrl-C or a kill would, halfway
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped run: %v", err)
		}
		if sum.Imported < 700 || sum.Imported >= n {
			t.Fatalf("the stopped run imported %d of %d", sum.Imported, n)
		}
		if got := countMessages(t, db); got != int(sum.Imported) {
			t.Fatalf("%d messages stored, the stopped run said %d", got, sum.Imported)
		}
		counted := &countingAnalyzer{}
		again, err := Run(context.Background(), db, bytes.NewReader(input), Options{Format: JSONL, BatchSize: 300, Analyzer: counted})
		if err != nil {
			t.Fatal(err)
		}
		if again.Imported+again.Already != n || again.Already != sum.Imported {
			t.Errorf("second run %+v after %d", again, sum.Imported)
		}
		if got := counted.n.Load(); got != again.Imported {
			t.Errorf("the second run analysed %d messages; only the %d it imported needed it", got, again.Imported)
		}
		if got := countMessages(t, db); got != n {
			t.Errorf("%d messages after the second run, want %d", got, n)
		}
		convs := allConversations(t, db)
		if len(convs) != n/20 {
			t.Errorf("%d conversations, want %d", len(convs), n/20)
		}
		ctx = context.Background()
		for _, c := range convs[:5] {
			full, err := db.Conversation(ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := db.ImportedMessages(ctx, "jsonl", c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.Messages) != 20 || len(ids) != 20 {
				t.Errorf("conversation %d: %d messages, %d imported ids, want 20", c.ID, len(full.Messages), len(ids))
			}
			for i := 1; i < len(full.Messages); i++ {
				if full.Messages[i].CreatedAt.Before(full.Messages[i-1].CreatedAt) {
					t.Errorf("conversation %d: messages out of order", c.ID)
				}
			}
		}
	})
}

// countingAnalyzer is the engine, counting the messages it reads.
type countingAnalyzer struct {
	compassion.DeskAnalyzer
	n atomic.Int64
}

func (c *countingAnalyzer) Analyze(m *kindred.Message, inReplyTo *kindred.Message, cust *kindred.Customer) *kindred.Analysis {
	c.n.Add(1)
	return c.DeskAnalyzer.Analyze(m, inReplyTo, cust)
}

// TestImportedAnalysesEqualLiveOnes reads each imported message again as
// the API reads one posted live (the customer's latest message before a
// reply, the customer as stored) and compares the reports.
func TestImportedAnalysesEqualLiveOnes(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importFile(t, db, "messages.csv", Options{Format: CSV})
		importFile(t, db, "zendesk_tickets.json", Options{Format: Zendesk})
		importFile(t, db, "chatwoot_conversations.json", Options{Format: Chatwoot})
		var an compassion.DeskAnalyzer
		checked := 0
		for _, c := range allConversations(t, db) {
			full, err := db.Conversation(ctx, c.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range full.Messages {
				latest, err := db.LatestInbound(ctx, c.ID, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				_, cust, _, err := db.ForMessage(ctx, c.ID, kindred.Inbound)
				if err != nil {
					t.Fatal(err)
				}
				var inReplyTo *kindred.Message
				if m.Direction == kindred.Outbound {
					inReplyTo = latest
				}
				live := an.Analyze(&kindred.Message{Direction: m.Direction, Body: m.Body}, inReplyTo, cust)
				switch {
				case live == nil && m.Analysis == nil:
				case live == nil || m.Analysis == nil:
					t.Errorf("message %d (%s): analysis %v, live %v", m.ID, m.Direction, m.Analysis, live)
				case !bytes.Equal(live.Report, m.Analysis.Report) || live.Sentiment != m.Analysis.Sentiment:
					t.Errorf("message %d (%s): imported report\n%.300s\nlive\n%.300s", m.ID, m.Direction, m.Analysis.Report, live.Report)
				default:
					checked++
				}
			}
		}
		if checked < 10 {
			t.Fatalf("only %d analyses compared", checked)
		}
	})
}

func TestZendeskExportReadsTicketsCommentsAndSideLoadedUsers(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		sum, rejected := importFile(t, db, "zendesk_tickets.json", Options{Format: Zendesk})
		if want := (Summary{Read: 7, Imported: 6, Rejected: 1, Customers: 2, Conversations: 2}); sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		if want := []Rejection{{At: "ticket 35437 comment 1302", SourceID: "1302", Field: "body", Reason: "is required"}}; !slices.Equal(rejected, want) {
			t.Errorf("rejected %v, want %v", rejected, want)
		}
		c := conversation(t, db, "zendesk", "35436")
		if c.Status != kindred.StatusResolved || c.Priority != kindred.PriorityHigh || c.Channel != kindred.ChannelEmail ||
			c.Subject != "My replacement card has not arrived" || !c.CreatedAt.Equal(at("2024-02-11T07:15:02Z")) {
			t.Errorf("ticket 35436 as %+v", c)
		}
		var got []string
		for _, m := range c.Messages {
			got = append(got, string(m.Direction)+" "+m.AuthorName)
		}
		// The users follow the tickets in the file: read first all the same.
		want := []string{"in Amina Odhiambo", "note Brian Ochieng", "out Brian Ochieng", "in Amina Odhiambo"}
		if !slices.Equal(got, want) {
			t.Errorf("comments %q, want %q", got, want)
		}
		if !strings.Contains(c.Messages[2].Body, "by Friday.") {
			t.Errorf("reply body %q: want the plain body", c.Messages[2].Body)
		}
		if c.Messages[3].Body != "It came today. Thank you!" {
			t.Errorf("a comment without a plain body: %q", c.Messages[3].Body)
		}
		p := conversation(t, db, "zendesk", "35437")
		if p.Status != kindred.StatusWaitingOnCustomer || p.Channel != kindred.ChannelPhone || p.Priority != kindred.PriorityNormal {
			t.Errorf("ticket 35437: %s, %s, %s", p.Status, p.Channel, p.Priority)
		}
		cust, err := db.Customer(context.Background(), p.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if cust.Name != "Joseph Kamau" || cust.Phone != "+254733123456" {
			t.Errorf("requester %+v", cust)
		}
	})
}

func TestZendeskExportOneTicketALineWithAUsersFile(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		users, err := os.Open("testdata/zendesk_users.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		defer users.Close()
		sum, rejected := importFile(t, db, "zendesk_export.ndjson", Options{Format: Zendesk, Source: "zendesk-eu", Users: users})
		if want := (Summary{Read: 3, Imported: 2, Rejected: 1, Customers: 1, Conversations: 1}); sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		if want := []Rejection{{At: "ticket 502", Field: "comments", Reason: "must be an array"}}; !slices.Equal(rejected, want) {
			t.Errorf("rejected %v, want %v", rejected, want)
		}
		c := conversation(t, db, "zendesk-eu", "501")
		if c.Status != kindred.StatusResolved || c.Channel != kindred.ChannelEmail || c.Priority != kindred.PriorityLow {
			t.Errorf("ticket 501: %s %s %s", c.Status, c.Channel, c.Priority)
		}
		if got := c.Messages[0].AuthorName + " / " + c.Messages[1].AuthorName; got != "Halima Mohamed / Eunice Wairimu" {
			t.Errorf("authors %s", got)
		}
	})
}

func TestChatwootExportSkipsActivityAndKeepsPrivateNotes(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		sum, rejected := importFile(t, db, "chatwoot_conversations.json", Options{Format: Chatwoot})
		if want := (Summary{Read: 5, Imported: 4, Rejected: 1, Skipped: 3, Customers: 2, Conversations: 2}); sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		if want := []Rejection{{At: "conversation 11 message 131", SourceID: "131", Field: "body", Reason: "is required"}}; !slices.Equal(rejected, want) {
			t.Errorf("rejected %v, want %v", rejected, want)
		}
		c := conversation(t, db, "chatwoot", "10")
		var got []string
		for _, m := range c.Messages {
			got = append(got, string(m.Direction)+" "+m.AuthorName)
		}
		if want := []string{"in Jane Achieng", "out John", "note John"}; !slices.Equal(got, want) {
			t.Errorf("messages %q, want %q", got, want)
		}
		if c.Channel != kindred.ChannelChat || c.Status != kindred.StatusResolved || !c.CreatedAt.Equal(time.Unix(1627063308, 0)) {
			t.Errorf("conversation 10: %s %s %v", c.Channel, c.Status, c.CreatedAt)
		}
		o := conversation(t, db, "chatwoot", "11")
		if o.Channel != kindred.ChannelSMS || o.Status != kindred.StatusWaitingOnUs || len(o.Messages) != 1 {
			t.Errorf("conversation 11: %s %s %d messages", o.Channel, o.Status, len(o.Messages))
		}
	})
}

func TestJSONLinesTakeNumbersAndNameTheirLines(t *testing.T) {
	eachStore(t, func(t *testing.T, db *store.DB) {
		sum, rejected := importFile(t, db, "messages.jsonl", Options{Format: JSONL})
		if want := (Summary{Read: 6, Imported: 4, Rejected: 2, Customers: 2, Conversations: 2}); sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		if len(rejected) != 2 || rejected[0].At != "line 6" || rejected[1].At != "line 7" || rejected[1].Field != "record" {
			t.Errorf("rejected %v", rejected)
		}
		c := conversation(t, db, "jsonl", "7002")
		if len(c.Messages) != 2 || !c.Messages[0].CreatedAt.Equal(at("2024-03-08T07:00:00Z")) {
			t.Errorf("conversation 7002: %+v", c.Messages)
		}
	})
}

func TestCSVWithoutTheNeededColumnsIsRefusedBeforeAnything(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "kindred.db"))
	_, err := Run(context.Background(), db, strings.NewReader("name,text\nAmina,hello\n"), Options{Format: CSV})
	if err == nil || !strings.Contains(err.Error(), "missing column conversation_id, channel, direction, body, created_at") {
		t.Fatalf("err %v", err)
	}
	if n := countMessages(t, db); n != 0 {
		t.Fatalf("%d messages", n)
	}
}
