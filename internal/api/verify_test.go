package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

const testOfficeHours = "Monday to Friday, 8:00 to 17:00"

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) {
		cfg.Verify, cfg.OfficeHours = db, testOfficeHours
	})
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		ctx := context.Background()
		newPhoneCustomer := func(name, phone string) *kindred.Customer {
			c := &kindred.Customer{Name: name, Phone: phone}
			if err := d.db.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		issuer := newPhoneCustomer("Codes Walk", "+254700100001")
		checked := newPhoneCustomer("Check Walk", "+254700100002")
		extended := newPhoneCustomer("Extend Walk", "+254700100003")
		issue := func(c *kindred.Customer) *kindred.Code {
			code, err := d.db.IssueCode(ctx, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeByVoice}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		check, ext := issue(checked), issue(extended)
		// Each caller allowed to check gets the code live again, with
		// fresh digits read out as the USSD menu would.
		rightDigits := func() string {
			err := d.db.Tx(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE codes SET status = 'live', tries = 0, expires_at = ? WHERE id = ?",
					time.Now().Add(time.Hour).UnixMilli(), check.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			r, err := d.db.ReadCode(ctx, checked.Phone, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return `{"code": "` + r.Digits + `"}`
		}
		return []authzCase{
			{"POST /api/v1/customers/{id}/codes", "admin lead agent", "/api/v1/customers/" + itoa(issuer.ID) + "/codes", func() string { return `{"channel": "voice"}` }},
			{"GET /api/v1/codes/{id}", "admin lead agent", "/api/v1/codes/" + itoa(check.ID), nil},
			{"POST /api/v1/codes/{id}/check", "admin lead agent kiosk", "/api/v1/codes/" + itoa(check.ID) + "/check", rightDigits},
			{"POST /api/v1/codes/{id}/extend", "admin lead agent kiosk", "/api/v1/codes/" + itoa(ext.ID) + "/extend", nil},
			{"POST /ussd", "public", "/ussd?sessionId=authz-walk&serviceCode=%2A384%23&phoneNumber=%2B254700100009&text=", nil},
		}
	})
}

var grouped = regexp.MustCompile(`\b\d{3} \d{3}\b`)

// smsCode returns the grouped digits of the SMS that carries code (decoded).
func (d *desk) smsCode(code map[string]any) string {
	d.t.Helper()
	oid, ok := code["outbox_id"].(float64)
	if !ok {
		d.t.Fatalf("code has no SMS: %v", code)
	}
	m, err := d.db.OutboundMessage(system, int64(oid))
	if err != nil {
		d.t.Fatal(err)
	}
	g := grouped.FindString(m.Body)
	if g == "" {
		d.t.Fatalf("no code in %q", m.Body)
	}
	return g
}

// phoneCustomer creates a customer with a phone through the API.
func (d *desk) phoneCustomer(name, phone, lang string) string {
	d.t.Helper()
	return id(d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/customers",
		map[string]any{"name": name, "phone": phone, "language": lang}))
}

func wrongDigits(g string) string {
	b := []byte(strings.ReplaceAll(g, " ", ""))
	b[5] = '0' + (b[5]-'0'+1)%10
	return string(b)
}

// Without a channel, a code goes as the console would send it: read out on
// the phone of someone who has asked for things to be read aloud (a text
// they cannot read proves nothing), by SMS to others.
func TestCodeChannelDefaultsAsAtTheDesk(t *testing.T) {
	d := newDesk(t)
	reader := d.phoneCustomer("Amina Njeri", "0711 000 111", "en")
	listener := id(d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/customers",
		map[string]any{"name": "Mzee Otieno", "phone": "0711 000 222", "language": "sw", "accommodations": []string{"read_aloud"}}))
	for _, tc := range []struct{ cust, want string }{{reader, "sms"}, {listener, "voice"}} {
		code := d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/customers/"+tc.cust+"/codes", map[string]any{})
		if code["channel"] != tc.want {
			t.Errorf("customer %s: a code without a channel went by %v, want %s", tc.cust, code["channel"], tc.want)
		}
	}
	p := problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/customers/999999/codes", map[string]any{}))
	if p.Status != http.StatusNotFound {
		t.Errorf("a missing customer: %+v", p)
	}
}

