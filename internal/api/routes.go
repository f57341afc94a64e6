package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/kindred-desk/kindred"
)

// handlerFunc is an endpoint: it writes a response, or returns an error that
// writeError turns into a problem document.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one endpoint: who may call it and what answers.
type route struct {
	method  string
	path    string         // a net/http.ServeMux path pattern, e.g. /api/v1/customers/{id}
	public  bool           // served without a token
	gateway bool           // called by a gateway (SMS, USSD, WhatsApp): needs Config.GatewayKey when one is set
	roles   []kindred.Role // the roles allowed, when not public
	handler handlerFunc
}

// pattern is the ServeMux pattern, also the route label of the metrics.
func (rt route) pattern() string { return rt.method + " " + rt.path }

// allows reports whether role may call the route.
func (rt route) allows(role kindred.Role) bool { return slices.Contains(rt.roles, role) }

// Who may do what. A kiosk is a shared walk-in terminal: it must never read
// customer records, so it is in none of the sets but "anyone".
var (
	anyone    = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead, kindred.RoleAgent, kindred.RoleKiosk}
	staff     = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead, kindred.RoleAgent}
	leads     = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead}
	adminOnly = []kindred.Role{kindred.RoleAdmin}
)

// routeTable lists every endpoint. Adding an endpoint is adding one line.
func (s *server) routeTable() []route {
	metricsRoute := route{method: "GET", path: "/metrics", roles: leads, handler: s.serveMetrics}
	if s.cfg.MetricsPublic {
		metricsRoute.public, metricsRoute.roles = true, nil
	}
	routes := []route{
		{method: "GET", path: "/healthz", public: true, handler: s.healthz},
		{method: "GET", path: "/readyz", public: true, handler: s.readyz},
		metricsRoute,
		{method: "GET", path: "/api/v1/openapi.json", public: true, handler: s.openAPI},

		{method: "GET", path: "/api/v1/me", roles: anyone, handler: s.me},
		{method: "GET", path: "/api/v1/agents", roles: leads, handler: s.listAgents},
		{method: "POST", path: "/api/v1/agents", roles: adminOnly, handler: s.createAgent},
		{method: "PATCH", path: "/api/v1/agents/{id}", roles: adminOnly, handler: s.updateAgent},
		{method: "POST", path: "/api/v1/agents/{id}/tokens", roles: adminOnly, handler: s.createToken},
		{method: "DELETE", path: "/api/v1/tokens/{id}", roles: adminOnly, handler: s.revokeToken},

		{method: "GET", path: "/api/v1/customers", roles: staff, handler: s.listCustomers},
		{method: "POST", path: "/api/v1/customers", roles: staff, handler: s.createCustomer},
		{method: "GET", path: "/api/v1/customers/{id}", roles: staff, handler: s.getCustomer},
		{method: "PATCH", path: "/api/v1/customers/{id}", roles: staff, handler: s.updateCustomer},
		{method: "GET", path: "/api/v1/customers/{id}/notes", roles: staff, handler: s.listNotes},
		{method: "POST", path: "/api/v1/customers/{id}/notes", roles: staff, handler: s.addNote},
		{method: "GET", path: "/api/v1/customers/{id}/helpers", roles: staff, handler: s.listHelpers},
		{method: "POST", path: "/api/v1/customers/{id}/helpers", roles: staff, handler: s.addHelper},
		{method: "GET", path: "/api/v1/customers/{id}/duplicates", roles: staff, handler: s.listDuplicates},
		{method: "GET", path: "/api/v1/customers/{id}/merges", roles: staff, handler: s.listMerges},
		{method: "POST", path: "/api/v1/customers/{id}/merge", roles: staff, handler: s.mergeCustomer},
		{method: "POST", path: "/api/v1/merges/{id}/undo", roles: staff, handler: s.undoMerge},
		{method: "POST", path: "/api/v1/helpers/{id}/revoke", roles: staff, handler: s.revokeHelper},

		{method: "GET", path: "/api/v1/conversations", roles: staff, handler: s.listConversations},
		{method: "POST", path: "/api/v1/conversations", roles: staff, handler: s.createConversation},
		{method: "GET", path: "/api/v1/conversations/{id}", roles: staff, handler: s.getConversation},
		{method: "PATCH", path: "/api/v1/conversations/{id}", roles: staff, handler: s.updateConversation},
		{method: "POST", path: "/api/v1/conversations/{id}/messages", roles: staff, handler: s.addMessage},
		{method: "POST", path: "/api/v1/conversations/{id}/calls", roles: staff, handler: s.logCall},

		{method: "POST", path: "/api/v1/analyze", roles: staff, handler: s.analyze},

		{method: "GET", path: "/api/v1/audit", roles: adminOnly, handler: s.listAudit},
	}
	// Each feature lists its own endpoints, in its own file, when it is configured.
	routes = append(routes, s.outboxRoutes()...)
	if s.cfg.Lobby != nil {
		routes = append(routes, s.lobbyRoutes()...)
	}
	if s.cfg.Verify != nil {
		routes = append(routes, s.verifyRoutes()...)
	}
	if s.cfg.Care != nil {
		routes = append(routes, s.careRoutes()...)
	}
	if s.cfg.Insights != nil {
		routes = append(routes, s.insightRoutes()...)
	}
	if s.cfg.Accounts != nil {
		routes = append(routes, route{method: "POST", path: "/api/v1/agents/{id}/password-link", roles: adminOnly, handler: s.createPasswordLink})
	}
	if s.cfg.Attachments != nil {
		routes = append(routes, s.attachmentRoutes()...)
	}
	if s.cfg.WhatsApp != nil {
		routes = append(routes, s.whatsAppRoutes()...)
	}
	if s.cfg.Webhooks != nil {
		routes = append(routes, s.webhookRoutes()...)
	}
	for _, rt := range routes {
		if rt.public == (len(rt.roles) > 0) {
			panic(fmt.Sprintf("api: route %s must be either public or have roles", rt.pattern()))
		}
	}
	return routes
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			// The cause may name hosts or files: log it, don't show it.
			s.log.WarnContext(r.Context(), "not ready", errAttr(err))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err := w.Write([]byte("not ready\n"))
			return err
		}
	}
	_, err := w.Write([]byte("ok\n"))
	return err
}

// RouteInfo describes one endpoint or page for the route × role table
// (docs/routes.md): its pattern and who may use it.
type RouteInfo struct {
	Pattern string         // "GET /api/v1/customers"
	Public  bool           // no token or session needed
	Gateway bool           // behind the gateway guard (GatewayGuard)
	Roles   []kindred.Role // who may, when not public
}

// Routes lists the endpoints this handler serves, in the route table's order.
func (s *server) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteInfo{Pattern: rt.pattern(), Public: rt.public, Gateway: rt.gateway, Roles: rt.roles})
	}
	return out
}
