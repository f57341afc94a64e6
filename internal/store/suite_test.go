package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func testOpenAndCheck(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	v, err := db.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := latestVersion(db.Dialect()); v != want || v < 1 {
		t.Fatalf("version %d, want %d", v, want)
	}
}

func testMigrationsIdempotent(t *testing.T, s suite) {
	db, dsn := s.open(t)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri"})
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	again := openDSN(t, dsn)
	got, err := again.Customer(context.Background(), c.ID)
	if err != nil {
		t.Fatalf("reopened store lost the customer: %v", err)
	}
	if got.Name != c.Name {
		t.Fatalf("got %q", got.Name)
	}
	if n := count(t, again, "SELECT COUNT(*) FROM schema_migrations"); n != latestVersion(again.Dialect()) {
		t.Fatalf("%d migrations recorded, want %d", n, latestVersion(again.Dialect()))
	}
}

func testConcurrentOpen(t *testing.T, s suite) {
	dsn := s.fresh(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			db, err := Open(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			errs <- db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent open: %v", err)
		}
	}
	db := openDSN(t, dsn)
	if err := db.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func testAgentsAndTokens(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	lead := mustAgent(t, db, "Wanjiru", "Wanjiru@Desk.example", kindred.RoleAdmin)
	mustAgent(t, db, "Bot", "", kindred.RoleAgent)
	mustAgent(t, db, "Bot 2", "", kindred.RoleAgent) // service accounts share the empty email
	if err := db.CreateAgent(ctx, &kindred.Agent{Name: "Off", Email: "off@desk.example", Role: kindred.RoleAdmin, Disabled: true}, ""); err != nil {
		t.Fatal(err)
	}

	got, hash, err := db.AgentByEmail(ctx, "wanjiru@desk.EXAMPLE")
	if err != nil {
		t.Fatalf("by email: %v", err)
	}
	if got.ID != lead.ID || hash != "hash-Wanjiru" || got.Role != kindred.RoleAdmin || !got.CreatedAt.Equal(lead.CreatedAt) {
		t.Fatalf("by email: got %+v %q", got, hash)
	}
	if a, err := db.Agent(ctx, lead.ID); err != nil || a.Email != "Wanjiru@Desk.example" {
		t.Fatalf("agent: %+v %v", a, err)
	}
	agents, err := db.Agents(ctx)
	if err != nil || len(agents) != 4 {
		t.Fatalf("agents: %d %v", len(agents), err)
	}
	if n, err := db.CountAdmins(ctx); err != nil || n != 1 {
		t.Fatalf("admins: %d %v (a disabled admin does not count)", n, err)
	}
	// An API-only admin cannot sign in, so it does not count either.
	if err := db.CreateAgent(ctx, &kindred.Agent{Name: "Admin bot", Role: kindred.RoleAdmin}, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountAdmins(ctx); err != nil || n != 1 {
		t.Fatalf("admins: %d %v (an admin without email and password does not count)", n, err)
	}

	tok := &kindred.Token{AgentID: lead.ID, Name: "ci", Hash: []byte{1, 2, 3, 4}}
	if err := db.CreateToken(ctxAs(lead.ID, lead.Name), tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	gt, ga, err := db.TokenByHash(ctx, []byte{1, 2, 3, 4})
	if err != nil {
		t.Fatalf("token by hash: %v", err)
	}
	if gt.ID != tok.ID || gt.Name != "ci" || ga.ID != lead.ID || gt.RevokedAt != nil {
		t.Fatalf("token by hash: %+v %+v", gt, ga)
	}
	wantKind(t, db.CreateToken(ctx, &kindred.Token{AgentID: lead.ID, Name: "dup", Hash: []byte{1, 2, 3, 4}}), kindred.Conflict)
	wantField(t, db.CreateToken(ctx, &kindred.Token{AgentID: 999, Name: "x", Hash: []byte{9}}), "agent_id")

	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatalf("revoke again: %v", err)
	}
	_, _, err = db.TokenByHash(ctx, []byte{1, 2, 3, 4})
	wantKind(t, err, kindred.NotFound)
	wantKind(t, db.RevokeToken(ctx, 999), kindred.NotFound)

	tok2 := &kindred.Token{AgentID: lead.ID, Name: "sms gateway", Hash: []byte{5, 6, 7, 8}}
	if err := db.CreateToken(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	toks, err := db.Tokens(ctx)
	if err != nil || len(toks) != 2 {
		t.Fatalf("tokens: %+v %v", toks, err)
	}
	if toks[0].ID != tok2.ID || toks[0].RevokedAt != nil || toks[1].ID != tok.ID || toks[1].RevokedAt == nil || toks[1].Hash != nil {
		t.Fatalf("tokens: want newest first, revoked marked, no hashes; got %+v", toks)
	}

	got2 := auditActions(t, db, kindred.AuditFilter{Subject: "agent", SubjectID: lead.ID})
	want := []string{"token.create", "token.revoke", "token.create", "agent.create"}
	if !slices.Equal(got2, want) {
		t.Fatalf("audit %v, want %v", got2, want)
	}
	entries, _ := db.Audit(ctx, kindred.AuditFilter{Subject: "agent", SubjectID: lead.ID})
	for _, e := range entries {
		if strings.Contains(e.Detail, "\x01") {
			t.Fatalf("token secret in audit: %q", e.Detail)
		}
	}
	// entries: [token.create (sms gateway, no actor), token.revoke (no actor), token.create (by the lead), agent.create]
	if entries[2].ActorID != lead.ID || entries[2].ActorName != "Wanjiru" {
		t.Fatalf("token.create actor %d %q", entries[2].ActorID, entries[2].ActorName)
	}
	if entries[1].ActorID != 0 || entries[1].ActorName != "system" {
		t.Fatalf("revoke without actor recorded %d %q, want the system", entries[1].ActorID, entries[1].ActorName)
	}
}

// testDisablingEndsSessionsAndTokensForGood: re-enabling an agent does not
// revive the sessions and tokens it had before it was disabled.
func testDisablingEndsSessionsAndTokensForGood(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	mustAgent(t, db, "Admin", "admin@desk.example", kindred.RoleAdmin)
	a := mustAgent(t, db, "Amina", "amina@desk.example", kindred.RoleAgent)
	sess := &kindred.Session{AgentID: a.ID, Hash: []byte("session-secret-hash"), ExpiresAt: db.clock().Add(time.Hour)}
	if err := db.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &kindred.Token{AgentID: a.ID, Name: "script", Hash: []byte("token-hash")}); err != nil {
		t.Fatal(err)
	}
	set := func(disabled bool) {
		t.Helper()
		if _, err := db.UpdateAgent(ctx, a.ID, kindred.AgentUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
	}
	set(true)
	set(false)
	if _, _, err := db.SessionByHash(ctx, sess.Hash, db.clock(), time.Hour); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("session after disable and enable: %v, want NotFound", err)
	}
	if _, _, err := db.TokenByHash(ctx, []byte("token-hash")); kindred.ErrorKind(err) != kindred.NotFound {
		t.Errorf("token after disable and enable: %v, want NotFound", err)
	}
	// A new session works once enabled again.
	fresh := &kindred.Session{AgentID: a.ID, Hash: []byte("new-session"), ExpiresAt: db.clock().Add(time.Hour)}
	if err := db.CreateSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionByHash(ctx, fresh.Hash, db.clock(), time.Hour); err != nil {
		t.Errorf("new session: %v", err)
	}
}

func testAgentEmailConflict(t *testing.T, s suite) {
	db, _ := s.open(t)
	mustAgent(t, db, "Wanjiru", "wanjiru@desk.example", kindred.RoleAgent)
	err := db.CreateAgent(context.Background(), &kindred.Agent{Name: "Other", Email: "WANJIRU@desk.example", Role: kindred.RoleAgent}, "")
	wantKind(t, err, kindred.Conflict)
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ?", "agent.create"); n != 1 {
		t.Fatalf("%d agent.create entries, want 1", n)
	}
}

func testCustomersCRUD(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(7, "Otieno")
	c := &kindred.Customer{
		Name: "Baraka Otieno", PreferredName: "Baba Otieno", Pronunciation: "BAH-bah oh-TYEH-no",
		Language: "sw", Phone: "+254712345678", Email: "baraka@example.org",
		Accommodations:     []kindred.Accommodation{kindred.LargeText, kindred.Seating},
		AccommodationNotes: "hands go numb in the cold",
	}
	if err := db.CreateCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := db.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, *c)
	}

	u, err := db.UpdateCustomer(ctx, c.ID, kindred.CustomerUpdate{
		PreferredName:  ptr("Mzee Baraka"),
		Accommodations: &[]kindred.Accommodation{kindred.ReadAloud},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.PreferredName != "Mzee Baraka" || !slices.Equal(u.Accommodations, []kindred.Accommodation{kindred.ReadAloud}) ||
		u.Name != c.Name || !u.UpdatedAt.After(c.UpdatedAt) {
		t.Fatalf("updated: %+v", u)
	}
	got, _ = db.Customer(ctx, c.ID)
	if !reflect.DeepEqual(got, u) {
		t.Fatalf("read after update\n%+v\nwant\n%+v", *got, *u)
	}
	entries, _ := db.Audit(ctx, kindred.AuditFilter{Subject: "customer", SubjectID: c.ID})
	if len(entries) != 2 || entries[0].Action != "customer.update" || entries[1].Action != "customer.create" {
		t.Fatalf("audit: %+v", entries)
	}
	if entries[0].ActorID != 7 || entries[0].ActorName != "Otieno" {
		t.Fatalf("actor: %+v", entries[0])
	}
	if strings.Contains(entries[0].Detail, "Mzee") {
		t.Fatalf("audit detail holds the new value: %q", entries[0].Detail)
	}

	// An update that changes nothing writes nothing.
	if _, err := db.UpdateCustomer(ctx, c.ID, kindred.CustomerUpdate{Name: ptr(c.Name)}); err != nil {
		t.Fatal(err)
	}
	if n := len(auditActions(t, db, kindred.AuditFilter{Subject: "customer", SubjectID: c.ID})); n != 2 {
		t.Fatalf("no-op update was audited: %d entries", n)
	}

	wantField(t, db.CreateCustomer(ctx, &kindred.Customer{Name: "X", Accommodations: []kindred.Accommodation{"jetpack"}}), "accommodations")
	wantField(t, db.CreateCustomer(ctx, &kindred.Customer{Name: "  "}), "name")
	_, err = db.UpdateCustomer(ctx, c.ID, kindred.CustomerUpdate{Name: ptr("")})
	wantField(t, err, "name")
}

func testCustomersSearch(t *testing.T, s suite) {
	db, _ := s.open(t)
	mustCustomer(t, db, kindred.Customer{Name: "Achieng Odhiambo", Phone: "+254 700 111222", Email: "achieng@mail.example"})
	mustCustomer(t, db, kindred.Customer{Name: "Baraka Otieno", PreferredName: "Baba Otieno", Phone: "+254712345678"})
	mustCustomer(t, db, kindred.Customer{Name: "Chebet Kiprop", Email: "CHEBET@Example.org"})
	mustCustomer(t, db, kindred.Customer{Name: "Dan 100%_real"})
	mustCustomer(t, db, kindred.Customer{Name: "ZOË Émile"})

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Achieng Odhiambo", "Baraka Otieno", "Chebet Kiprop", "Dan 100%_real", "ZOË Émile"}},
		{"zoë émile", []string{"ZOË Émile"}},
		{"otieno\nbaba", nil},
		{"otieno", []string{"Baraka Otieno"}},
		{"BABA", []string{"Baraka Otieno"}},
		{"example.org", []string{"Chebet Kiprop"}},
		{"chebet@", []string{"Chebet Kiprop"}},
		// Written the national way, with the trunk 0: the same number
		// (issue 13: "0722 000 111" finds +254722000111).
		{"0712 345", []string{"Baraka Otieno"}},
		{"712 345", []string{"Baraka Otieno"}},
		{"+254712", []string{"Baraka Otieno"}},
		{"700111", []string{"Achieng Odhiambo"}},
		{"254", []string{"Achieng Odhiambo", "Baraka Otieno"}},
		{"o", []string{"Achieng Odhiambo", "Baraka Otieno", "Chebet Kiprop", "ZOË Émile"}},
		{"100%", []string{"Dan 100%_real"}},
		{"%", []string{"Dan 100%_real"}},
		{"_", []string{"Dan 100%_real"}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			cs, err := db.Customers(context.Background(), kindred.CustomerFilter{Query: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cs {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Fatalf("query %q: got %v, want %v", tt.query, names, tt.want)
			}
		})
	}
}

func testCustomersPaging(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *Tx) error { // 520 rows quickly, straight in
		for i := range 520 {
			if _, err := tx.Exec(ctx, "INSERT INTO customers (name, created_at, updated_at) VALUES (?, 0, 0)", fmt.Sprintf("Customer %04d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		page      kindred.Page
		wantLen   int
		wantFirst string
	}{
		{"default limit is 50", kindred.Page{}, 50, "Customer 0000"},
		{"limit is capped at 500", kindred.Page{Limit: 1000}, 500, "Customer 0000"},
		{"offset skips", kindred.Page{Limit: 10, Offset: 515}, 5, "Customer 0515"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.Customers(ctx, kindred.CustomerFilter{Page: tt.page})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != tt.wantLen || cs[0].Name != tt.wantFirst {
				t.Fatalf("got %d starting %q", len(cs), cs[0].Name)
			}
		})
	}
}

func testNotes(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(3, "Njoroge")
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	plain := &kindred.Note{CustomerID: c.ID, Body: "prefers the morning desk"}
	if err := db.AddNote(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if plain.AuthorID != 3 || plain.AuthorName != "Njoroge" {
		t.Fatalf("author not taken from the actor: %+v", plain)
	}
	notes, err := db.Notes(ctx, c.ID)
	if err != nil || len(notes) != 1 {
		t.Fatalf("notes: %v %v", notes, err)
	}
	if slices.Contains(auditActions(t, db, kindred.AuditFilter{}), "note.read_sensitive") {
		t.Fatal("reading plain notes was recorded as a sensitive read")
	}

	secret := "her husband died in March"
	sens := &kindred.Note{CustomerID: c.ID, Body: secret, Sensitive: true}
	if err := db.AddNote(ctx, sens); err != nil {
		t.Fatal(err)
	}
	notes, err = db.Notes(ctxAs(4, "Kamau"), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].ID != sens.ID || notes[0].Body != secret || !notes[0].Sensitive || notes[1].ID != plain.ID {
		t.Fatalf("notes newest first: %+v", notes)
	}
	entries, _ := db.Audit(ctx, kindred.AuditFilter{Subject: "customer", SubjectID: c.ID})
	if entries[0].Action != "note.read_sensitive" || entries[0].ActorID != 4 {
		t.Fatalf("sensitive read not audited: %+v", entries[0])
	}
	all, _ := db.Audit(ctx, kindred.AuditFilter{})
	for _, e := range all {
		if strings.Contains(e.Detail, "husband") || strings.Contains(e.Detail, "morning") {
			t.Fatalf("note body in the audit log: %+v", e)
		}
	}

	wantField(t, db.AddNote(ctx, &kindred.Note{CustomerID: 999, Body: "x"}), "customer_id")
	wantField(t, db.AddNote(ctx, &kindred.Note{CustomerID: c.ID, Body: " "}), "body")
	_, err = db.Notes(ctx, 999)
	wantKind(t, err, kindred.NotFound)
}

func testHelpers(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(5, "Desk 3")
	c := mustCustomer(t, db, kindred.Customer{Name: "Mzee Kariuki"})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	son := &kindred.Helper{CustomerID: c.ID, Name: "Peter Kariuki", Relation: "son", Phone: "+254711000111",
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "in person at desk 3, signed form"}
	neighbour := &kindred.Helper{CustomerID: c.ID, Name: "Mama Wairimu", Relation: "neighbour",
		Scopes:  []kindred.HelperScope{kindred.ScopeActOnConversations, kindred.ScopeReceiveCodes},
		Consent: "phone call, recorded", ExpiresAt: ptr(now.Add(-time.Hour))}
	for _, h := range []*kindred.Helper{son, neighbour} {
		if err := db.AddHelper(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if son.CreatedBy != 5 || son.ConsentAt.IsZero() {
		t.Fatalf("defaults: %+v", son)
	}
	got, err := db.Helper(ctx, son.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, son) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, *son)
	}
	if !got.Active(now) || !got.Can(kindred.ScopeReceiveCodes, now) || got.Can(kindred.ScopeActOnConversations, now) {
		t.Fatalf("son's authority wrong: %+v", got)
	}
	hs, err := db.Helpers(ctx, c.ID)
	if err != nil || len(hs) != 2 {
		t.Fatalf("helpers: %v %v", hs, err)
	}
	if hs[1].Active(now) || hs[1].Can(kindred.ScopeReceiveCodes, now) || !hs[1].Active(now.Add(-2*time.Hour)) {
		t.Fatalf("expired helper still active: %+v", hs[1])
	}

	revokedAt := now.Add(time.Minute)
	r, err := db.RevokeHelper(ctx, son.ID, revokedAt)
	if err != nil {
		t.Fatal(err)
	}
	if r.RevokedAt == nil || !r.RevokedAt.Equal(revokedAt) || r.Active(now) {
		t.Fatalf("revoked: %+v", r)
	}
	again, err := db.RevokeHelper(ctx, son.ID, revokedAt.Add(time.Hour))
	if err != nil || !again.RevokedAt.Equal(revokedAt) {
		t.Fatalf("revoking again moved the revocation: %+v %v", again, err)
	}
	got, _ = db.Helper(ctx, son.ID)
	if got.Active(now) || got.Can(kindred.ScopeReceiveCodes, now) {
		t.Fatalf("revoked helper still active after reading back: %+v", got)
	}
	if a := auditActions(t, db, kindred.AuditFilter{Subject: "helper", SubjectID: son.ID}); !slices.Equal(a, []string{"helper.revoke", "helper.create"}) {
		t.Fatalf("audit: %v", a)
	}

	wantField(t, db.AddHelper(ctx, &kindred.Helper{CustomerID: 999, Name: "x", Consent: "y", Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}}), "customer_id")
	wantField(t, db.AddHelper(ctx, &kindred.Helper{CustomerID: c.ID, Name: "x", Consent: "y", Scopes: []kindred.HelperScope{"all"}}), "scopes")
	wantField(t, db.AddHelper(ctx, &kindred.Helper{CustomerID: c.ID, Name: "x", Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}}), "consent")
	_, err = db.RevokeHelper(ctx, 999, now)
	wantKind(t, err, kindred.NotFound)
	_, err = db.Helper(ctx, 999)
	wantKind(t, err, kindred.NotFound)
}

func testConversationsFilter(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	a1 := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	a2 := mustAgent(t, db, "Kamau", "k@desk.example", kindred.RoleAgent)
	c1 := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	c2 := mustCustomer(t, db, kindred.Customer{Name: "Baraka"})

	// Created in this order, so each is updated later than the one before.
	desk := mustConversation(t, db, kindred.Conversation{CustomerID: c1.ID, Channel: kindred.ChannelDesk, Subject: "pension form", AssigneeID: &a1.ID, Tags: []string{"pension", " forms ", "pension"}})
	email := mustConversation(t, db, kindred.Conversation{CustomerID: c1.ID, Channel: kindred.ChannelEmail, Subject: "refund"})
	sms := mustConversation(t, db, kindred.Conversation{CustomerID: c2.ID, Channel: kindred.ChannelSMS, AssigneeID: &a2.ID, Status: kindred.StatusResolved, Priority: kindred.PriorityHigh})
	chat := mustConversation(t, db, kindred.Conversation{CustomerID: c2.ID, Channel: kindred.ChannelChat, AssigneeID: &a1.ID})

	if !slices.Equal(desk.Tags, []string{"forms", "pension"}) {
		t.Fatalf("tags not normalised: %q", desk.Tags)
	}
	if email.Status != kindred.StatusOpen || email.Priority != kindred.PriorityNormal {
		t.Fatalf("defaults: %+v", email)
	}
	if sms.ResolvedAt == nil {
		t.Fatal("created resolved without ResolvedAt")
	}
	got, err := db.Conversation(ctx, desk.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, desk) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, *desk)
	}

	ids := func(cs []kindred.Conversation) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		filter kindred.ConversationFilter
		want   []int64
	}{
		{"all, newest updated first", kindred.ConversationFilter{}, []int64{chat.ID, sms.ID, email.ID, desk.ID}},
		{"status", kindred.ConversationFilter{Status: kindred.StatusOpen}, []int64{chat.ID, email.ID, desk.ID}},
		{"channel", kindred.ConversationFilter{Channel: kindred.ChannelSMS}, []int64{sms.ID}},
		{"assignee", kindred.ConversationFilter{AssigneeID: a1.ID}, []int64{chat.ID, desk.ID}},
		{"unassigned", kindred.ConversationFilter{Unassigned: true}, []int64{email.ID}},
		{"customer", kindred.ConversationFilter{CustomerID: c2.ID}, []int64{chat.ID, sms.ID}},
		{"combined", kindred.ConversationFilter{CustomerID: c1.ID, Channel: kindred.ChannelDesk}, []int64{desk.ID}},
		{"page", kindred.ConversationFilter{Page: kindred.Page{Limit: 2, Offset: 1}}, []int64{sms.ID, email.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.Conversations(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(cs), tt.want) {
				t.Fatalf("got %v, want %v", ids(cs), tt.want)
			}
		})
	}
	cs, _ := db.Conversations(ctx, kindred.ConversationFilter{Channel: kindred.ChannelDesk})
	if !slices.Equal(cs[0].Tags, []string{"forms", "pension"}) {
		t.Fatalf("listing lost tags: %q", cs[0].Tags)
	}
	cs, _ = db.Conversations(ctx, kindred.ConversationFilter{Channel: kindred.ChannelEmail})
	if cs[0].Tags == nil || len(cs[0].Tags) != 0 {
		t.Fatalf("untagged conversation tags = %#v, want empty", cs[0].Tags)
	}

	wantField(t, db.CreateConversation(ctx, &kindred.Conversation{CustomerID: 999, Channel: kindred.ChannelDesk}), "customer_id")
	wantField(t, db.CreateConversation(ctx, &kindred.Conversation{CustomerID: c1.ID, Channel: kindred.ChannelDesk, AssigneeID: ptr[int64](999)}), "assignee_id")
	wantField(t, db.CreateConversation(ctx, &kindred.Conversation{CustomerID: c1.ID, Channel: "pigeon"}), "channel")
}

