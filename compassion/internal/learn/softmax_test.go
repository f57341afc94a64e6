package learn

import (
	"bytes"
	"iter"
	"math"
	"slices"
	"testing"
)

// toyProblem: feature 0 marks class 0, feature 1 class 1, feature 2 class 2;
// feature 3 is noise present everywhere.
func toyProblem() Problem {
	p := Problem{K: 3, D: 4}
	for i := 0; i < 30; i++ {
		y := i % 3
		p.Rows = append(p.Rows, Row{Idx: []int32{int32(y), 3}, Val: []float32{1, 1}})
		p.Labels = append(p.Labels, y)
	}
	return p
}

func TestTrainSoftmaxSeparatesClasses(t *testing.T) {
	m := TrainSoftmax(toyProblem(), Options{L2: 1e-3})
	out := make([]float64, 3)
	for y := 0; y < 3; y++ {
		m.Probs(Row{Idx: []int32{int32(y), 3}, Val: []float32{1, 1}}, out)
		for k, p := range out {
			if k == y && p < 0.9 || k != y && p > 0.1 {
				t.Fatalf("class %d: probabilities %v", y, out)
			}
		}
		if s := out[0] + out[1] + out[2]; math.Abs(s-1) > 1e-9 {
			t.Fatalf("probabilities sum to %v", s)
		}
	}
}

func TestTrainSoftmaxIsDeterministic(t *testing.T) {
	a := TrainSoftmax(toyProblem(), Options{L2: 1e-2})
	b := TrainSoftmax(toyProblem(), Options{L2: 1e-2})
	for i := range a.W {
		if a.W[i] != b.W[i] {
			t.Fatal("weights differ between identical runs")
		}
	}
}

func TestTrainSoftmaxHonoursRowWeights(t *testing.T) {
	// Two identical inputs with opposite labels: the heavier row wins.
	p := Problem{K: 2, D: 1, Rows: []Row{{Idx: []int32{0}, Val: []float32{1}}, {Idx: []int32{0}, Val: []float32{1}}}, Labels: []int{0, 1}, Weights: []float64{1, 3}}
	m := TrainSoftmax(p, Options{L2: 1e-3})
	out := make([]float64, 2)
	m.Probs(p.Rows[0], out)
	if math.Abs(out[1]-0.75) > 0.01 {
		t.Fatalf("P(1) = %v, want 0.75", out[1])
	}
}

func TestTableRoundTrip(t *testing.T) {
	keys := []uint32{3, 17, 1 << 30, 1<<32 - 1}
	w := []float64{0.5, -0.25, 0, 0, 1e-9, 0, -2, 2}
	b, err := EncodeTable(keys, w, []float64{0.1, -0.1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := DecodeTable(b)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 2 {
		t.Errorf("Len = %d, want 2 (rows quantising to zero are dropped)", tab.Len())
	}
	if got := tab.Lookup(3); got == nil || math.Abs(float64(got[0])-0.5) > 1e-4 || math.Abs(float64(got[1])+0.25) > 1e-4 {
		t.Errorf("Lookup(3) = %v", got)
	}
	if got := tab.Lookup(1<<32 - 1); got == nil || math.Abs(float64(got[1])-2) > 1e-4 {
		t.Errorf("Lookup(max) = %v", got)
	}
	if tab.Lookup(17) != nil || tab.Lookup(1<<30) != nil || tab.Lookup(4) != nil {
		t.Error("absent keys must return nil")
	}
	b2, _ := EncodeTable(keys, w, []float64{0.1, -0.1}, 2)
	if !bytes.Equal(b, b2) {
		t.Error("encoding is not deterministic")
	}
	for _, bad := range [][]byte{nil, []byte("KLW1"), b[:len(b)-1], append([]byte("XXXX"), b[4:]...)} {
		if _, err := DecodeTable(bad); err == nil {
			t.Errorf("DecodeTable(%d bytes) accepted corrupt input", len(bad))
		}
	}
}

func FuzzDecodeTable(f *testing.F) {
	b, _ := EncodeTable([]uint32{1, 2}, []float64{1, 2}, []float64{0}, 1)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := DecodeTable(b)
		if err == nil {
			tab.Lookup(1)
			tab.Lookup(12345)
		}
	})
}

