package store

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites, suiteTest{"ATokenChangedHereCountsAtOnce", testTokenChangedHere})
}

// What this process changes about a token or its agent counts from the
// next request on, though TokenByHash keeps what it read for a moment.
func testTokenChangedHere(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a := mustAgent(t, db, "Baraka", "baraka@desk.example", kindred.RoleAgent)
	hash := []byte("kept-token")
	if err := db.CreateToken(ctx, &kindred.Token{AgentID: a.ID, Name: "script", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	// The suite's clock moves a second a call: stopped, every read below
	// is within tokenTTL of the one before.
	stopped := db.now()
	db.now = func() time.Time { return stopped }
	read := func() (*kindred.Agent, error) {
		t.Helper()
		_, got, err := db.TokenByHash(ctx, hash)
		return got, err
	}
	if got, err := read(); err != nil || got.Role != kindred.RoleAgent {
		t.Fatalf("first read: %+v, %v", got, err)
	}
	lead := kindred.RoleLead
	if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Role: &lead}); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); err != nil || got.Role != kindred.RoleLead {
		t.Errorf("after a new role: %+v, %v", got, err)
	}
	if err := db.SetTeam(ctx, a.ID, "Mombasa"); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); err != nil || got.Team != "Mombasa" {
		t.Errorf("after a new team: %+v, %v", got, err)
	}
	// A copy each time: a caller's change is not the next one's.
	got, _ := read()
	got.Role = kindred.RoleAdmin
	if again, _ := read(); again.Role != kindred.RoleLead {
		t.Errorf("a caller's change to the agent reached the next caller: %s", again.Role)
	}
	off := true
	if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	if got, err := read(); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("a disabled agent's token (revoked with it): %+v, %v", got, err)
	}
}

// A token revoked by another kindred on the same database is refused here
// within tokenTTL, and not before tokenTTL only because it was read here
// just before.
func TestATokenRevokedElsewhereIsRefusedWithinTheTTL(t *testing.T) {
	dsns := map[string]string{"sqlite": filepath.Join(t.TempDir(), "two.db")}
	if base := os.Getenv("KINDRED_TEST_POSTGRES"); base != "" {
		dsns["postgres"] = freshPostgresSchema(t, base)
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			here, there := openDSN(t, dsn), openDSN(t, dsn)
			var now atomic.Int64
			now.Store(time.Now().UnixNano())
			here.now = func() time.Time { return time.Unix(0, now.Load()) }
			a := mustAgent(t, there, "Amina", "amina@desk.example", kindred.RoleAgent)
			tok := &kindred.Token{AgentID: a.ID, Name: "script", Hash: []byte("elsewhere")}
			if err := there.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if _, _, err := here.TokenByHash(ctx, tok.Hash); err != nil {
				t.Fatal(err)
			}
			if err := there.RevokeToken(ctx, tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := here.TokenByHash(ctx, tok.Hash); err != nil {
				t.Errorf("within the TTL, the token read here a moment ago: %v", err)
			}
			now.Add(int64(tokenTTL))
			if _, _, err := here.TokenByHash(ctx, tok.Hash); kindred.ErrorKind(err) != kindred.NotFound {
				t.Errorf("%s after the revocation elsewhere, the token is still taken: %v", tokenTTL, err)
			}
		})
	}
}

// A read that began before a change must not keep what it read after it.
func TestTokenCacheKeepsNoReadFromBeforeAForget(t *testing.T) {
	var c tokenCache
	now := time.Now()
	hash := []byte("h")
	_, _, gen := c.get(hash, now)
	c.forget() // a revocation commits while the read is under way
	c.put(hash, &kindred.Token{ID: 1}, &kindred.Agent{ID: 1}, now, gen)
	if t1, _, _ := c.get(hash, now); t1 != nil {
		t.Error("a read from before the change was kept")
	}
	_, _, gen = c.get(hash, now)
	c.put(hash, &kindred.Token{ID: 1}, &kindred.Agent{ID: 1}, now, gen)
	if t1, _, _ := c.get(hash, now); t1 == nil || t1.ID != 1 {
		t.Error("a read with no change since was not kept")
	}
	if t1, _, _ := c.get(hash, now.Add(tokenTTL)); t1 != nil {
		t.Error("kept past its TTL")
	}
}