func testConversationUpdate(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Lead")
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk, Tags: []string{"a", "b"}})

	resolved := kindred.StatusResolved
	u, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{
		Subject: ptr("lost card"), Status: &resolved, Priority: ptr(kindred.PriorityUrgent),
		AssigneeID: &a.ID, Tags: &[]string{"card", "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Subject != "lost card" || u.Status != resolved || u.ResolvedAt == nil || u.Priority != kindred.PriorityUrgent ||
		u.AssigneeID == nil || *u.AssigneeID != a.ID || !slices.Equal(u.Tags, []string{"b", "card"}) || !u.UpdatedAt.After(conv.UpdatedAt) {
		t.Fatalf("updated: %+v", u)
	}
	got, _ := db.Conversation(ctx, conv.ID, false)
	if !reflect.DeepEqual(got, u) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, *u)
	}
	firstResolution := *u.ResolvedAt

	// Resolving again keeps the time of the resolution.
	u, err = db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: &resolved, Tags: &[]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if !u.ResolvedAt.Equal(firstResolution) || len(u.Tags) != 0 {
		t.Fatalf("second resolve: %+v", u)
	}
	u, err = db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: ptr(kindred.StatusOpen), Unassign: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.ResolvedAt != nil || u.AssigneeID != nil || u.Status != kindred.StatusOpen {
		t.Fatalf("reopen and unassign: %+v", u)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM conversation_tags WHERE conversation_id = ?", conv.ID); n != 0 {
		t.Fatalf("%d tags left", n)
	}
	if acts := auditActions(t, db, kindred.AuditFilter{Subject: "conversation", SubjectID: conv.ID}); !slices.Equal(acts,
		[]string{"conversation.update", "conversation.update", "conversation.update", "conversation.create"}) {
		t.Fatalf("audit: %v", acts)
	}

	_, err = db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{AssigneeID: ptr[int64](999)})
	wantField(t, err, "assignee_id")
	_, err = db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: ptr(kindred.Status("lost"))})
	wantField(t, err, "status")
	_, err = db.UpdateConversation(ctx, 999, kindred.ConversationUpdate{Subject: ptr("x")})
	wantKind(t, err, kindred.NotFound)
}

