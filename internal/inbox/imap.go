package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kindred-desk/kindred/internal/mail"
)

// Poller reads an existing mailbox over IMAP: every Every it fetches the
// unseen mail of Mailbox, hands each to the Desk, and marks it \Seen only
// once the store has committed it (or refused it for good), so that a
// crash or a failed store leaves it to the next poll. Store.ReceiveEmail
// ignores a Message-ID it already has, so a mail fetched twice is stored once.
type Poller struct {
	Desk *Desk
	// Addr is host:port. Port 993 is TLS from the start; other ports use
	// STARTTLS, except a server on this machine, spoken to in the clear.
	Addr               string
	Username, Password string
	Mailbox            string        // "" for INBOX
	Every              time.Duration // 0 for a minute
	TLS                *tls.Config   // nil: the system's roots and Addr's host
	Logger             *slog.Logger
}

// Run polls until ctx ends. A failed poll is logged and tried again at the
// next tick.
func (p *Poller) Run(ctx context.Context) error {
	every := p.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := p.Poll(ctx); err != nil {
			p.Desk.logger().Warn("imap: poll failed; trying again later", slog.String("addr", p.Addr), slog.Any("err", err))
		} else if n > 0 {
			p.Desk.logger().Info("imap: poll", slog.Int("mails", n))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Poll fetches and delivers the mailbox's unseen mail once, and returns how
// many mails it handled.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	c, err := p.dial()
	if err != nil {
		return 0, fmt.Errorf("imap: connect to %s: %w", p.Addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(p.Username, p.Password).Wait(); err != nil {
		return 0, fmt.Errorf("imap: sign in: %w", err)
	}
	mailbox := p.Mailbox
	if mailbox == "" {
		mailbox = "INBOX"
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap: select %s: %w", mailbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap: search unseen: %w", err)
	}
	n := 0
	for _, uid := range found.AllUIDs() {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if err := p.deliver(ctx, c, uid); err != nil {
			return n, err
		}
		n++
	}
	c.Logout().Wait()
	return n, nil
}

// deliver fetches one mail without setting \Seen (BODY.PEEK[]), delivers
// it, and then marks it seen.
func (p *Poller) deliver(ctx context.Context, c *imapclient.Client, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	fetch := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	msg := fetch.Next()
	if msg == nil {
		return errors.Join(fmt.Errorf("imap: mail %d vanished", uid), fetch.Close())
	}
	var derr error
	delivered := false
	for {
		item := msg.Next()
		if item == nil {
			break
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataRFC822Size:
			if item.Size > mail.MaxMailBytes {
				derr = &mail.RefusedError{Field: "mail", Reason: fmt.Sprintf("larger than %d MB", mail.MaxMailBytes>>20), TooLarge: true}
				delivered = true
			}
		case imapclient.FetchItemDataBodySection:
			if delivered || item.Literal == nil {
				continue
			}
			_, derr = p.Desk.Deliver(ctx, item.Literal)
			delivered = true
		}
	}
	if err := fetch.Close(); err != nil {
		return fmt.Errorf("imap: fetch mail %d: %w", uid, err)
	}
	var refused *mail.RefusedError
	switch {
	case !delivered:
		return fmt.Errorf("imap: mail %d came without its body", uid)
	case errors.As(derr, &refused):
		// Fetching it again would not change the answer: mark it seen, so
		// the mailbox's owner finds it read but not in kindred, and say why.
		p.Desk.logger().Warn("imap: mail refused", slog.Any("uid", uid), slog.String("why", refused.Error()))
	case derr != nil:
		return fmt.Errorf("imap: deliver mail %d: %w", uid, derr)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		return fmt.Errorf("imap: mark mail %d seen: %w", uid, err)
	}
	return nil
}

func (p *Poller) dial() (*imapclient.Client, error) {
	host, port, err := net.SplitHostPort(p.Addr)
	if err != nil {
		return nil, err
	}
	tlsConf := p.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: host}
	}
	opts := &imapclient.Options{TLSConfig: tlsConf, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	switch {
	case port == "993":
		return imapclient.DialTLS(p.Addr, opts)
	case isLoopback(host):
		return imapclient.DialInsecure(p.Addr, opts)
	default:
		return imapclient.DialStartTLS(p.Addr, opts)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
