package store

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"CodeIssueSendsSMSInOneTransaction", testCodeIssue},
		suiteTest{"CodeCheckRightWrongAndLockout", testCodeCheck},
		suiteTest{"CodeExpiryAndMoreTime", testCodeExpiry},
		suiteTest{"CodeIssueRateLimits", testCodeRateLimit},
		suiteTest{"CodeHelperScope", testCodeHelperScope},
		suiteTest{"CodeReadOutByPhone", testCodeReadOut},
	)
}

var groupedCode = regexp.MustCompile(`\b(\d{3}) (\d{3})\b`)

// sentCode returns the grouped digits in the SMS that carries code c.
func sentCode(t *testing.T, db *DB, c *kindred.Code) string {
	t.Helper()
	if c.OutboxID == nil {
		t.Fatalf("code %d has no SMS", c.ID)
	}
	m, err := db.OutboundMessage(context.Background(), *c.OutboxID)
	if err != nil {
		t.Fatal(err)
	}
	g := groupedCode.FindString(m.Body)
	if g == "" {
		t.Fatalf("no grouped code in %q", m.Body)
	}
	return g
}

func mustIssue(t *testing.T, db *DB, r kindred.CodeRequest, now time.Time) *kindred.Code {
	t.Helper()
	c, err := db.IssueCode(ctxAs(1, "Desk"), r, now)
	if err != nil {
		t.Fatalf("issue %+v: %v", r, err)
	}
	return c
}

// otherDigits returns six digits that are not d.
func otherDigits(d string) string {
	d = strings.ReplaceAll(d, " ", "")
	b := []byte(d)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// noDigitsInAudit fails if any audit entry mentions the digits.
func noDigitsInAudit(t *testing.T, db *DB, grouped string) {
	t.Helper()
	entries, err := db.Audit(context.Background(), kindred.AuditFilter{Page: kindred.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.ReplaceAll(grouped, " ", "")
	for _, e := range entries {
		if strings.Contains(e.Detail, bare) || strings.Contains(e.Detail, grouped) {
			t.Fatalf("audit entry %+v holds the code", e)
		}
	}
}

func testCodeIssue(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Desk")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, db, kindred.Customer{Name: "Amina Njeri", Phone: "+254711000111", Language: "sw"})
	code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now)
	if code.ID == 0 || code.To != c.Phone || code.Status != kindred.CodeLive || !code.ExpiresAt.Equal(now.Add(10*time.Minute)) || code.TriesLeft != 5 {
		t.Fatalf("issued %+v", code)
	}
	m, err := db.OutboundMessage(ctx, *code.OutboxID)
	if err != nil || m.To != c.Phone || m.Purpose != "code" || m.Status != kindred.OutboxPending || !strings.Contains(m.Body, "Namba yako ya uthibitisho") {
		t.Fatalf("sms %+v %v", m, err)
	}
	digits := sentCode(t, db, code)
	// Stored hashed: the digits are nowhere in the codes table.
	var salt, hash []byte
	if err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT salt, hash FROM codes WHERE id = ?", code.ID).Scan(&salt, &hash)
	}); err != nil {
		t.Fatal(err)
	}
	if len(hash) != 32 || strings.Contains(string(hash), strings.ReplaceAll(digits, " ", "")) {
		t.Fatalf("hash %x", hash)
	}
	if got := auditActions(t, db, kindred.AuditFilter{Subject: "code", SubjectID: code.ID}); len(got) != 1 || got[0] != "code.issue" {
		t.Fatalf("audit %v", got)
	}
	noDigitsInAudit(t, db, digits)

	// The code and its SMS commit together: an SMS the outbox refuses (a
	// phone not in international form) leaves no code either.
	bad := mustCustomer(t, db, kindred.Customer{Name: "Old Record", Phone: "0711"})
	_, err = db.IssueCode(ctx, kindred.CodeRequest{CustomerID: bad.ID, Channel: kindred.CodeBySMS}, now)
	wantField(t, err, "to")
	if n := count(t, db, "SELECT COUNT(*) FROM codes WHERE customer_id = ?", bad.ID); n != 0 {
		t.Fatalf("%d codes left by a failed issue", n)
	}
	noPhone := mustCustomer(t, db, kindred.Customer{Name: "No Phone"})
	_, err = db.IssueCode(ctx, kindred.CodeRequest{CustomerID: noPhone.ID, Channel: kindred.CodeBySMS}, now)
	wantField(t, err, "channel")
	_, err = db.IssueCode(ctx, kindred.CodeRequest{CustomerID: c.ID, Channel: "pigeon"}, now)
	wantField(t, err, "channel")
	_, err = db.IssueCode(ctx, kindred.CodeRequest{CustomerID: 999, Channel: kindred.CodeBySMS}, now)
	wantKind(t, err, kindred.NotFound)

	// A voice code sends nothing: the USSD menu reads it out.
	before := count(t, db, "SELECT COUNT(*) FROM outbox")
	voice := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeByVoice}, now.Add(time.Second))
	if voice.OutboxID != nil || count(t, db, "SELECT COUNT(*) FROM outbox") != before {
		t.Fatalf("voice code sent an SMS: %+v", voice)
	}
	// The newer code replaced the older one.
	_, err = db.CheckCode(ctx, code.ID, digits, now.Add(2*time.Second))
	wantKind(t, err, kindred.Locked)
	if got, _ := db.Code(ctx, code.ID); got.Status != kindred.CodeReplaced {
		t.Fatalf("older code is %s", got.Status)
	}
}

