package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/care"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/inbox"
	"github.com/kindred-desk/kindred/internal/mail"
	"github.com/kindred-desk/kindred/internal/outbox"
	"github.com/kindred-desk/kindred/internal/sms"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
	"github.com/kindred-desk/kindred/internal/webhook"
	"github.com/kindred-desk/kindred/internal/whatsapp"
)

// HTTP server limits. ReadHeaderTimeout stops slow-header (Slowloris)
// clients; ReadTimeout bounds a whole request, body included, which --max-body
// keeps small; WriteTimeout leaves room for the engine to analyse a message.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
)

func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("serve", &cfg, stderr)
	fs.DB()
	fs.Log()
	fs.Serve()
	fs.Clock()
	fs.Outbound()
	fs.Inbound()
	fs.Reach()
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := cfg.Logger(stderr)

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			logger.Error("close database", slog.Any("err", err))
		}
	}()
	// The lobby's day and the clock times in SMS follow the desk's zone,
	// not the server's.
	db.SetLocation(cfg.Location)

	// Listen before the first-run set-up, so that a busy port fails the start
	// before a setup link is made that points nowhere.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()

	if cfg.BaseURL == "" {
		// Links in SMS and email (surveys) point here; behind a proxy, set --base-url.
		cfg.BaseURL = url
	}
	welcome, err := firstRun(ctx, db, url)
	if err != nil {
		return err
	}
	if welcome != nil {
		welcome.print(stdout)
	}

	// The outbox worker delivers SMS and email; it stops before the
	// database closes (defers run last in, first out).
	reg := api.NewRegistry()
	stopWorkers := startWorkers(ctx, db, cfg, logger, reg)
	defer stopWorkers()

	key, err := chatKey(ctx, db, cfg)
	if err != nil {
		return err
	}
	h := newHandler(db, cfg, logger, reg, key)
	srv := newServer(h, logger)
	if dh, ok := h.(*deskHandler); ok {
		// Live-update streams stay open as long as a page is; end them so
		// that shutdown need not wait for every open browser tab.
		srv.RegisterOnShutdown(dh.hub.Close)
		stopFollowing := followDatabase(ctx, db, dh.hub, logger)
		defer stopFollowing()
	}
	if len(cfg.ChatOrigins) > 0 {
		logger.Info("web chat on", slog.String("origins", strings.Join(cfg.ChatOrigins, ",")))
	}
	var publish func(kindred.Message)
	if dh, ok := h.(*deskHandler); ok {
		publish = dh.hub.Publish
	}
	stopInbound, err := startInbound(ctx, db, cfg, logger, publish, stdout)
	if err != nil {
		return err
	}
	defer stopInbound()
	fmt.Fprintf(stdout, "kindred listening on %s\n", url)
	logger.Info("serving", slog.String("addr", ln.Addr().String()), slog.Bool("postgres", cfg.Postgres()))
	return serveUntil(ctx, srv, ln, cfg.ShutdownTimeout, logger)
}

