package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func TestHealthAndReadiness(t *testing.T) {
	ready := error(nil)
	d := newDesk(t, func(c *Config) { c.Ready = func(context.Context) error { return ready } })
	if rec := d.do("", "GET", "/healthz", nil); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("healthz: %d %q", rec.Code, rec.Body)
	}
	if rec := d.do("", "GET", "/readyz", nil); rec.Code != 200 {
		t.Errorf("readyz when ready: %d", rec.Code)
	}
	ready = errors.New("database at /secret/path is gone")
	rec := d.do("", "GET", "/readyz", nil)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz when not ready: %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("readyz leaks its cause: %q", rec.Body)
	}
}

func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	d := newDesk(t)
	for _, path := range []string{"/healthz", "/api/v1/customers", "/api/v1/me", "/api/v1/nowhere", "/nowhere"} {
		rec := d.as(kindred.RoleAgent, "GET", path, nil)
		h := rec.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
			t.Errorf("%s: security headers missing: %v", path, h)
		}
		if strings.HasPrefix(path, "/api/") != (h.Get("Cache-Control") == "no-store") {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
	}
}

func TestUnknownRoutesAnswerWithProblems(t *testing.T) {
	d := newDesk(t)
	rec := d.as(kindred.RoleAdmin, "GET", "/api/v1/nowhere", nil)
	if rec.Code != 404 {
		t.Fatalf("status %d", rec.Code)
	}
	problemOf(t, rec)
	rec = d.as(kindred.RoleAdmin, "DELETE", "/api/v1/customers", nil)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE customers: %d", rec.Code)
	}
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow %q", allow)
	}
	problemOf(t, rec)
}

func TestCustomerLifecycle(t *testing.T) {
	d := newDesk(t)
	c := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers", map[string]any{
		"name": "Otieno Odhiambo", "preferred_name": "Baba Otieno", "pronunciation": "BAH-bah oh-TYEH-no",
		"phone": "0712 345 678", "email": "otieno@example.org", "language": "SW",
		"accommodations":      []string{"plain language", "Large-Text", "large_text"},
		"accommodation_notes": "hands go numb in the cold",
	})
	if c["id"] == nil || c["phone"] != "+254712345678" || c["language"] != "sw" {
		t.Fatalf("created %v", c)
	}
	if got := c["accommodations"]; !reflect.DeepEqual(got, []any{"plain_language", "large_text"}) {
		t.Errorf("accommodations %v", got)
	}
	cid := id(c)

	got := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/customers/"+cid, nil)
	if got["preferred_name"] != "Baba Otieno" {
		t.Errorf("get %v", got)
	}
	d.newCustomer("Amina Wanjiru")
	list := d.mustList(kindred.RoleLead, 200, "GET", "/api/v1/customers?q=otieno&limit=10", nil)
	if len(list) != 1 || id(list[0]) != cid {
		t.Errorf("search found %v", list)
	}
	if all := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/customers", nil); len(all) != 2 {
		t.Errorf("listed %d customers, want 2", len(all))
	}

	// Absent fields stay; null clears an optional field.
	p := d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/customers/"+cid,
		`{"email": null, "preferred_name": "Mzee", "accommodations": ["wheelchair"]}`)
	if _, has := p["email"]; has || p["preferred_name"] != "Mzee" || p["phone"] != "+254712345678" || p["name"] != "Otieno Odhiambo" {
		t.Errorf("patched %v", p)
	}
	if !reflect.DeepEqual(p["accommodations"], []any{"wheelchair"}) {
		t.Errorf("accommodations after patch %v", p["accommodations"])
	}
	if p := d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/customers/"+cid, `{}`); p["preferred_name"] != "Mzee" {
		t.Errorf("empty patch changed %v", p)
	}

	// Notes.
	n := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cid+"/notes",
		map[string]any{"body": "His hands go numb in the cold.", "sensitive": true})
	if n["author_name"] != "agent one" || n["sensitive"] != true {
		t.Errorf("note %v", n)
	}
	d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cid+"/notes", map[string]any{"body": "Likes football."})
	notes := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/customers/"+cid+"/notes", nil)
	if len(notes) != 2 {
		t.Errorf("notes %v", notes)
	}

	// Helpers.
	h := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cid+"/helpers", map[string]any{
		"name": "Akinyi Otieno", "relation": "daughter", "phone": "+254 722 000 111",
		"scopes": []string{"receive_codes", "act_on_conversations"}, "consent": "in person at desk 3, signed form",
		"expires_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339),
	})
	if h["phone"] != "+254722000111" || h["consent_at"] == nil || h["expires_at"] == nil {
		t.Errorf("helper %v", h)
	}
	if hs := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/customers/"+cid+"/helpers", nil); len(hs) != 1 {
		t.Errorf("helpers %v", hs)
	}
	r := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/helpers/"+id(h)+"/revoke", nil)
	if r["revoked_at"] == nil {
		t.Errorf("revoked helper %v", r)
	}
}

