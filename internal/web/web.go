package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/insights"
)

// Session lifetimes: a session ends after 12 hours without a request (a
// shift and some), and after 7 days however busy it is.
const (
	DefaultIdleTimeout = 12 * time.Hour
	DefaultMaxAge      = 7 * 24 * time.Hour
)

// Config wires the console to its services.
type Config struct {
	Agents        kindred.AgentService
	Customers     kindred.CustomerService
	Conversations kindred.ConversationService
	Sessions      kindred.SessionService
	Accounts      kindred.AccountService // nil: no invitation, reset or change-password pages
	Analyzer      kindred.Analyzer       // nil: replies are stored without analysis

	// Features with their own pages; a nil service leaves its pages out.
	Outbox   kindred.OutboxService
	Lobby    kindred.Lobby
	Verify   kindred.Verification
	Care     kindred.Care
	Insights kindred.Insights
	Audit    kindred.AuditService // failed sign-ins; nil: logged only
	// Attachments serves the files of customers' email, as downloads.
	Attachments kindred.AttachmentService
	Webhooks    kindred.WebhookService
	// SavedReplies are the replies the office gives often; nil hides them.
	SavedReplies kindred.SavedReplies
	// WebhookAllowPrivate lets webhooks point at loopback and private
	// addresses, as the API's setting of the same name.
	WebhookAllowPrivate bool
	Hub                 *Hub         // nil: a new hub (live updates from the console only)
	Logger              *slog.Logger // nil: slog.Default()
	DefaultRegion       string       // for phone numbers without +country code; "" means "KE"

	// SecureCookies marks the session cookie Secure on every response. It
	// is always Secure on a request that came over TLS; set this when a
	// proxy terminates TLS in front of kindred, which then sees plain HTTP.
	SecureCookies bool

	IdleTimeout time.Duration // 0: DefaultIdleTimeout
	MaxAge      time.Duration // 0: DefaultMaxAge

	// SignInLimit is how many failed sign-ins one address, or one email,
	// may make per SignInWindow before it must wait. 0: 5 per minute.
	SignInLimit  int
	SignInWindow time.Duration

	// BaseURL is the desk's public address, for invitation and reset
	// links; "" means the address each request came to.
	BaseURL string
	// TrustedProxies are the proxies (a TLS terminator, a load balancer)
	// whose X-Forwarded-For is believed: the client is the rightmost
	// address in it that is not one of them. Empty: the connecting address
	// is the client, and X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix

	// SetupEmail fills in the email field of the first-run setup form.
	SetupEmail string

	// Chat serves the web chat widget to the websites in ChatOrigins
	// (scheme://host[:port], as browsers send Origin); with no origins the
	// chat is off and its routes do not exist. ChatKey signs visitors'
	// tokens: keep it (the store's ServerKey), or every visitor becomes a
	// stranger at the next start.
	Chat        kindred.ChatService
	ChatKey     []byte
	ChatOrigins []string
	// Location is the desk's time zone: every clock time and date the
	// console, kiosk and tickets show is on its clock, and a date typed in
	// a form is a day there. nil: the machine's zone.
	Location *time.Location
	// USSDCode is the number people dial for the desk's USSD menu
	// (*384*1234#), shown wherever a code is offered read out; "": the
	// pages say "the office's USSD code".
	USSDCode string

	// Now returns the current time; nil: time.Now.
	Now func() time.Time
}

// Console is the web console's handler.
type Console struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	csrf   *http.CrossOriginProtection
	pages  *pages
	static *assets
	limit  *limiter

	dashboards *insights.Cache // the insights dashboard: the page and its nine chart images ask for the same numbers at once
	chat       *chatDesk       // nil: the web chat is off
}

// Who may use what. A kiosk is a shared walk-in terminal: it may sign in
// (to the lobby, elsewhere) but sees no customer records here.
var (
	signedIn = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead, kindred.RoleAgent, kindred.RoleKiosk}
	staff    = []kindred.Role{kindred.RoleAdmin, kindred.RoleLead, kindred.RoleAgent}
	admins   = []kindred.Role{kindred.RoleAdmin}
)

// route is one page or form: who may use it and what answers. A route
// without roles is public.
type route struct {
	pattern string
	roles   []kindred.Role
	handler handlerFunc
}

