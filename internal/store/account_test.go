package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// Invitation and reset links and changing one's password, on both
// databases: the tests are in the store suite (store_test.go).

func testInvitation(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(7, "Wanjiru")
	a := invited(t, db, "Baraka", "baraka@example.org")
	if a.HasPassword || a.CanSignIn() {
		t.Fatalf("a new agent without a password: HasPassword %t, CanSignIn %t", a.HasPassword, a.CanSignIn())
	}
	now := db.clock()
	l, err := db.CreatePasswordLink(ctx, a.ID, []byte("invite-hash"), now.Add(kindred.PasswordLinkLifetime))
	if err != nil {
		t.Fatal(err)
	}
	if l.Purpose != kindred.LinkInvite || l.CreatedBy != 7 || l.AgentID != a.ID {
		t.Fatalf("link %+v, want an invitation for agent %d made by 7", l, a.ID)
	}
	got, agent, err := db.PasswordLink(ctx, []byte("invite-hash"), now)
	if err != nil || got.ID != l.ID || agent.ID != a.ID {
		t.Fatalf("PasswordLink: %+v %+v %v", got, agent, err)
	}
	sess := &kindred.Session{AgentID: a.ID, Hash: []byte("old-session"), ExpiresAt: now.Add(time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	agent, err = db.UsePasswordLink(ctx, []byte("invite-hash"), now, "argon2id-hash")
	if err != nil || !agent.HasPassword {
		t.Fatalf("UsePasswordLink: %+v %v", agent, err)
	}
	if h, err := db.PasswordHash(ctx, a.ID); err != nil || h != "argon2id-hash" {
		t.Fatalf("PasswordHash = %q, %v", h, err)
	}
	if stored, err := db.Agent(ctx, a.ID); err != nil || !stored.CanSignIn() {
		t.Fatalf("after the invitation: %+v %v, want able to sign in", stored, err)
	}
	_, _, err = db.SessionByHash(ctx, sess.Hash, now, time.Hour)
	wantKind(t, err, kindred.NotFound)
	_, err = db.UsePasswordLink(ctx, []byte("invite-hash"), now, "another")
	wantKind(t, err, kindred.Locked)
	if h, _ := db.PasswordHash(ctx, a.ID); h != "argon2id-hash" {
		t.Errorf("a spent link changed the password to %q", h)
	}
	// With a password, the next link is a reset.
	l2, err := db.CreatePasswordLink(ctx, a.ID, []byte("reset-hash"), now.Add(time.Hour))
	if err != nil || l2.Purpose != kindred.LinkReset {
		t.Fatalf("second link: %+v %v, want a reset", l2, err)
	}
	for _, action := range []string{"password_link.create", "password_link.use"} {
		if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ? AND subject_id = ?", action, a.ID); n == 0 {
			t.Errorf("no %s in the audit log", action)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%hash%'"); n != 0 {
		t.Errorf("%d audit entries mention a hash", n)
	}
}

func testLinkReplacedAndExpired(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := invited(t, db, "Baraka", "baraka@example.org")
	now := db.clock()
	if _, err := db.CreatePasswordLink(ctx, a.ID, []byte("first"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreatePasswordLink(ctx, a.ID, []byte("second"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.PasswordLink(ctx, []byte("first"), now)
	wantKind(t, err, kindred.Locked)
	if _, _, err := db.PasswordLink(ctx, []byte("second"), now.Add(59*time.Minute)); err != nil {
		t.Fatalf("the newest link before it expires: %v", err)
	}
	_, err = db.UsePasswordLink(ctx, []byte("second"), now.Add(time.Hour), "h")
	wantKind(t, err, kindred.Locked)
	_, _, err = db.PasswordLink(ctx, []byte("unknown"), now)
	wantKind(t, err, kindred.Locked)
	_, err = db.CreatePasswordLink(ctx, a.ID, []byte("past"), now.Add(-time.Second))
	wantField(t, err, "expires_at")
	_, err = db.CreatePasswordLink(ctx, 999, []byte("nobody"), now.Add(time.Hour))
	wantKind(t, err, kindred.NotFound)
}

func testLinkRefused(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	service := invited(t, db, "sms gateway", "")
	if service.ServesCustomers() {
		t.Error("an API-only account counts as a person who serves customers")
	}
	_, err := db.CreatePasswordLink(ctx, service.ID, []byte("s"), db.clock().Add(time.Hour))
	wantField(t, err, "email")

	a := invited(t, db, "Baraka", "baraka@example.org")
	l, err := db.CreatePasswordLink(ctx, a.ID, []byte("before-disabling"), db.clock().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	off := true
	if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	_, err = db.CreatePasswordLink(ctx, a.ID, []byte("d"), db.clock().Add(time.Hour))
	wantField(t, err, "disabled")
	// A link made before the agent was disabled no longer works.
	_, err = db.UsePasswordLink(ctx, []byte("before-disabling"), l.CreatedAt, "h")
	wantKind(t, err, kindred.Locked)
	if h, _ := db.PasswordHash(ctx, a.ID); h != "" {
		t.Errorf("a disabled agent's password was set to %q", h)
	}
}

func testLinkRace(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := invited(t, db, "Baraka", "baraka@example.org")
	now := db.clock()
	if _, err := db.CreatePasswordLink(ctx, a.ID, []byte("once"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.UsePasswordLink(ctx, []byte("once"), now, "hash-"+string(rune('a'+i)))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if kindred.ErrorKind(err) != kindred.Locked {
			t.Errorf("a losing use: %v, want Locked", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d uses of one link succeeded, want 1", ok)
	}
}

func testSetPassword(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := invited(t, db, "Baraka", "baraka@example.org")
	sess := &kindred.Session{AgentID: a.ID, Hash: []byte("s1"), ExpiresAt: db.clock().Add(time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(ctx, a.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.PasswordHash(ctx, a.ID); h != "new-hash" {
		t.Errorf("password hash %q after SetPassword", h)
	}
	_, _, err := db.SessionByHash(ctx, sess.Hash, sess.CreatedAt, time.Hour)
	wantKind(t, err, kindred.NotFound)
	wantField(t, db.SetPassword(ctx, a.ID, ""), "password")
	wantField(t, db.SetPassword(ctx, 999, "h"), "agent_id")
	_, err = db.PasswordHash(ctx, 999)
	wantKind(t, err, kindred.NotFound)
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'agent.password' AND subject_id = ?", a.ID); n != 1 {
		t.Errorf("%d password changes audited, want 1", n)
	}
}

// invited adds an agent as an administrator does: no password yet.
func invited(t *testing.T, db *DB, name, email string) *kindred.Agent {
	t.Helper()
	a := &kindred.Agent{Name: name, Email: email, Role: kindred.RoleAgent}
	if err := db.CreateAgent(context.Background(), a, ""); err != nil {
		t.Fatalf("create agent %s: %v", name, err)
	}
	return a
}
