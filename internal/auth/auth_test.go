package auth

import (
	"bytes"
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id PHC with the chosen parameters", h)
	}
	if !CheckPassword(h, "correct horse battery staple") {
		t.Error("right password rejected")
	}
	if CheckPassword(h, "correct horse battery stapler") {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestCheckPasswordRejectsMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=x,t=3,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=65536,t=3,p=2$!!$a2V5", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$"} {
		if CheckPassword(h, "pw") {
			t.Errorf("CheckPassword(%q) = true", h)
		}
	}
}

func TestTokenHashIsStableAndSecretIsRandom(t *testing.T) {
	s1, h1, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	s2, _, _ := NewToken()
	if s1 == s2 {
		t.Fatal("two tokens are equal")
	}
	if !bytes.Equal(h1, HashToken(s1)) {
		t.Error("stored hash differs from HashToken(secret)")
	}
	got, err := ParseBearer("Bearer " + s1)
	if err != nil || got != s1 {
		t.Errorf("ParseBearer = %q, %v", got, err)
	}
	for _, bad := range []string{"", "Bearer", "Basic " + s1, "Bearer abc", "Bearer kdr_short"} {
		if _, err := ParseBearer(bad); err == nil {
			t.Errorf("ParseBearer(%q) accepted", bad)
		}
	}
}

func TestNewPasswordAvoidsLookAlikes(t *testing.T) {
	p, err := NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 20 || strings.ContainsAny(p, "0O1lI") {
		t.Errorf("password %q", p)
	}
}

func BenchmarkTokenCheck(b *testing.B) {
	secret, _, _ := NewToken()
	b.ReportAllocs()
	for b.Loop() {
		HashToken(secret)
	}
}

func BenchmarkPasswordCheck(b *testing.B) {
	h, _ := HashPassword("pw")
	b.ReportAllocs()
	for b.Loop() {
		CheckPassword(h, "pw")
	}
}
