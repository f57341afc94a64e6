package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
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
	record := fs.String("record", "", "append each mail taken to this file, one JSON line each (time, envelope, subject, Message-ID, kindred's outbox id), for counting what arrived")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var rec *json.Encoder
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		rec = json.NewEncoder(f) // unbuffered: a line is in the file before the mail is accepted
	}
	var mu sync.Mutex // sessions may deliver at once
	sink := &mail.Sink{OnMail: func(m mail.SinkMail) error {
		mu.Lock()
		defer mu.Unlock()
		if rec != nil {
			err := rec.Encode(sinkRecord{At: m.At, From: m.From, To: m.To, Subject: m.Subject, MessageID: m.MessageID, OutboxID: m.OutboxID})
			if err != nil {
				return fmt.Errorf("record the mail: %w", err)
			}
		}
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
		return nil
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

// sinkRecord is one line of mailgw's --record: what arrived, without the body.
type sinkRecord struct {
	At        time.Time `json:"at"`
	From      string    `json:"from"`
	To        []string  `json:"to"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	OutboxID  string    `json:"outbox_id,omitempty"`
}