func TestConversationLifecycle(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Otieno Odhiambo")
	agentID := d.agents[kindred.RoleAgent].ID
	c := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations", map[string]any{
		"customer_id": json.Number(cust), "channel": "email", "subject": "Pension not received",
		"priority": "high", "assignee_id": agentID, "tags": []string{"Pension", "pension", "march"},
	})
	if c["id"] == nil || c["status"] != "open" || c["priority"] != "high" || c["assignee_id"] != float64(agentID) {
		t.Fatalf("created %v", c)
	}
	if tags := c["tags"].([]any); len(tags) != 2 || !slices.Contains(tags, any("pension")) || !slices.Contains(tags, any("march")) {
		t.Errorf("tags %v", c["tags"])
	}
	conv := id(c)
	other := d.newConversation(cust)

	mine := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/conversations?assignee=me", nil)
	if len(mine) != 1 || id(mine[0]) != conv {
		t.Errorf("assignee=me: %v", mine)
	}
	none := d.mustList(kindred.RoleAgent, 200, "GET", "/api/v1/conversations?assignee=none", nil)
	if len(none) != 1 || id(none[0]) != other {
		t.Errorf("assignee=none: %v", none)
	}
	byID := d.mustList(kindred.RoleLead, 200, "GET", "/api/v1/conversations?assignee="+itoa(agentID)+"&channel=email&status=open&customer_id="+cust, nil)
	if len(byID) != 1 {
		t.Errorf("filtered: %v", byID)
	}

	// Messages: the customer's, our reply, an internal note, and email HTML.
	in := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages",
		map[string]any{"direction": "in", "body": "My pension has not come this month."})
	if in["author_name"] != "Otieno Odhiambo" || in["author_id"] != nil || in["id"] == nil {
		t.Errorf("inbound %v", in)
	}
	out := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages",
		map[string]any{"direction": "out", "body": "I'm sorry, Otieno. Let me check today."})
	if out["author_name"] != "agent one" || out["author_id"] != float64(agentID) {
		t.Errorf("outbound %v", out)
	}
	d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages",
		map[string]any{"direction": "note", "body": "Called the pensions office."})
	html := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{
		"direction": "in",
		"body_html": "<html><head><style>p{color:red}</style></head><body><p>Thank you &amp; bless you.</p>\n<p>It came<br>today. <script>alert(1)</script>5 &lt; 6</p></body></html>",
	})
	if want := "Thank you & bless you.\n\nIt came\ntoday. 5 < 6"; html["body"] != want {
		t.Errorf("body from HTML = %q, want %q", html["body"], want)
	}

	got := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+conv, nil)
	msgs, ok := got["messages"].([]any)
	if !ok || len(msgs) != 4 {
		t.Fatalf("messages %v", got["messages"])
	}
	if got["status"] != "waiting_on_us" || got["first_response_at"] == nil {
		t.Errorf("conversation after messages %v", got)
	}
	empty := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+other, nil)
	if msgs, ok := empty["messages"].([]any); !ok || len(msgs) != 0 {
		t.Errorf("a conversation without messages has messages %v", empty["messages"])
	}

	p := d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/conversations/"+conv,
		`{"status": "resolved", "assignee_id": null, "tags": null, "subject": "Pension arrived"}`)
	if p["status"] != "resolved" || p["assignee_id"] != nil || p["subject"] != "Pension arrived" || p["resolved_at"] == nil {
		t.Errorf("patched %v", p)
	}
	if tags, _ := p["tags"].([]any); len(tags) != 0 {
		t.Errorf("tags after null: %v", p["tags"])
	}
	p = d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/conversations/"+conv,
		map[string]any{"assignee_id": d.agents[kindred.RoleLead].ID, "priority": "urgent"})
	if p["assignee_id"] != float64(d.agents[kindred.RoleLead].ID) || p["priority"] != "urgent" || p["status"] != "resolved" {
		t.Errorf("reassigned %v", p)
	}
}

