package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

func runToken(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	usage := errors.New("usage: kindred token create --role ROLE --name NAME | kindred token list | kindred token revoke ID")
	if len(args) == 0 {
		return usage
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return runTokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown token command %q; %w", args[0], usage)
}

// runTokenCreate creates an API-only agent (no email, no password: it can
// never sign in to the console) and a token for it. The secret is the last
// line of stdout, alone, so that scripts can capture it; the explanation
// goes to stderr.
func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("token create", &cfg, stderr)
	fs.DB()
	// No default role: the operator chooses how much the token may do.
	var role string
	fs.StringVar(&role, "role", "", "role of the new API agent: admin, lead, agent or kiosk (required)")
	var name string
	fs.StringVar(&name, "name", "", "name of the new API agent, e.g. the system that will use the token (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !kindred.Role(role).Valid() {
		return fmt.Errorf("--role %q: must be one of %v", role, kindred.Roles)
	}
	if name == "" {
		return errors.New("--name is required: say who or what will use the token")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()

	ctx = kindred.WithActor(ctx, systemActor("token create"))
	agent := &kindred.Agent{Name: name, Role: kindred.Role(role)}
	if err := db.CreateAgent(ctx, agent, ""); err != nil {
		return fmt.Errorf("create agent: %w", err)
	}
	secret, tok, err := issueToken(ctx, db, agent.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Created API agent %d %q (role %s) and token %d. The token is shown only this once:\n",
		agent.ID, agent.Name, agent.Role, tok.ID)
	fmt.Fprintln(stdout, secret)
	return nil
}

// issueToken mints a token for agent id and stores its hash. It returns the
// secret, which exists nowhere else.
func issueToken(ctx context.Context, agents kindred.AgentService, agentID int64, name string) (string, *kindred.Token, error) {
	secret, hash, err := auth.NewToken()
	if err != nil {
		return "", nil, err
	}
	tok := &kindred.Token{AgentID: agentID, Name: name, Hash: hash}
	if err := agents.CreateToken(ctx, tok); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	return secret, tok, nil
}

func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("token revoke", &cfg, stderr)
	fs.DB()
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: kindred token revoke [--db DB] ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("token id %q: want a positive number, as 'token create' printed", fs.Arg(0))
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(kindred.WithActor(ctx, systemActor("token revoke")), id); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token %d revoked\n", id)
	return nil
}

// runTokenList prints every token, one a line: id, state, agent, name and
// when it was made. Secrets are never stored, so they cannot be listed.
func runTokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("token list", &cfg, stderr)
	fs.DB()
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	toks, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	agents, err := db.Agents(ctx)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(agents))
	for _, a := range agents {
		names[a.ID] = fmt.Sprintf("%s (%s)", a.Name, a.Role)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tAGENT\tNAME\tCREATED")
	for _, t := range toks {
		state := "live"
		if t.RevokedAt != nil {
			state = "revoked " + t.RevokedAt.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, state, names[t.AgentID], t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}