// TestTableFindsEveryKey checks the open addressing, wrap-around included,
// on tables large enough for long probe runs, at the widths the models use
// (2, 9), one that fills a bucket's line unevenly (3) and one wider than a
// line (40): every key finds its own weights, and keys not in the table (0
// among them) find nothing.
func TestTableFindsEveryKey(t *testing.T) {
	const n = 5000
	for _, width := range []int{2, 3, 9, 40} {
		keys := make([]uint32, n)
		w := make([]float64, n*width)
		k := uint32(0)
		for i := range keys {
			k += 1 + uint32(i*7919)%100003
			keys[i] = k
			for c := range width {
				w[i*width+c] = float64(i%97+1) * float64(c+1)
			}
		}
		b, err := EncodeTable(keys, w, make([]float64, width), width)
		if err != nil {
			t.Fatal(err)
		}
		tab, err := DecodeTable(b)
		if err != nil {
			t.Fatal(err)
		}
		in := map[uint32]bool{}
		for i, k := range keys {
			in[k] = true
			got := tab.Lookup(k)
			for c := range width {
				if got == nil || math.Abs(float64(got[c])-w[i*width+c]) > 0.01*w[i*width+c] {
					t.Fatalf("width %d: Lookup(%d) = %v, want about %v", width, k, got, w[i*width:(i+1)*width])
				}
			}
		}
		absent := []uint32{0, 1<<32 - 1, keys[0] + 1, keys[n-1] + 1}
		for i := range uint32(20000) {
			absent = append(absent, i*2654435761)
		}
		for _, k := range absent {
			if !in[k] && tab.Find(k) >= 0 {
				t.Errorf("width %d: Find(%d) found an absent key", width, k)
			}
		}
	}
	empty, err := DecodeTable(func() []byte { b, _ := EncodeTable(nil, nil, []float64{0}, 1); return b }())
	if err != nil {
		t.Fatal(err)
	}
	if empty.Find(1) >= 0 || empty.Find(0) >= 0 {
		t.Error("an empty table found a key")
	}
}

