package api

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// TestEveryRouteEnforcesRoles walks every route with every role, with no
// token and with a revoked token. The matrix is written out here, not derived
// from the route table: it is the specification the table must meet.
func TestEveryRouteEnforcesRoles(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Otieno Odhiambo")
	conv := d.newConversation(cust)
	helper := id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cust+"/helpers", map[string]any{
		"name": "Akinyi", "relation": "daughter", "scopes": []string{"act_on_conversations"}, "consent": "signed form at desk 3"}))
	target, _ := d.addAgent("token target", kindred.RoleAgent)
	person, _ := d.storeAgent(&kindred.Agent{Name: "link target", Email: "link@example.org", Role: kindred.RoleAgent})
	_, revokedSecret := d.addAgent("revoked admin", kindred.RoleAdmin)
	revokeToken(t, d, revokedSecret)
	_, disabledSecret := d.storeAgent(&kindred.Agent{Name: "disabled admin", Role: kindred.RoleAdmin, Disabled: true})

	// newTokenID mints a token to be revoked by a DELETE in the walk.
	newTokenID := func() string {
		_, secret := d.addAgent("throwaway", kindred.RoleAgent)
		tok, _, err := d.db.TokenByHash(system, auth.HashToken(secret))
		if err != nil {
			t.Fatal(err)
		}
		return itoa(tok.ID)
	}

	const (
		public = "public"
		all    = "admin lead agent kiosk"
		staff  = "admin lead agent"
		leads  = "admin lead"
		admin  = "admin"
	)
	matrix := []authzCase{
		{"GET /healthz", public, "/healthz", nil},
		{"GET /readyz", public, "/readyz", nil},
		{"GET /api/v1/openapi.json", public, "/api/v1/openapi.json", nil},
		{"GET /metrics", leads, "/metrics", nil},
		{"GET /api/v1/me", all, "/api/v1/me", nil},
		{"GET /api/v1/agents", leads, "/api/v1/agents", nil},
		{"POST /api/v1/agents", admin, "/api/v1/agents", func() string { return `{"name": "New Agent", "role": "agent"}` }},
		{"PATCH /api/v1/agents/{id}", admin, "/api/v1/agents/" + itoa(target.ID), func() string { return `{"team": "Walk"}` }},
		{"POST /api/v1/agents/{id}/tokens", admin, "/api/v1/agents/" + itoa(target.ID) + "/tokens", func() string { return `{"name": "walk"}` }},
		{"POST /api/v1/agents/{id}/password-link", admin, "/api/v1/agents/" + itoa(person.ID) + "/password-link", nil},
		{"DELETE /api/v1/tokens/{id}", admin, "", nil}, // path minted per request
		{"GET /api/v1/customers", staff, "/api/v1/customers", nil},
		{"POST /api/v1/customers", staff, "/api/v1/customers", func() string { return `{"name": "Walk-in Customer"}` }},
		{"GET /api/v1/customers/{id}", staff, "/api/v1/customers/" + cust, nil},
		{"PATCH /api/v1/customers/{id}", staff, "/api/v1/customers/" + cust, func() string { return `{"preferred_name": "Baba"}` }},
		{"GET /api/v1/customers/{id}/notes", staff, "/api/v1/customers/" + cust + "/notes", nil},
		{"POST /api/v1/customers/{id}/notes", staff, "/api/v1/customers/" + cust + "/notes", func() string { return `{"body": "Prefers mornings."}` }},
		{"GET /api/v1/customers/{id}/helpers", staff, "/api/v1/customers/" + cust + "/helpers", nil},
		{"POST /api/v1/customers/{id}/helpers", staff, "/api/v1/customers/" + cust + "/helpers", func() string {
			return `{"name": "Neighbour", "relation": "neighbour", "scopes": ["receive_codes"], "consent": "phone call, recorded"}`
		}},
		{"POST /api/v1/helpers/{id}/revoke", staff, "/api/v1/helpers/" + helper + "/revoke", nil},
		{"GET /api/v1/conversations", staff, "/api/v1/conversations", nil},
		{"POST /api/v1/conversations", staff, "/api/v1/conversations", func() string {
			return `{"customer_id": ` + cust + `, "channel": "desk", "subject": "Walk-in"}`
		}},
		{"GET /api/v1/conversations/{id}", staff, "/api/v1/conversations/" + conv, nil},
		{"PATCH /api/v1/conversations/{id}", staff, "/api/v1/conversations/" + conv, func() string { return `{"priority": "high"}` }},
		{"POST /api/v1/conversations/{id}/messages", staff, "/api/v1/conversations/" + conv + "/messages", func() string {
			return `{"direction": "note", "body": "Walked the matrix."}`
		}},
		{"POST /api/v1/analyze", staff, "/api/v1/analyze", func() string { return `{"reply": "I'm sorry, I will post it today."}` }},
		{"GET /api/v1/audit", admin, "/api/v1/audit", nil},
		{"GET /api/v1/outbox", leads, "/api/v1/outbox", nil},
		{"POST /api/v1/outbox/{id}/retry", admin, "", nil}, // path minted per request
	}
	for _, cases := range featureAuthz {
		matrix = append(matrix, cases(t, d)...)
	}

	var walked []string
	for _, m := range matrix {
		walked = append(walked, m.pattern)
		method, _, _ := strings.Cut(m.pattern, " ")
		callers := []struct {
			name, token string
			role        kindred.Role
		}{
			{"admin", d.tokens[kindred.RoleAdmin], kindred.RoleAdmin},
			{"lead", d.tokens[kindred.RoleLead], kindred.RoleLead},
			{"agent", d.tokens[kindred.RoleAgent], kindred.RoleAgent},
			{"kiosk", d.tokens[kindred.RoleKiosk], kindred.RoleKiosk},
			{"no token", "", ""},
			{"revoked token", revokedSecret, ""},
			{"disabled agent", disabledSecret, ""},
			{"malformed token", "not-a-kindred-token", ""},
		}
		for _, c := range callers {
			t.Run(m.pattern+"/"+c.name, func(t *testing.T) {
				path := m.path
				switch {
				case path == "" && m.pattern == "POST /api/v1/outbox/{id}/retry":
					path = "/api/v1/outbox/" + deadMessage(t, d) + "/retry"
				case path == "" && m.pattern == "POST /api/v1/merges/{id}/undo":
					path = "/api/v1/merges/" + freshMerge(t, d) + "/undo"
				case path == "":
					path = "/api/v1/tokens/" + newTokenID()
				}
				var body any
				var header http.Header
				if m.body != nil {
					b := m.body()
					body = b
					if h := authzHeaders[m.pattern]; h != nil {
						header = h(b)
					}
				}
				rec := d.doWith(c.token, method, path, body, header)
				var want int
				switch {
				case m.allowed == public:
					want = 200
				case c.role == "":
					want = http.StatusUnauthorized
				case slices.Contains(strings.Fields(m.allowed), string(c.role)):
					want = 0 // any success
				default:
					want = http.StatusForbidden
				}
				switch {
				case want == 0 && (rec.Code < 200 || rec.Code > 299):
					t.Errorf("allowed caller got %d: %.300s", rec.Code, rec.Body)
				case want != 0 && rec.Code != want:
					t.Errorf("got %d, want %d: %.300s", rec.Code, want, rec.Body)
				}
				if want == http.StatusUnauthorized || want == http.StatusForbidden {
					problemOf(t, rec)
				}
				if want == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("401 without WWW-Authenticate: Bearer")
				}
			})
		}
	}

	var registered []string
	for _, rt := range d.srv.routes {
		registered = append(registered, rt.pattern())
	}
	sort.Strings(walked)
	sort.Strings(registered)
	if !slices.Equal(walked, registered) {
		t.Errorf("walked routes differ from registered ones:\nwalked     %v\nregistered %v", walked, registered)
	}
}

