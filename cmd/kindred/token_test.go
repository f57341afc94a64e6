package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/store"
)

// runKindred runs a kindred command in this process and returns its exit
// code, stdout and stderr.
func runKindred(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, nil, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// apiOver serves db through the handler serve builds.
func apiOver(t *testing.T, db string) *httptest.Server {
	t.Helper()
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(newHandler(d, config.Default(), slog.New(slog.DiscardHandler), api.NewRegistry(), nil))
	t.Cleanup(func() {
		ts.Close()
		d.Close()
	})
	return ts
}

func TestTokenCreatePrintsATokenTheAPIAcceptsWithItsRole(t *testing.T) {
	tests := []struct {
		role          string
		customersCode int // GET /api/v1/customers: kiosks must never read customer records
	}{
		{"admin", http.StatusOK},
		{"agent", http.StatusOK},
		{"kiosk", http.StatusForbidden},
	}
	db := filepath.Join(t.TempDir(), "kindred.db")
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			name := "ci " + tt.role
			code, stdout, stderr := runKindred("token", "create", "--db", db, "--role", tt.role, "--name", name)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			secret := lastLine(t, stdout)
			if !strings.HasPrefix(secret, auth.TokenPrefix) || strings.Contains(stderr, secret) {
				t.Fatalf("last stdout line %q is not a token, or the token leaked to stderr", secret)
			}

			ts := apiOver(t, db)
			c := &apiClient{t: t, token: secret, client: ts.Client()}
			c.base.Store(&ts.URL)
			var me struct {
				Name  string
				Email string
				Role  string
			}
			c.mustDo("GET", "/api/v1/me", "", http.StatusOK, &me)
			if me.Name != name || me.Role != tt.role || me.Email != "" {
				t.Errorf("/api/v1/me = %+v, want API-only agent %q with role %s", me, name, tt.role)
			}
			c.mustDo("GET", "/api/v1/customers", "", tt.customersCode, nil)
		})
	}
}

func TestTokenRevokeShutsTheTokenOut(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	code, stdout, stderr := runKindred("token", "create", "--db", db, "--role", "lead", "--name", "laptop")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
	secret := lastLine(t, stdout)
	var id int64
	if _, err := fmt.Sscanf(stderr[strings.Index(stderr, "token "):], "token %d", &id); err != nil {
		t.Fatalf("no token id in %q: %v", stderr, err)
	}

	if code, _, stderr := runKindred("token", "revoke", "--db", db, fmt.Sprint(id)); code != 0 {
		t.Fatalf("revoke: exit %d: %s", code, stderr)
	}
	ts := apiOver(t, db)
	c := &apiClient{t: t, token: secret, client: ts.Client()}
	c.base.Store(&ts.URL)
	c.mustDo("GET", "/api/v1/me", "", http.StatusUnauthorized, nil)

	code, stdout, stderr = runKindred("token", "list", "--db", db)
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	fields := strings.Fields(strings.Split(stdout, "\n")[1])
	if len(fields) < 3 || fields[0] != fmt.Sprint(id) || fields[1] != "revoked" || !strings.Contains(stdout, "laptop (lead)") || strings.Contains(stdout, secret) {
		t.Fatalf("list = %q, want token %d revoked for laptop (lead), no secret", stdout, id)
	}
}

func TestTokenCommandsRefuseBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"token"}, "usage"},
		{"unknown subcommand", []string{"token", "mint"}, "unknown token command"},
		{"no name", []string{"token", "create", "--db", db, "--role", "agent"}, "--name"},
		{"no role", []string{"token", "create", "--db", db, "--name", "x"}, "--role"},
		{"unknown role", []string{"token", "create", "--db", db, "--name", "x", "--role", "root"}, "--role"},
		{"revoke without id", []string{"token", "revoke", "--db", db}, "usage"},
		{"revoke bad id", []string{"token", "revoke", "--db", db, "seven"}, "positive number"},
		{"revoke unknown id", []string{"token", "revoke", "--db", db, "999"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runKindred(tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q: a failed command must not print what looks like a token", stdout)
			}
		})
	}
}

func TestFirstRunStillWelcomesWhenOnlyAnAPIAdminExists(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	if code, _, stderr := runKindred("token", "create", "--db", db, "--role", "admin", "--name", "deploy script"); code != 0 {
		t.Fatalf("create: exit %d: %s", code, stderr)
	}
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w, err := firstRun(context.Background(), d, "http://desk.example")
	if err != nil || w == nil || !strings.HasPrefix(w.link, "http://desk.example/setup?token=") {
		t.Fatalf("firstRun = %+v, %v; want a setup link, since the API admin cannot sign in", w, err)
	}
	// Until the link is used, each start makes a new one and the old one dies.
	w2, err := firstRun(context.Background(), d, "http://desk.example")
	if err != nil || w2 == nil || w2.link == w.link {
		t.Fatalf("second firstRun = %+v, %v; want a new link", w2, err)
	}
	ctx := context.Background()
	_, secret, _ := strings.Cut(w.link, "token=")
	if ok, err := d.SetupTokenValid(ctx, auth.HashToken(secret), time.Now()); ok || err != nil {
		t.Errorf("the first link still works after a second start (%v)", err)
	}
	// Once an administrator can sign in, there is no link.
	hash, err := auth.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CreateAgent(ctx, &kindred.Agent{Name: "Wanjiru", Email: "wanjiru@example.org", Role: kindred.RoleAdmin}, hash); err != nil {
		t.Fatal(err)
	}
	if w3, err := firstRun(ctx, d, "http://desk.example"); err != nil || w3 != nil {
		t.Fatalf("firstRun with a signable admin = %+v, %v; want nothing", w3, err)
	}
}
