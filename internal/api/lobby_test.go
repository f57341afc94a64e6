package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) { cfg.Lobby = db })
	featureAuthz = append(featureAuthz, lobbyAuthz)
}

// lobbyAuthz mints what the lobby rows of the role matrix need: every
// action is walked by each allowed role in turn, so each must succeed
// again (serving a served ticket is no change, calling with nobody waiting
// is a 204).
func lobbyAuthz(t *testing.T, d *desk) []authzCase {
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Registration", "code": "A"})
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Payments", "code": "B"})
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Quiet", "code": "Q"})
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Recalls", "code": "R"})
	desk := func(name string, services ...string) string {
		id := id(d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/desks", map[string]any{"name": name}))
		d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+id+"/open", map[string]any{"services": services})
		return id
	}
	ticket := func() string {
		return id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "A"}))
	}
	one, two, quiet, closing := desk("walk 1", "A"), desk("walk 2", "A"), desk("walk 3", "Q"), desk("walk 4", "Q")
	served, noShow := ticket(), ticket()
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+one+"/call", nil)
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+two+"/call", nil)
	moving := ticket()
	recalling := id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "R"}))
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk("walk 5", "R")+"/call", nil)
	walkIn := id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers", map[string]any{"name": "Amina Walk-in"}))

	var n atomic.Int64
	unique := func(prefix string) string { return fmt.Sprintf("%s%c%c", prefix, 'A'+n.Load()/26%26, 'A'+n.Add(1)%26) }
	return []authzCase{
		{"GET /api/v1/lobby/services", "admin lead agent kiosk", "/api/v1/lobby/services", nil},
		{"POST /api/v1/lobby/services", "admin lead", "/api/v1/lobby/services", func() string {
			return `{"name": "Walk", "code": "` + unique("W") + `"}`
		}},
		{"GET /api/v1/lobby/board", "admin lead agent kiosk", "/api/v1/lobby/board", nil},
		{"POST /api/v1/lobby/tickets", "admin lead agent kiosk", "/api/v1/lobby/tickets", func() string { return `{"service": "B"}` }},
		{"GET /api/v1/lobby/tickets", "admin lead agent", "/api/v1/lobby/tickets?service=A", nil},
		{"GET /api/v1/lobby/tickets/{id}", "admin lead agent", "/api/v1/lobby/tickets/" + moving, nil},
		{"PATCH /api/v1/lobby/tickets/{id}", "admin lead agent", "/api/v1/lobby/tickets/" + moving, func() string { return `{"seated": true}` }},
		{"POST /api/v1/lobby/tickets/{id}/serve", "admin lead agent", "/api/v1/lobby/tickets/" + served + "/serve", nil},
		{"POST /api/v1/lobby/tickets/{id}/no-show", "admin lead agent", "/api/v1/lobby/tickets/" + noShow + "/no-show", nil},
		{"POST /api/v1/lobby/tickets/{id}/recall", "admin lead agent", "/api/v1/lobby/tickets/" + recalling + "/recall", nil},
		{"POST /api/v1/lobby/tickets/{id}/customer", "admin lead agent", "/api/v1/lobby/tickets/" + moving + "/customer", func() string { return `{"customer_id": ` + walkIn + `}` }},
		{"POST /api/v1/lobby/tickets/{id}/transfer", "admin lead agent", "/api/v1/lobby/tickets/" + moving + "/transfer", func() string { return `{"service": "B"}` }},
		{"GET /api/v1/lobby/desks", "admin lead agent", "/api/v1/lobby/desks", nil},
		{"POST /api/v1/lobby/desks", "admin lead", "/api/v1/lobby/desks", func() string { return `{"name": "` + unique("Desk ") + `"}` }},
		{"POST /api/v1/lobby/desks/{id}/open", "admin lead agent", "/api/v1/lobby/desks/" + quiet + "/open", func() string { return `{"services": ["Q"]}` }},
		{"POST /api/v1/lobby/desks/{id}/call", "admin lead agent", "/api/v1/lobby/desks/" + quiet + "/call", nil},
		{"POST /api/v1/lobby/desks/{id}/close", "admin lead agent", "/api/v1/lobby/desks/" + closing + "/close", nil},
		{"GET /api/v1/lobby/report", "admin lead", "/api/v1/lobby/report", nil},
	}
}