func testAddMessage(t *testing.T, s suite) {
	db, _ := s.open(t)
	a := mustAgent(t, db, "Wanjiru", "w@desk.example", kindred.RoleAgent)
	agentCtx := ctxAs(a.ID, a.Name)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat})
	ctx := context.Background()

	read := func() *kindred.Conversation {
		t.Helper()
		got, err := db.Conversation(ctx, conv.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	in1 := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, AuthorName: "Amina", Body: "my card is lost"})
	got := read()
	if got.Status != kindred.StatusWaitingOnUs || got.FirstResponseAt != nil || !got.UpdatedAt.Equal(in1.CreatedAt) {
		t.Fatalf("after inbound: %+v", got)
	}

	note := mustMessage(t, db, agentCtx, kindred.Message{ConversationID: conv.ID, Direction: kindred.InternalNote, Body: "check the branch"})
	if note.AuthorID == nil || *note.AuthorID != a.ID || note.AuthorName != "Wanjiru" {
		t.Fatalf("note author not taken from actor: %+v", note)
	}
	if got = read(); got.Status != kindred.StatusWaitingOnUs || got.FirstResponseAt != nil {
		t.Fatalf("an internal note changed the conversation: %+v", got)
	}

	out1 := mustMessage(t, db, agentCtx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "I'm sorry, let's fix it"})
	got = read()
	if got.Status != kindred.StatusWaitingOnCustomer || got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(out1.CreatedAt) {
		t.Fatalf("after first reply: %+v", got)
	}
	mustMessage(t, db, agentCtx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "new card on its way"})
	if got = read(); !got.FirstResponseAt.Equal(out1.CreatedAt) {
		t.Fatalf("first response time moved: %v", got.FirstResponseAt)
	}

	if _, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Status: ptr(kindred.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	mustMessage(t, db, agentCtx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "anything else?"})
	if got = read(); got.Status != kindred.StatusResolved || got.ResolvedAt == nil {
		t.Fatalf("our reply reopened a resolved conversation: %+v", got)
	}
	in2 := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "it came, thanks... but the PIN?"})
	got = read()
	if got.Status != kindred.StatusWaitingOnUs || got.ResolvedAt != nil || !got.UpdatedAt.Equal(in2.CreatedAt) {
		t.Fatalf("inbound did not reopen: %+v", got)
	}
	if len(got.Messages) != 6 || got.Messages[0].ID != in1.ID || got.Messages[5].ID != in2.ID {
		t.Fatalf("messages not oldest first: %d", len(got.Messages))
	}
	if m := got.Messages[0]; m.Body != in1.Body || m.AuthorName != "Amina" || m.AuthorID != nil || m.Analysis != nil || !m.CreatedAt.Equal(in1.CreatedAt) {
		t.Fatalf("message read back: %+v", m)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ? AND subject_id = ?", "message.create", conv.ID); n != 6 {
		t.Fatalf("%d message.create entries, want 6", n)
	}

	// A helper writing for the customer.
	h := &kindred.Helper{CustomerID: c.ID, Name: "Peter", Consent: "signed", Scopes: []kindred.HelperScope{kindred.ScopeActOnConversations}}
	if err := db.AddHelper(ctx, h); err != nil {
		t.Fatal(err)
	}
	hm := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, HelperID: &h.ID, AuthorName: "Peter", Body: "for my mother"})
	if got = read(); *got.Messages[len(got.Messages)-1].HelperID != h.ID || got.Messages[len(got.Messages)-1].ID != hm.ID {
		t.Fatal("helper id lost")
	}

	other := mustCustomer(t, db, kindred.Customer{Name: "Other"})
	oh := &kindred.Helper{CustomerID: other.ID, Name: "Stranger", Consent: "signed", Scopes: []kindred.HelperScope{kindred.ScopeActOnConversations}}
	if err := db.AddHelper(ctx, oh); err != nil {
		t.Fatal(err)
	}
	wantField(t, db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, HelperID: &oh.ID, Body: "x"}), "helper_id")
	wantField(t, db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, AuthorID: ptr[int64](999), Body: "x"}), "author_id")
	wantField(t, db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: "sideways", Body: "x"}), "direction")
	wantField(t, db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: ""}), "body")
	wantKind(t, db.AddMessage(ctx, &kindred.Message{ConversationID: 999, Direction: kindred.Inbound, Body: "x"}), kindred.NotFound)
}