func TestCodeIssueAndCheckOverHTTP(t *testing.T) {
	d := newDesk(t)
	cust := d.phoneCustomer("Amina Njeri", "0711 000 111", "en")
	rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "sms"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	var code map[string]any
	json.Unmarshal(rec.Body.Bytes(), &code)
	if code["id"] == nil || code["expires_at"] == nil || rec.Header().Get("Location") != "/api/v1/codes/"+id(code) {
		t.Fatalf("issued %v, Location %q", code, rec.Header().Get("Location"))
	}
	expires, _ := time.Parse(time.RFC3339, code["expires_at"].(string))
	if got := time.Until(expires); got < 9*time.Minute || got > 10*time.Minute+time.Second {
		t.Fatalf("expires in %v", got)
	}
	if strings.Contains(rec.Body.String(), "hash") || grouped.MatchString(rec.Body.String()) {
		t.Fatalf("the answer shows the code: %s", rec.Body)
	}
	digits := d.smsCode(code)
	path := "/api/v1/codes/" + id(code)

	p := problemOf(t, d.as(kindred.RoleKiosk, "POST", path+"/check", map[string]any{"code": wrongDigits(digits)}))
	if p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "code" || !strings.Contains(p.Errors[0].Reason, "4 tries left") {
		t.Fatalf("wrong code: %+v", p)
	}
	p = problemOf(t, d.as(kindred.RoleKiosk, "POST", path+"/check", map[string]any{"code": "12345"}))
	if p.Status != 422 || !strings.Contains(p.Errors[0].Reason, "6 digits") {
		t.Fatalf("short code: %+v", p)
	}
	got := d.must(kindred.RoleKiosk, 200, "POST", path+"/check", map[string]any{"code": strings.ReplaceAll(digits, " ", "")})
	if got["status"] != "used" || got["tries_left"] == nil {
		t.Fatalf("right code: %v", got)
	}
	// The kiosk learns nothing about whose code it was or where it went.
	for _, k := range []string{"customer_id", "to", "helper_id", "tries"} {
		if _, ok := got[k]; ok {
			t.Errorf("the kiosk was told %s: %v", k, got)
		}
	}
	if staff := d.must(kindred.RoleAgent, 200, "GET", path, nil); staff["tries"].(float64) != 1 {
		t.Fatalf("tries after one wrong and one right: %v", staff)
	}
	if p := problemOf(t, d.as(kindred.RoleAgent, "POST", path+"/check", map[string]any{"code": digits})); p.Status != 423 {
		t.Fatalf("used code: %+v", p)
	}
	if got := d.must(kindred.RoleAgent, 200, "GET", path, nil); got["status"] != "used" {
		t.Fatalf("get: %v", got)
	}

	// Audited, never with the digits.
	entries := d.mustList(kindred.RoleAdmin, 200, "GET", "/api/v1/audit?limit=500", nil)
	var actions []string
	for _, e := range entries {
		if e["subject"] == "code" {
			actions = append(actions, e["action"].(string))
		}
		if detail, _ := e["detail"].(string); strings.Contains(detail, strings.ReplaceAll(digits, " ", "")) || strings.Contains(detail, digits) {
			t.Fatalf("audit holds the code: %v", e)
		}
	}
	if strings.Join(actions, " ") != "code.check code.check code.check code.check code.issue" {
		t.Fatalf("audited %v", actions)
	}
}

