package web

import (
	"context"
	"time"

	"github.com/kindred-desk/kindred"
)

// answerView is one answered survey as the care pages show it.
type answerView struct {
	kindred.Survey
	Customer string // as they like to be called
	Agent    string // who served them; "" when nobody was assigned
}

// teamFollowUp is a follow-up of someone in a lead's team, past its date.
type teamFollowUp struct {
	kindred.FollowUp
	Agent string
}

var heardLabels = map[kindred.FeltHeard]string{
	kindred.HeardYes:    "They felt heard",
	kindred.HeardPartly: "They felt partly heard",
	kindred.HeardNo:     "They did not feel heard",
}

// HeardLabel says how heard the customer felt.
func (v *view) HeardLabel(f *kindred.FeltHeard) string {
	if f == nil {
		return ""
	}
	return v.T(heardLabels[*f])
}

// Score is the satisfaction given, 1 to 5; 0 when none.
func (a answerView) Score() int {
	if a.Satisfaction == nil {
		return 0
	}
	return *a.Satisfaction
}

// Answered is when the survey was answered.
func (a answerView) Answered() time.Time {
	if a.AnsweredAt == nil {
		return time.Time{}
	}
	return *a.AnsweredAt
}

// NotHeard reports whether an answer needs a lead's attention.
func (a answerView) NotHeard() bool { return a.FeltHeard != nil && *a.FeltHeard != kindred.HeardYes }

// answersShown is how many recent survey answers the care page lists.
const answersShown = 20

// loadCareAnswers adds what customers said in their surveys to the care
// page: an agent sees the answers about them; a lead sees their team's (an
// admin, or a lead without a team, everyone's), and the team's follow-ups
// that are past their date.
func (c *Console) loadCareAnswers(ctx context.Context, p *careOverviewPage) error {
	me := p.Agent
	agents, err := c.cfg.Agents.Agents(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	inTeam := map[int64]bool{}
	for _, a := range agents {
		names[a.ID] = a.Name
		inTeam[a.ID] = me.Role == kindred.RoleAdmin || me.Team == "" || a.Team == me.Team
	}
	yes := true
	f := kindred.SurveyFilter{Answered: &yes, Page: kindred.Page{Limit: 500}}
	if !p.IsLead() {
		f.AgentID = me.ID
	}
	surveys, err := c.cfg.Care.Surveys(ctx, f)
	if err != nil {
		return err
	}
	var custIDs []int64
	for _, s := range surveys {
		if s.AgentID != nil && !inTeam[*s.AgentID] {
			continue
		}
		a := answerView{Survey: s}
		if s.AgentID != nil {
			a.Agent = names[*s.AgentID]
		}
		p.Answers = append(p.Answers, a)
		custIDs = append(custIDs, s.CustomerID)
		if len(p.Answers) == answersShown {
			break
		}
	}
	custs, err := c.cfg.Customers.CustomersByID(ctx, custIDs)
	if err != nil {
		return err
	}
	for i := range p.Answers {
		if cu := custs[p.Answers[i].CustomerID]; cu != nil {
			p.Answers[i].Customer = cu.AddressAs()
		}
	}
	if !p.IsLead() {
		return nil
	}
	now := p.view.now
	overdue, err := c.cfg.Care.FollowUps(ctx, kindred.FollowUpFilter{Status: kindred.FollowUpPending, DueBefore: &now, Page: kindred.Page{Limit: 500}})
	if err != nil {
		return err
	}
	for _, fu := range overdue {
		if fu.AgentID != me.ID && inTeam[fu.AgentID] {
			p.TeamOverdue = append(p.TeamOverdue, teamFollowUp{FollowUp: fu, Agent: names[fu.AgentID]})
		}
	}
	return nil
}
