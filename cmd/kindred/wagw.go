package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/kindred-desk/kindred/internal/whatsapp"
)

// runWhatsAppGateway runs the WhatsApp Cloud API simulator: it takes the
// desk's sends and prints them, posts their statuses back to the desk's
// webhook, signed with the app secret, and posts each line typed on stdin
// ("+254722000111 Habari, where is my card?") as that customer's message.
func runWhatsAppGateway(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wagw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8082", "address to listen on")
	phoneID := fs.String("phone-id", "100000000000001", "the business phone number id sends must name")
	token := fs.String("token", "", "refuse sends without this bearer token (default: accept any)")
	appSecret := fs.String("app-secret", "", "the app secret that signs the posts to the desk (kindred serve --whatsapp-app-secret)")
	webhookURL := fs.String("webhook-url", "", "the desk's WhatsApp webhook (http://127.0.0.1:8080/api/v1/whatsapp/webhook, with ?key= when the desk has a --gateway-key)")
	delay := fs.Duration("status-delay", 500*time.Millisecond, "the time between the sent, delivered and read statuses posted for each message")
	unreachable := fs.String("unreachable", "", "comma-separated phone numbers whose messages fail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *webhookURL != "" && *appSecret == "" {
		return errors.New("--webhook-url needs --app-secret: the desk takes nothing unsigned")
	}
	var mu sync.Mutex
	printf := func(w io.Writer, format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, format, a...)
	}
	sim := &whatsapp.Simulator{PhoneID: *phoneID, Token: *token, AppSecret: *appSecret, WebhookURL: *webhookURL, StatusDelay: *delay,
		OnSend: func(m whatsapp.Sent) {
			printf(stdout, "%s  WhatsApp to %s (%s)\n    %s\n", m.At.Format("15:04:05"), m.To, m.ID, m.Body)
		},
		OnPostError: func(err error) { printf(stderr, "status not taken: %v\n", err) },
	}
	if *unreachable != "" {
		off := strings.Split(*unreachable, ",")
		sim.Unreachable = func(to string) bool {
			for _, o := range off {
				if strings.TrimSpace(o) == to {
					return true
				}
			}
			return false
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	printf(stdout, "WhatsApp Cloud API simulator listening on http://%s/\n", ln.Addr())
	printf(stdout, "Point kindred at it: kindred serve --whatsapp-url http://%s --whatsapp-phone-id %s --whatsapp-token sim --whatsapp-app-secret SECRET\n", ln.Addr(), *phoneID)
	if stdin != nil && *webhookURL != "" {
		go func() {
			sc := bufio.NewScanner(stdin)
			for sc.Scan() {
				from, text, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
				if !ok || !strings.HasPrefix(from, "+") {
					printf(stderr, "type a customer's message as: +254722000111 the words\n")
					continue
				}
				id, err := sim.Inbound(ctx, from, "", strings.TrimSpace(text))
				if err != nil {
					printf(stderr, "message not taken: %v\n", err)
					continue
				}
				printf(stdout, "WhatsApp from %s (%s) taken by the desk\n", from, id)
			}
		}()
	}
	return serveSimulator(ctx, sim, ln, sim.Wait)
}
