package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) {
		cfg.Accounts = db
		cfg.BaseURL = "https://desk.example.org/"
	})
}

func TestAdminMakesAPasswordLinkThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	person, _ := d.storeAgent(&kindred.Agent{Name: "Baraka", Email: "baraka@example.org", Role: kindred.RoleAgent})
	path := "/api/v1/agents/" + itoa(person.ID) + "/password-link"

	for _, role := range []kindred.Role{kindred.RoleLead, kindred.RoleAgent, kindred.RoleKiosk} {
		if rec := d.do(d.tokens[role], "POST", path, nil); rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", role, rec.Code)
		}
	}
	rec := d.do(d.tokens[kindred.RoleAdmin], "POST", path, nil)
	if rec.Code != http.StatusCreated || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("admin: %d %q\n%s", rec.Code, rec.Header().Get("Cache-Control"), rec.Body)
	}
	var l passwordLink
	if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	prefix := "https://desk.example.org" + kindred.PasswordLinkPath
	if l.Purpose != kindred.LinkInvite || l.AgentID != person.ID || !strings.HasPrefix(l.URL, prefix) {
		t.Fatalf("link %+v, want an invitation at %s…", l, prefix)
	}
	secret := strings.TrimPrefix(l.URL, prefix)
	if _, a, err := d.db.PasswordLink(system, auth.HashToken(secret), d.clock.now()); err != nil || a.ID != person.ID {
		t.Fatalf("the link's secret does not open agent %d's link: %v %v", person.ID, a, err)
	}

	// An API-only account has no email to sign in with: no link.
	rec = d.do(d.tokens[kindred.RoleAdmin], "POST", "/api/v1/agents/"+itoa(d.agents[kindred.RoleAgent].ID)+"/password-link", nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"email"`) {
		t.Errorf("service account: %d %s, want 422 naming email", rec.Code, rec.Body)
	}
	if rec := d.do(d.tokens[kindred.RoleAdmin], "POST", "/api/v1/agents/999/password-link", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown agent: %d, want 404", rec.Code)
	}
}
