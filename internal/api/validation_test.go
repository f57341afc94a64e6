package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// snapshot is what a rejected request must leave as it found it.
type snapshot struct {
	customers, conversations, messages, audit int
	lastAudit                                 int64
}

func (d *desk) snapshot(conv int64) snapshot {
	d.t.Helper()
	var s snapshot
	cs, err := d.db.Customers(system, kindred.CustomerFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		d.t.Fatal(err)
	}
	convs, err := d.db.Conversations(system, kindred.ConversationFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		d.t.Fatal(err)
	}
	c, err := d.db.Conversation(system, conv, true)
	if err != nil {
		d.t.Fatal(err)
	}
	audit, err := d.db.Audit(system, kindred.AuditFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		d.t.Fatal(err)
	}
	s.customers, s.conversations, s.messages, s.audit = len(cs), len(convs), len(c.Messages), len(audit)
	if len(audit) > 0 {
		s.lastAudit = audit[0].ID
	}
	return s
}

func TestBadInputIsRejectedAndChangesNothing(t *testing.T) {
	d := newDesk(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	cust := d.newCustomer("Otieno Odhiambo")
	conv := d.newConversation(cust)
	convID := mustInt(t, conv)
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)

	customers := "/api/v1/customers"
	conversations := "/api/v1/conversations"
	messages := "/api/v1/conversations/" + conv + "/messages"
	agent := "/api/v1/agents/" + itoa(d.agents[kindred.RoleAgent].ID)
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string // "": application/json
		body        string
		status      int
		field       string // the field errors must name; "": none needed
	}{
		{"malformed JSON", "POST", customers, "", `{"name": "Amina",}`, 400, ""},
		{"truncated JSON", "POST", customers, "", `{"name": "Amina"`, 400, ""},
		{"empty body", "POST", customers, "", ``, 400, ""},
		{"invalid UTF-8", "POST", customers, "", "{\"name\": \"Am\xffina\"}", 400, ""},
		{"unknown field", "POST", customers, "", `{"name": "Amina", "nickname": "Ami"}`, 400, "nickname"},
		{"trailing data", "POST", customers, "", `{"name": "Amina"} {"name": "Baraka"}`, 400, ""},
		{"wrong type", "POST", customers, "", `{"name": 42}`, 400, "name"},
		{"array instead of object", "POST", customers, "", `[{"name": "Amina"}]`, 400, ""},
		{"body over the limit", "POST", customers, "", `{"name": "Amina", "accommodation_notes": "` + strings.Repeat("x", 70<<10) + `"}`, 413, ""},
		{"wrong content type", "POST", customers, "text/plain", `{"name": "Amina"}`, 415, ""},
		{"form content type", "POST", customers, "application/x-www-form-urlencoded", `name=Amina`, 415, ""},
		{"non-UTF-8 charset", "POST", customers, "application/json; charset=latin1", `{"name": "Amina"}`, 415, ""},
		{"phone not a number", "POST", customers, "", `{"name": "Amina", "phone": "call me"}`, 422, "phone"},
		{"phone too short", "POST", customers, "", `{"name": "Amina", "phone": "12345"}`, 422, "phone"},
		{"phone invalid for country", "POST", customers, "", `{"name": "Amina", "phone": "+254 100"}`, 422, "phone"},
		{"email without at", "POST", customers, "", `{"name": "Amina", "email": "amina.example.org"}`, 422, "email"},
		{"email with display name", "POST", customers, "", `{"name": "Amina", "email": "Amina <amina@example.org>"}`, 422, "email"},
		{"email without dot in domain", "POST", customers, "", `{"name": "Amina", "email": "amina@localhost"}`, 422, "email"},
		{"unknown language", "POST", customers, "", `{"name": "Amina", "language": "zz"}`, 422, "language"},
		{"ill-formed language", "POST", customers, "", `{"name": "Amina", "language": "kiswahili-please"}`, 422, "language"},
		{"unknown accommodation", "POST", customers, "", `{"name": "Amina", "accommodations": ["seating", "a quiet room"]}`, 422, "accommodations[1]"},
		{"empty name", "POST", customers, "", `{"name": "   "}`, 422, "name"},
		{"missing name", "POST", customers, "", `{"email": "amina@example.org"}`, 422, "name"},
		{"overlong name", "POST", customers, "", `{"name": "` + strings.Repeat("a", 201) + `"}`, 422, "name"},
		{"control character in name", "POST", customers, "", `{"name": "Amina\u0007"}`, 422, "name"},
		{"line break in name", "POST", customers, "", `{"name": "Amina\nWanjiru"}`, 422, "name"},
		{"control character in preferred name", "POST", customers, "", `{"name": "Amina", "preferred_name": "Mama\u001b[31m"}`, 422, "preferred_name"},
		{"clearing the name", "PATCH", customers + "/" + cust, "", `{"name": null}`, 422, "name"},
		{"bad phone in patch", "PATCH", customers + "/" + cust, "", `{"phone": "nope"}`, 422, "phone"},
		{"non-numeric customer id", "GET", customers + "/abc", "", ``, 404, ""},
		{"zero customer id", "PATCH", customers + "/0", "", `{"name": "Amina"}`, 404, ""},
		{"missing customer", "PATCH", customers + "/999999", "", `{"name": "Amina"}`, 404, ""},
		{"limit too big", "GET", customers + "?limit=100000", "", ``, 422, "limit"},
		{"negative offset", "GET", customers + "?offset=-1", "", ``, 422, "offset"},
		{"unknown query parameter", "GET", conversations + "?stauts=open", "", ``, 422, "stauts"},
		{"unknown status filter", "GET", conversations + "?status=closed", "", ``, 422, "status"},
		{"bad assignee filter", "GET", conversations + "?assignee=someone", "", ``, 422, "assignee"},

		{"note without body", "POST", customers + "/" + cust + "/notes", "", `{"body": "", "sensitive": true}`, 422, "body"},
		{"overlong note", "POST", customers + "/" + cust + "/notes", "", `{"body": "` + strings.Repeat("a", 10001) + `"}`, 422, "body"},
		{"note for missing customer", "POST", customers + "/999999/notes", "", `{"body": "hello"}`, 404, ""},
		{"helper without consent", "POST", customers + "/" + cust + "/helpers", "", `{"name": "Akinyi", "relation": "daughter", "scopes": ["receive_codes"]}`, 422, "consent"},
		{"helper with unknown scope", "POST", customers + "/" + cust + "/helpers", "", `{"name": "Akinyi", "relation": "daughter", "scopes": ["sign_contracts"], "consent": "signed form"}`, 422, "scopes[0]"},
		{"helper without scopes", "POST", customers + "/" + cust + "/helpers", "", `{"name": "Akinyi", "relation": "daughter", "scopes": [], "consent": "signed form"}`, 422, "scopes"},
		{"helper with bad expiry", "POST", customers + "/" + cust + "/helpers", "", `{"name": "Akinyi", "relation": "daughter", "scopes": ["receive_codes"], "consent": "signed form", "expires_at": "next week"}`, 422, "expires_at"},
		{"helper expiring in the past", "POST", customers + "/" + cust + "/helpers", "", `{"name": "Akinyi", "relation": "daughter", "scopes": ["receive_codes"], "consent": "signed form", "expires_at": "` + past + `"}`, 422, "expires_at"},
		{"revoke missing helper", "POST", "/api/v1/helpers/999999/revoke", "", ``, 404, ""},

		{"unknown channel", "POST", conversations, "", `{"customer_id": ` + cust + `, "channel": "pigeon", "subject": "Help"}`, 422, "channel"},
		{"unknown priority", "POST", conversations, "", `{"customer_id": ` + cust + `, "channel": "desk", "subject": "Help", "priority": "asap"}`, 422, "priority"},
		{"empty subject", "POST", conversations, "", `{"customer_id": ` + cust + `, "channel": "desk", "subject": ""}`, 422, "subject"},
		{"overlong subject", "POST", conversations, "", `{"customer_id": ` + cust + `, "channel": "desk", "subject": "` + strings.Repeat("s", 301) + `"}`, 422, "subject"},
		{"missing customer_id", "POST", conversations, "", `{"channel": "desk", "subject": "Help"}`, 422, "customer_id"},
		{"customer that does not exist", "POST", conversations, "", `{"customer_id": 999999, "channel": "desk", "subject": "Help"}`, 422, "customer_id"},
		{"assignee that does not exist", "POST", conversations, "", `{"customer_id": ` + cust + `, "channel": "desk", "subject": "Help", "assignee_id": 999999}`, 422, "assignee_id"},
		{"unknown status", "PATCH", conversations + "/" + conv, "", `{"status": "closed"}`, 422, "status"},
		{"null status", "PATCH", conversations + "/" + conv, "", `{"status": null}`, 422, "status"},
		{"assign a kiosk", "PATCH", conversations + "/" + conv, "", `{"assignee_id": ` + itoa(d.agents[kindred.RoleKiosk].ID) + `}`, 422, "assignee_id"},
		{"missing conversation", "GET", conversations + "/999999", "", ``, 404, ""},

		{"unknown direction", "POST", messages, "", `{"direction": "sideways", "body": "hi"}`, 422, "direction"},
		{"empty message", "POST", messages, "", `{"direction": "in", "body": "  "}`, 422, "body"},
		{"overlong message", "POST", messages, "", `{"direction": "in", "body": "` + strings.Repeat("m", 50001) + `"}`, 422, "body"},
		{"HTML that is only markup", "POST", messages, "", `{"direction": "in", "body_html": "<p><script>x()</script></p>"}`, 422, "body_html"},
		{"both body and body_html", "POST", messages, "", `{"direction": "in", "body": "hi", "body_html": "<p>hi</p>"}`, 422, "body_html"},
		{"control character in message", "POST", messages, "", `{"direction": "in", "body": "hi\u0000"}`, 422, "body"},
		{"helper on an outbound message", "POST", messages, "", `{"direction": "out", "body": "hi", "helper_id": 1}`, 422, "helper_id"},
		{"helper that does not exist", "POST", messages, "", `{"direction": "in", "body": "hi", "helper_id": 999999}`, 422, "helper_id"},
		{"message to missing conversation", "POST", "/api/v1/conversations/999999/messages", "", `{"direction": "in", "body": "hi"}`, 404, ""},

		{"unknown role", "POST", "/api/v1/agents", "", `{"name": "Baraka", "role": "superuser"}`, 422, "role"},
		{"short password", "POST", "/api/v1/agents", "", `{"name": "Baraka", "email": "baraka@example.org", "role": "agent", "password": "short"}`, 422, "password"},
		{"password without email", "POST", "/api/v1/agents", "", `{"name": "Baraka", "role": "agent", "password": "long enough password"}`, 422, "email"},
		{"unknown field in agent patch", "PATCH", agent, "", `{"team": "Cards", "email": "new@example.org"}`, 400, "email"},
		{"disabled that is not true or false", "PATCH", agent, "", `{"disabled": "yes"}`, 400, "disabled"},
		{"disabled null", "PATCH", agent, "", `{"disabled": null}`, 422, "disabled"},
		{"agent patch with unknown role", "PATCH", agent, "", `{"role": "superuser", "team": "Cards"}`, 422, "role"},
		{"clearing an agent's name", "PATCH", agent, "", `{"name": "  "}`, 422, "name"},
		{"patch missing agent", "PATCH", "/api/v1/agents/999999", "", `{"team": "Cards"}`, 404, ""},
		{"token for missing agent", "POST", "/api/v1/agents/999999/tokens", "", `{"name": "x"}`, 404, ""},
		{"revoke missing token", "DELETE", "/api/v1/tokens/999999", "", ``, 404, ""},
		{"bad audit filter", "GET", "/api/v1/audit?subject_id=abc", "", ``, 422, "subject_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.snapshot(convID)
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			if tt.body != "" || tt.method != "GET" {
				req.Header.Set("Content-Type", ct)
			}
			req.Header.Set("Authorization", "Bearer "+d.tokens[kindred.RoleAdmin])
			rec := httptest.NewRecorder()
			d.srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			p := problemOf(t, rec)
			if p.Detail == "" {
				t.Errorf("problem without detail: %+v", p)
			}
			if tt.field != "" {
				found := false
				for _, f := range p.Errors {
					if f.Field == tt.field && f.Reason != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("errors %+v do not name %q", p.Errors, tt.field)
				}
			}
			if after := d.snapshot(convID); after != before {
				t.Errorf("rejected request changed the store: %+v -> %+v", before, after)
			}
		})
	}
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not an id: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestReasonsListWhatIsAllowed(t *testing.T) {
	d := newDesk(t)
	rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers", `{"name": "Amina", "accommodations": ["a quiet room"]}`)
	p := problemOf(t, rec)
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Reason, "plain_language") {
		t.Errorf("reason does not list the vocabulary: %+v", p.Errors)
	}
	rec = d.as(kindred.RoleAgent, "POST", "/api/v1/customers", `{"name": "Amina"`+"\n"+`, "x": }`)
	if p := problemOf(t, rec); !strings.Contains(p.Detail, "line 2") {
		t.Errorf("malformed JSON detail does not say where: %q", p.Detail)
	}
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d", rec.Code)
	}
}
