package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
)

// testDesk is a console and the JSON API on a real SQLite store, served
// over HTTP as kindred serve mounts them.
type testDesk struct {
	t       *testing.T
	db      *store.DB
	console *Console
	api     http.Handler
	srv     *httptest.Server
	seed    seeded
}

// seeded is the demo data every page can show.
type seeded struct {
	admin, agent, kiosk *kindred.Agent
	customer            *kindred.Customer
	helper              *kindred.Helper
	conv                *kindred.Conversation
	quiet               *kindred.Conversation // a calm, older conversation
	apiToken            string
}

const testPassword = "a long enough password"

func newTestDesk(t *testing.T, tweak ...func(*Config)) *testDesk {
	t.Helper()
	d := newEmptyDesk(t, tweak...)
	d.seed = seedDesk(t, d.db)
	return d
}

// featureWiring holds how each feature kept in its own files (the lobby,
// care, insights) wires its services into the console's and the API's
// configuration; each adds itself in an init function of its test file.
var featureWiring []func(cfg *Config, apiCfg *api.Config, db *store.DB)

// newEmptyDesk is a desk with no agents at all, as on a first run.
func newEmptyDesk(t *testing.T, tweak ...func(*Config)) *testDesk {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := Config{Agents: db, Customers: db, Conversations: db, Sessions: db, Analyzer: compassion.DeskAnalyzer{}}
	apiCfg := api.Config{Agents: db, Customers: db, Conversations: db, Audit: db, Outbox: db,
		Analyzer: compassion.DeskAnalyzer{}}
	for _, wire := range featureWiring {
		wire(&cfg, &apiCfg, db)
	}
	for _, f := range tweak {
		f(&cfg)
	}
	if cfg.Location != nil {
		db.SetLocation(cfg.Location) // one clock for the desk, as kindred serve sets it
	}
	console := New(cfg)
	apiCfg.OnMessage = console.Hub().Publish
	apiHandler := api.New(apiCfg)
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/", console)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(console.Hub().Close)
	return &testDesk{t: t, db: db, console: console, api: apiHandler, srv: srv}
}

// seedDesk creates agents of each role, a customer with accommodations,
// notes and a helper, and conversations with analysed messages.
func seedDesk(t *testing.T, db *store.DB) seeded {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), kindred.Actor{Name: "test"})
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	var s seeded
	mk := func(name, email string, role kindred.Role) *kindred.Agent {
		a := &kindred.Agent{Name: name, Email: email, Role: role}
		if err := db.CreateAgent(ctx, a, hash); err != nil {
			t.Fatal(err)
		}
		return a
	}
	s.admin = mk("Grace Admin", "admin@example.org", kindred.RoleAdmin)
	s.agent = mk("Amina Wanjiru", "amina@example.org", kindred.RoleAgent)
	s.kiosk = mk("Lobby kiosk", "kiosk@example.org", kindred.RoleKiosk)
	secret, thash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &kindred.Token{AgentID: s.agent.ID, Name: "test", Hash: thash}); err != nil {
		t.Fatal(err)
	}
	s.apiToken = secret

	s.customer = &kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno", Pronunciation: "BAH-bah oh-TYEH-no",
		Language: "sw", Phone: "+254712345678",
		Accommodations: []kindred.Accommodation{kindred.ExtraTime, kindred.PlainLanguage, kindred.Seating}}
	if err := db.CreateCustomer(ctx, s.customer); err != nil {
		t.Fatal(err)
	}
	calm := &kindred.Customer{Name: "Zawadi Mwangi"}
	if err := db.CreateCustomer(ctx, calm); err != nil {
		t.Fatal(err)
	}
	if err := db.AddNote(ctx, &kindred.Note{CustomerID: s.customer.ID, Body: "Last visit: his hands go numb in the cold", Sensitive: true}); err != nil {
		t.Fatal(err)
	}
	s.helper = &kindred.Helper{CustomerID: s.customer.ID, Name: "Achieng Otieno", Relation: "daughter",
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "in person at desk 3, signed form"}
	if err := db.AddHelper(ctx, s.helper); err != nil {
		t.Fatal(err)
	}

	an := compassion.DeskAnalyzer{}
	add := func(conv *kindred.Conversation, cust *kindred.Customer, dir kindred.Direction, body string, author *kindred.Agent) {
		m := &kindred.Message{ConversationID: conv.ID, Direction: dir, Body: body, AuthorName: cust.AddressAs()}
		var inReplyTo *kindred.Message
		if author != nil {
			m.AuthorID, m.AuthorName = &author.ID, author.Name
			inReplyTo, _ = db.LatestInbound(ctx, conv.ID, 0)
		}
		m.Analysis = an.Analyze(m, inReplyTo, cust)
		if err := db.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	s.quiet = &kindred.Conversation{CustomerID: calm.ID, Channel: kindred.ChannelEmail, Subject: "Change of address"}
	if err := db.CreateConversation(ctx, s.quiet); err != nil {
		t.Fatal(err)
	}
	add(s.quiet, calm, kindred.Inbound, "Hello, I have moved house. Please update my address. Thank you.", nil)

	s.conv = &kindred.Conversation{CustomerID: s.customer.ID, Channel: kindred.ChannelDesk, Subject: "Pension payment missing"}
	if err := db.CreateConversation(ctx, s.conv); err != nil {
		t.Fatal(err)
	}
	add(s.conv, s.customer, kindred.Inbound, "I am 82 years old and my pension has not arrived. I am so worried, I cannot pay for my medicine.", nil)
	add(s.conv, s.customer, kindred.Outbound, "Your payment is being processed. Please wait.", s.agent)
	add(s.conv, s.customer, kindred.Inbound, "It is still not here. My wife passed away last month and I have nobody else to ask.", nil)
	return s
}

// browser is a client with its own cookies that does not follow redirects,
// so that tests see each 303.
type browser struct {
	t      *testing.T
	d      *testDesk
	client *http.Client
}

func (d *testDesk) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		d.t.Fatal(err)
	}
	return &browser{t: d.t, d: d, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{resp, string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.d.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form as a same-origin browser would.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.d.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.d.srv.URL)
	return b.do(req)
}

// signIn signs in through the form, like a person.
func (b *browser) signIn(email string) {
	b.t.Helper()
	r := b.post("/login", url.Values{"email": {email}, "password": {testPassword}})
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d\n%s", email, r.StatusCode, r.body)
	}
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
}

func wantContains(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s %s: the page lacks %q", r.Request.Method, r.Request.URL.Path, p)
		}
	}
}

type storeTx = store.Tx

func mustHash(t *testing.T) string {
	t.Helper()
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