// encodeTestTable encodes a table of keys with width weights each, drawn
// from seed; none quantise to zero.
func encodeTestTable(t *testing.T, keys []uint32, width int, seed float64) []byte {
	t.Helper()
	w := make([]float64, len(keys)*width)
	for i := range w {
		w[i] = math.Sin(seed + float64(i))
	}
	bias := make([]float64, width)
	for c := range bias {
		bias[c] = seed + float64(c)
	}
	b, err := EncodeTable(keys, w, bias, width)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJoinedViewsWeighAsTheirTables(t *testing.T) {
	mk := func(keys []uint32, width int, seed float64) (*Table, []byte) {
		b := encodeTestTable(t, keys, width, seed)
		tab, err := DecodeTable(b)
		if err != nil {
			t.Fatal(err)
		}
		return tab, b
	}
	var ka, kb []uint32
	for k := uint32(1); k < 3000; k++ {
		if k%3 != 0 {
			ka = append(ka, k*7919)
		}
		if k%2 == 0 {
			kb = append(kb, k*7919) // some shared with a, some not
		}
	}
	a, fa := mk(ka, 3, 1)
	b, fb := mk(kb, 2, 5)
	ja, jb, err := DecodeJoined(fa, fb)
	if err != nil {
		t.Fatal(err)
	}
	if !ja.SharesRows(jb) || a.SharesRows(b) || ja.SharesRows(a) {
		t.Fatal("SharesRows: the joined views share rows, the tables do not")
	}
	if ja.Len() != a.Len() || jb.Len() != b.Len() || ja.Width != 3 || jb.Width != 2 {
		t.Errorf("views: Len %d, %d, Width %d, %d; want %d, %d, 3, 2", ja.Len(), jb.Len(), ja.Width, jb.Width, a.Len(), b.Len())
	}
	for k := uint32(1); k < 3000*7919+10; k += 7919 / 3 {
		for _, c := range []struct {
			name       string
			orig, view *Table
		}{{"a", a, ja}, {"b", b, jb}} {
			want := c.orig.Lookup(k)
			r := c.view.Find(k)
			if want == nil {
				if r >= 0 && slices.ContainsFunc(c.view.Quantised(r), func(q int16) bool { return q != 0 }) {
					t.Fatalf("key %d, not in %s: joined row %v", k, c.name, c.view.Quantised(r))
				}
				continue
			}
			if r < 0 {
				t.Fatalf("key %d of %s: not found in the joined table", k, c.name)
			}
			if r2 := ja.Find(k); r2 != r {
				t.Fatalf("key %d: rows %d and %d in the two views", k, r, r2)
			}
			for col, w := range want {
				if got := c.view.Weight(r, col); got != w {
					t.Fatalf("key %d of %s, weight %d: %v joined, %v alone", k, c.name, col, got, w)
				}
			}
		}
	}
	if !slices.Equal(ja.Bias, a.Bias) || !slices.Equal(jb.Scales(), b.Scales()) {
		t.Error("a view keeps its table's biases and scales")
	}
}

// TestDecodeJoinedIsJoin holds DecodeJoined to join of the two tables
// decoded alone: every key, in either file or neither, weighs the same in
// both views, whichever file holds more keys, and with an empty file.
func TestDecodeJoinedIsJoin(t *testing.T) {
	enc := func(keys []uint32, width int, seed float64) []byte { return encodeTestTable(t, keys, width, seed) }
	var ka, kb []uint32
	for k := uint32(1); k < 3000; k++ {
		if k%3 != 0 {
			ka = append(ka, k*7919)
		}
		if k%2 == 0 {
			kb = append(kb, k*7919)
		}
	}
	kb = append(kb, 1<<32-1) // beyond every key of a
	for _, tc := range []struct {
		name   string
		fa, fb []byte
	}{
		{"a larger", enc(ka, 9, 1), enc(kb, 2, 5)},
		{"b larger", enc(kb[:100], 3, 2), enc(ka, 2, 3)},
		{"a empty", enc(nil, 9, 1), enc(kb, 2, 5)},
		{"b empty", enc(ka, 9, 1), enc(nil, 2, 5)},
	} {
		a, err := DecodeTable(tc.fa)
		if err != nil {
			t.Fatal(err)
		}
		b, err := DecodeTable(tc.fb)
		if err != nil {
			t.Fatal(err)
		}
		wa, wb := join(a, b)
		ja, jb, err := DecodeJoined(tc.fa, tc.fb)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !ja.SharesRows(jb) || ja.Len() != wa.Len() || jb.Len() != wb.Len() || ja.Width != wa.Width || jb.Width != wb.Width {
			t.Fatalf("%s: views differ from join's", tc.name)
		}
		if !slices.Equal(ja.Bias, wa.Bias) || !slices.Equal(jb.Bias, wb.Bias) || !slices.Equal(ja.Scales(), wa.Scales()) || !slices.Equal(jb.Scales(), wb.Scales()) {
			t.Errorf("%s: biases or scales differ from join's", tc.name)
		}
		if len(ja.cells) != len(wa.cells) {
			t.Errorf("%s: %d cells, join has %d", tc.name, len(ja.cells), len(wa.cells))
		}
		probe := append(append([]uint32{0, 1, 1<<32 - 1}, ka...), kb...)
		for k := uint32(1); k < 3000*7919+10; k += 7919 / 3 {
			probe = append(probe, k)
		}
		for _, k := range probe {
			for _, v := range [][2]*Table{{wa, ja}, {wb, jb}} {
				r, s := v[0].Find(k), v[1].Find(k)
				if (r < 0) != (s < 0) {
					t.Fatalf("%s: key %d found by one only", tc.name, k)
				}
				if r >= 0 && !slices.Equal(v[0].Quantised(r), v[1].Quantised(s)) {
					t.Fatalf("%s: key %d: %v joined, %v decoded joined", tc.name, k, v[0].Quantised(r), v[1].Quantised(s))
				}
			}
		}
	}
	good := enc(ka, 2, 1)
	for _, bad := range [][]byte{nil, good[:len(good)-1]} {
		if _, _, err := DecodeJoined(bad, good); err == nil {
			t.Error("DecodeJoined accepted a corrupt first file")
		}
		if _, _, err := DecodeJoined(good, bad); err == nil {
			t.Error("DecodeJoined accepted a corrupt second file")
		}
	}
}

// join is the plain way to build what DecodeJoined builds from the files:
// decode each table, then copy both into one, a's keys first.
func join(a, b *Table) (ja, jb *Table) {
	n := a.n
	for k := range b.keys() {
		if a.Find(k) < 0 {
			n++
		}
	}
	width := a.Width + b.Width
	j := Table{n: n, stride: 2 + width}
	j.size = max(1, n*maxLoadDen/maxLoadNum+1)
	j.cells = make([]int16, j.size*j.stride)
	put := func(k uint32) {
		o := j.home(k) * j.stride
		for j.cells[o] != 0 || j.cells[o+1] != 0 {
			if o += j.stride; o == len(j.cells) {
				o = 0
			}
		}
		j.cells[o], j.cells[o+1] = int16(k), int16(k>>16)
		if r := a.Find(k); r >= 0 {
			copy(j.cells[o+2:], a.Quantised(r))
		}
		if r := b.Find(k); r >= 0 {
			copy(j.cells[o+2+a.Width:], b.Quantised(r))
		}
	}
	for k := range a.keys() {
		put(k)
	}
	for k := range b.keys() {
		if a.Find(k) < 0 {
			put(k)
		}
	}
	ja, jb = new(Table), new(Table)
	*ja, *jb = j, j
	ja.Width, ja.Bias, ja.scales, ja.n = a.Width, a.Bias, a.scales, a.n
	jb.Width, jb.Bias, jb.scales, jb.n, jb.col = b.Width, b.Bias, b.scales, b.n, a.Width
	return ja, jb
}

// keys yields the table's keys, in slot order.
func (t *Table) keys() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for o := 0; o < len(t.cells); o += t.stride {
			if k := uint32(uint16(t.cells[o])) | uint32(uint16(t.cells[o+1]))<<16; k != 0 && !yield(k) {
				return
			}
		}
	}
}
