package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestAdminPromotesMovesAndRenamesAnAgent(t *testing.T) {
	d := newDesk(t)
	agent := d.agents[kindred.RoleAgent]
	path := "/api/v1/agents/" + itoa(agent.ID)

	// An agent cannot list the agents; once promoted to lead, they can, on
	// their very next request with the same token.
	if rec := d.as(kindred.RoleAgent, "GET", "/api/v1/agents", nil); rec.Code != http.StatusForbidden {
		t.Fatalf("an agent listing agents: %d", rec.Code)
	}
	a := d.must(kindred.RoleAdmin, 200, "PATCH", path, map[string]any{"name": " Wanjiku Kamau ", "role": "lead", "team": "Pensions"})
	if a["name"] != "Wanjiku Kamau" || a["role"] != "lead" || a["team"] != "Pensions" || a["disabled"] != false || a["id"] != float64(agent.ID) {
		t.Fatalf("patched agent %v", a)
	}
	d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/agents", nil)

	// Absent fields stay; team null clears the team; an empty patch changes nothing.
	a = d.must(kindred.RoleAdmin, 200, "PATCH", path, `{"team": null}`)
	if a["team"] != nil || a["role"] != "lead" || a["name"] != "Wanjiku Kamau" {
		t.Fatalf("after clearing the team: %v", a)
	}
	if a = d.must(kindred.RoleAdmin, 200, "PATCH", path, `{}`); a["role"] != "lead" {
		t.Fatalf("after an empty patch: %v", a)
	}

	entries := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/audit?subject=agent&subject_id="+itoa(agent.ID), nil)
	if len(entries) < 2 || entries[0]["action"] != "agent.update" || entries[0]["actor_id"] != float64(d.agents[kindred.RoleAdmin].ID) {
		t.Fatalf("audit %v", entries)
	}
	if detail, _ := entries[1]["detail"].(string); !strings.Contains(detail, "role agent to lead") {
		t.Errorf("the audit entry does not say what changed: %q", detail)
	}
}

func TestOnlyAdminsEditAgents(t *testing.T) {
	d := newDesk(t)
	path := "/api/v1/agents/" + itoa(d.agents[kindred.RoleAgent].ID)
	rec := d.as(kindred.RoleLead, "PATCH", path, `{"role": "admin"}`)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("a lead editing an agent: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, rec)
	// A lead cannot promote themselves either.
	if rec := d.as(kindred.RoleLead, "PATCH", "/api/v1/agents/"+itoa(d.agents[kindred.RoleLead].ID), `{"role": "admin"}`); rec.Code != http.StatusForbidden {
		t.Fatalf("a lead promoting themselves: %d", rec.Code)
	}
	if a, _ := d.db.Agent(system, d.agents[kindred.RoleAgent].ID); a.Role != kindred.RoleAgent {
		t.Fatalf("a refused edit changed the agent: %+v", a)
	}
}

func TestTheLastAdminWhoCanSignInCannotBeDisabledOrDemoted(t *testing.T) {
	d := newDesk(t)
	// The desk's own admin uses a token only; Grace signs in to the console,
	// and so is the one the desk cannot lose.
	grace := &kindred.Agent{Name: "Grace", Email: "grace@example.org", Role: kindred.RoleAdmin}
	if err := d.db.CreateAgent(system, grace, "$argon2id$stand-in"); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/agents/" + itoa(grace.ID)
	for _, body := range []string{`{"disabled": true}`, `{"role": "lead"}`} {
		rec := d.as(kindred.RoleAdmin, "PATCH", path, body)
		if rec.Code != http.StatusConflict {
			t.Fatalf("%s: %d, want 409; %s", body, rec.Code, rec.Body)
		}
		if p := problemOf(t, rec); !strings.Contains(p.Detail, "only administrator") {
			t.Errorf("%s: the problem does not say why: %q", body, p.Detail)
		}
	}
	if n, _ := d.db.CountAdmins(system); n != 1 {
		t.Fatalf("%d admins who can sign in, want 1", n)
	}
	// Disabling an admin who cannot sign in leaves Grace: it is allowed.
	d.must(kindred.RoleAdmin, 200, "PATCH", "/api/v1/agents/"+itoa(d.agents[kindred.RoleAdmin].ID), `{"team": "Ops"}`)
}

// Disabling an agent revokes its tokens for good: enabling it again does
// not bring back a token that may have leaked while it was off (issue 17);
// the admin gives it a new one.
func TestADisabledAgentsTokensAreRevokedForGood(t *testing.T) {
	d := newDesk(t)
	agent := d.agents[kindred.RoleAgent]
	path := "/api/v1/agents/" + itoa(agent.ID)
	d.must(kindred.RoleAgent, 200, "GET", "/api/v1/me", nil)

	if a := d.must(kindred.RoleAdmin, 200, "PATCH", path, `{"disabled": true}`); a["disabled"] != true {
		t.Fatalf("disabled %v", a)
	}
	rec := d.as(kindred.RoleAgent, "GET", "/api/v1/customers", nil)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("a disabled agent's token: %d, want 401", rec.Code)
	}
	if p := problemOf(t, rec); !strings.Contains(p.Detail, "revoked") {
		t.Errorf("the refusal does not say the token is revoked: %q", p.Detail)
	}

	d.must(kindred.RoleAdmin, 200, "PATCH", path, `{"disabled": false}`)
	if rec := d.as(kindred.RoleAgent, "GET", "/api/v1/me", nil); rec.Code != http.StatusUnauthorized {
		t.Fatalf("the old token after enabling again: %d, want 401", rec.Code)
	}
	tok := d.must(kindred.RoleAdmin, 201, "POST", path+"/tokens", `{"name": "after re-enabling"}`)
	if rec := d.do(tok["token"].(string), "GET", "/api/v1/me", nil); rec.Code != http.StatusOK {
		t.Fatalf("a new token after enabling again: %d %s", rec.Code, rec.Body)
	}
}