func testAnalysisRoundTrip(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelEmail})
	report := json.RawMessage(`{"distress":{"score":0.82,"words":["scared","alone"]},"vulnerability":["bereavement"]}`)
	in := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "I'm scared and alone",
		Analysis: &kindred.Analysis{Sentiment: -0.6124, Distress: ptr(0.8234567891234), Report: report}})
	out := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "I'm so sorry",
		Analysis: &kindred.Analysis{Sentiment: 0.1, Compassion: ptr(87.5), Report: json.RawMessage(`{"warmth":0.9}`)}})

	got, err := db.Conversation(ctx, conv.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Messages[0].Analysis
	if a == nil || a.Sentiment != -0.6124 || a.Distress == nil || *a.Distress != 0.8234567891234 || a.Compassion != nil || string(a.Report) != string(report) {
		t.Fatalf("inbound analysis: %+v (id %d)", a, in.ID)
	}
	a = got.Messages[1].Analysis
	if a == nil || a.Compassion == nil || *a.Compassion != 87.5 || a.Distress != nil || string(a.Report) != `{"warmth":0.9}` {
		t.Fatalf("reply analysis: %+v (id %d)", a, out.ID)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM messages WHERE distress > 0.8"); n != 1 {
		t.Fatalf("distress not queryable as a number: %d", n)
	}
}

