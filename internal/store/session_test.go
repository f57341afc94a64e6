package store

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

// The console's sessions, preferences and setup links, on both databases.

func TestSQLiteSessions(t *testing.T) {
	runSessionSuite(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "kindred.db") })
}

func TestPostgresSessions(t *testing.T) {
	base := postgresURL(t)
	runSessionSuite(t, func(t *testing.T) string { return freshPostgresSchema(t, base) })
}

func runSessionSuite(t *testing.T, fresh func(t *testing.T) string) {
	s := suite{fresh: fresh}
	tests := []struct {
		name string
		run  func(t *testing.T, s suite)
	}{
		{"SessionLivesUntilIdleOrAbsoluteEnd", testSessionExpiry},
		{"SignOutEndsTheSession", testSessionDelete},
		{"PreferencesAreRemembered", testPreferences},
		{"SetupLinkIsSingleUseAndExpires", testSetupLink},
		{"SetupLinkCannotMakeTwoAdmins", testSetupLinkRace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, s) })
	}
}

func testSessionExpiry(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	start := db.clock()
	sess := &kindred.Session{AgentID: a.ID, Hash: []byte("secret-hash-1"), ExpiresAt: start.Add(7 * 24 * time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	idle := 12 * time.Hour
	at := sess.LastSeenAt
	got, agent, err := db.SessionByHash(ctx, sess.Hash, at.Add(11*time.Hour), idle)
	if err != nil || agent.ID != a.ID || got.ID != sess.ID {
		t.Fatalf("session within the idle limit: %+v %+v %v", got, agent, err)
	}
	if !got.LastSeenAt.Equal(roundMS(at.Add(11 * time.Hour))) {
		t.Errorf("last seen %v, want moved to the request time", got.LastSeenAt)
	}
	// Seen at +11h, so +22h is within the idle limit again…
	if _, _, err := db.SessionByHash(ctx, sess.Hash, at.Add(22*time.Hour), idle); err != nil {
		t.Fatalf("active session ended early: %v", err)
	}
	// …but 12 hours of silence ends it.
	_, _, err = db.SessionByHash(ctx, sess.Hash, at.Add(34*time.Hour+time.Second), idle)
	wantKind(t, err, kindred.NotFound)

	// However active, a session ends at its absolute end.
	sess2 := &kindred.Session{AgentID: a.ID, Hash: []byte("secret-hash-2"), ExpiresAt: start.Add(2 * time.Hour)}
	if err := db.CreateSession(ctx, sess2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionByHash(ctx, sess2.Hash, sess2.CreatedAt.Add(time.Hour), idle); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.SessionByHash(ctx, sess2.Hash, sess2.ExpiresAt, idle)
	wantKind(t, err, kindred.NotFound)

	_, _, err = db.SessionByHash(ctx, []byte("unknown"), start, idle)
	wantKind(t, err, kindred.NotFound)
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'session.create'"); n != 2 {
		t.Errorf("%d sign-ins audited, want 2", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM sessions WHERE hash = ?", []byte("secret-hash-1")); n != 1 {
		t.Errorf("the stored session is not found by its hash")
	}
}

func testSessionDelete(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	sess := &kindred.Session{AgentID: a.ID, Hash: []byte("h"), ExpiresAt: db.clock().Add(time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, sess.Hash); err != nil {
		t.Fatal(err)
	}
	_, _, err := db.SessionByHash(ctx, sess.Hash, sess.CreatedAt, time.Hour)
	wantKind(t, err, kindred.NotFound)
	if err := db.DeleteSession(ctx, sess.Hash); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	wantField(t, db.CreateSession(ctx, &kindred.Session{AgentID: a.ID, Hash: []byte("x"), ExpiresAt: db.clock().Add(-time.Hour)}), "expires_at")
	wantField(t, db.CreateSession(ctx, &kindred.Session{AgentID: 999, Hash: []byte("y"), ExpiresAt: db.clock().Add(time.Hour)}), "agent_id")
}

func testPreferences(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := mustAgent(t, db, "Amina", "amina@example.org", kindred.RoleAgent)
	p, err := db.Preferences(ctx, a.ID)
	if err != nil || p != (kindred.Preferences{}) {
		t.Fatalf("new agent's preferences = %+v, %v; want the zero value", p, err)
	}
	for _, want := range []kindred.Preferences{{LargeText: true, Language: "sw"}, {LargeText: false, Language: "en"}} {
		if err := db.SetPreferences(ctx, a.ID, want); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Preferences(ctx, a.ID); err != nil || got != want {
			t.Fatalf("preferences = %+v, %v; want %+v", got, err, want)
		}
	}
	wantField(t, db.SetPreferences(ctx, 999, kindred.Preferences{}), "agent_id")
}

func testSetupLink(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	now := db.clock()
	first, second := []byte("first-link"), []byte("second-link")
	if err := db.CreateSetupToken(ctx, first, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.SetupTokenValid(ctx, first, now); !ok || err != nil {
		t.Fatalf("new link valid = %v, %v", ok, err)
	}
	// A second run prints a new link; the first one dies.
	if err := db.CreateSetupToken(ctx, second, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.SetupTokenValid(ctx, first, now); ok {
		t.Error("an earlier link still works after a new one was made")
	}
	if ok, _ := db.SetupTokenValid(ctx, second, now.Add(24*time.Hour)); ok {
		t.Error("a link works at its expiry")
	}
	expired := &kindred.Agent{Name: "Late", Email: "late@example.org"}
	wantKind(t, db.UseSetupToken(ctx, second, now.Add(25*time.Hour), expired, "hash"), kindred.Locked)

	admin := &kindred.Agent{Name: "Wanjiru", Email: "wanjiru@example.org"}
	if err := db.UseSetupToken(ctx, second, now.Add(time.Hour), admin, "hash"); err != nil {
		t.Fatal(err)
	}
	if admin.ID == 0 || admin.Role != kindred.RoleAdmin {
		t.Fatalf("admin = %+v", admin)
	}
	if n, err := db.CountAdmins(ctx); n != 1 || err != nil {
		t.Fatalf("CountAdmins = %d, %v", n, err)
	}
	again := &kindred.Agent{Name: "Again", Email: "again@example.org"}
	wantKind(t, db.UseSetupToken(ctx, second, now.Add(time.Hour), again, "hash"), kindred.Locked)
	// A fresh link on a desk that has an administrator makes no second one.
	if err := db.CreateSetupToken(ctx, []byte("third"), now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.UseSetupToken(ctx, []byte("third"), now.Add(time.Hour), again, "hash"), kindred.Conflict)
	if ok, _ := db.SetupTokenValid(ctx, []byte("third"), now); !ok {
		t.Error("a refused use spent the link")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM setup_tokens WHERE hash = ?", []byte("second-link")); n != 1 || bytes.Equal(first, second) {
		t.Error("links are not stored by hash")
	}
}

func testSetupLinkRace(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	link := []byte("race")
	if err := db.CreateSetupToken(ctx, link, db.clock().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			a := &kindred.Agent{Name: "Admin", Email: string(rune('a'+i)) + "@example.org"}
			errs[i] = db.UseSetupToken(ctx, link, db.clock(), a, "hash")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d administrators made by one link (%v), want 1", ok, errs)
	}
}
