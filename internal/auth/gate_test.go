package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestHashSlotsAreSizedFromMemory(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name string
		mem  uint64
		want int
	}{
		{"unknown", 0, 2},
		{"small", 512 << 20, 2},
		{"4 GiB", 4 * gib, 4},
		{"2 GiB", 2 * gib, 4},
		{"1 GiB", 1 * gib, 2},
		{"large", 64 * gib, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slotsFor(tc.mem); got != tc.want {
				t.Errorf("slotsFor(%d) = %d, want %d", tc.mem, got, tc.want)
			}
		})
	}
	if n := HashSlots(); n < 2 || n > 4 {
		t.Errorf("HashSlots() = %d, want 2 to 4", n)
	}
}

// With every slot taken, a check waits for one (here until its context
// ends) rather than hash beyond the bound; a freed slot lets it run.
func TestNoMoreHashesRunThanTheSlots(t *testing.T) {
	h, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	for range HashSlots() {
		hashSlots <- struct{}{}
	}
	before := Hashes()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if ok, err := CheckPasswordContext(ctx, h, "a long enough password"); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with every slot taken: ok %v, err %v; want a context error", ok, err)
	}
	if _, err := HashPasswordContext(ctx, "another password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hash with every slot taken: err %v", err)
	}
	if n := Hashes() - before; n != 0 {
		t.Errorf("%d hashes ran past the bound", n)
	}
	done := make(chan bool)
	go func() {
		ok, _ := CheckPasswordContext(context.Background(), h, "a long enough password")
		done <- ok
	}()
	release()
	if !<-done {
		t.Error("the right password was refused once a slot came free")
	}
	for range HashSlots() - 1 {
		release()
	}
}

func TestCheckPasswordRefusesHashesAskingForTooMuchMemory(t *testing.T) {
	before := Hashes()
	for _, h := range []string{
		"$argon2id$v=19$m=4194304,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
		"$argon2id$v=19$m=65536,t=1000,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
		"$argon2id$v=19$m=65536,t=3,p=0$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
	} {
		if CheckPassword(h, "pw") {
			t.Errorf("CheckPassword(%q) = true", h)
		}
	}
	if n := Hashes() - before; n != 0 {
		t.Errorf("%d hashes ran for hashes out of bounds", n)
	}
}

// FuzzParsePHC: any stored hash is parsed without panicking, and one that
// parses asks for no more than the bounded cost.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U")
	f.Add("$argon2id$v=19$m=4194304,t=3,p=2$c2FsdA$a2V5")
	f.Add("$argon2i$v=19$m=65536,t=3,p=2$c2FsdA$a2V5")
	f.Add("")
	f.Fuzz(func(t *testing.T, hash string) {
		p, ok := parsePHC(hash)
		if ok && (p.memory > maxArgonMemory || p.time == 0 || p.time > 4*argonTime || p.threads == 0 || len(p.key) == 0) {
			t.Fatalf("parsePHC(%q) accepted %+v", hash, p)
		}
	})
}
