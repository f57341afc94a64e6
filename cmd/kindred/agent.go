package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

func runAgent(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := errors.New("usage: kindred agent reset-link [--db DB] [--base-url URL] [--time-zone ZONE] EMAIL")
	if len(args) == 0 {
		return usage
	}
	switch args[0] {
	case "reset-link", "invite-link":
		return runAgentLink(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown agent command %q; %w", args[0], usage)
}

// runAgentLink prints a one-time link with which the person with this email
// sets a password: an invitation when they have none, a reset otherwise
// (for the administrator who forgot theirs, with no other admin to ask).
// The link is the last line of stdout, alone; the explanation goes to
// stderr. Earlier unused links for the person stop working.
func runAgentLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("agent reset-link", &cfg, stderr)
	fs.DB()
	fs.Links()
	fs.Clock()
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		return errors.New("usage: kindred agent reset-link [--db DB] [--base-url URL] [--time-zone ZONE] EMAIL")
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + cfg.Addr
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	a, _, err := db.AgentByEmail(ctx, fs.Arg(0))
	if kindred.ErrorKind(err) == kindred.NotFound {
		return fmt.Errorf("no agent has the email %q; add them on the admin page first", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	ctx = kindred.WithActor(ctx, systemActor("agent reset-link"))
	l, err := db.CreatePasswordLink(ctx, a.ID, hash, time.Now().Add(kindred.PasswordLinkLifetime))
	if err != nil {
		return err
	}
	what := "A password reset link"
	if l.Purpose == kindred.LinkInvite {
		what = "An invitation"
	}
	fmt.Fprintf(stderr, "%s for %s <%s>. It works once, until %s; give it only to them:\n",
		what, a.Name, a.Email, l.ExpiresAt.In(cfg.Location).Format("Mon 2 Jan 15:04 MST"))
	fmt.Fprintln(stdout, strings.TrimRight(base, "/")+kindred.PasswordLinkPath+secret)
	return nil
}