// TestLobbyReportTellsTheDay: a lead reads how today went, service by
// service; a day that is not a date is refused, naming the field.
func TestLobbyReportTellsTheDay(t *testing.T) {
	d := newDesk(t)
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Registration", "code": "A"})
	desk := id(d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/desks", map[string]any{"name": "1"}))
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/open", map[string]any{"services": []string{"A"}})
	for range 3 {
		d.must(kindred.RoleKiosk, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "A"})
	}
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil)
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil) // the first served
	rec := d.as(kindred.RoleLead, "GET", "/api/v1/lobby/report", nil)
	var day kindred.LobbyDay
	if err := json.Unmarshal(rec.Body.Bytes(), &day); rec.Code != 200 || err != nil {
		t.Fatalf("report: %d %v %s", rec.Code, err, rec.Body)
	}
	a := day.Total
	if len(day.Services) != 1 || day.Services[0].Code != "A" || a.Issued != 3 || a.Served != 1 || a.Open != 2 || a.Told != 2 ||
		a.WaitP50 == nil || a.ServiceP50 == nil || len(day.Hours) != 1 || day.Hours[0].Issued != 3 {
		t.Fatalf("today: %+v", day)
	}
	p := problemOf(t, d.as(kindred.RoleLead, "GET", "/api/v1/lobby/report?day=yesterday", nil))
	if p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "day" {
		t.Fatalf("a day that is no date: %+v", p)
	}
}

