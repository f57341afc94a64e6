package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
)

// desk is a running API on a real SQLite store in a temporary directory,
// with one agent and token per role.
type desk struct {
	t      testing.TB
	db     *store.DB
	srv    *server
	reg    *prometheus.Registry
	agents map[kindred.Role]*kindred.Agent
	tokens map[kindred.Role]string
	clock  *clock
}

// clock is a settable time for the server, so that expiry can be tested.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// system is the context for setting up fixtures: the store audits the system.
var system = context.Background()

// featureWiring holds how each feature kept in its own files (the lobby,
// care, insights) wires its service into the API's configuration; each adds
// itself in an init function of its test file.
var featureWiring []func(cfg *Config, db *store.DB)

func newDesk(t testing.TB, configure ...func(*Config)) *desk {
	t.Helper()
	db, err := store.Open(system, filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	d := &desk{t: t, db: db, reg: prometheus.NewRegistry(), clock: &clock{},
		agents: map[kindred.Role]*kindred.Agent{}, tokens: map[kindred.Role]string{}}
	cfg := Config{
		Agents: db, Customers: db, Conversations: db, Audit: db,
		Outbox:   db,
		Ready:    db.Ping,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: d.reg,
		Now:      d.clock.now,
		// The suites try the gateway callbacks out as an operator would
		// before getting a key; TestGatewayGuard covers the key.
		InsecureGateway: true,
	}
	for _, wire := range featureWiring {
		wire(&cfg, db)
	}
	for _, f := range configure {
		f(&cfg)
	}
	d.srv = newServer(cfg)
	for _, role := range kindred.Roles {
		a, secret := d.addAgent(string(role)+" one", role)
		d.agents[role], d.tokens[role] = a, secret
	}
	return d
}

// addAgent stores an agent with a token and returns both.
func (d *desk) addAgent(name string, role kindred.Role) (*kindred.Agent, string) {
	d.t.Helper()
	return d.storeAgent(&kindred.Agent{Name: name, Role: role})
}

// storeAgent stores a with a token and returns both.
func (d *desk) storeAgent(a *kindred.Agent) (*kindred.Agent, string) {
	d.t.Helper()
	if err := d.db.CreateAgent(system, a, ""); err != nil {
		d.t.Fatalf("create agent: %v", err)
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.db.CreateToken(system, &kindred.Token{AgentID: a.ID, Name: "test", Hash: hash}); err != nil {
		d.t.Fatalf("create token: %v", err)
	}
	return a, secret
}

// do sends a request with token (empty: none). body is sent as is when it is
// a string or []byte, and as JSON otherwise; nil sends no body.
func (d *desk) do(token, method, path string, body any) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.doWith(token, method, path, body, nil)
}

// doWith is do with extra headers.
func (d *desk) doWith(token, method, path string, body any, header http.Header) *httptest.ResponseRecorder {
	d.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			d.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

// as sends a request as the agent of role.
func (d *desk) as(role kindred.Role, method, path string, body any) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.do(d.tokens[role], method, path, body)
}

// must sends a request as role and fails the test unless the status is want;
// it returns the body decoded into a map.
func (d *desk) must(role kindred.Role, want int, method, path string, body any) map[string]any {
	d.t.Helper()
	rec := d.as(role, method, path, body)
	if rec.Code != want {
		d.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, rec.Code, want, rec.Body)
	}
	if rec.Body.Len() == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		d.t.Fatalf("%s %s: decode %q: %v", method, path, rec.Body, err)
	}
	return m
}

// id returns the "id" of a decoded record as a path segment.
func id(m map[string]any) string {
	f, _ := m["id"].(float64)
	return itoa(int64(f))
}

// mustList sends a request as role, fails the test unless the status is want,
// and returns the body decoded as a JSON array of records.
func (d *desk) mustList(role kindred.Role, want int, method, path string, body any) []map[string]any {
	d.t.Helper()
	rec := d.as(role, method, path, body)
	if rec.Code != want {
		d.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, rec.Code, want, rec.Body)
	}
	var list []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		d.t.Fatalf("%s %s: decode %q as a list: %v", method, path, rec.Body, err)
	}
	return list
}

// newCustomer creates a customer as an agent and returns its id.
func (d *desk) newCustomer(name string) string {
	d.t.Helper()
	return id(d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/customers", map[string]any{"name": name}))
}

// newConversation opens a conversation with customer and returns its id.
func (d *desk) newConversation(customer string) string {
	d.t.Helper()
	return id(d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/conversations",
		map[string]any{"customer_id": json.Number(customer), "channel": "desk", "subject": "Pension payment"}))
}

// problemOf decodes a problem response, failing the test if it is not one.
func problemOf(t testing.TB, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %.300s", ct, rec.Body)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("decode problem %q: %v", rec.Body, err)
	}
	if p.Status != rec.Code || p.Type == "" || p.Title == "" {
		t.Fatalf("problem %+v does not match status %d", p, rec.Code)
	}
	return p
}