func testCodeCheck(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Desk")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, db, kindred.Customer{Name: "Otieno", Phone: "+254711000222"})

	t.Run("right with or without the space, once", func(t *testing.T) {
		code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now)
		digits := sentCode(t, db, code)
		_, err := db.CheckCode(ctx, code.ID, "12", now)
		wantField(t, err, "code")
		got, err := db.CheckCode(ctx, code.ID, " "+strings.ReplaceAll(digits, " ", "")+" ", now.Add(time.Minute))
		if err != nil || got.Status != kindred.CodeUsed || got.UsedAt == nil || got.Tries != 0 {
			t.Fatalf("right code: %+v %v", got, err)
		}
		_, err = db.CheckCode(ctx, code.ID, digits, now.Add(time.Minute))
		wantKind(t, err, kindred.Locked)
		noDigitsInAudit(t, db, digits)
	})

	t.Run("five wrong tries kill the code", func(t *testing.T) {
		code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now.Add(time.Minute))
		digits := sentCode(t, db, code)
		wrong := otherDigits(digits)
		for i := 1; i < kindred.CodeMaxTries; i++ {
			got, err := db.CheckCode(ctx, code.ID, wrong, now.Add(time.Minute))
			wantField(t, err, "code")
			if got.Tries != i || got.TriesLeft != kindred.CodeMaxTries-i {
				t.Fatalf("try %d: %+v", i, got)
			}
		}
		got, err := db.CheckCode(ctx, code.ID, wrong, now.Add(time.Minute))
		wantKind(t, err, kindred.Locked)
		if got.Status != kindred.CodeLocked {
			t.Fatalf("after the last try: %+v", got)
		}
		// Even the right code is refused now.
		_, err = db.CheckCode(ctx, code.ID, digits, now.Add(time.Minute))
		wantKind(t, err, kindred.Locked)
		if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE subject = 'code' AND subject_id = ? AND action = 'code.check'", code.ID); n != 6 {
			t.Fatalf("%d checks audited, want 6", n)
		}
		_, err = db.CheckCode(ctx, 999, digits, now)
		wantKind(t, err, kindred.NotFound)
	})
}

