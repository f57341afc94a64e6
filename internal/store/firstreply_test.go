package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestSQLiteFirstReplyTakesTheConversation(t *testing.T) {
	testFirstReply(t, suite{fresh: func(t *testing.T) string { return filepath.Join(t.TempDir(), "kindred.db") }})
}

func TestPostgresFirstReplyTakesTheConversation(t *testing.T) {
	base := postgresURL(t)
	testFirstReply(t, suite{fresh: func(t *testing.T) string { return freshPostgresSchema(t, base) }})
}

func testFirstReply(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	amina := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	grace := mustAgent(t, db, "Grace", "grace@example.org", kindred.RoleAgent)
	gateway := mustAgent(t, db, "sms gateway", "", kindred.RoleAgent)
	cust := mustCustomer(t, db, kindred.Customer{Name: "Joseph"})

	tests := []struct {
		name    string
		replies []kindred.Message // in order
		want    *kindred.Agent    // the assignee after them
	}{
		{"the first reply takes it", []kindred.Message{{Direction: kindred.Outbound, AuthorID: &amina.ID}}, amina},
		{"a second replier does not take it over", []kindred.Message{
			{Direction: kindred.Outbound, AuthorID: &amina.ID}, {Direction: kindred.Outbound, AuthorID: &grace.ID}}, amina},
		{"an internal note takes nothing", []kindred.Message{{Direction: kindred.InternalNote, AuthorID: &grace.ID}}, nil},
		{"a service account takes nothing", []kindred.Message{{Direction: kindred.Outbound, AuthorID: &gateway.ID}}, nil},
		{"the customer's message takes nothing", []kindred.Message{{Direction: kindred.Inbound}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: tt.name}
			if err := db.CreateConversation(ctx, conv); err != nil {
				t.Fatal(err)
			}
			for _, m := range tt.replies {
				m.ConversationID, m.Body = conv.ID, "Hello Joseph, I am looking into it now."
				if err := db.AddMessage(ctx, &m); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.Conversation(ctx, conv.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == nil && got.AssigneeID != nil:
				t.Errorf("assigned to %d, want nobody", *got.AssigneeID)
			case tt.want != nil && (got.AssigneeID == nil || *got.AssigneeID != tt.want.ID):
				t.Errorf("assignee %v, want %d", got.AssigneeID, tt.want.ID)
			}
			taken := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'conversation.assign' AND subject_id = ?", conv.ID)
			if want := map[bool]int{true: 1, false: 0}[tt.want != nil]; taken != want {
				t.Errorf("%d assignments audited, want %d", taken, want)
			}
		})
	}
	// One already assigned stays with its assignee.
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "assigned", AssigneeID: &grace.ID}
	if err := db.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, AuthorID: &amina.ID, Body: "Hello"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Conversation(ctx, conv.ID, false); got.AssigneeID == nil || *got.AssigneeID != grace.ID {
		t.Errorf("a reply moved an assigned conversation to %v", got.AssigneeID)
	}
}
