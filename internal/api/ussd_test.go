package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Nairobi on a machine without zoneinfo
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

// lobbyDesk is a desk whose API also serves the lobby (the real store), as
// kindred serve wires it, with two services.
func lobbyDesk(t testing.TB) *desk {
	t.Helper()
	d := newDesk(t)
	cfg := d.srv.cfg
	cfg.Lobby = d.db
	cfg.Registry = prometheus.NewRegistry()
	d.srv = newServer(cfg)
	for _, q := range []kindred.Queue{{Code: "A", Name: "Registration"}, {Code: "B", Name: "Pensions"}} {
		if err := d.db.CreateQueue(system, &q); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// ussd posts what a gateway posts and returns the status and the answer.
func (d *desk) ussd(session, phone, text string) (int, string) {
	d.t.Helper()
	form := url.Values{"sessionId": {session}, "serviceCode": {"*384*1234#"}, "phoneNumber": {phone}, "text": {text}, "networkCode": {"63902"}}
	req := httptest.NewRequest("POST", "/ussd", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if key := d.srv.cfg.GatewayKey; key != "" {
		req.Header.Set("X-Gateway-Key", key)
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		d.t.Fatalf("content type %q", ct)
	}
	body := rec.Body.String()
	if rec.Code == 200 {
		if !strings.HasPrefix(body, "CON ") && !strings.HasPrefix(body, "END ") {
			d.t.Fatalf("answer %q is neither CON nor END", body)
		}
		if n := utf8.RuneCountInString(body); n > ussdMaxScreen {
			d.t.Fatalf("screen of %d characters (max %d):\n%s", n, ussdMaxScreen, body)
		}
	}
	return rec.Code, body
}

// screen is ussd that expects a 200 and a screen containing want.
func (d *desk) screen(session, phone, text string, want ...string) string {
	d.t.Helper()
	code, body := d.ussd(session, phone, text)
	if code != 200 {
		d.t.Fatalf("text %q: status %d: %s", text, code, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			d.t.Fatalf("text %q: screen does not say %q:\n%s", text, w, body)
		}
	}
	return body
}

func countTickets(t *testing.T, d *desk, phone string) int {
	t.Helper()
	var n int
	if err := d.db.ReadTx(system, func(tx *store.Tx) error {
		return tx.QueryRow(system, "SELECT COUNT(*) FROM lobby_tickets WHERE phone = ?", phone).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUSSDJoinQueueInSwahiliAsAGatewayCalls(t *testing.T) {
	d := lobbyDesk(t)
	phone := "+254711000501"
	d.screen("s1", phone, "", "CON ", "1. English", "2. Kiswahili")
	d.screen("s1", phone, "7", "CON ", "1 au 2")            // bad input: asked again
	d.screen("s1", phone, "7*2", "CON Karibu", "1. Jiunge") // Swahili
	d.screen("s1", phone, "7*2*9", "CON Samahani", "Jiunge")
	d.screen("s1", phone, "7*2*9*1", "CON Chagua huduma", "1. Registration", "2. Pensions", "0. Rudi")
	d.screen("s1", phone, "7*2*9*1*abc", "CON Samahani", "Chagua huduma")
	d.screen("s1", phone, "7*2*9*1*abc*0", "CON Karibu") // back
	end := d.screen("s1", phone, "7*2*9*1*abc*0*1*2", "END Tiketi yako ni B-", "Pensions", "nambari 1", "Kusubiri")

	// The gateway sends the same request again: same answer, no second ticket.
	if again := d.screen("s1", phone, "7*2*9*1*abc*0*1*2"); again != end {
		t.Fatalf("replay answered differently:\n%s\n%s", end, again)
	}
	if n := countTickets(t, d, phone); n != 1 {
		t.Fatalf("%d tickets after a replay", n)
	}
	// A new session from the same phone shows the ticket it holds.
	d.screen("s2", phone, "2*1*1", "END Tayari una tiketi B-")
	if n := countTickets(t, d, phone); n != 1 {
		t.Fatalf("%d tickets after joining again", n)
	}
	// Place and wait, in English this time.
	d.screen("s3", phone, "1*2", "END Ticket B-", "number 1 in line", "Wait:")
	// Someone else joins Registration behind nobody, then a third person.
	d.screen("s4", "+254711000502", "1*1*1", "END Your ticket is A-", "Registration", "number 1")
	d.screen("s5", "+254711000503", "1*1*1", "number 2", "minutes")
	d.screen("s6", "+254711000599", "1*2", "END You have no ticket today")
}

func TestUSSDReplaysAtTheSameMomentMakeOneTicket(t *testing.T) {
	d := lobbyDesk(t)
	phone := "+254711000504"
	var wg sync.WaitGroup
	answers := make([]string, 8)
	for i := range answers {
		wg.Go(func() { _, answers[i] = d.ussd("race", phone, "1*1*1") })
	}
	wg.Wait()
	for _, a := range answers {
		if a != answers[0] || !strings.HasPrefix(a, "END Your ticket is A-") {
			t.Fatalf("answers differ: %q", answers)
		}
	}
	if n := countTickets(t, d, phone); n != 1 {
		t.Fatalf("%d tickets", n)
	}
}

func TestUSSDUsesTheCustomersSavedLanguage(t *testing.T) {
	d := lobbyDesk(t)
	d.phoneCustomer("Mama Achieng", "+254711000505", "sw")
	d.phoneCustomer("Mr Smith", "+254711000506", "en")
	d.screen("k1", "+254711000505", "", "CON Karibu", "4. Saa za ofisi")
	d.screen("k1", "+254711000505", "4", "END Saa za ofisi: "+testOfficeHours)
	d.screen("k2", "+254711000506", "", "CON Welcome. Reply", "4. Office hours")
	d.screen("k2", "+254711000506", "4", "END Office hours: "+testOfficeHours)
	// The phone number as some gateways send it, without the plus.
	d.screen("k3", "254711000505", "", "CON Karibu")
}

func TestUSSDReadsTheCodeToTheRightPhonesOnly(t *testing.T) {
	d := lobbyDesk(t)
	cust := d.phoneCustomer("Otieno Odhiambo", "+254711000507", "en")
	// Without a gateway key, anyone could name this phone: no code is read.
	d.screen("k0", "+254711000507", "3", "END Codes cannot be read out on this line yet")
	cfg := d.srv.cfg
	cfg.GatewayKey = "callback-secret"
	cfg.Registry = prometheus.NewRegistry()
	// The server's clock says 09:00 UTC; the desk is in Nairobi, where it
	// is 12:00: the caller hears the desk's clock time.
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Location = nairobi
	cfg.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	d.srv = newServer(cfg)
	d.must(kindred.RoleAgent, 200, "PATCH", "/api/v1/customers/"+cust, map[string]any{"preferred_name": "Baba Otieno"})
	add := func(phone, scope string) {
		d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cust+"/helpers", map[string]any{
			"name": "Helper", "relation": "son", "phone": phone, "scopes": []string{scope}, "consent": "signed form"})
	}
	add("+254722000507", "receive_codes")
	add("+254722000508", "act_on_conversations")

	d.screen("c0", "+254711000507", "3", "END There is no code waiting")
	code := d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "voice"})
	if code["outbox_id"] != nil {
		t.Fatalf("a voice code sent an SMS: %v", code)
	}
	own := d.screen("c1", "+254711000507", "3", "END Your one-time code is ", "It works until 12:10.")
	digits := grouped.FindString(own)
	if digits == "" {
		t.Fatalf("no grouped code in %q", own)
	}
	// Replayed: the same digits, not new ones.
	if again := d.screen("c1", "+254711000507", "3"); again != own {
		t.Fatalf("replay read a different code: %q", again)
	}
	d.screen("c2", "+254722000508", "1*3", "END There is no code waiting") // helper without receive_codes
	d.screen("c3", "+254799000000", "1*3", "END There is no code waiting") // a stranger
	son := d.screen("c4", "+254722000507", "1*3", "END The code for Baba Otieno is ", "desk officer")
	// Another reading, in another session, reads the same digits, and the
	// digits first read still work: a reading neither remakes nor ends it.
	if sonDigits := grouped.FindString(son); sonDigits != digits {
		t.Fatalf("the son heard %q, the customer %q", sonDigits, digits)
	}
	d.screen("c5", "+254711000507", "3", "END Your one-time code is "+digits)
	d.must(kindred.RoleKiosk, 200, "POST", "/api/v1/codes/"+id(code)+"/check", map[string]any{"code": digits})
	d.screen("c6", "+254711000507", "3", "END There is no code waiting")
}

func TestUSSDRefusesRequestsMissingAField(t *testing.T) {
	d := lobbyDesk(t)
	full := url.Values{"sessionId": {"x"}, "serviceCode": {"*384#"}, "phoneNumber": {"+254711000508"}, "text": {""}}
	for _, missing := range []string{"sessionId", "serviceCode", "phoneNumber", "text"} {
		form := url.Values{}
		for k, v := range full {
			if k != missing {
				form[k] = v
			}
		}
		req := httptest.NewRequest("POST", "/ussd", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		d.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") || !strings.Contains(rec.Body.String(), missing) {
			t.Errorf("without %s: %d %q %q", missing, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
	if code, _ := d.ussd("", "+254711000508", ""); code != 400 {
		t.Errorf("empty session: %d", code)
	}
	if code, _ := d.ussd("x", "+254711000508", strings.Repeat("1*", 600)); code != 400 {
		t.Errorf("huge text: %d", code)
	}
	// Nonsense never crashes: every answer is a screen.
	for _, text := range []string{"*", "**", "1**", "💥", "1*1*-1", "1*1*99999999999999999999", " 1 * 1 ", "2*2*2*2*2*2"} {
		d.screen("fuzz", "+254711000509", text)
	}
}

func TestUSSDScreensFitWithLongServiceNames(t *testing.T) {
	d := lobbyDesk(t)
	for _, code := range []string{"C", "D", "E", "F", "G", "H", "I", "J"} {
		q := kindred.Queue{Code: code, Name: strings.Repeat("Very long service name ", 3) + code}
		if err := d.db.CreateQueue(system, &q); err != nil {
			t.Fatal(err)
		}
	}
	d.screen("long", "+254711000510", "1*1", "CON Choose a service", "0. Back")
	d.screen("long", "+254711000510", "2*1", "CON Chagua huduma", "0. Rudi")
	d.screen("long", "+254711000510", "2*1*x", "CON Samahani")
	d.screen("long2", "+254711000510", "1*1*8", "END Your ticket is ")
}

func FuzzUSSDText(f *testing.F) {
	for _, s := range []string{"", "1", "1*1*1", "2*3", "9*9*9", "*", "1*0*0*0"} {
		f.Add(s)
	}
	d := lobbyDesk(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1000 {
			return
		}
		out := (&ussd{s: d.srv, memo: newUSSDMemo(time.Minute, 10)}).answer(system, "+254711000511", text)
		if !strings.HasPrefix(out, "CON ") && !strings.HasPrefix(out, "END ") {
			t.Fatalf("%q answered %q", text, out)
		}
		if utf8.RuneCountInString(fitScreen(out)) > ussdMaxScreen {
			t.Fatalf("too long")
		}
	})
}

// TestGatewayKey: with a key set, the gateway endpoints refuse requests that
// do not carry it (they name the caller's phone themselves, so a stranger
// could otherwise speak as anyone's phone), and accept it in the callback
// URL or a header.
func TestGatewayKey(t *testing.T) {
	d := lobbyDesk(t)
	cfg := d.srv.cfg
	cfg.GatewayKey = "s3cret-callback-key"
	cfg.Registry = prometheus.NewRegistry()
	d.srv = newServer(cfg)
	post := func(path string, header string) *httptest.ResponseRecorder {
		form := url.Values{"sessionId": {"g1"}, "serviceCode": {"*384#"}, "phoneNumber": {"+254711000777"}, "text": {""},
			"from": {"+254711000777"}, "to": {"12345"}, "date": {"2026-11-23 10:00:00"}, "id": {"x1"}}
		req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			req.Header.Set("X-Gateway-Key", header)
		}
		rec := httptest.NewRecorder()
		d.srv.ServeHTTP(rec, req)
		return rec
	}
	for _, path := range []string{"/ussd", "/api/v1/sms/inbound"} {
		if rec := post(path, ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without the key: %d %s", path, rec.Code, rec.Body)
		}
		if rec := post(path+"?key=wrong", ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong key: %d", path, rec.Code)
		}
	}
	if rec := post("/ussd?key=s3cret-callback-key", ""); rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "CON ") {
		t.Errorf("ussd with the key in the URL: %d %s", rec.Code, rec.Body)
	}
	if rec := post("/ussd", "s3cret-callback-key"); rec.Code != 200 {
		t.Errorf("ussd with the key in a header: %d %s", rec.Code, rec.Body)
	}
	if n := countTickets(t, d, "+254711000777"); n != 0 {
		t.Errorf("refused requests made %d tickets", n)
	}
}

// TestGatewayGuard: without a key the callbacks are off unless the operator
// chose --insecure-gateway, and no browser form from another site is ever
// accepted, key or not: a web page could otherwise post as any phone.
func TestGatewayGuard(t *testing.T) {
	const key = "s3cret-callback-key"
	for _, tc := range []struct {
		name     string
		guard    GatewayGuard
		header   map[string]string
		query    string
		wantCode int
	}{
		{"no key, not insecure", GatewayGuard{}, nil, "", http.StatusForbidden},
		{"no key, not insecure, any key sent", GatewayGuard{}, map[string]string{"X-Gateway-Key": "guess"}, "", http.StatusForbidden},
		{"insecure: a gateway simulator", GatewayGuard{Insecure: true}, nil, "", http.StatusOK},
		{"insecure: cross-site form", GatewayGuard{Insecure: true}, map[string]string{"Sec-Fetch-Site": "cross-site"}, "", http.StatusForbidden},
		{"insecure: same-site form", GatewayGuard{Insecure: true}, map[string]string{"Sec-Fetch-Site": "same-site"}, "", http.StatusForbidden},
		{"insecure: foreign origin, old browser", GatewayGuard{Insecure: true}, map[string]string{"Origin": "https://evil.example"}, "", http.StatusForbidden},
		{"insecure: opaque origin", GatewayGuard{Insecure: true}, map[string]string{"Origin": "null"}, "", http.StatusForbidden},
		{"key in header", GatewayGuard{Key: key}, map[string]string{"X-Gateway-Key": key}, "", http.StatusOK},
		{"key in URL", GatewayGuard{Key: key}, nil, "?key=" + key, http.StatusOK},
		{"key and insecure: key still needed", GatewayGuard{Key: key, Insecure: true}, nil, "", http.StatusUnauthorized},
		{"wrong key", GatewayGuard{Key: key}, map[string]string{"X-Gateway-Key": key + "x"}, "", http.StatusUnauthorized},
		{"key, but a cross-site form", GatewayGuard{Key: key}, map[string]string{"Sec-Fetch-Site": "cross-site"}, "?key=" + key, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := lobbyDesk(t)
			cfg := d.srv.cfg
			cfg.GatewayKey, cfg.InsecureGateway = tc.guard.Key, tc.guard.Insecure
			cfg.Registry = prometheus.NewRegistry()
			d.srv = newServer(cfg)
			for _, path := range []string{"/ussd", "/api/v1/sms/inbound"} {
				form := url.Values{"sessionId": {"g1"}, "serviceCode": {"*384#"}, "phoneNumber": {"+254711000778"}, "text": {"1*1"},
					"from": {"+254711000778"}, "to": {"12345"}, "date": {"2026-11-23 10:00:00"}, "id": {"x1"}}
				req := httptest.NewRequest("POST", path+tc.query, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				d.srv.ServeHTTP(rec, req)
				if rec.Code != tc.wantCode {
					t.Errorf("%s: %d, want %d: %s", path, rec.Code, tc.wantCode, rec.Body)
				}
			}
			if tc.wantCode != http.StatusOK {
				if n := countTickets(t, d, "+254711000778"); n != 0 {
					t.Errorf("a refused callback took %d tickets", n)
				}
			}
		})
	}
}
