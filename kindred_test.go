package kindred

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestConversationApply(t *testing.T) {
	tests := []struct {
		name        string
		status      Status
		dir         Direction
		firstResp   bool // conversation already has a first response
		wantStatus  Status
		wantFirst   bool // FirstResponseAt set to the message time
		wantResolve bool // ResolvedAt still set
	}{
		{"customer writes: ball in our court", StatusOpen, Inbound, false, StatusWaitingOnUs, false, false},
		{"first reply sets first response", StatusWaitingOnUs, Outbound, false, StatusWaitingOnCustomer, true, false},
		{"later reply keeps first response", StatusWaitingOnUs, Outbound, true, StatusWaitingOnCustomer, false, false},
		{"customer reopens a resolved conversation", StatusResolved, Inbound, true, StatusWaitingOnUs, false, false},
		{"follow-up after resolution stays resolved", StatusResolved, Outbound, true, StatusResolved, false, true},
		{"internal note changes nothing", StatusWaitingOnUs, InternalNote, false, StatusWaitingOnUs, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			earlier := t0.Add(-time.Hour)
			c := &Conversation{Status: tt.status}
			if tt.firstResp {
				c.FirstResponseAt = &earlier
			}
			if tt.status == StatusResolved {
				c.ResolvedAt = &earlier
			}
			c.Apply(&Message{Direction: tt.dir, CreatedAt: t0})
			if c.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", c.Status, tt.wantStatus)
			}
			if tt.wantFirst && (c.FirstResponseAt == nil || !c.FirstResponseAt.Equal(t0)) {
				t.Errorf("FirstResponseAt = %v, want %v", c.FirstResponseAt, t0)
			}
			if tt.firstResp && !c.FirstResponseAt.Equal(earlier) {
				t.Errorf("FirstResponseAt moved to %v", c.FirstResponseAt)
			}
			if (c.ResolvedAt != nil) != tt.wantResolve {
				t.Errorf("ResolvedAt = %v, want set=%v", c.ResolvedAt, tt.wantResolve)
			}
			if !c.UpdatedAt.Equal(t0) {
				t.Errorf("UpdatedAt = %v, want %v", c.UpdatedAt, t0)
			}
		})
	}
}

func TestSetStatusKeepsResolvedAtTrueToLastResolution(t *testing.T) {
	c := &Conversation{Status: StatusOpen}
	c.SetStatus(StatusResolved, t0)
	if c.ResolvedAt == nil || !c.ResolvedAt.Equal(t0) {
		t.Fatalf("ResolvedAt = %v after resolving", c.ResolvedAt)
	}
	c.SetStatus(StatusResolved, t0.Add(time.Hour))
	if !c.ResolvedAt.Equal(t0) {
		t.Errorf("resolving again moved ResolvedAt to %v", c.ResolvedAt)
	}
	c.SetStatus(StatusWaitingOnUs, t0.Add(2*time.Hour))
	if c.ResolvedAt != nil {
		t.Errorf("reopening left ResolvedAt = %v", c.ResolvedAt)
	}
}

func TestParseAccommodationAcceptsWhatPeopleWrite(t *testing.T) {
	for in, want := range map[string]Accommodation{
		"plain language": PlainLanguage, "Large-Text": LargeText, " low_vision ": LowVision,
		"WHEELCHAIR": Wheelchair, "hearing loop": HearingLoop,
	} {
		if got, ok := ParseAccommodation(in); !ok || got != want {
			t.Errorf("ParseAccommodation(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "vip", "large  text", "plain_languages"} {
		if got, ok := ParseAccommodation(in); ok {
			t.Errorf("ParseAccommodation(%q) = %q, want rejection", in, got)
		}
	}
}

func TestHelperCanOnlyWithinScopeAndTime(t *testing.T) {
	expires := t0.Add(24 * time.Hour)
	h := &Helper{Scopes: []HelperScope{ScopeReceiveCodes}, ExpiresAt: &expires}
	if !h.Can(ScopeReceiveCodes, t0) {
		t.Error("helper with receive_codes cannot receive codes")
	}
	if h.Can(ScopeActOnConversations, t0) {
		t.Error("helper acts on conversations without that scope")
	}
	if h.Can(ScopeReceiveCodes, expires) {
		t.Error("helper still acts at the moment of expiry")
	}
	revoked := t0.Add(-time.Minute)
	h.RevokedAt = &revoked
	if h.Can(ScopeReceiveCodes, t0) {
		t.Error("revoked helper still acts")
	}
}

func TestErrorKindsSurviveWrapping(t *testing.T) {
	var v Validation
	if v.Err() != nil {
		t.Fatal("empty validation is an error")
	}
	v.Add("phone", "must be a number in international form, like +254712345678")
	err := fmt.Errorf("create customer: %w", v.Err())
	if ErrorKind(err) != Invalid {
		t.Errorf("kind = %s, want invalid", ErrorKind(err))
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "phone" {
		t.Errorf("fields lost: %v", err)
	}
	if ErrorKind(errors.New("disk full")) != Internal {
		t.Error("a plain error is not internal")
	}
}

func TestAddressAsPrefersPreferredName(t *testing.T) {
	c := Customer{Name: "Joseph Otieno"}
	if c.AddressAs() != "Joseph Otieno" {
		t.Errorf("AddressAs = %q", c.AddressAs())
	}
	c.PreferredName = "Baba Otieno"
	if c.AddressAs() != "Baba Otieno" {
		t.Errorf("AddressAs = %q", c.AddressAs())
	}
}