func TestLobbyKioskIssuesTicketsStaffCallThem(t *testing.T) {
	d := newDesk(t)
	d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/services", map[string]any{"name": "Registration", "code": "A"})
	p := problemOf(t, d.as(kindred.RoleLead, "POST", "/api/v1/lobby/services", map[string]any{"name": "Again", "code": "A"}))
	if p.Status != 409 {
		t.Fatalf("duplicate code: %+v", p)
	}
	if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/services", map[string]any{"name": "Payments", "code": "B"}); rec.Code != 403 {
		t.Fatalf("agent created a service: %d", rec.Code)
	}

	// The kiosk: a number, a place, and an honest range.
	tk := d.must(kindred.RoleKiosk, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "a", "phone": "0712 345 678", "language": "sw"})
	wait, _ := tk["wait"].(map[string]any)
	if tk["number"] != "A-001" || tk["position"] != float64(1) || tk["phone"] != "+254712345678" || wait == nil ||
		wait["high_minutes"].(float64) <= wait["low_minutes"].(float64) {
		t.Fatalf("kiosk ticket: %v", tk)
	}
	second := d.must(kindred.RoleKiosk, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "A"})
	if second["number"] != "A-002" || second["position"] != float64(2) {
		t.Fatalf("second ticket: %v", second)
	}
	cust := d.newCustomer("Joseph Otieno")
	for _, body := range []string{`{"service": "A", "customer_id": ` + cust + `}`, `{"service": "A", "priority": true}`} {
		rec := d.as(kindred.RoleKiosk, "POST", "/api/v1/lobby/tickets", body)
		if p := problemOf(t, rec); p.Status != 403 || len(p.Errors) != 1 {
			t.Fatalf("kiosk with %s: %+v", body, p)
		}
	}
	if rec := d.as(kindred.RoleKiosk, "GET", "/api/v1/lobby/tickets/"+id(tk), nil); rec.Code != 403 {
		t.Fatalf("kiosk read a ticket back: %d", rec.Code)
	}
	for _, c := range []struct{ body, field string }{
		{`{"service": "Z"}`, "service"},
		{`{"service": "A", "phone": "12"}`, "phone"},
		{`{"service": "A", "language": "fr"}`, "language"},
		{`{}`, "service"},
	} {
		p := problemOf(t, d.as(kindred.RoleKiosk, "POST", "/api/v1/lobby/tickets", c.body))
		if p.Status != 422 || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Errorf("%s: %+v", c.body, p)
		}
	}

	// Staff give priority, with a customer or by decision.
	pri := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/lobby/tickets", map[string]any{"service": "A", "priority": true})
	if pri["position"] != float64(1) || pri["priority"] != true {
		t.Fatalf("priority ticket: %v", pri)
	}

	desk := id(d.must(kindred.RoleLead, 201, "POST", "/api/v1/lobby/desks", map[string]any{"name": "3"}))
	if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil); rec.Code != 409 {
		t.Fatalf("call at a closed desk: %d", rec.Code)
	}
	opened := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/open", map[string]any{"services": []string{"A"}})
	if opened["open"] != true || opened["agent_name"] != "agent one" {
		t.Fatalf("open desk: %v", opened)
	}
	called := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil)
	if called["id"] != pri["id"] || called["status"] != "called" || called["desk"] != "3" {
		t.Fatalf("called: %v", called)
	}
	called = d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil)
	if called["number"] != "A-001" {
		t.Fatalf("second call: %v", called)
	}
	msgs, err := d.db.Outbox(system, kindred.OutboxFilter{Purpose: "ticket_called"})
	if err != nil || len(msgs) != 1 || msgs[0].To != "+254712345678" || !strings.Contains(msgs[0].Body, "Tiketi yako A-001 imeitwa") {
		t.Fatalf("called SMS: %+v %v", msgs, err)
	}

	// The board tells the lobby who goes where, and nothing else.
	rec := d.as(kindred.RoleKiosk, "GET", "/api/v1/lobby/board", nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `"number":"A-001","desk":"3"`) {
		t.Fatalf("board: %d %s", rec.Code, body)
	}
	for _, secret := range []string{"phone", "customer", "priority", "seated", "254712345678", "agent"} {
		if strings.Contains(body, secret) {
			t.Errorf("board shows %q: %s", secret, body)
		}
	}

	// The person did not hear: the desk calls them again, and the board
	// shows the call again; the kiosk may not.
	if rec := d.as(kindred.RoleKiosk, "POST", "/api/v1/lobby/tickets/"+id(called)+"/recall", nil); rec.Code != 403 {
		t.Fatalf("kiosk recalled: %d", rec.Code)
	}
	again := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/tickets/"+id(called)+"/recall", nil)
	if again["status"] != "called" || again["recalls"] != float64(1) || again["desk"] != "3" {
		t.Fatalf("recall: %v", again)
	}
	if msgs, _ := d.db.Outbox(system, kindred.OutboxFilter{Purpose: "ticket_called"}); len(msgs) != 2 {
		t.Fatalf("%d called SMS after a recall, want 2", len(msgs))
	}
	if p := problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/tickets/"+id(second)+"/recall", nil)); p.Status != 409 {
		t.Fatalf("recall a waiting ticket: %+v", p)
	}
	// Whose ticket it is: the desk links it to the customer's record.
	walkIn := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers", map[string]any{"name": "Amina Odhiambo", "phone": "0712 345 678"})
	if p := problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/tickets/"+id(called)+"/customer", map[string]any{"customer_id": 9999})); p.Status != 422 {
		t.Fatalf("link to nobody: %+v", p)
	}
	if p := problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/tickets/"+id(called)+"/customer", map[string]any{})); p.Status != 422 {
		t.Fatalf("link without a customer: %+v", p)
	}
	linked := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/tickets/"+id(called)+"/customer", map[string]any{"customer_id": walkIn["id"]})
	if linked["customer_id"] != walkIn["id"] {
		t.Fatalf("link: %v", linked)
	}

	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/tickets/"+id(called)+"/no-show", nil)
	moved := d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/tickets/"+id(second)+"/transfer", map[string]any{"service": "A"})
	if moved["position"] != float64(1) {
		t.Fatalf("transfer within the service: %v", moved)
	}
	if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/tickets/"+id(second)+"/serve", nil); rec.Code != 409 {
		t.Fatalf("served a waiting ticket: %d", rec.Code)
	}
	d.must(kindred.RoleAgent, 200, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil)
	if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/lobby/desks/"+desk+"/call", nil); rec.Code != 204 {
		t.Fatalf("call with nobody waiting: %d %s", rec.Code, rec.Body)
	}
	services := d.mustList(kindred.RoleKiosk, 200, "GET", "/api/v1/lobby/services", nil)
	if len(services) != 1 || services[0]["waiting"] != float64(0) || services[0]["wait"].(map[string]any)["desks_open"] != float64(1) {
		t.Fatalf("services: %v", services)
	}
}