func testLatestInbound(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat})
	if m, err := db.LatestInbound(ctx, conv.ID, 0); err != nil || m != nil {
		t.Fatalf("empty conversation: %+v %v", m, err)
	}
	in1 := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "one"})
	out := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Outbound, Body: "reply"})
	in2 := mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "two"})
	tests := []struct {
		name     string
		beforeID int64
		want     int64
	}{
		{"newest overall", 0, in2.ID},
		{"before our reply", out.ID, in1.ID},
		{"before the second", in2.ID, in1.ID},
		{"before the first", in1.ID, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := db.LatestInbound(ctx, conv.ID, tt.beforeID)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if m != nil {
				got = m.ID
			}
			if got != tt.want {
				t.Fatalf("got message %d, want %d", got, tt.want)
			}
		})
	}
	_, err := db.LatestInbound(ctx, 999, 0)
	wantKind(t, err, kindred.NotFound)
}

func testErrorKinds(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  func() error
		kind kindred.Kind
	}{
		{"missing agent", func() error { _, err := db.Agent(ctx, 42); return err }, kindred.NotFound},
		{"missing agent email", func() error { _, _, err := db.AgentByEmail(ctx, "nobody@x"); return err }, kindred.NotFound},
		{"missing customer", func() error { _, err := db.Customer(ctx, 42); return err }, kindred.NotFound},
		{"update missing customer", func() error { _, err := db.UpdateCustomer(ctx, 42, kindred.CustomerUpdate{Name: ptr("x")}); return err }, kindred.NotFound},
		{"missing helpers' customer", func() error { _, err := db.Helpers(ctx, 42); return err }, kindred.NotFound},
		{"missing conversation", func() error { _, err := db.Conversation(ctx, 42, true); return err }, kindred.NotFound},
		{"invalid role", func() error { return db.CreateAgent(ctx, &kindred.Agent{Name: "x", Role: "boss"}, "") }, kindred.Invalid},
		{"empty audit record", func() error { return db.Record(ctx, &kindred.AuditEntry{}) }, kindred.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantKind(t, tt.err(), tt.kind) })
	}
}

