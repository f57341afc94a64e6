// Package api serves kindred's JSON API under /api/v1, with health, readiness
// and metrics endpoints. Handlers call the kindred service interfaces; the
// rules live there and in the store, not here.
//
// Start with routes.go: one table lists every endpoint with the roles that
// may call it. Everything a request passes through on its way in (security
// headers, metrics, logging, panic recovery, authentication, the role check,
// the body size limit) is in middleware.go; how errors become RFC 9457
// problem documents is in problem.go; how bodies are read and inputs checked
// is in decode.go and validate.go. The API is described for clients in
// openapi.json, served at /api/v1/openapi.json.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/insights"
)

// Config wires the API to its services.
type Config struct {
	Agents        kindred.AgentService
	Customers     kindred.CustomerService
	Conversations kindred.ConversationService
	Audit         kindred.AuditService
	Analyzer      kindred.Analyzer // nil: messages are stored without analysis

	// Features with their own endpoints; a nil service leaves its routes out.
	Outbox   kindred.OutboxService
	Lobby    kindred.Lobby
	Verify   kindred.Verification
	Care     kindred.Care
	Insights kindred.Insights
	Accounts kindred.AccountService // invitation and reset links

	// BaseURL is the desk's public address, for invitation and reset
	// links; "" means the address each request came to.
	BaseURL string

	// Attachments serves the files of customers' email, as downloads.
	Attachments kindred.AttachmentService

	Webhooks kindred.WebhookService

	// WebhookAllowPrivate lets webhooks point at loopback and private
	// addresses (tests, on-premises receivers); by default they are refused.
	WebhookAllowPrivate bool
	// WhatsApp takes customers' WhatsApp messages in; nil leaves the
	// WhatsApp webhook out. Its posts must be signed with WhatsAppAppSecret
	// (X-Hub-Signature-256), and its subscription handshake must carry
	// WhatsAppVerifyToken; with either empty, that part refuses everything.
	WhatsApp            kindred.WhatsAppInbox
	WhatsAppAppSecret   string
	WhatsAppVerifyToken string

	// GatewayKey, when set, must come with every request from the SMS and
	// USSD gateways (POST /ussd, POST /api/v1/sms/inbound), as ?key= in the
	// callback URL or an X-Gateway-Key header. Those requests carry no token
	// and name the caller's phone themselves; without a key anyone who can
	// reach the port could speak as any phone.
	GatewayKey string

	// InsecureGateway, with no GatewayKey, lets anyone use the gateway
	// callbacks: for trying kindred out with a gateway simulator, never for
	// a desk a gateway reaches over the internet. Without it and without a
	// key, the callbacks refuse every request.
	InsecureGateway bool

	// OfficeHours is what the USSD menu tells callers about opening hours;
	// "": ask at the desk.
	OfficeHours string
	// Location is the desk's time zone: the clock times the USSD menu
	// says, and the 17:00 a plain date means. nil: the machine's zone.
	Location *time.Location

	Ready         func(context.Context) error // checked by /readyz; nil: always ready
	Logger        *slog.Logger                // nil: slog.Default()
	Registry      *prometheus.Registry        // nil: a new registry (with Go and process collectors)
	MaxBodyBytes  int64                       // 0: 1 MiB
	DefaultRegion string                      // for phone numbers given without +country code; "" means "KE"

	// MetricsPublic serves GET /metrics without a token. Leave it false unless
	// the listener is only reachable by the scraper (loopback, a private
	// network): by default /metrics needs an admin or lead token, which
	// Prometheus sends with its `authorization` scrape setting.
	MetricsPublic bool

	// OnMessage, when set, is called with each message stored through the
	// API, after it is stored: the console's live updates listen here. It
	// must not block.
	OnMessage func(kindred.Message)

	// Now returns the current time; nil: time.Now. Helper expiry is judged by it.
	Now func() time.Time
}

const defaultMaxBodyBytes = 1 << 20

// server holds the configured services and the router built from the route table.
type server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	routes  []route
	gateway GatewayGuard

	dashboards *insights.Cache // the insights dashboard: a client fetching it and its nine CSV exports asks for the same numbers ten times
}

// New returns the API's handler. It panics if cfg lacks a service, or if the
// route table is inconsistent: both are programming errors found at start-up.
func New(cfg Config) http.Handler {
	return newServer(cfg)
}

func newServer(cfg Config) *server {
	if cfg.Agents == nil || cfg.Customers == nil || cfg.Conversations == nil || cfg.Audit == nil {
		panic("api: Config needs Agents, Customers, Conversations and Audit")
	}
	openAPISpec() // a bad description fails the server's start, not its first reader
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = defaultMaxBodyBytes
	}
	cfg.DefaultRegion = strings.ToUpper(cfg.DefaultRegion)
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "KE"
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		registerRuntimeCollectors(cfg.Registry)
	}
	s := &server{
		cfg:     cfg,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
		metrics: newMetrics(cfg.Registry),
		gateway: GatewayGuard{Key: cfg.GatewayKey, Insecure: cfg.InsecureGateway},
	}
	if cfg.Insights != nil {
		s.dashboards = &insights.Cache{Source: cfg.Insights, TTL: insights.CacheTTL, Now: cfg.Now}
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	return s
}
