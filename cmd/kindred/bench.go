package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/bench"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

// runBench posts load to a desk and prints one JSON line of figures. With
// --url it measures a running desk (given --token); without, it starts a
// desk of its own on loopback, on --db or a temporary SQLite file, as serve
// would run it.
func runBench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("bench", &cfg, stderr)
	// Not KINDRED_DB: a benchmark writes to the database it is given, and
	// must never pick up a production one from the environment.
	cfg.DB = ""
	fs.StringVar(&cfg.DB, "db", "", "database for the desk bench starts: a SQLite file or a postgres:// URL (empty: a temporary SQLite file)")
	var c bench.Config
	fs.StringVar(&c.URL, "url", "", "the desk to measure, e.g. http://127.0.0.1:8080; empty starts one on loopback on --db")
	fs.StringVar(&c.Token, "token", os.Getenv("KINDRED_TOKEN"), "API token (role agent or above) for --url (env KINDRED_TOKEN)")
	fs.StringVar(&c.Mode, "mode", bench.Messages, "what to post: "+strings.Join(bench.Modes, ", "))
	fs.IntVar(&c.Concurrency, "c", 16, "clients posting at once")
	fs.IntVar(&c.Count, "n", 0, "operations to run (0: bounded by --duration only)")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "time to run (0: bounded by -n only)")
	fs.StringVar(&c.Origin, "origin", "", "chat mode: the Origin the visitors send, one of the desk's --chat-origins (with --url)")
	fs.DurationVar(&c.Pace, "pace", bench.ChatPace, "chat mode: how often each visitor writes (under 3s passes the desk's limit of 20 a minute)")
	fs.BoolVar(&c.SpreadAddresses, "spread-addresses", false, "chat mode: each visitor names its own address in X-Forwarded-For (with --url; the desk must list the bench's address in --trusted-proxies)")
	fs.DurationVar(&c.Pause, "pause", 0, "each client waits this long between operations (0: as fast as the desk answers)")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile of this process (the desk it starts and the load) to this file")
	acked := fs.String("acked", "", "append each write the desk acknowledged to this file, one JSON line each (kind, id, what was sent), for checking afterwards that it was kept")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.URL != "" && cfg.DB != "" {
		return errors.New("--url and --db: give one; --db starts a desk of its own")
	}
	if *acked != "" {
		f, err := os.OpenFile(*acked, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		c.Acked = f // unbuffered: each line is in the file once written
	}
	if c.URL == "" {
		if c.Mode == bench.Chat {
			// Its own desk serves the chat to the bench's visitors, each
			// from an address of its own behind the bench as a trusted
			// proxy, as 200 people on 200 phones would come.
			c.Origin, c.SpreadAddresses = "http://bench.invalid", true
			cfg.ChatOrigins = []string{c.Origin}
			cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		}
		stop, err := benchDesk(ctx, &cfg, &c)
		if err != nil {
			return err
		}
		defer stop()
	}
	stopProfile, err := startCPUProfile(*cpuprof)
	if err != nil {
		return err
	}
	r, err := bench.Run(ctx, c)
	stopProfile()
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(r)
}

// benchDesk starts a desk for the benchmark on 127.0.0.1 and fills in c's
// URL and token; stop shuts it down.
func benchDesk(ctx context.Context, cfg *config.Config, c *bench.Config) (stop func(), err error) {
	var cleanup []func()
	stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	if cfg.DB == "" {
		dir, err := os.MkdirTemp("", "kindred-bench-")
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
		cfg.DB = filepath.Join(dir, "kindred.db")
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { db.Close() })

	actx := kindred.WithActor(ctx, systemActor("bench"))
	agent := &kindred.Agent{Name: "kindred bench", Role: kindred.RoleAgent}
	if err := db.CreateAgent(actx, agent, ""); err != nil {
		return nil, fmt.Errorf("create bench agent: %w", err)
	}
	if c.Token, _, err = issueToken(actx, db, agent.ID, "kindred bench"); err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// Only warnings: a log line per request would measure the logger.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	key, err := chatKey(ctx, db, *cfg)
	if err != nil {
		return nil, err
	}
	srv := newServer(newHandler(db, *cfg, logger, api.NewRegistry(), key), logger)
	go srv.Serve(ln)
	cleanup = append(cleanup, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	})
	c.URL = "http://" + ln.Addr().String()
	// The server is up once its listener is: Serve accepts from it.
	c.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.Concurrency}, Timeout: time.Minute}
	return stop, nil
}
