package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// tableRoles are the columns of the route × role table: every role, and
// "none" for a visitor with no session or token.
var tableRoles = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead, kindred.RoleAgent, kindred.RoleKiosk}

const routesDoc = "../../docs/routes.md"

// routeTable writes docs/routes.md from the console's and the API's route
// tables, with every feature configured, as kindred serve runs.
func routeTable(d *testDesk) []byte {
	var b bytes.Buffer
	b.WriteString(`# Who may use what

Generated from the route tables by ` + "`go test ./internal/web/ -run TestRouteTableIsCurrent -update`" + `; do not edit.
A route is a console page or form (cookie session) or an API endpoint (bearer token). **yes**: the
role may use it; **—**: refused (403; signed out: 401, or the sign-in page). "none" is a visitor with
neither. **gateway**: no session or token, but the SMS/USSD gateway's key (or, only when the operator
chose ` + "`--insecure-gateway`" + `, anyone); a cross-site browser form never. **public**: anyone.
The table is the role gate; some pages narrow it further on their own terms (an agent's coaching view
is their own; the setup page needs its one-time link).

`)
	section := func(title string, routes []api.RouteInfo) {
		fmt.Fprintf(&b, "## %s\n\n| route | admin | lead | agent | kiosk | none |\n|---|---|---|---|---|---|\n", title)
		for _, rt := range routes {
			fmt.Fprintf(&b, "| `%s` |", rt.Pattern)
			for _, role := range tableRoles {
				b.WriteString(" " + cell(rt, slices.Contains(rt.Roles, role)) + " |")
			}
			b.WriteString(" " + cell(rt, false) + " |\n")
		}
		b.WriteString("\n")
	}
	section("Console", d.console.Routes())
	section("API", d.api.(interface{ Routes() []api.RouteInfo }).Routes())
	return b.Bytes()
}

func cell(rt api.RouteInfo, allowed bool) string {
	switch {
	case rt.Gateway:
		return "gateway"
	case rt.Public:
		return "public"
	case allowed:
		return "**yes**"
	}
	return "—"
}

// TestRouteTableIsCurrent keeps docs/routes.md in step with the route
// tables: a route added or a role changed fails here until the table is
// regenerated with -update, so a reviewer sees the change in the diff.
func TestRouteTableIsCurrent(t *testing.T) {
	d := newTestDesk(t)
	got := routeTable(d)
	if *update {
		if err := os.WriteFile(routesDoc, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(routesDoc)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the route tables: run go test ./internal/web/ -run TestRouteTableIsCurrent -update", routesDoc)
	}
}

// TestConsoleRoutesDoWhatTheTableSays walks every console route with every
// role and with none, and checks the answer against the table: refused
// means the role gate's 403 (signed in) or the sign-in page (signed out);
// allowed means neither.
func TestConsoleRoutesDoWhatTheTableSays(t *testing.T) {
	d := newTestDesk(t)
	browsers := map[kindred.Role]*browser{}
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	leadAgent := &kindred.Agent{Name: "Neema Lead", Email: "lead@example.org", Role: kindred.RoleLead}
	if err := d.db.CreateAgent(ctx, leadAgent, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	ids := map[kindred.Role]int64{kindred.RoleAdmin: d.seed.admin.ID, kindred.RoleLead: leadAgent.ID, kindred.RoleAgent: d.seed.agent.ID, kindred.RoleKiosk: d.seed.kiosk.ID}
	for role, email := range map[kindred.Role]string{kindred.RoleAdmin: "admin@example.org", kindred.RoleAgent: "amina@example.org", kindred.RoleKiosk: "kiosk@example.org"} {
		b := d.browser()
		b.signIn(email)
		browsers[role] = b
	}
	lead := d.browser()
	lead.signIn("lead@example.org")
	browsers[kindred.RoleLead] = lead
	for _, rt := range d.console.Routes() {
		if rt.Pattern == "POST /logout" || rt.Pattern == "GET /events" {
			continue // ends the session / streams: checked by their own tests
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.ReplaceAll(path, "{$}", "")
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "1" + path[j+1:]
		}
		for _, role := range append(slices.Clone(tableRoles), "") {
			b := d.browser()
			if role != "" {
				b = browsers[role]
			}
			path := path
			if strings.HasPrefix(rt.Pattern, "GET /coaching/") && role != "" {
				// An agent's coaching view is their own: ask for it.
				path = strings.Replace(path, "/1", "/"+strconv.FormatInt(ids[role], 10), 1)
			}
			var r response
			if method == "GET" {
				r = b.get(path)
			} else {
				r = b.post(path, nil)
			}
			toSignIn := r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login") ||
				r.StatusCode == http.StatusUnauthorized
			// The role gate's own refusal, not a handler's on its own terms
			// (a setup page without its link, another agent's coaching).
			gate := r.StatusCode == http.StatusForbidden && (strings.Contains(r.body, "Your account cannot open this page") ||
				strings.Contains(r.body, "This is a kiosk account"))
			refused := gate || toSignIn && !rt.Public
			allowed := rt.Public || slices.Contains(rt.Roles, role)
			if allowed == refused {
				name := string(role)
				if name == "" {
					name = "none"
				}
				t.Errorf("%s as %s: %d (Location %q); the table says allowed=%v", rt.Pattern, name, r.StatusCode, r.Header.Get("Location"), allowed)
			}
		}
	}
}