// startWorkers starts what runs beside the HTTP server: the outbox worker,
// which sends SMS through the configured gateway and email through the
// configured relay, or logs them when none is configured. The returned func
// stops them and waits.
func startWorkers(ctx context.Context, db *store.DB, cfg config.Config, logger *slog.Logger, reg prometheus.Registerer) (stop func()) {
	var smsSender, emailSender outbox.Sender = outbox.Log{Logger: logger}, outbox.Log{Logger: logger}
	if cfg.SMSURL != "" {
		smsSender = &sms.Gateway{URL: cfg.SMSURL, Username: cfg.SMSUsername, APIKey: cfg.SMSKey, From: cfg.SMSFrom}
	} else {
		logger.Warn("no SMS gateway configured (--sms-url): SMS are logged, not sent")
	}
	switch {
	case cfg.GatewayKey == "" && cfg.InsecureGateway:
		logger.Warn("--insecure-gateway: anyone who can reach /ussd or /api/v1/sms/inbound can speak as any phone; only for trying kindred out")
	case cfg.GatewayKey == "":
		logger.Warn("no --gateway-key: the SMS and USSD callbacks (/ussd, /api/v1/sms/inbound) refuse every request until one is set")
	}
	if cfg.SMTPAddr != "" {
		emailSender = &mail.Sender{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword}
	} else {
		logger.Warn("no SMTP relay configured (--smtp-addr): email is logged, not sent")
	}
	var waSender outbox.Sender = outbox.Log{Logger: logger}
	if cfg.WhatsAppPhoneID != "" {
		waSender = &whatsapp.Cloud{URL: cfg.WhatsAppURL, PhoneID: cfg.WhatsAppPhoneID, Token: cfg.WhatsAppToken}
	}
	worker := outbox.New(outbox.Config{
		Store:    db,
		Logger:   logger,
		Registry: reg,
		Senders: map[kindred.Channel]outbox.Sender{kindred.ChannelSMS: smsSender, kindred.ChannelEmail: emailSender,
			kindred.ChannelWhatsApp: waSender},
	})
	// The care worker sends surveys after resolution, notices promised dates
	// at risk, and suggests gestures.
	careWorker := &care.Worker{Care: newCare(db, cfg, logger)}
	// The webhook worker posts the events admins subscribed other systems to.
	hooks := webhook.New(webhook.Config{Store: db, AllowPrivate: cfg.WebhookAllowPrivate, Logger: logger})
	// Work committed here starts at once; the workers' polls find the rest
	// (retries due, work other processes queued).
	db.OnQueued(store.QueueOutbox, worker.Wake)
	db.OnQueued(store.QueueWebhooks, hooks.Wake)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { logStopped(logger, "outbox", worker.Run(ctx)) })
	wg.Go(func() { logStopped(logger, "webhook", hooks.Run(ctx)) })
	wg.Go(func() { logStopped(logger, "care", careWorker.Run(ctx)) })
	return func() {
		cancel()
		wg.Wait()
	}
}

// startInbound starts what takes in customers' email: the SMTP listener
// for the inbox addresses (--smtp-listen) and the IMAP poller
// (--imap-addr). The returned func stops them and waits.
func startInbound(ctx context.Context, db *store.DB, cfg config.Config, logger *slog.Logger, publish func(kindred.Message), stdout io.Writer) (stop func(), err error) {
	desk := &inbox.Desk{Store: db, Analyzer: compassion.DeskAnalyzer{}, OnMessage: publish, Logger: logger}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop = func() {
		cancel()
		wg.Wait()
	}
	if cfg.SMTPListen != "" {
		ln, err := net.Listen("tcp", cfg.SMTPListen)
		if err != nil {
			stop()
			return nil, fmt.Errorf("--smtp-listen: %w", err)
		}
		l := &inbox.Listener{Desk: desk, Addresses: cfg.Inboxes()}
		wg.Go(func() { logStopped(logger, "smtp listener", l.Serve(ln)) })
		wg.Go(func() {
			<-ctx.Done()
			l.Close()
		})
		fmt.Fprintf(stdout, "kindred taking email for %s on smtp://%s\n", strings.Join(cfg.Inboxes(), ", "), ln.Addr())
		logger.Info("smtp listener", slog.String("addr", ln.Addr().String()), slog.String("inboxes", strings.Join(cfg.Inboxes(), ",")))
	}
	if cfg.IMAPAddr != "" {
		p := &inbox.Poller{Desk: desk, Addr: cfg.IMAPAddr, Username: cfg.IMAPUsername, Password: cfg.IMAPPassword,
			Mailbox: cfg.IMAPMailbox, Every: cfg.IMAPPoll, Logger: logger}
		wg.Go(func() { logStopped(logger, "imap poller", p.Run(ctx)) })
	}
	return stop, nil
}