// authzCase is one route of the matrix: its pattern, the roles allowed
// (space-separated, or "public"), a concrete path, and a body to send.
type authzCase struct {
	pattern string
	allowed string
	path    string
	body    func() string
}

// authzHeaders gives, by route pattern, the headers a request with a given
// body needs besides the token (a gateway's signature).
var authzHeaders = map[string]func(body string) http.Header{}

// featureAuthz holds the matrix rows of features kept in their own files
// (the lobby, care, insights), which add themselves in an init function;
// each is called with the test's desk to mint the records its paths name.
var featureAuthz []func(t *testing.T, d *desk) []authzCase

// deadMessage puts a message on the dead-letter list and returns its id.
func deadMessage(t *testing.T, d *desk) string {
	t.Helper()
	m := &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: "+254711000999", Body: "Your ticket is near."}
	if err := d.db.Enqueue(system, m); err != nil {
		t.Fatal(err)
	}
	if err := d.db.MarkFailed(system, m.ID, "gateway says no", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	return itoa(m.ID)
}

func TestMetricsCanBePublic(t *testing.T) {
	d := newDesk(t, func(c *Config) { c.MetricsPublic = true })
	if rec := d.do("", "GET", "/metrics", nil); rec.Code != 200 {
		t.Errorf("public metrics: %d", rec.Code)
	}
}

