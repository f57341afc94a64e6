package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/kindred-desk/kindred/internal/mail"
)

// freePort returns a loopback address no one listens on (yet).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// The paths outside checks rely on: a mail sent to the inbox address at
// --smtp-listen becomes an email conversation; a reply posted to it reaches
// the relay at --smtp-addr with In-Reply-To the customer's Message-ID; the
// conversation lists the reply with its delivery_status.
func TestServeTakesMailAndRepliesThroughTheRelay(t *testing.T) {
	var mu sync.Mutex
	var relayed []mail.SinkMail
	relay := gosmtp.NewServer(&mail.Sink{OnMail: func(m mail.SinkMail) error {
		mu.Lock()
		relayed = append(relayed, m)
		mu.Unlock()
		return nil
	}})
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go relay.Serve(rl)
	t.Cleanup(func() { relay.Close() })

	db := filepath.Join(t.TempDir(), "kindred.db")
	code, stdout, stderr := runKindred("token", "create", "--db", db, "--role", "agent", "--name", "email test")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	listen := freePort(t)
	s := serveInProcess(t, "--db", db, "--smtp-listen", listen, "--inbox-address", "help@example.org",
		"--smtp-addr", rl.Addr().String(), "--smtp-from", "Kindred Desk <desk@kindred.example>")
	c := &apiClient{t: t, token: lastLine(t, stdout), client: http.DefaultClient}
	c.base.Store(&s.url)

	mailText := "From: Amina Odhiambo <amina@example.org>\r\nTo: help@example.org\r\nSubject: My card\r\nMessage-ID: <amina-1@example.org>\r\n\r\nMy card has not come.\r\n"
	if err := smtp.SendMail(listen, nil, "amina@example.org", []string{"help@example.org"}, []byte(mailText)); err != nil {
		t.Fatalf("send to the listener: %v\n%s", err, s.stderr)
	}
	if err := smtp.SendMail(listen, nil, "amina@example.org", []string{"nobody@example.org"}, []byte(mailText)); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("mail for another address: %v, want 550", err)
	}
	var convs []struct {
		ID      int64
		Channel string
	}
	c.mustDo("GET", "/api/v1/conversations?channel=email", "", http.StatusOK, &convs)
	if len(convs) != 1 || convs[0].Channel != "email" {
		t.Fatalf("conversations %+v", convs)
	}
	path := fmt.Sprintf("/api/v1/conversations/%d", convs[0].ID)
	c.mustDo("POST", path+"/messages", `{"direction": "out", "body": "Amina, I am sorry it is late. It is posted today."}`, http.StatusCreated, nil)

	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		n := len(relayed)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relay received nothing\n%s", s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := relayed[0]
	if fmt.Sprint(got.InReplyTo) != "[amina-1@example.org]" || got.To[0] != "amina@example.org" || !strings.HasPrefix(got.Subject, "Re: My card [#") || !got.HTML {
		t.Fatalf("relayed: in-reply-to %v to %v subject %q html %v", got.InReplyTo, got.To, got.Subject, got.HTML)
	}
	var conv struct {
		Messages []struct {
			Direction      string
			DeliveryStatus string `json:"delivery_status"`
			EmailID        string `json:"email_message_id"`
		}
	}
	for {
		c.mustDo("GET", path, "", http.StatusOK, &conv)
		if len(conv.Messages) == 2 && conv.Messages[1].DeliveryStatus == "sent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply not marked sent: %+v", conv.Messages)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if conv.Messages[1].EmailID != got.MessageID {
		t.Errorf("the reply keeps Message-ID %q, the relay got %q", conv.Messages[1].EmailID, got.MessageID)
	}
	// The customer answers our reply: it threads into the same conversation.
	answer := fmt.Sprintf("From: amina@example.org\r\nTo: help@example.org\r\nSubject: Re: My card\r\nIn-Reply-To: <%s>\r\nMessage-ID: <amina-2@example.org>\r\n\r\nThank you!\r\n", got.MessageID)
	if err := smtp.SendMail(listen, nil, "amina@example.org", []string{"help@example.org"}, []byte(answer)); err != nil {
		t.Fatal(err)
	}
	c.mustDo("GET", path, "", http.StatusOK, &conv)
	if len(conv.Messages) != 3 {
		t.Fatalf("the answer did not join the conversation: %+v", conv.Messages)
	}
}

func TestMailSinkPrintsEachMail(t *testing.T) {
	addr := freePort(t)
	out := &lockedBuffer{}
	done := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- run(ctx, []string{"mailgw", "--addr", addr}, nil, out, out) }()
	defer func() {
		cancel()
		<-done
	}()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err = smtp.SendMail(addr, nil, "desk@kindred.example", []string{"amina@example.org"},
			[]byte("Subject: Re: My card\r\nIn-Reply-To: <amina-1@example.org>\r\nMessage-ID: <r1@kindred.example>\r\n\r\nIt is posted.\r\n")); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mail from <desk@kindred.example> to amina@example.org", "Subject: Re: My card", "In-Reply-To: <amina-1@example.org>", "| It is posted."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("mailgw printed no %q:\n%s", want, out)
		}
	}
}