// testCancelledWrite: a request cancelled while its transaction runs (a
// client gone, a server shutting down) is either written and told so, or
// told that it was cancelled and not written. On PostgreSQL database/sql
// rolls the transaction back once its context ends, so its commit fails;
// that failure names the cancellation, not a transaction "already committed
// or rolled back". A group commit on SQLite runs the write detached from its
// context and commits it.
func testCancelledWrite(t *testing.T, s suite) {
	db, _ := s.open(t)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk})
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		body := fmt.Sprintf("cancelled %d", i)
		err := db.Tx(ctx, func(tx *Tx) error {
			if err := tx.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: body}); err != nil {
				return err
			}
			cancel()
			time.Sleep(20 * time.Millisecond) // let database/sql see the end of the context
			return nil
		})
		cancel()
		n := count(t, db, "SELECT COUNT(*) FROM messages WHERE body = ?", body)
		switch {
		case err == nil && n != 1:
			t.Fatalf("write %d acknowledged but %d rows", i, n)
		case err != nil && !errors.Is(err, context.Canceled):
			t.Fatalf("write %d: %v, want the cancellation", i, err)
		case err != nil && n != 0:
			t.Fatalf("write %d refused but %d rows written", i, n)
		}
	}
}

func testFailedMutation(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk, Subject: "before"})
	before := count(t, db, "SELECT COUNT(*) FROM audit")

	// A change refused half way leaves neither its rows nor its audit entry.
	_, err := db.UpdateConversation(ctx, conv.ID, kindred.ConversationUpdate{Subject: ptr("after"), AssigneeID: ptr[int64](999)})
	wantField(t, err, "assignee_id")
	if got, _ := db.Conversation(ctx, conv.ID, false); got.Subject != "before" {
		t.Fatalf("subject changed by a failed update: %q", got.Subject)
	}
	wantField(t, db.CreateConversation(ctx, &kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelDesk, AssigneeID: ptr[int64](999), Tags: []string{"x"}}), "assignee_id")
	if n := count(t, db, "SELECT COUNT(*) FROM conversations"); n != 1 {
		t.Fatalf("%d conversations, want 1", n)
	}

	// The audit entry and the change commit or roll back together.
	boom := fmt.Errorf("boom")
	err = db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO customers (name, created_at, updated_at) VALUES (?, 0, 0)", "Ghost"); err != nil {
			return err
		}
		if err := tx.Audit(ctx, "customer.create", "customer", 0, ""); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("got %v, want the function's error", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM customers WHERE name = ?", "Ghost"); n != 0 {
		t.Fatal("rolled-back customer is there")
	}
	if after := count(t, db, "SELECT COUNT(*) FROM audit"); after != before {
		t.Fatalf("audit grew from %d to %d through failed changes", before, after)
	}
}

