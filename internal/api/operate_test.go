package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestMetricsLabelRoutesByPattern(t *testing.T) {
	d := newDesk(t)
	cust := d.newCustomer("Otieno Odhiambo")
	d.must(kindred.RoleAgent, 200, "GET", "/api/v1/customers/"+cust, nil)
	d.as(kindred.RoleAgent, "GET", "/api/v1/customers/999999", nil)
	d.as(kindred.RoleAgent, "GET", "/api/v1/no/such/"+cust, nil)
	rec := d.as(kindred.RoleLead, "GET", "/metrics", nil)
	if rec.Code != 200 {
		t.Fatalf("metrics: %d", rec.Code)
	}
	text := rec.Body.String()
	for _, want := range []string{
		`kindred_http_requests_total{code="201",method="POST",route="POST /api/v1/customers"} 1`,
		`kindred_http_requests_total{code="200",method="GET",route="GET /api/v1/customers/{id}"} 1`,
		`kindred_http_requests_total{code="404",method="GET",route="GET /api/v1/customers/{id}"} 1`,
		`kindred_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`kindred_http_request_duration_seconds_count{route="GET /api/v1/customers/{id}"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "/api/v1/customers/"+cust) || strings.Contains(text, "/no/such") {
		t.Error("metrics carry a raw path")
	}
}

// failingCustomers is the real store with one call broken, as a disk or a
// dropped database connection would break it.
type failingCustomers struct {
	kindred.CustomerService
}

func (failingCustomers) Customers(context.Context, kindred.CustomerFilter) ([]kindred.Customer, error) {
	return nil, errors.New("sqlite: disk I/O error at /var/lib/kindred/kindred.db")
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	var logs syncBuffer
	d := newDesk(t, func(c *Config) {
		c.Customers = failingCustomers{c.Customers}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	rec := d.as(kindred.RoleAgent, "GET", "/api/v1/customers", nil)
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	p := problemOf(t, rec)
	if strings.Contains(rec.Body.String(), "disk") || strings.Contains(rec.Body.String(), "/var/lib") {
		t.Errorf("the cause leaked: %+v", p)
	}
	if !strings.Contains(logs.String(), "disk I/O error") || !strings.Contains(logs.String(), "Customers") {
		t.Errorf("the cause was not logged with its operation: %s", logs.String())
	}
	if strings.Contains(logs.String(), d.tokens[kindred.RoleAgent]) {
		t.Error("a token was logged")
	}
	metrics := d.as(kindred.RoleAdmin, "GET", "/metrics", nil).Body.String()
	if !strings.Contains(metrics, `kindred_store_errors_total{op="Customers"} 1`) {
		t.Errorf("store error not counted")
	}
}

func TestPanicsBecomeProblems(t *testing.T) {
	d := newDesk(t)
	rt := route{method: "GET", path: "/api/v1/boom", roles: staff, handler: func(w http.ResponseWriter, r *http.Request) error {
		panic("boom")
	}}
	d.srv.mux.Handle(rt.pattern(), d.srv.wrap(rt))
	rec := d.as(kindred.RoleAgent, "GET", "/api/v1/boom", nil)
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	if p := problemOf(t, rec); strings.Contains(p.Detail, "boom") {
		t.Errorf("panic value leaked: %+v", p)
	}
}

func TestRequestLogsNeverCarryBodiesOrTokens(t *testing.T) {
	var logs syncBuffer
	d := newDesk(t, func(c *Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	cust := d.newCustomer("Otieno Odhiambo")
	d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cust+"/notes", map[string]any{"body": "his hands go numb", "sensitive": true})
	out := logs.String()
	for _, secret := range []string{"his hands go numb", "Otieno", d.tokens[kindred.RoleAgent]} {
		if strings.Contains(out, secret) {
			t.Errorf("log carries %q", secret)
		}
	}
	if !strings.Contains(out, `"route":"POST /api/v1/customers/{id}/notes"`) || !strings.Contains(out, `"status":201`) {
		t.Errorf("request not logged with route and status: %s", out)
	}
}

// recordingAnalyzer stands in for the compassion engine, which another team
// is writing: it records what it was given.
type recordingAnalyzer struct {
	mu        sync.Mutex
	inReplyTo []*kindred.Message
	customers []*kindred.Customer
}

func (a *recordingAnalyzer) Analyze(m *kindred.Message, inReplyTo *kindred.Message, c *kindred.Customer) *kindred.Analysis {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inReplyTo = append(a.inReplyTo, inReplyTo)
	a.customers = append(a.customers, c)
	score := 80.0
	return &kindred.Analysis{Compassion: &score, Sentiment: 0.5, Report: json.RawMessage(`{"words":["sorry"]}`)}
}

func TestRepliesAreAnalysedAgainstTheCustomersLatestMessage(t *testing.T) {
	an := &recordingAnalyzer{}
	d := newDesk(t, func(c *Config) { c.Analyzer = an })
	cust := d.newCustomer("Otieno Odhiambo")
	conv := d.newConversation(cust)
	path := "/api/v1/conversations/" + conv + "/messages"
	d.must(kindred.RoleAgent, 201, "POST", path, map[string]any{"direction": "in", "body": "First."})
	d.must(kindred.RoleAgent, 201, "POST", path, map[string]any{"direction": "in", "body": "Still nothing."})
	out := d.must(kindred.RoleAgent, 201, "POST", path, map[string]any{"direction": "out", "body": "I'm sorry. I'll check now."})
	d.must(kindred.RoleAgent, 201, "POST", path, map[string]any{"direction": "note", "body": "Checked."})

	if len(an.inReplyTo) != 3 {
		t.Fatalf("analyzer called %d times, want 3 (notes are not analysed)", len(an.inReplyTo))
	}
	if r := an.inReplyTo[2]; r == nil || r.Body != "Still nothing." {
		t.Errorf("reply analysed against %+v, want the latest inbound", r)
	}
	if an.inReplyTo[0] != nil || an.customers[2] == nil || an.customers[2].Name != "Otieno Odhiambo" {
		t.Errorf("analyzer given %v / %v", an.inReplyTo[0], an.customers[2])
	}
	a, _ := out["analysis"].(map[string]any)
	if a == nil || a["compassion"] != 80.0 {
		t.Errorf("analysis not returned: %v", out)
	}
	got := d.must(kindred.RoleAgent, 200, "GET", "/api/v1/conversations/"+conv, nil)
	msgs := got["messages"].([]any)
	if stored, _ := msgs[2].(map[string]any)["analysis"].(map[string]any); stored == nil || stored["compassion"] != 80.0 {
		t.Errorf("analysis not stored: %v", msgs[2])
	}
}

func TestNewServesOverHTTP(t *testing.T) {
	d := newDesk(t)
	h := New(Config{Agents: d.db, Customers: d.db, Conversations: d.db, Audit: d.db, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+d.tokens[kindred.RoleAgent])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
