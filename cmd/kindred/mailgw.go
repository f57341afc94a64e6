package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred/internal/mail"
)

// runMailSink runs a local mailbox that prints each mail it takes, so that a
// desk's email replies can be seen without a real mail server: kindred serve
// --smtp-addr 127.0.0.1:2525.
func runMailSink(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailgw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:2525", "address to listen on for SMTP")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var mu sync.Mutex // sessions may deliver at once
	sink := &mail.Sink{OnMail: func(m mail.SinkMail) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "%s  mail from <%s> to %s\n", m.At.Format("15:04:05"), m.From, strings.Join(m.To, ", "))
		fmt.Fprintf(stdout, "    Subject: %s\n", m.Subject)
		fmt.Fprintf(stdout, "    Message-ID: <%s>\n", m.MessageID)
		if len(m.InReplyTo) > 0 {
			fmt.Fprintf(stdout, "    In-Reply-To: <%s>\n", strings.Join(m.InReplyTo, "> <"))
		}
		if len(m.References) > 0 {
			fmt.Fprintf(stdout, "    References: <%s>\n", strings.Join(m.References, "> <"))
		}
		parts := "text"
		if m.HTML {
			parts = "text and HTML"
		}
		fmt.Fprintf(stdout, "    (%s, %d bytes)\n", parts, len(m.Raw))
		for _, line := range strings.Split(m.Text, "\n") {
			fmt.Fprintf(stdout, "    | %s\n", line)
		}
	}}
	srv := smtp.NewServer(sink)
	srv.Domain = "mailgw.localhost"
	srv.MaxMessageBytes = mail.MaxMailBytes
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mu.Lock()
	fmt.Fprintf(stdout, "mail sink listening on smtp://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "Point kindred at it: kindred serve --smtp-addr %s\n", ln.Addr())
	mu.Unlock()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	if err := srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}
