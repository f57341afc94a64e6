package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestNotHeardSurveyAnswerReachesTheAgentTheConversationAndTheLead(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	lead := &kindred.Agent{Name: "Wanjiru Lead", Email: "lead@example.org", Role: kindred.RoleLead}
	if err := d.db.CreateAgent(ctx, lead, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	// The seeded reply took the conversation for Amina.
	if c, _ := d.db.Conversation(ctx, d.seed.conv.ID, false); c.AssigneeID == nil || *c.AssigneeID != d.seed.agent.ID {
		t.Fatalf("the seeded conversation's assignee: %v, want Amina (her reply took it)", c.AssigneeID)
	}
	secret := resolvedWithSurvey(t, d, d.seed.customer, d.seed.conv)
	customer := d.browser()
	r := customer.post("/survey/"+secret+"?lang=en", url.Values{"satisfaction": {"2"}, "felt_heard": {"no"}, "comment": {"Nobody called me back."}})
	wantStatus(t, r, http.StatusSeeOther)

	amina := d.browser()
	amina.signIn("amina@example.org")
	page := amina.get("/care")
	wantContains(t, page, "What your customers said in their surveys", "Baba Otieno", "2 of 5", "They did not feel heard", "“Nobody called me back.”")
	if strings.Contains(page.body, "Your team&#39;s follow-ups past their date") {
		t.Error("an agent is shown the team's overdue follow-ups")
	}
	wantContains(t, amina.get(fmt.Sprintf("/conversations/%d/care", d.seed.conv.ID)), "What they said in the survey", "They did not feel heard")

	// The lead has a follow-up, and sees the answer with who served.
	wanjiru := d.browser()
	wanjiru.signIn("lead@example.org")
	page = wanjiru.get("/care")
	wantContains(t, page, "What customers said in their surveys", "served by Amina Wanjiru",
		"Call Baba Otieno: the survey says they felt not heard.")
	fs, err := d.db.FollowUps(ctx, kindred.FollowUpFilter{AgentID: lead.ID})
	if err != nil || len(fs) != 1 || fs[0].ConversationID != d.seed.conv.ID {
		t.Fatalf("the lead's follow-ups: %+v %v", fs, err)
	}
	wantContains(t, wanjiru.get("/care?lang=sw"), "Hakuhisi amesikilizwa", "2 kati ya 5")
}

func TestALeadSeesTheTeamsOverdueFollowUps(t *testing.T) {
	d := newTestDesk(t)
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	lead := &kindred.Agent{Name: "Wanjiru Lead", Email: "lead@example.org", Role: kindred.RoleLead, Team: "Pensions"}
	other := &kindred.Agent{Name: "Otieno Cards", Email: "otieno@example.org", Role: kindred.RoleAgent, Team: "Cards"}
	for _, a := range []*kindred.Agent{lead, other} {
		if err := d.db.CreateAgent(ctx, a, mustHash(t)); err != nil {
			t.Fatal(err)
		}
	}
	team := "Pensions"
	if _, err := d.db.UpdateAgent(ctx, d.seed.agent.ID, kindred.AgentUpdate{Team: &team}); err != nil {
		t.Fatal(err)
	}
	// Follow-ups whose day has passed: one in the team, one outside it.
	past := time.Now().Add(-48 * time.Hour)
	for _, f := range []struct {
		agent int64
		what  string
	}{{d.seed.agent.ID, "Call Baba Otieno about the card"}, {other.ID, "Call Zawadi about her address"}} {
		err := d.db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, created_at)
				VALUES (?, ?, ?, ?, 'pending', ?)`, d.seed.conv.ID, f.agent, f.what, past.UnixMilli(), past.Add(-time.Hour).UnixMilli())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	b := d.browser()
	b.signIn("lead@example.org")
	page := b.get("/care")
	wantContains(t, page, "Your team&#39;s follow-ups past their date", "Call Baba Otieno about the card", "Amina Wanjiru")
	if strings.Contains(page.body, "Call Zawadi about her address") {
		t.Error("a lead sees another team's overdue follow-up")
	}
}