func testAuditAppendOnly(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	for _, q := range []string{
		"UPDATE audit SET detail = 'tampered'",
		"DELETE FROM audit",
	} {
		t.Run(strings.Fields(q)[0], func(t *testing.T) {
			err := db.Tx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, q)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: got %v, want the append-only refusal", q, err)
			}
		})
	}
	entries, _ := db.Audit(ctx, kindred.AuditFilter{})
	if len(entries) != 1 || entries[0].Detail == "tampered" {
		t.Fatalf("audit changed: %+v", entries)
	}
}

func testAuditFilter(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(9, "Auditor")
	e := &kindred.AuditEntry{Action: "report.export", Subject: "report", SubjectID: 3, Detail: "monthly"}
	if err := db.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.ActorID != 9 || e.ActorName != "Auditor" || e.At.IsZero() {
		t.Fatalf("record: %+v", e)
	}
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	if _, err := db.UpdateCustomer(ctx, c.ID, kindred.CustomerUpdate{Phone: ptr("+254700000000")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter kindred.AuditFilter
		want   []string
	}{
		{"all newest first", kindred.AuditFilter{}, []string{"customer.update", "customer.create", "report.export"}},
		{"subject", kindred.AuditFilter{Subject: "customer"}, []string{"customer.update", "customer.create"}},
		{"subject id", kindred.AuditFilter{Subject: "report", SubjectID: 3}, []string{"report.export"}},
		{"actor", kindred.AuditFilter{ActorID: 9}, []string{"customer.update", "report.export"}},
		{"page", kindred.AuditFilter{Page: kindred.Page{Limit: 1, Offset: 1}}, []string{"customer.create"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auditActions(t, db, tt.filter); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	all, _ := db.Audit(ctx, kindred.AuditFilter{})
	if got := all[2]; got.ID != e.ID || !got.At.Equal(e.At) || got.Detail != "monthly" {
		t.Fatalf("read back %+v, want %+v", got, e)
	}
}

// testConcurrentMessages adds messages from many goroutines at once, as the
// API does under load: none may fail (on SQLite: no SQLITE_BUSY) and none may
// be lost.
func testConcurrentMessages(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	shared := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			own := kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelSMS}
			if err := db.CreateConversation(ctx, &own); err != nil {
				errs <- err
				return
			}
			for i := range each {
				conv := shared.ID
				if i%2 == 1 {
					conv = own.ID
				}
				dir := kindred.Inbound
				if w%2 == 1 {
					dir = kindred.Outbound
				}
				if err := db.AddMessage(ctx, &kindred.Message{ConversationID: conv, Direction: dir, Body: fmt.Sprintf("w%d m%d", w, i)}); err != nil {
					errs <- err
				}
				// Readers run beside the writer.
				if _, err := db.Conversation(ctx, conv, false); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM messages"); n != workers*each {
		t.Fatalf("%d messages, want %d", n, workers*each)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = ?", "message.create"); n != workers*each {
		t.Fatalf("%d audit entries, want %d", n, workers*each)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func testBackup(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "backup.db")
	if db.Dialect() == Postgres {
		err := db.Backup(ctx, out)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup on postgres: got %v, want a pointer to pg_dump", err)
		}
		return
	}

	c := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	conv := mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat})
	mustMessage(t, db, ctx, kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "before the backup"})

	// A writer keeps writing while the backup is taken.
	stop := make(chan struct{})
	started := make(chan struct{})
	writerErr := make(chan error, 1)
	go func() {
		var err error
		for i := 0; ; i++ {
			if i == 1 {
				close(started)
			}
			select {
			case <-stop:
				writerErr <- err
				return
			default:
			}
			if err = db.AddMessage(ctx, &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: "during"}); err != nil {
				writerErr <- err
				return
			}
		}
	}()
	<-started
	backupErr := db.Backup(ctx, out)
	close(stop)
	if err := <-writerErr; err != nil {
		t.Fatalf("writer during backup: %v", err)
	}
	if backupErr != nil {
		t.Fatalf("backup: %v", backupErr)
	}

	if err := db.Backup(ctx, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("second backup to the same file: got %v, want a refusal", err)
	}

	copied := openDSN(t, out)
	if err := copied.Check(ctx); err != nil {
		t.Fatalf("backup fails its check: %v", err)
	}
	got, err := copied.Conversation(ctx, conv.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) < 2 || got.Messages[0].Body != "before the backup" {
		t.Fatalf("backup has %d messages", len(got.Messages))
	}
	if n, m := count(t, copied, "SELECT COUNT(*) FROM messages"), count(t, copied, "SELECT COUNT(*) FROM audit WHERE action = ?", "message.create"); n != m {
		t.Fatalf("backup is not one snapshot: %d messages, %d audit entries", n, m)
	}
}
