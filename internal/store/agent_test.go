package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"AgentUpdateChangesEachField", testAgentUpdate},
		suiteTest{"AgentUpdateRefusesBadInput", testAgentUpdateInvalid},
		suiteTest{"AgentUpdateKeepsAnAdminWhoCanSignIn", testAgentUpdateLastAdmin},
		suiteTest{"AgentUpdateConcurrentDemotionsLeaveAnAdmin", testAgentUpdateRace},
	)
}

func testAgentUpdate(t *testing.T, s suite) {
	db, _ := s.open(t)
	admin := mustAgent(t, db, "Grace", "grace@desk.example", kindred.RoleAdmin)
	ctx := ctxAs(admin.ID, admin.Name)
	a := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)

	tests := []struct {
		name   string
		update kindred.AgentUpdate
		want   func(a *kindred.Agent)
		detail string
	}{
		{"name is trimmed", kindred.AgentUpdate{Name: ptr("  Amina Wanjiru ")},
			func(a *kindred.Agent) { a.Name = "Amina Wanjiru" }, `name "Amina" to "Amina Wanjiru"`},
		{"promoted to lead", kindred.AgentUpdate{Role: ptr(kindred.RoleLead)},
			func(a *kindred.Agent) { a.Role = kindred.RoleLead }, "role agent to lead"},
		{"team", kindred.AgentUpdate{Team: ptr(" Pensions ")},
			func(a *kindred.Agent) { a.Team = "Pensions" }, `team "" to "Pensions"`},
		{"team cleared", kindred.AgentUpdate{Team: ptr("")},
			func(a *kindred.Agent) { a.Team = "" }, `team "Pensions" to ""`},
		{"disabled", kindred.AgentUpdate{Disabled: ptr(true)},
			func(a *kindred.Agent) { a.Disabled = true }, "disabled"},
		{"enabled again", kindred.AgentUpdate{Disabled: ptr(false)},
			func(a *kindred.Agent) { a.Disabled = false }, "enabled"},
		{"several at once", kindred.AgentUpdate{Role: ptr(kindred.RoleAgent), Team: ptr("Cards"), Disabled: ptr(true)},
			func(a *kindred.Agent) { a.Role, a.Team, a.Disabled = kindred.RoleAgent, "Cards", true },
			`role lead to agent; team "" to "Cards"; disabled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := db.Agent(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := *before
			tt.want(&want)
			got, err := db.UpdateAgent(ctx, a.ID, tt.update)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("returned\n%+v\nwant\n%+v", *got, want)
			}
			read, err := db.Agent(ctx, a.ID)
			if err != nil || !reflect.DeepEqual(*read, want) {
				t.Fatalf("read back\n%+v (%v)\nwant\n%+v", read, err, want)
			}
			entries, err := db.Audit(ctx, kindred.AuditFilter{Subject: "agent", SubjectID: a.ID, Page: kindred.Page{Limit: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if e := entries[0]; e.Action != "agent.update" || e.Detail != tt.detail || e.ActorID != admin.ID {
				t.Fatalf("audit entry %+v, want agent.update %q by agent %d", e, tt.detail, admin.ID)
			}
		})
	}

	// The password and email are untouched: the agent can still be found by
	// email, with the same hash.
	if _, hash, err := db.AgentByEmail(ctx, "amina@desk.example"); err != nil || hash != "hash-Amina" {
		t.Fatalf("sign-in details after updates: %q %v", hash, err)
	}
	// An update that changes nothing writes nothing.
	n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ?", "agent.update")
	if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Team: ptr("Cards"), Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{}); err != nil {
		t.Fatal(err)
	}
	if after := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ?", "agent.update"); after != n {
		t.Fatalf("no-op updates were audited: %d entries, want %d", after, n)
	}
	// A disabled agent's token is still found: the API refuses it by the
	// agent it belongs to.
	if err := db.CreateToken(ctx, &kindred.Token{AgentID: a.ID, Name: "old laptop", Hash: []byte{7}}); err != nil {
		t.Fatal(err)
	}
	if _, ta, err := db.TokenByHash(ctx, []byte{7}); err != nil || !ta.Disabled {
		t.Fatalf("token's agent %+v %v, want it disabled", ta, err)
	}
	// Nothing about the password ever reaches the audit log.
	all, _ := db.Audit(ctx, kindred.AuditFilter{Subject: "agent"})
	for _, e := range all {
		if strings.Contains(e.Detail, "hash-") {
			t.Fatalf("password hash in the audit log: %+v", e)
		}
	}
}

func testAgentUpdateInvalid(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	before := count(t, db, "SELECT COUNT(*) FROM audit")

	_, err := db.UpdateAgent(ctx, 999, kindred.AgentUpdate{Name: ptr("Ghost")})
	wantKind(t, err, kindred.NotFound)
	_, err = db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Role: ptr(kindred.Role("boss"))})
	wantField(t, err, "role")
	_, err = db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Name: ptr("   ")})
	wantField(t, err, "name")
	// Both at once, and nothing else is changed with them.
	_, err = db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Name: ptr(""), Role: ptr(kindred.Role("")), Team: ptr("Cards")})
	wantField(t, err, "name")
	wantField(t, err, "role")

	if got, _ := db.Agent(ctx, a.ID); got.Name != "Amina" || got.Role != kindred.RoleAgent || got.Team != "" {
		t.Fatalf("a refused update changed the agent: %+v", got)
	}
	if after := count(t, db, "SELECT COUNT(*) FROM audit"); after != before {
		t.Fatalf("refused updates were audited: %d entries, want %d", after, before)
	}
}

func testAgentUpdateLastAdmin(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	grace := mustAgent(t, db, "Grace", "grace@desk.example", kindred.RoleAdmin)
	// Neither of these can open the console, so neither keeps the desk managed.
	mustAgent(t, db, "Admin bot", "", kindred.RoleAdmin)
	if err := db.CreateAgent(ctx, &kindred.Agent{Name: "Off", Email: "off@desk.example", Role: kindred.RoleAdmin, Disabled: true}, "hash-Off"); err != nil {
		t.Fatal(err)
	}
	before := count(t, db, "SELECT COUNT(*) FROM audit")

	for name, u := range map[string]kindred.AgentUpdate{
		"disable":              {Disabled: ptr(true)},
		"demote":               {Role: ptr(kindred.RoleLead)},
		"demote with a rename": {Name: ptr("Grace W."), Role: ptr(kindred.RoleAgent)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := db.UpdateAgent(ctx, grace.ID, u)
			wantKind(t, err, kindred.Conflict)
			if !strings.Contains(err.Error(), "only administrator") {
				t.Errorf("the refusal does not say why: %v", err)
			}
		})
	}
	if got, _ := db.Agent(ctx, grace.ID); got.Role != kindred.RoleAdmin || got.Disabled || got.Name != "Grace" {
		t.Fatalf("the last admin was changed: %+v", got)
	}
	if after := count(t, db, "SELECT COUNT(*) FROM audit"); after != before {
		t.Fatalf("refused updates were audited: %d entries, want %d", after, before)
	}
	// The last admin may still be renamed or moved to a team.
	if _, err := db.UpdateAgent(ctx, grace.ID, kindred.AgentUpdate{Name: ptr("Grace W."), Team: ptr("Cards"), Role: ptr(kindred.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}

	// With a second admin who can sign in, the first may step down.
	lead := mustAgent(t, db, "Baraka", "baraka@desk.example", kindred.RoleLead)
	if _, err := db.UpdateAgent(ctx, lead.ID, kindred.AgentUpdate{Role: ptr(kindred.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAgent(ctx, grace.ID, kindred.AgentUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatalf("disable one of two admins: %v", err)
	}
	_, err := db.UpdateAgent(ctx, lead.ID, kindred.AgentUpdate{Role: ptr(kindred.RoleAgent)})
	wantKind(t, err, kindred.Conflict)
	if n, _ := db.CountAdmins(ctx); n != 1 {
		t.Fatalf("%d admins who can sign in, want 1", n)
	}
}

// testAgentUpdateRace has two admins demote each other at the same moment,
// many times over: the desk must always keep one.
func testAgentUpdateRace(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	for round := range 10 {
		a := mustAgent(t, db, fmt.Sprintf("A%d", round), fmt.Sprintf("a%d@desk.example", round), kindred.RoleAdmin)
		b := mustAgent(t, db, fmt.Sprintf("B%d", round), fmt.Sprintf("b%d@desk.example", round), kindred.RoleAdmin)
		// Only this round's two count.
		err := db.Tx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, "UPDATE agents SET disabled = ? WHERE id NOT IN (?, ?)", true, a.ID, b.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for i, id := range []int64{a.ID, b.ID} {
			wg.Go(func() {
				<-start
				u := kindred.AgentUpdate{Role: ptr(kindred.RoleAgent)}
				if i == 1 {
					u = kindred.AgentUpdate{Disabled: ptr(true)}
				}
				_, errs[i] = db.UpdateAgent(ctx, id, u)
			})
		}
		close(start)
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case err == nil:
			case kindred.ErrorKind(err) == kindred.Conflict:
				refused++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if n, err := db.CountAdmins(ctx); n != 1 || refused != 1 || err != nil {
			t.Fatalf("round %d: %d admins left and %d refusals (%v), want 1 and 1", round, n, refused, errs)
		}
	}
}
