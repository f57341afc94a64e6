package wordtab

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestTableMatchesMap checks that a Table answers exactly as a map holding
// the same words: every stored word, words that differ from one only in
// length, case, a trailing NUL or one byte, and long and empty keys.
func TestTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]int{}
	var tab Table[int]
	var keys []string
	letters := "abcdefghijklmnopqrstuvwxyz'-é"
	for i := range 30000 {
		n := 1 + rng.IntN(24)
		b := make([]byte, 0, n)
		for len(b) < n {
			b = append(b, letters[rng.IntN(len(letters))])
		}
		w := string(b)
		if i%7 == 0 {
			w = strconv.Itoa(i)
		}
		want[w] = i
		tab.Set(w, i)
		keys = append(keys, w)
	}
	want[""] = -1
	tab.Set("", -1)
	for _, w := range keys[:100] { // overwrite some
		want[w] = 7
		tab.Set(w, 7)
	}
	if tab.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(want))
	}
	check := func(w string) {
		t.Helper()
		wv, wok := want[w]
		if v, ok := tab.Get(w); v != wv || ok != wok {
			t.Fatalf("Get(%q) = %d, %v; want %d, %v", w, v, ok, wv, wok)
		}
		if v, ok := tab.GetBytes([]byte(w)); v != wv || ok != wok {
			t.Fatalf("GetBytes(%q) = %d, %v; want %d, %v", w, v, ok, wv, wok)
		}
	}
	check("")
	for _, w := range keys {
		check(w)
		check(w + "\x00")
		check(w[:len(w)-1])
		check("X" + w)
		b := []byte(w)
		b[len(b)/2] ^= 1
		check(string(b))
	}
	for _, w := range []string{"a", "\x00", "abcdefghijklmnop", "abcdefghijklmnopq", "zzzzzzzzzzzzzzzzzzzzzzzzzzzz"} {
		check(w)
	}
}

func TestZeroTable(t *testing.T) {
	var tab Table[string]
	if v, ok := tab.Get("word"); ok || v != "" {
		t.Fatalf("empty table: Get = %q, %v", v, ok)
	}
	if v, ok := tab.Get(""); ok || v != "" {
		t.Fatalf("empty table: Get(\"\") = %q, %v", v, ok)
	}
	// Slots made room for, none filled: Get probes them.
	tab.Reserve(10)
	for _, w := range []string{"a", "word", "abcdefghijklmnop"} {
		if v, ok := tab.Get(w); ok || v != "" {
			t.Fatalf("reserved empty table: Get(%q) = %q, %v", w, v, ok)
		}
	}
}

// TestReserve checks that a table sized up front holds its keys without
// growing, and answers as one built by growing does.
func TestReserve(t *testing.T) {
	const n = 5000
	var grown, reserved Table[int]
	reserved.Reserve(n)
	size := len(reserved.slots)
	if 4*n > 3*size {
		t.Fatalf("Reserve(%d) made %d slots: more than three in four would be full", n, size)
	}
	for i := range n {
		w := fmt.Sprintf("w%d", i)
		grown.Set(w, i)
		reserved.Set(w, i)
	}
	if len(reserved.slots) != size {
		t.Errorf("the reserved table grew from %d to %d slots", size, len(reserved.slots))
	}
	if len(reserved.slots) != len(grown.slots) {
		t.Errorf("reserved %d slots, growing made %d", len(reserved.slots), len(grown.slots))
	}
	for i := range n + 10 {
		w := fmt.Sprintf("w%d", i)
		a, aok := grown.Get(w)
		b, bok := reserved.Get(w)
		if a != b || aok != bok {
			t.Fatalf("Get(%q): grown %d %v, reserved %d %v", w, a, aok, b, bok)
		}
	}
}

// packBytes is pack as a byte loop: the definition pack must keep.
func packBytes(w string) (k0, k1 uint64) {
	for i := 0; i < len(w) && i < 16; i++ {
		if i < 8 {
			k0 |= uint64(w[i]) << (8 * i)
		} else {
			k1 |= uint64(w[i]) << (8 * (i - 8))
		}
	}
	return k0, k1
}

func TestPackMatchesByteLoop(t *testing.T) {
	src := "abcdefghijklmnopqrstuvwxyz\x00\xff\x80é’"
	for n := 0; n <= 20; n++ {
		for off := 0; off+n <= len(src); off++ {
			w := src[off : off+n]
			a0, a1 := pack(w)
			b0, b1 := pack([]byte(w))
			e0, e1 := packBytes(w)
			if a0 != e0 || a1 != e1 || b0 != e0 || b1 != e1 {
				t.Fatalf("pack(%q) = %x %x (bytes: %x %x), want %x %x", w, a0, a1, b0, b1, e0, e1)
			}
		}
	}
}

func BenchmarkGet(b *testing.B) {
	var tab Table[int32]
	words := strings.Fields("i am so sorry to hear about your father we will post the form today and it reaches you by friday unbelievable customer-service representative")
	for i, w := range words {
		tab.Set(w, int32(i))
	}
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			tab.Get(w)
		}
	}
}

// TestFilterKeepsEveryWord checks that a filtered table answers as the
// map does, for words stored before Filter and after it, and that the
// filter turns most misses away.
func TestFilterKeepsEveryWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	want := map[string]int{}
	var tab Table[int]
	word := func() string {
		b := make([]byte, 1+rng.IntN(20))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	for i := range 8000 {
		if i == 5000 {
			tab.Filter()
		}
		w := word()
		want[w] = i
		tab.Set(w, i)
	}
	for w, v := range want {
		if got, ok := tab.Get(w); !ok || got != v {
			t.Fatalf("Get(%q) = %d, %v; want %d, true", w, got, ok, v)
		}
	}
	passed, misses := 0, 0
	for range 20000 {
		w := word()
		if _, in := want[w]; in {
			continue
		}
		misses++
		if _, ok := tab.GetBytes([]byte(w)); ok {
			t.Fatalf("Get(%q) found a word never stored", w)
		}
		if len(w) <= inline {
			k0, k1 := pack(w)
			if b := hash(k0, k1, len(w)) >> tab.fshift; tab.filter[b>>6]&(1<<(b&63)) != 0 {
				passed++
			}
		}
	}
	if passed > misses/4 {
		t.Errorf("the filter let %d of %d misses through", passed, misses)
	}
}