// followDatabase feeds hub with the changes the database announces, when
// it is PostgreSQL, which several kindred processes may share: a message
// posted through one reaches the consoles open on all. (An SQLite database
// has one process, whose hub hears its news directly.) The returned func
// stops listening and waits.
func followDatabase(ctx context.Context, db *store.DB, hub *web.Hub, logger *slog.Logger) (stop func()) {
	if db.Dialect() != store.Postgres {
		// One process: its outbox worker's news of replies sent, delivered
		// or failed goes straight to its consoles.
		db.OnDelivery(func(conversationID, messageID int64) {
			announceDelivery(ctx, db, hub, logger, conversationID, messageID)
		})
		return func() {}
	}
	hub.Follow()
	// Someone typing in a web chat changes no row: the hub announces it
	// through the database itself, and hears it back below with the rest.
	hub.AnnounceTyping(func(conversationID int64, agent string) {
		if err := db.Notify(ctx, store.Change{Kind: store.ChangeTyping, ConversationID: conversationID, Agent: agent}); err != nil {
			logger.Warn("live updates: announce typing", slog.Any("err", err))
		}
	})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		db.Listen(ctx, func(c store.Change) {
			switch c.Kind {
			case store.ChangeMessage:
				m, err := db.Message(ctx, c.MessageID)
				if err != nil {
					logger.Warn("live updates: read an announced message", slog.Int64("message", c.MessageID), slog.Any("err", err))
					hub.ConversationChanged(c.ConversationID)
					return
				}
				hub.MessageAdded(*m)
			case store.ChangeDelivery:
				announceDelivery(ctx, db, hub, logger, c.ConversationID, c.MessageID)
			case store.ChangeConversation:
				hub.ConversationChanged(c.ConversationID)
			case store.ChangeTyping:
				hub.TypingSeen(c.ConversationID, c.Agent)
			case store.ChangeLobby:
				hub.LobbyChanged()
			case store.ChangeListening:
				// First, or again after a lost connection: news may have
				// been missed, so the inboxes and desks should look again.
				hub.ConversationChanged(0)
				hub.LobbyChanged()
			}
		}, func(err error) {
			logger.Warn("live updates: lost the database's announcements; listening again", slog.Any("err", err))
		})
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// announceDelivery tells the consoles that a reply's delivery status changed.
func announceDelivery(ctx context.Context, db *store.DB, hub *web.Hub, logger *slog.Logger, conversationID, messageID int64) {
	m, err := db.Message(ctx, messageID)
	if err != nil {
		logger.Warn("live updates: read a reply whose delivery changed", slog.Int64("message", messageID), slog.Any("err", err))
		hub.ConversationChanged(conversationID)
		return
	}
	hub.DeliveryChanged(*m)
}

func logStopped(logger *slog.Logger, what string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		logger.Error(what+" worker stopped", slog.Any("err", err))
	}
}

// newCare is the proactive-care service: heads-ups, follow-ups, surveys.
func newCare(db *store.DB, cfg config.Config, logger *slog.Logger) *care.Service {
	return &care.Service{DB: db, BaseURL: cfg.BaseURL, Location: cfg.Location, Logger: logger}
}

// deskHandler is kindred's handler tree, with the hub its live updates
// come from.
type deskHandler struct {
	http.Handler
	hub *web.Hub
}

// chatKey is the key the web chat signs visitors' tokens with, kept in
// the database so that it outlives restarts and every process shares it;
// nil when the chat is off.
func chatKey(ctx context.Context, db *store.DB, cfg config.Config) ([]byte, error) {
	if len(cfg.ChatOrigins) == 0 {
		return nil, nil
	}
	return db.ServerKey(ctx, "chat visitor tokens")
}

