package kindred

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Nairobi on a machine without zoneinfo
)

func TestNormalizeCodeTakesWhatPeopleType(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"482 913", "482913", true},
		{"482913", "482913", true},
		{" 482-913 ", "482913", true},
		{"482\u00a0913", "482913", true},
		{"48291", "", false},
		{"4829134", "", false},
		{"482 91a", "", false},
		{"٤٨٢٩١٣", "", false}, // other scripts' digits are not what we sent
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if GroupCode("482913") != "482 913" {
		t.Error("GroupCode")
	}
}

func TestCodeStatusAndMoreTime(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := Code{Status: CodeLive, ExpiresAt: now.Add(CodeLifetime)}
	if c.StatusAt(now) != CodeLive || !c.CanExtend(now) {
		t.Fatal("a new code")
	}
	if c.StatusAt(c.ExpiresAt) != CodeExpired {
		t.Fatal("at its expiry a code is expired")
	}
	if !c.CanExtend(c.ExpiresAt.Add(CodeMoreTime-time.Second)) || c.CanExtend(c.ExpiresAt.Add(CodeMoreTime)) {
		t.Fatal("more time after expiry is for a while only")
	}
	c.Extensions = CodeMaxExtensions
	if c.CanExtend(now) {
		t.Fatal("extended too often")
	}
	for _, s := range []CodeStatus{CodeUsed, CodeLocked, CodeReplaced} {
		d := Code{Status: s, ExpiresAt: now.Add(time.Hour)}
		if d.CanExtend(now) || d.StatusAt(now) != s {
			t.Fatalf("%s code", s)
		}
	}
}

func TestCodeMessageSaysAClockTime(t *testing.T) {
	// The server's zone is UTC; the desk's is Nairobi's (UTC+3): the SMS
	// says the desk's clock time.
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 3, 1, 11, 35, 0, 0, time.UTC).In(nairobi)
	for _, tt := range []struct{ lang, name, want string }{
		{"en", "", "Your code is 482 913. It works until 14:35."},
		{"sw", "", "Namba yako ya uthibitisho ni 482 913. Inatumika hadi saa 14:35."},
		{"en", "Baba Otieno", "The code for Baba Otieno is 482 913."},
		{"sw-KE", "Baba Otieno", "Namba ya uthibitisho ya Baba Otieno ni 482 913."},
	} {
		got := CodeMessage(tt.lang, "482913", until, tt.name)
		if !strings.Contains(got, tt.want) || len(got) > 160 || strings.Contains(strings.ToLower(got), "ya siri") {
			t.Errorf("CodeMessage(%s, %q) = %q (%d chars)", tt.lang, tt.name, got, len(got))
		}
	}
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"482 913", "482913", "", "1-2-3-4-5-6", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := NormalizeCode(s)
		if ok && (len(d) != CodeDigits || strings.Trim(d, "0123456789") != "") {
			t.Fatalf("%q gave %q", s, d)
		}
		if ok {
			if again, ok2 := NormalizeCode(GroupCode(d)); !ok2 || again != d {
				t.Fatalf("grouped %q does not read back", d)
			}
		}
	})
}
