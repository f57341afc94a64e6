package care

import (
	"context"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func TestSurveyAtWaitsForTheDelayAndThePromisedDate(t *testing.T) {
	resolved := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	before, after := resolved.Add(time.Hour), resolved.Add(48*time.Hour)
	tests := []struct {
		name string
		conv kindred.Conversation
		want time.Time
	}{
		{"not resolved: never", kindred.Conversation{}, time.Time{}},
		{"no promise: the delay", kindred.Conversation{ResolvedAt: &resolved}, resolved.Add(SurveyDelay)},
		{"a promise within the delay: the delay", kindred.Conversation{ResolvedAt: &resolved, DueAt: &before}, resolved.Add(SurveyDelay)},
		{"a later promise: its date", kindred.Conversation{ResolvedAt: &resolved, DueAt: &after}, after},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SurveyAt(&tt.conv); !got.Equal(tt.want) {
				t.Errorf("SurveyAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNoWrittenSurveyForSomeoneWhoNeedsThingsReadAloud(t *testing.T) {
	for _, need := range []kindred.Accommodation{kindred.ReadAloud, kindred.LowVision} {
		t.Run(string(need), func(t *testing.T) {
			d := newDesk(t)
			w := &Worker{Care: d.svc}
			cust := d.customer(t, kindred.Customer{Name: "Mzee Kamau", Phone: "+254711000222", Accommodations: []kindred.Accommodation{need}})
			conv := d.conversation(t, kindred.Conversation{CustomerID: cust.ID, Channel: kindred.ChannelSMS, Subject: "Card"})
			st := kindred.StatusResolved
			if _, err := d.db.UpdateConversation(bg, conv.ID, kindred.ConversationUpdate{Status: &st}); err != nil {
				t.Fatal(err)
			}
			d.now = d.now.Add(SurveyDelay + time.Minute)
			if p := w.RunOnce(context.Background()); p.Surveys != 0 {
				t.Errorf("pass: %+v, want no survey sent", p)
			}
			if out, _ := d.db.Outbox(context.Background(), kindred.OutboxFilter{Purpose: "survey"}); len(out) != 0 {
				t.Errorf("a written survey went to someone with %s: %+v", need, out)
			}
			_, _, err := d.svc.SendSurvey(bg, conv, cust)
			if kindred.ErrorKind(err) != kindred.Invalid {
				t.Errorf("SendSurvey by hand: %v, want Invalid with the reason", err)
			}
		})
	}
}