// New returns the console. It panics when cfg lacks a service: a
// programming error found at start-up.
func New(cfg Config) *Console {
	if cfg.Agents == nil || cfg.Customers == nil || cfg.Conversations == nil || cfg.Sessions == nil {
		panic("web: Config needs Agents, Customers, Conversations and Sessions")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Hub == nil {
		cfg.Hub = NewHub()
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "KE"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.SignInLimit <= 0 {
		cfg.SignInLimit = 5
	}
	if cfg.SignInWindow <= 0 {
		cfg.SignInWindow = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	staticFS, err := fs.Sub(embedded, "static")
	if err != nil {
		panic(err)
	}
	c := &Console{
		cfg:    cfg,
		log:    cfg.Logger,
		mux:    http.NewServeMux(),
		csrf:   http.NewCrossOriginProtection(),
		static: newAssets(staticFS),
		limit:  newLimiter(cfg.SignInLimit, cfg.SignInWindow),
	}
	if cfg.Insights != nil {
		c.dashboards = &insights.Cache{Source: cfg.Insights, TTL: insights.CacheTTL, Now: cfg.Now}
	}
	c.pages = mustParsePages(c.static)
	c.csrf.SetDenyHandler(http.HandlerFunc(c.crossOrigin))
	if cfg.Chat != nil && len(cfg.ChatOrigins) > 0 {
		if len(cfg.ChatKey) < 16 {
			panic("web: Config.Chat needs a ChatKey of at least 16 bytes")
		}
		c.chat = newChatDesk(c)
		// Other websites post chat frames: the chat checks their origin
		// against its own list instead.
		c.csrf.AddInsecureBypassPattern("POST /chat/frames")
	}
	for _, rt := range c.routes() {
		if rt.handler == nil {
			continue // answered by its own handler (the web chat's, below)
		}
		c.mux.Handle(rt.pattern, c.wrap(rt))
	}
	if c.chat != nil {
		for pattern, h := range c.chat.handlers() {
			c.mux.Handle(pattern, h)
		}
	}
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", c.static))
	c.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		// No icon: say so, cacheably, instead of a 404 on every page load.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})
	return c
}

// Hub returns the hub the console's live updates come from: give its
// Publish to the JSON API (api.Config.OnMessage).
func (c *Console) Hub() *Hub { return c.cfg.Hub }

// routes lists every page and form. Adding a page is adding one line.
func (c *Console) routes() []route {
	routes := []route{
		{"GET /{$}", nil, c.home},
		{"GET /login", nil, c.loginPage},
		{"POST /login", nil, c.login},
		{"POST /logout", signedIn, c.logout},
		{"GET /setup", nil, c.setupPage},
		{"POST /setup", nil, c.setup},
		{"POST /preferences", nil, c.preferences},

		{"GET /inbox", staff, c.inbox},
		{"GET /conversations/{id}", staff, c.conversation},
		{"POST /conversations/{id}/reply", staff, c.reply},
		{"POST /conversations/{id}/check", staff, c.check},
		{"POST /conversations/{id}/coach", staff, c.coach},
		{"POST /conversations/{id}/simpler", staff, c.simpler},
		{"POST /conversations/{id}/note", staff, c.addInternalNote},
		{"POST /conversations/{id}/call", staff, c.logCall},
		{"POST /conversations/bulk", staff, c.bulkUpdate},
		{"POST /conversations/{id}/assign", staff, c.assign},
		{"POST /conversations/{id}/status", staff, c.setStatus},
		{"POST /conversations/{id}/tags", staff, c.setTags},
		{"GET /events", staff, c.events},

		{"GET /customers", staff, c.customers},
		{"GET /customers/{id}", staff, c.customer},
		{"POST /customers/{id}/notes", staff, c.addNote},
		{"POST /customers/{id}/merge", staff, c.mergeCustomer},
		{"POST /merges/{id}/undo", staff, c.undoMerge},
		{"POST /customers/{id}/helpers", staff, c.addHelper},
		{"POST /customers/{id}/accommodations", staff, c.setAccommodations},
		{"POST /helpers/{id}/revoke", staff, c.revokeHelper},

		{"GET /admin", admins, c.admin},
		{"POST /admin/agents", admins, c.createAgent},
		{"GET /admin/agents/{id}", admins, c.editAgent},
		{"POST /admin/agents/{id}", admins, c.updateAgent},
		{"POST /admin/tokens", admins, c.createToken},
		{"POST /admin/tokens/{id}/revoke", admins, c.revokeToken},
	}
	// Each feature lists its own pages, in its own file, when it is configured.
	routes = append(routes, c.walkinRoutes()...)
	if c.cfg.Accounts != nil {
		routes = append(routes, c.accountRoutes()...)
	}
	if c.cfg.Lobby != nil {
		routes = append(routes, c.lobbyRoutes()...)
	}
	if c.cfg.Verify != nil {
		routes = append(routes, c.verifyRoutes()...)
	}
	if c.cfg.Care != nil {
		routes = append(routes, c.careRoutes()...)
	}
	if c.cfg.Insights != nil {
		routes = append(routes, c.insightRoutes()...)
	}
	if c.cfg.Attachments != nil {
		routes = append(routes, route{"GET /attachments/{id}", staff, c.attachment})
	}
	if c.cfg.Webhooks != nil {
		routes = append(routes, c.webhookRoutes()...)
	}
	if c.cfg.SavedReplies != nil {
		routes = append(routes, c.savedReplyRoutes()...)
	}
	if c.cfg.Outbox != nil {
		routes = append(routes, c.outboxRoutes()...)
	}
	if c.cfg.Audit != nil {
		routes = append(routes, c.auditRoutes()...)
	}
	if c.chat != nil {
		routes = append(routes, c.chatRoutes()...)
	}
	return routes
}

// Routes lists the console's pages and forms, for the route × role table
// (docs/routes.md).
func (c *Console) Routes() []api.RouteInfo {
	var out []api.RouteInfo
	for _, rt := range c.routes() {
		out = append(out, api.RouteInfo{Pattern: rt.pattern, Public: rt.roles == nil, Roles: rt.roles})
	}
	return out
}

func (rt route) allows(role kindred.Role) bool { return slices.Contains(rt.roles, role) }

// home sends people to their work: the inbox, or the sign-in page.
func (c *Console) home(w http.ResponseWriter, r *http.Request, q *request) error {
	if q.agent == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if q.agent.Role == kindred.RoleKiosk {
		// A kiosk's work is the walk-in screen, or else typing in codes;
		// the inbox would refuse it.
		switch {
		case c.cfg.Lobby != nil:
			http.Redirect(w, r, "/lobby/kiosk", http.StatusSeeOther)
			return nil
		case c.cfg.Verify != nil:
			http.Redirect(w, r, "/verify", http.StatusSeeOther)
			return nil
		}
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}