func testCodeExpiry(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Desk")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, db, kindred.Customer{Name: "Mzee Kamau", Phone: "+254711000333"})
	code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now)
	digits := sentCode(t, db, code)

	// At ten minutes the code is dead.
	_, err := db.CheckCode(ctx, code.ID, digits, now.Add(10*time.Minute))
	wantKind(t, err, kindred.Locked)
	// More time brings back a code that ran out a little while ago.
	got, err := db.ExtendCode(ctx, code.ID, now.Add(15*time.Minute))
	if err != nil || !got.ExpiresAt.Equal(now.Add(25*time.Minute)) || got.Extensions != 1 {
		t.Fatalf("extend: %+v %v", got, err)
	}
	if got, err := db.CheckCode(ctx, code.ID, digits, now.Add(24*time.Minute)); err != nil || got.Status != kindred.CodeUsed {
		t.Fatalf("check after more time: %+v %v", got, err)
	}
	_, err = db.ExtendCode(ctx, code.ID, now.Add(24*time.Minute))
	wantKind(t, err, kindred.Locked) // used

	// Not long after it ran out.
	late := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now.Add(time.Hour))
	_, err = db.ExtendCode(ctx, late.ID, now.Add(time.Hour+20*time.Minute))
	wantKind(t, err, kindred.Locked)

	// At least ten extensions (WCAG 2.2.1), then a new code is needed.
	many := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now.Add(2*time.Hour))
	at := now.Add(2 * time.Hour)
	for i := 1; i <= kindred.CodeMaxExtensions; i++ {
		at = at.Add(9 * time.Minute)
		if _, err := db.ExtendCode(ctx, many.ID, at); err != nil {
			t.Fatalf("extension %d: %v", i, err)
		}
	}
	_, err = db.ExtendCode(ctx, many.ID, at)
	wantKind(t, err, kindred.Locked)
	if got := auditActions(t, db, kindred.AuditFilter{Subject: "code", SubjectID: many.ID}); len(got) != kindred.CodeMaxExtensions+1 || got[0] != "code.extend" {
		t.Fatalf("audit %v", got)
	}
}

func testCodeRateLimit(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Desk")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	shared := "+254711000444"
	a := mustCustomer(t, db, kindred.Customer{Name: "Mama Achieng", Phone: shared})
	b := mustCustomer(t, db, kindred.Customer{Name: "Baba Achieng", Phone: "+254711000555"})
	h := &kindred.Helper{CustomerID: b.ID, Name: "Achieng", Relation: "daughter", Phone: shared,
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "signed form", ConsentAt: now}
	if err := db.AddHelper(ctx, h); err != nil {
		t.Fatal(err)
	}

	// Per customer.
	for i := range kindred.CodeIssueLimit {
		mustIssue(t, db, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeBySMS}, now.Add(time.Duration(i)*time.Minute))
	}
	_, err := db.IssueCode(ctx, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeBySMS}, now.Add(5*time.Minute))
	wantKind(t, err, kindred.RateLimited)
	if n := count(t, db, "SELECT COUNT(*) FROM audit WHERE action = 'code.refuse'"); n != 1 {
		t.Fatalf("%d refusals audited", n)
	}
	// The window passes.
	mustIssue(t, db, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeBySMS}, now.Add(16*time.Minute))

	// Per phone: the daughter's phone gets codes for her mother and father.
	later := now.Add(time.Hour)
	mustIssue(t, db, kindred.CodeRequest{CustomerID: a.ID, Channel: kindred.CodeBySMS}, later)
	mustIssue(t, db, kindred.CodeRequest{CustomerID: a.ID, Channel: kindred.CodeByVoice}, later)
	mustIssue(t, db, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeToHelper, HelperID: h.ID}, later)
	_, err = db.IssueCode(ctx, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeToHelper, HelperID: h.ID}, later.Add(time.Minute))
	wantKind(t, err, kindred.RateLimited)
	if !strings.Contains(err.Error(), "phone") {
		t.Fatalf("refusal does not say it is the phone: %v", err)
	}
	// Father's own phone still may.
	mustIssue(t, db, kindred.CodeRequest{CustomerID: b.ID, Channel: kindred.CodeBySMS}, later.Add(time.Minute))
}

