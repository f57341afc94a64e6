package care

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestNotHeardOpensAFollowUpForTheTeamLead(t *testing.T) {
	tests := []struct {
		felt     kindred.FeltHeard
		comment  string
		followUp string // what the lead's follow-up says; "" for none
	}{
		{kindred.HeardYes, "", ""},
		{kindred.HeardPartly, "", "Call Mama Grace: the survey says they felt only partly heard."},
		{kindred.HeardNo, "Nobody called back", `Call Mama Grace: the survey says they felt not heard. They wrote: "Nobody called back"`},
	}
	for _, tt := range tests {
		t.Run(string(tt.felt), func(t *testing.T) {
			d := newDesk(t)
			agent := &kindred.Agent{Name: "Amina", Email: "amina@example.org", Role: kindred.RoleAgent, Team: "Cards"}
			otherLead := &kindred.Agent{Name: "Otieno", Email: "otieno@example.org", Role: kindred.RoleLead, Team: "Pensions"}
			lead := &kindred.Agent{Name: "Wanjiru", Email: "wanjiru@example.org", Role: kindred.RoleLead, Team: "Cards"}
			for _, a := range []*kindred.Agent{agent, otherLead, lead} {
				if err := d.db.CreateAgent(bg, a, "hash"); err != nil {
					t.Fatal(err)
				}
			}
			cust := d.customer(t, kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mama Grace", Phone: "+254711000111"})
			conv := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card", AssigneeID: &agent.ID})
			st := kindred.StatusResolved
			resolved, err := d.db.UpdateConversation(bg, conv.ID, kindred.ConversationUpdate{Status: &st})
			if err != nil {
				t.Fatal(err)
			}
			_, secret, err := d.svc.SendSurvey(bg, resolved, cust)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.svc.AnswerSurvey(context.Background(), secret, kindred.SurveyAnswer{Satisfaction: 2, FeltHeard: tt.felt, Comment: tt.comment}); err != nil {
				t.Fatal(err)
			}
			fs, err := d.db.FollowUps(context.Background(), kindred.FollowUpFilter{ConversationID: conv.ID})
			if err != nil {
				t.Fatal(err)
			}
			if tt.followUp == "" {
				if len(fs) != 0 {
					t.Fatalf("felt heard, yet follow-ups: %+v", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].AgentID != lead.ID || fs[0].What != tt.followUp || fs[0].Status != kindred.FollowUpPending {
				t.Fatalf("follow-ups %+v, want one for lead %d saying %q", fs, lead.ID, tt.followUp)
			}
			if due := fs[0].DueAt.Sub(d.now); due < store.NotHeardFollowUpWithin-time.Minute || due > store.NotHeardFollowUpWithin+time.Minute {
				t.Errorf("due in %v, want about %v", due, store.NotHeardFollowUpWithin)
			}
			if !strings.Contains(fs[0].What, "Mama Grace") {
				t.Errorf("the follow-up does not name the customer as they like: %q", fs[0].What)
			}
		})
	}
}
