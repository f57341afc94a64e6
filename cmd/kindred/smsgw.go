package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kindred-desk/kindred/internal/sms"
)

// runSMSGateway runs the SMS gateway simulator and prints each message it
// takes, so that a desk can be tried (codes, ticket alerts) without a real
// gateway: kindred serve --sms-url http://127.0.0.1:8081/ --sms-username
// sandbox --sms-key sim.
func runSMSGateway(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smsgw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	username := fs.String("username", "", "refuse requests without this username (default: accept any)")
	key := fs.String("key", "", "refuse requests without this apiKey header (default: accept any)")
	down := fs.Bool("down", false, "start down: answer every request 503, to watch kindred retry")
	reportURL := fs.String("report-url", "", "post a delivery report for each SMS here, as the gateway does (kindred: http://127.0.0.1:8080/api/v1/sms/delivery)")
	reportKey := fs.String("report-key", "", "the desk's --gateway-key, sent with each delivery report")
	reportDelay := fs.Duration("report-delay", time.Second, "how long after taking an SMS its delivery report is posted")
	unreachable := fs.String("unreachable", "", "comma-separated phone numbers whose SMS are reported as not delivered")
	record := fs.String("record", "", "append each message taken (and each resend answered by its idempotency key) to this file, one JSON line each; read back on start, so a restarted simulator still delivers a message once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var mu sync.Mutex // the printer may be called from several requests at once
	sim := &sms.Simulator{Username: *username, APIKey: *key, OnDeliver: func(d sms.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		from := d.From
		if from == "" {
			from = "default sender"
		}
		fmt.Fprintf(stdout, "%s  SMS to %s from %s (%s)\n    %s\n", d.At.Format("15:04:05"), d.To, from, d.MessageID, d.Message)
	}}
	sim.SetDown(*down)
	sim.ReportURL, sim.ReportKey, sim.ReportDelay = *reportURL, *reportKey, *reportDelay
	if *unreachable != "" {
		off := strings.Split(*unreachable, ",")
		sim.Unreachable = func(to string) bool { return slices.Contains(off, to) }
	}
	sim.OnReportError = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "delivery report not taken: %v\n", err)
	}
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := sim.Load(f); err != nil {
			return err
		}
		sim.Record = f // unbuffered: a line is in the file before the answer leaves
		if n := len(sim.Deliveries()); n > 0 {
			fmt.Fprintf(stdout, "remembering %d messages taken before, from %s\n", n, *record)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mu.Lock()
	fmt.Fprintf(stdout, "SMS gateway simulator listening on http://%s/\n", ln.Addr())
	fmt.Fprintf(stdout, "Point kindred at it: kindred serve --sms-url http://%s/ --sms-username sandbox --sms-key sim\n", ln.Addr())
	mu.Unlock()
	return serveSimulator(ctx, sim, ln, nil)
}

// serveSimulator serves a gateway simulator h on ln until ctx ends, then
// shuts it down, waiting up to 5 seconds for requests in flight; drained,
// when not nil, runs after the shutdown (to wait for callbacks the
// simulator posts on its own).
func serveSimulator(ctx context.Context, h http.Handler, ln net.Listener, drained func()) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if drained != nil {
		drained()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