// revokeToken revokes the token with this secret through the API, as an admin.
func revokeToken(t *testing.T, d *desk, secret string) {
	t.Helper()
	tok, _, err := d.db.TokenByHash(system, auth.HashToken(secret))
	if err != nil {
		t.Fatal(err)
	}
	if rec := d.as(kindred.RoleAdmin, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", tok.ID), nil); rec.Code != 204 {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
}

func TestHelperWritesOnCustomersBehalf(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Otieno Odhiambo")
	conv := d.newConversation(cust)
	stranger := d.newCustomer("Amina Wanjiru")
	addHelper := func(customer string, scopes []string, expires time.Duration) string {
		body := map[string]any{"name": "Akinyi Otieno", "relation": "daughter", "scopes": scopes, "consent": "in person, signed form"}
		if expires != 0 {
			body["expires_at"] = d.clock.now().Add(expires).Format(time.RFC3339)
		}
		return id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+customer+"/helpers", body))
	}
	write := func(helper string) (int, map[string]any, problem) {
		rec := d.as(kindred.RoleAgent, "POST", "/api/v1/conversations/"+conv+"/messages",
			`{"direction": "in", "body": "Baba asks when the pension comes.", "helper_id": `+helper+`}`)
		if rec.Code == 201 {
			m := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+conv, nil)
			msgs := m["messages"].([]any)
			return rec.Code, msgs[len(msgs)-1].(map[string]any), problem{}
		}
		return rec.Code, nil, problemOf(t, rec)
	}

	able := addHelper(cust, []string{"act_on_conversations"}, 0)
	code, msg, _ := write(able)
	if code != 201 || msg["author_name"] != "Akinyi Otieno" || msg["helper_id"] != float64(mustInt(t, able)) || msg["author_id"] != nil {
		t.Fatalf("helper with scope: %d %v", code, msg)
	}

	refused := func(name, helper, reason string) {
		t.Run(name, func(t *testing.T) {
			before := d.snapshot(mustInt(t, conv))
			code, _, p := write(helper)
			if code != http.StatusForbidden {
				t.Fatalf("status %d, want 403", code)
			}
			if !strings.Contains(p.Detail, reason) || len(p.Errors) != 1 || p.Errors[0].Field != "helper_id" {
				t.Errorf("problem %+v does not say %q about helper_id", p, reason)
			}
			if after := d.snapshot(mustInt(t, conv)); after != before {
				t.Errorf("refused message changed the store")
			}
		})
	}
	refused("without scope", addHelper(cust, []string{"receive_codes"}, 0), "lacks the act_on_conversations scope")
	refused("for another customer", addHelper(stranger, []string{"act_on_conversations"}, 0), "another customer")

	revoked := addHelper(cust, []string{"act_on_conversations"}, 0)
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/helpers/"+revoked+"/revoke", nil)
	refused("when revoked", revoked, "revoked")

	expiring := addHelper(cust, []string{"act_on_conversations"}, time.Hour)
	if code, _, _ := write(expiring); code != 201 {
		t.Fatalf("helper before expiry: %d", code)
	}
	d.clock.advance(2 * time.Hour)
	refused("when expired", expiring, "expired")
}