func TestCodeRulesOverHTTP(t *testing.T) {
	d := newDesk(t)
	issue := func(cust string, body map[string]any) map[string]any {
		t.Helper()
		return d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/customers/"+cust+"/codes", body)
	}

	t.Run("expired is dead until more time", func(t *testing.T) {
		cust := d.phoneCustomer("Mzee Kamau", "+254711000201", "")
		code := issue(cust, map[string]any{"channel": "sms"})
		digits, path := d.smsCode(code), "/api/v1/codes/"+id(code)
		d.clock.advance(10*time.Minute + time.Second)
		if p := problemOf(t, d.as(kindred.RoleAgent, "POST", path+"/check", map[string]any{"code": digits})); p.Status != 423 || !strings.Contains(p.Detail, "more time") {
			t.Fatalf("expired: %+v", p)
		}
		if got := d.must(kindred.RoleAgent, 200, "GET", path, nil); got["status"] != "expired" {
			t.Fatalf("status %v", got["status"])
		}
		more := d.must(kindred.RoleAgent, 200, "POST", path+"/extend", nil)
		until, _ := time.Parse(time.RFC3339, more["expires_at"].(string))
		if want := d.clock.now().Add(10 * time.Minute); until.Sub(want).Abs() > 2*time.Second {
			t.Fatalf("extended to %v, want %v", until, want)
		}
		// The kiosk may give more time too (a slow reader stands at it), and
		// is told only what its screen shows.
		if k := d.must(kindred.RoleKiosk, 200, "POST", path+"/extend", nil); k["expires_at"] == nil || k["to"] != nil || k["customer_id"] != nil {
			t.Fatalf("kiosk more time: %v", k)
		}
		d.must(kindred.RoleAgent, 200, "POST", path+"/check", map[string]any{"code": digits})
	})

	t.Run("five wrong tries lock it", func(t *testing.T) {
		cust := d.phoneCustomer("Otieno", "+254711000202", "")
		code := issue(cust, map[string]any{"channel": "sms"})
		digits, path := d.smsCode(code), "/api/v1/codes/"+id(code)
		for i := 1; i < kindred.CodeMaxTries; i++ {
			if rec := d.as(kindred.RoleAgent, "POST", path+"/check", map[string]any{"code": wrongDigits(digits)}); rec.Code != 422 {
				t.Fatalf("try %d: %d", i, rec.Code)
			}
		}
		if rec := d.as(kindred.RoleAgent, "POST", path+"/check", map[string]any{"code": wrongDigits(digits)}); rec.Code != 423 {
			t.Fatalf("fifth wrong try: %d %s", rec.Code, rec.Body)
		}
		if rec := d.as(kindred.RoleAgent, "POST", path+"/check", map[string]any{"code": digits}); rec.Code != 423 {
			t.Fatalf("right code after lockout: %d", rec.Code)
		}
		if rec := d.as(kindred.RoleAgent, "POST", path+"/extend", nil); rec.Code != 423 {
			t.Fatalf("more time after lockout: %d", rec.Code)
		}
	})

	t.Run("rate limited per customer", func(t *testing.T) {
		cust := d.phoneCustomer("Wanjiru", "+254711000203", "")
		for range kindred.CodeIssueLimit {
			issue(cust, map[string]any{"channel": "voice"})
		}
		rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "sms"})
		if p := problemOf(t, rec); p.Status != 429 {
			t.Fatalf("fourth code: %+v", p)
		}
		d.clock.advance(kindred.CodeIssueWindow)
		issue(cust, map[string]any{"channel": "ussd"})
	})

	t.Run("helpers need receive_codes", func(t *testing.T) {
		cust := d.phoneCustomer("Baba Achieng", "", "")
		helper := func(scope string) string {
			return id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+cust+"/helpers", map[string]any{
				"name": "Achieng", "relation": "daughter", "phone": "+254722000301", "scopes": []string{scope}, "consent": "signed form"}))
		}
		speaker, receiver := helper("act_on_conversations"), helper("receive_codes")
		p := problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "helper", "helper_id": json.Number(speaker)}))
		if p.Status != 403 || p.Errors[0].Field != "helper_id" {
			t.Fatalf("helper without the scope: %+v", p)
		}
		p = problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "helper"}))
		if p.Status != 422 || p.Errors[0].Field != "helper_id" {
			t.Fatalf("helper channel without helper_id: %+v", p)
		}
		p = problemOf(t, d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "sms"}))
		if p.Status != 422 || p.Errors[0].Field != "channel" {
			t.Fatalf("sms to a customer with no phone: %+v", p)
		}
		code := issue(cust, map[string]any{"channel": "helper", "helper_id": json.Number(receiver)})
		if code["to"] != "+254722000301" {
			t.Fatalf("sent to %v", code["to"])
		}
		d.must(kindred.RoleAgent, 200, "POST", "/api/v1/helpers/"+receiver+"/revoke", nil)
		if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", map[string]any{"channel": "helper", "helper_id": json.Number(receiver)}); rec.Code != 403 {
			t.Fatalf("revoked helper: %d", rec.Code)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		cust := d.phoneCustomer("Someone", "+254711000204", "")
		for _, tt := range []struct {
			body any
			want int
		}{
			{map[string]any{"channel": "pigeon"}, 422},
			{map[string]any{"helper_id": 3}, 422}, // a helper without the helper channel ({} is TestCodeChannelDefaultsAsAtTheDesk)
			{map[string]any{"channel": "sms", "helper_id": 3}, 422},
			{`{"channel": "sms", "extra": 1}`, 400},
		} {
			if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers/"+cust+"/codes", tt.body); rec.Code != tt.want {
				t.Errorf("%v: %d %s", tt.body, rec.Code, rec.Body)
			}
		}
		if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/customers/9999/codes", map[string]any{"channel": "sms"}); rec.Code != 404 {
			t.Errorf("missing customer: %d", rec.Code)
		}
		if rec := d.as(kindred.RoleAgent, "POST", "/api/v1/codes/9999/check", map[string]any{"code": "123456"}); rec.Code != 404 {
			t.Errorf("missing code: %d", rec.Code)
		}
	})
}
