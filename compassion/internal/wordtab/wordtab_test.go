package wordtab

import (
	"math/rand/v2"
	"strconv"
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
}