func testCodeHelperScope(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(1, "Desk")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, db, kindred.Customer{Name: "Otieno Odhiambo", PreferredName: "Baba Otieno", Phone: "+254711000666"})
	other := mustCustomer(t, db, kindred.Customer{Name: "Someone Else"})
	past := now.Add(-time.Hour)
	helper := func(customer int64, phone string, scopes []kindred.HelperScope, expires *time.Time) *kindred.Helper {
		h := &kindred.Helper{CustomerID: customer, Name: "Helper", Relation: "son", Phone: phone, Scopes: scopes,
			Consent: "in person", ConsentAt: now.Add(-48 * time.Hour), ExpiresAt: expires}
		if err := db.AddHelper(ctx, h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	recv := []kindred.HelperScope{kindred.ScopeReceiveCodes}
	good := helper(c.ID, "+254722000001", recv, nil)
	noScope := helper(c.ID, "+254722000002", []kindred.HelperScope{kindred.ScopeActOnConversations}, nil)
	expired := helper(c.ID, "+254722000003", recv, &past)
	revoked := helper(c.ID, "+254722000004", recv, nil)
	if _, err := db.RevokeHelper(ctx, revoked.ID, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	noPhone := helper(c.ID, "", recv, nil)
	elsewhere := helper(other.ID, "+254722000005", recv, nil)

	tests := []struct {
		name   string
		helper int64
		kind   kindred.Kind
	}{
		{"without receive_codes", noScope.ID, kindred.Forbidden},
		{"expired", expired.ID, kindred.Forbidden},
		{"revoked", revoked.ID, kindred.Forbidden},
		{"without a phone", noPhone.ID, kindred.Forbidden},
		{"another customer's", elsewhere.ID, kindred.Forbidden},
		{"unknown", 999, kindred.Invalid},
		{"none named", 0, kindred.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.IssueCode(ctx, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeToHelper, HelperID: tt.helper}, now)
			wantKind(t, err, tt.kind)
		})
	}
	if n := count(t, db, "SELECT COUNT(*) FROM codes"); n != 0 {
		t.Fatalf("%d codes issued to helpers who may not have them", n)
	}
	code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeToHelper, HelperID: good.ID}, now)
	m, err := db.OutboundMessage(ctx, *code.OutboxID)
	if err != nil || m.To != good.Phone || *code.HelperID != good.ID || !strings.Contains(m.Body, "Baba Otieno") {
		t.Fatalf("helper sms %+v %v", m, err)
	}
}