// newHandler builds kindred's whole handler tree: the JSON API under /api/
// with its health, readiness and metrics endpoints, and the web console on
// every other path, with the web chat under /chat/ when it is on. Both
// analyse messages with the compassion engine, and both publish new
// messages to one hub, so that a message posted through the API appears at
// once in the consoles showing its conversation.
func newHandler(d *store.DB, cfg config.Config, logger *slog.Logger, reg *prometheus.Registry, chatKey []byte) http.Handler {
	careSvc := newCare(d, cfg, logger)
	// The desks' pages follow the queue: this process's own changes come
	// straight from the store; on PostgreSQL every process's come through
	// followDatabase, and the hub then ignores these.
	hub := web.NewHub()
	d.OnQueued(store.QueueLobby, hub.PublishLobby)
	console := web.New(web.Config{
		Hub:           hub,
		Location:      cfg.Location,
		USSDCode:      cfg.USSDCode,
		Agents:        d,
		Customers:     d,
		Conversations: d,
		Sessions:      d,
		Accounts:      d,
		BaseURL:       cfg.BaseURL,
		Lobby:         d,
		Verify:        d,
		Care:          careSvc,
		Insights:      d,
		Attachments:   d,
		Outbox:        d,
		Analyzer:      compassion.DeskAnalyzer{},
		Logger:        logger,
		DefaultRegion: cfg.Region,
		SecureCookies: cfg.SecureCookies,
		SetupEmail:    cfg.AdminEmail,
		Audit:         d,

		TrustedProxies:      cfg.TrustedProxies,
		Webhooks:            d,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		SavedReplies:        d,
		Chat:                d,
		ChatKey:             chatKey,
		ChatOrigins:         cfg.ChatOrigins,
	})
	apiHandler := api.New(api.Config{
		Agents:              d,
		Customers:           d,
		Conversations:       d,
		Audit:               d,
		Outbox:              d,
		Lobby:               d,
		Verify:              d,
		OfficeHours:         cfg.OfficeHours,
		Location:            cfg.Location,
		GatewayKey:          cfg.GatewayKey,
		InsecureGateway:     cfg.InsecureGateway,
		Care:                careSvc,
		Insights:            d,
		Accounts:            d,
		Attachments:         d,
		Webhooks:            d,
		WhatsApp:            d,
		WhatsAppAppSecret:   cfg.WhatsAppAppSecret,
		WhatsAppVerifyToken: cfg.WhatsAppVerifyToken,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		BaseURL:             cfg.BaseURL,
		Analyzer:            compassion.DeskAnalyzer{},
		Ready:               d.Ping,
		Logger:              logger,
		Registry:            reg,
		MaxBodyBytes:        cfg.MaxBody,
		DefaultRegion:       cfg.Region,
		MetricsPublic:       cfg.MetricsPublic,
		OnMessage:           console.Hub().Publish,
	})
	mux := http.NewServeMux()
	// /ussd is where USSD gateways post; it speaks their text protocol, not JSON.
	for _, path := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/ussd"} {
		mux.Handle(path, apiHandler)
	}
	mux.Handle("/", console)
	return &deskHandler{Handler: mux, hub: console.Hub()}
}

// newServer returns an HTTP server for h with kindred's timeouts.
func newServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serveUntil serves ln until ctx is done, then shuts down gracefully: it
// stops accepting connections and waits up to timeout for in-flight
// requests to finish before closing whatever is left.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, logger *slog.Logger) error {
	draining := make(chan struct{})
	srv.RegisterOnShutdown(func() {
		// Runs once Shutdown has closed the listeners.
		logger.Info("shutting down: no longer accepting connections; finishing in-flight requests",
			slog.String("timeout", timeout.String()))
		close(draining)
	})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: requests still running after %s: %w", timeout, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	<-draining
	logger.Info("stopped")
	return nil
}

// welcome is what a new desk needs to get its first administrator: a
// one-time link to the console's setup page. It is shown once and never
// stored: only the hash of its secret is kept.
type welcome struct {
	link string
}

// firstRun makes a new setup link when no administrator can sign in (none
// exists, or only API-only ones do), and spends any earlier one. It returns
// nil when the desk already has an administrator who can sign in.
func firstRun(ctx context.Context, d interface {
	kindred.AgentService
	kindred.SessionService
}, base string) (*welcome, error) {
	n, err := d.CountAdmins(ctx)
	if err != nil {
		return nil, fmt.Errorf("count administrators: %w", err)
	}
	if n > 0 {
		return nil, nil
	}
	ctx = kindred.WithActor(ctx, systemActor("first run"))
	link, err := web.NewSetupLink(ctx, d, base, time.Now())
	if err != nil {
		return nil, fmt.Errorf("make the setup link: %w", err)
	}
	return &welcome{link: link}, nil
}

func (w *welcome) print(out io.Writer) {
	fmt.Fprintf(out, `
  This is a new desk. Open this link to create its first administrator:

    setup link  %s

  The link works once, for 24 hours; kindred keeps only its hash. If it is
  lost or too old, stop kindred and run 'kindred serve' again for a new one.
  For API access without the console, 'kindred token create --role admin'
  makes an admin token.

`, w.link)
}

// systemActor is who the audit log names for changes made by the kindred
// binary itself rather than by a signed-in agent.
func systemActor(what string) kindred.Actor {
	return kindred.Actor{Name: "kindred " + what, Role: kindred.RoleAdmin}
}
