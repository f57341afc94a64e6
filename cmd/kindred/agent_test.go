package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func TestAgentResetLinkPrintsALinkThatOpensOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	a := &kindred.Agent{Name: "Baraka Mwita", Email: "baraka@example.org", Role: kindred.RoleAgent}
	if err := d.CreateAgent(context.Background(), a, ""); err != nil {
		t.Fatal(err)
	}
	d.Close()

	code, stdout, stderr := runKindred("agent", "reset-link", "--db", db, "--base-url", "https://desk.example.org/", "Baraka@Example.org")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	link := strings.TrimSpace(stdout)
	prefix := "https://desk.example.org" + kindred.PasswordLinkPath
	if !strings.HasPrefix(link, prefix) || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout %q, want one line starting %s", stdout, prefix)
	}
	if !strings.Contains(stderr, "An invitation for Baraka Mwita <baraka@example.org>") {
		t.Errorf("stderr %q does not say what the link is", stderr)
	}

	ts := apiOver(t, db)
	get := func() (int, string) {
		resp, err := http.Get(ts.URL + "/password?token=" + strings.TrimPrefix(link, prefix))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get(); status != http.StatusOK || !strings.Contains(body, "Welcome to kindred, Baraka Mwita") {
		t.Fatalf("the printed link: %d\n%s", status, body)
	}
	// A second link makes the first stop working.
	if code, _, stderr := runKindred("agent", "reset-link", "--db", db, "baraka@example.org"); code != 0 {
		t.Fatalf("second link: exit %d: %s", code, stderr)
	}
	if status, _ := get(); status != http.StatusForbidden {
		t.Errorf("the replaced link: %d, want 403", status)
	}

	for _, args := range [][]string{
		{"agent", "reset-link", "--db", db, "nobody@example.org"},
		{"agent", "reset-link", "--db", db},
		{"agent", "frobnicate"},
	} {
		if code, _, stderr := runKindred(args...); code == 0 || stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want a failure that says why", args, code, stderr)
		}
	}
}