func testCodeReadOut(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := ctxAs(0, "")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := mustCustomer(t, db, kindred.Customer{Name: "Wanjiru", Phone: "+254711000777", Language: "sw"})
	son := &kindred.Helper{CustomerID: c.ID, Name: "Kamau", Relation: "son", Phone: "+254722000777",
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "signed", ConsentAt: now}
	neighbour := &kindred.Helper{CustomerID: c.ID, Name: "Jirani", Relation: "neighbour", Phone: "+254722000888",
		Scopes: []kindred.HelperScope{kindred.ScopeActOnConversations}, Consent: "signed", ConsentAt: now}
	for _, h := range []*kindred.Helper{son, neighbour} {
		if err := db.AddHelper(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.ReadCode(ctx, c.Phone, now)
	wantKind(t, err, kindred.NotFound) // no code yet

	code := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeByVoice}, now)
	if live, err := db.LiveCode(ctx, c.Phone, now); err != nil || live.ID != code.ID {
		t.Fatalf("live code: %+v %v", live, err)
	}
	r, err := db.ReadCode(ctx, c.Phone, now.Add(time.Minute))
	if err != nil || r.Code.ID != code.ID || r.Helper || r.Language != "sw" || !groupedCode.MatchString(r.Digits) {
		t.Fatalf("read by the customer: %+v %v", r, err)
	}
	// The son may read it too, and hears the same digits: reading a code
	// again neither makes new digits nor ends the code just read.
	r2, err := db.ReadCode(ctx, son.Phone, now.Add(2*time.Minute))
	if err != nil || !r2.Helper || r2.Customer != "Wanjiru" {
		t.Fatalf("read by the son: %+v %v", r2, err)
	}
	if r2.Digits != r.Digits {
		t.Fatalf("second reading %q, first %q: a reading must not change the digits", r2.Digits, r.Digits)
	}
	for _, phone := range []string{neighbour.Phone, "+254799999999", ""} {
		_, err := db.ReadCode(ctx, phone, now)
		wantKind(t, err, kindred.NotFound)
	}
	// A wrong try first: the code is still live afterwards, with the same
	// digits (a wrong try is not a reading, and a reading not a try).
	_, err = db.CheckCode(ctx, code.ID, otherDigits(r.Digits), now.Add(150*time.Second))
	wantField(t, err, "code")
	r3, err := db.ReadCode(ctx, c.Phone, now.Add(160*time.Second))
	if err != nil || r3.Digits != r.Digits || r3.Code.Tries != 1 || !r3.Code.ExpiresAt.Equal(code.ExpiresAt) {
		t.Fatalf("third reading: %+v %v", r3, err)
	}
	if got, err := db.CheckCode(ctx, code.ID, r.Digits, now.Add(3*time.Minute)); err != nil || got.Status != kindred.CodeUsed {
		t.Fatalf("check the first reading's digits: %+v %v", got, err)
	}
	if _, err := db.ReadCode(ctx, c.Phone, now.Add(4*time.Minute)); kindred.ErrorKind(err) != kindred.NotFound {
		t.Fatalf("read a used code: %v", err)
	}
	if got := auditActions(t, db, kindred.AuditFilter{Subject: "code", SubjectID: code.ID}); strings.Join(got, " ") != "code.check code.read code.check code.read code.read code.issue" {
		t.Fatalf("audit %v", got)
	}
	// Nothing in the codes table holds the digits: only the salt and hash.
	var salt, hash []byte
	if err := db.r.QueryRowContext(context.Background(), db.bind("SELECT salt, hash FROM codes WHERE id = ?"), code.ID).Scan(&salt, &hash); err != nil {
		t.Fatal(err)
	}
	if bare := strings.ReplaceAll(r.Digits, " ", ""); strings.Contains(string(salt)+string(hash), bare) || len(hash) != 32 {
		t.Fatalf("codes row holds %x / %x", salt, hash)
	}

	// A code sent by SMS reads out as the digits in the SMS, and stays live.
	sms := mustIssue(t, db, kindred.CodeRequest{CustomerID: c.ID, Channel: kindred.CodeBySMS}, now.Add(20*time.Minute))
	heard, err := db.ReadCode(ctx, c.Phone, now.Add(21*time.Minute))
	if err != nil || heard.Code.ID != sms.ID || heard.Digits != sentCode(t, db, sms) {
		t.Fatalf("read the SMS code: %+v %v (SMS says %s)", heard, err, sentCode(t, db, sms))
	}
	if got, err := db.CheckCode(ctx, sms.ID, heard.Digits, now.Add(22*time.Minute)); err != nil || got.Status != kindred.CodeUsed {
		t.Fatalf("check the SMS code after reading it: %+v %v", got, err)
	}
	noDigitsInAudit(t, db, heard.Digits)
	noDigitsInAudit(t, db, r.Digits)

	if cust, err := db.Caller(ctx, c.Phone); err != nil || cust.ID != c.ID {
		t.Fatalf("caller: %+v %v", cust, err)
	}
	_, err = db.Caller(ctx, son.Phone)
	wantKind(t, err, kindred.NotFound)
}
