package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
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

// desk is what the binary needs of the store: every kindred service, and a
// readiness check.
type desk interface {
	kindred.AgentService
	kindred.CustomerService
	kindred.ConversationService
	kindred.AuditService
	Ping(ctx context.Context) error
}

func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("serve", &cfg, stderr)
	fs.DB()
	fs.Log()
	fs.Serve()
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

	// Listen before the first-run set-up, so that a busy port fails the start
	// before an administrator is created whose password nobody would see.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()

	welcome, err := firstRun(ctx, db, cfg.AdminEmail)
	if err != nil {
		return err
	}
	if welcome != nil {
		welcome.print(stdout, url)
	}

	srv := newServer(newHandler(db, cfg, logger), logger)
	fmt.Fprintf(stdout, "kindred listening on %s\n", url)
	logger.Info("serving", slog.String("addr", ln.Addr().String()), slog.Bool("postgres", cfg.Postgres()))
	return serveUntil(ctx, srv, ln, cfg.ShutdownTimeout, logger)
}

// newHandler builds kindred's whole handler tree: the JSON API with its
// health, readiness and metrics endpoints. The web console will be mounted
// here, beside the API, and nowhere else; so will the compassion engine, as
// api.Config.Analyzer, once it implements kindred.Analyzer (until then
// messages are stored without analysis).
func newHandler(d desk, cfg config.Config, logger *slog.Logger) http.Handler {
	return api.New(api.Config{
		Agents:        d,
		Customers:     d,
		Conversations: d,
		Audit:         d,
		Analyzer:      compassion.DeskAnalyzer{},
		Ready:         d.Ping,
		Logger:        logger,
		MaxBodyBytes:  cfg.MaxBody,
		DefaultRegion: cfg.Region,
		MetricsPublic: cfg.MetricsPublic,
	})
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

// welcome is what a new desk's first administrator needs to sign in. It is
// shown once and never stored: only hashes are kept.
type welcome struct {
	email, password, token string
}

// firstRun creates an administrator, with a generated password and an API
// token, when the desk has none. It returns nil when there already is one.
func firstRun(ctx context.Context, agents kindred.AgentService, email string) (*welcome, error) {
	n, err := agents.CountAdmins(ctx)
	if err != nil {
		return nil, fmt.Errorf("count administrators: %w", err)
	}
	if n > 0 {
		return nil, nil
	}
	password, err := auth.NewPassword()
	if err != nil {
		return nil, fmt.Errorf("generate password: %w", err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	ctx = kindred.WithActor(ctx, systemActor("first run"))
	admin := &kindred.Agent{Name: "Administrator", Email: email, Role: kindred.RoleAdmin}
	if err := agents.CreateAgent(ctx, admin, hash); err != nil {
		if kindred.ErrorKind(err) == kindred.Conflict {
			return nil, fmt.Errorf("create first administrator: %w (an agent already has %s: choose another with --admin-email)", err, email)
		}
		return nil, fmt.Errorf("create first administrator: %w", err)
	}
	secret, _, err := issueToken(ctx, agents, admin.ID, "first run")
	if err != nil {
		return nil, err
	}
	return &welcome{email: email, password: password, token: secret}, nil
}

func (w *welcome) print(out io.Writer, url string) {
	fmt.Fprintf(out, `
  This is a new desk. An administrator has been created for you:

    sign in at  %s/
    email       %s
    password    %s

    API token   %s
                (send it as "Authorization: Bearer <token>")

  The password and the token are shown only this once; kindred keeps only
  their hashes. Sign in and change the password now. If they are lost, run
  'kindred token create --role admin --name rescue' for a new admin token.

`, url, w.email, w.password, w.token)
}

// systemActor is who the audit log names for changes made by the kindred
// binary itself rather than by a signed-in agent.
func systemActor(what string) kindred.Actor {
	return kindred.Actor{Name: "kindred " + what, Role: kindred.RoleAdmin}
}