func TestAgentsTokensAndAudit(t *testing.T) {
	d := newDesk(t)
	me := d.must(kindred.RoleKiosk, 200, "GET", "/api/v1/me", nil)
	if me["role"] != "kiosk" || me["name"] != "kiosk one" || me["token"] == nil {
		t.Errorf("me %v", me)
	}
	a := d.must(kindred.RoleAdmin, 201, "POST", "/api/v1/agents",
		map[string]any{"name": "Wanjiku Kamau", "email": "wanjiku@example.org", "role": "agent", "team": "Pensions", "password": "correct horse battery"})
	if a["id"] == nil || a["role"] != "agent" || a["team"] != "Pensions" {
		t.Fatalf("agent %v", a)
	}
	if _, hash, err := d.db.AgentByEmail(system, "wanjiku@example.org"); err != nil || !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("stored password hash %q, %v", hash, err)
	}
	if list := d.mustList(kindred.RoleLead, 200, "GET", "/api/v1/agents", nil); len(list) != 5 {
		t.Errorf("agents %d, want 5", len(list))
	} else if !slices.ContainsFunc(list, func(x map[string]any) bool { return x["team"] == "Pensions" }) {
		t.Errorf("the team did not read back: %v", list)
	}

	tok := d.must(kindred.RoleAdmin, 201, "POST", "/api/v1/agents/"+id(a)+"/tokens", map[string]any{"name": "laptop"})
	secret, _ := tok["token"].(string)
	if tok["id"] == nil || !strings.HasPrefix(secret, "kdr_") {
		t.Fatalf("token %v", tok)
	}
	if me := d.mustToken(secret, 200, "GET", "/api/v1/me"); me["name"] != "Wanjiku Kamau" {
		t.Errorf("me with new token %v", me)
	}
	// No body at all is fine too.
	if rec := d.do(d.tokens[kindred.RoleAdmin], "POST", "/api/v1/agents/"+id(a)+"/tokens", nil); rec.Code != 201 {
		t.Errorf("token without body: %d %s", rec.Code, rec.Body)
	}
	if rec := d.as(kindred.RoleAdmin, "DELETE", "/api/v1/tokens/"+id(tok), nil); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if rec := d.do(secret, "GET", "/api/v1/me", nil); rec.Code != 401 {
		t.Errorf("revoked token: %d", rec.Code)
	}

	// The audit log saw the changes, done by the admin.
	entries := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/audit?subject=agent&actor_id="+itoa(d.agents[kindred.RoleAdmin].ID), nil)
	if len(entries) == 0 {
		t.Fatal("no audit entries for the admin's changes")
	}
	for _, e := range entries {
		if e["actor_name"] != "admin one" || e["subject"] != "agent" {
			t.Errorf("audit entry %v", e)
		}
	}
}

func (d *desk) mustToken(token string, want int, method, path string) map[string]any {
	d.t.Helper()
	rec := d.do(token, method, path, nil)
	if rec.Code != want {
		d.t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	var m map[string]any
	json.Unmarshal(rec.Body.Bytes(), &m)
	return m
}

func TestChangesAreAuditedAsTheCaller(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Otieno Odhiambo")
	entries := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/audit?subject=customer&subject_id="+cust, nil)
	if len(entries) != 1 || entries[0]["actor_id"] != float64(d.agents[kindred.RoleAgent].ID) {
		t.Errorf("audit of customer %s: %v", cust, entries)
	}
}

func TestListsAreArraysThatLinkToTheNextPage(t *testing.T) {
	d := newDesk(t)
	for _, name := range []string{"Amina Njeri", "Baraka Ouma", "Chebet Kiprono"} {
		d.newCustomer(name)
	}
	rec := d.as(kindred.RoleAgent, "GET", "/api/v1/customers?limit=2", nil)
	var page []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page) != 2 {
		t.Fatalf("first page = %s (%v), want an array of 2", rec.Body, err)
	}
	link := rec.Header().Get("Link")
	if !strings.Contains(link, "offset=2") || !strings.Contains(link, `rel="next"`) {
		t.Fatalf("Link = %q, want the next page at offset 2", link)
	}
	next := strings.TrimPrefix(strings.SplitN(link, ">", 2)[0], "<")
	rec = d.as(kindred.RoleAgent, "GET", next, nil)
	page = nil
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page) != 1 || page[0]["name"] != "Chebet Kiprono" {
		t.Fatalf("next page = %s (%v), want Chebet Kiprono alone", rec.Body, err)
	}
	if l := rec.Header().Get("Link"); l != "" {
		t.Errorf("last page links on: %q", l)
	}
	if got := strings.TrimSpace(d.as(kindred.RoleAgent, "GET", "/api/v1/customers?q=nobody", nil).Body.String()); got != "[]" {
		t.Errorf("empty search = %s, want []", got)
	}
}
