package learn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A weight table file is, little-endian:
//
//	"KLW1" width:u32 n:u32 bias:[width]f32 scale:[width]f32
//	keys: n uvarint deltas (ascending) weights: [n][width]i16
//
// Each column is quantised to int16 with its own scale, which keeps the
// file about a third the size of float32 with no visible loss in accuracy.
const tableMagic = "KLW1"

// Table maps feature keys to rows of weights (one per output) for
// prediction. It is read-only after decoding and safe for concurrent use.
//
// Each slot holds a key and its row of quantised weights side by side (the
// key as two int16s, then Width int16s), so that finding a feature and
// reading its weights touch one place: with the keys in one array and
// float32 rows in another, every feature of a reply cost two cache misses.
// A weight is dequantised as it is read, to the same float32 that the file
// always gave.
type Table struct {
	Width  int
	Bias   []float32
	scales []float32
	cells  []int16 // size slots of stride cells; key 0 is an empty slot
	stride int
	size   int
	n      int
	// col is where this table's weights begin in a slot's row: 0, or
	// more in a view of a joined table (see DecodeJoined).
	col int
}

// At most maxLoadNum/maxLoadDen of the slots are full: lookups nearly
// always find their key (most n-grams of a text are in the model), after
// 1.75 probes on average at this load.
const maxLoadNum, maxLoadDen = 3, 5

// Len is the number of keys in the table.
func (t *Table) Len() int { return t.n }

// Lookup returns key's weights in a new slice, or nil when the model has no
// such feature. Prediction uses Find and Quantised, which do not allocate.
func (t *Table) Lookup(key uint32) []float32 {
	r := t.Find(key)
	if r < 0 {
		return nil
	}
	w := make([]float32, t.Width)
	for c := range w {
		w[c] = t.Weight(r, c)
	}
	return w
}

// home is the slot where key's probe starts.
func (t *Table) home(key uint32) int {
	return int(uint64(key*0x9E3779B1) * uint64(t.size) >> 32)
}

// Find returns the row of key's weights (see Weight), or -1 when the
// model has no such feature.
func (t *Table) Find(key uint32) int32 {
	if t == nil {
		return -1
	}
	// An empty table has one empty slot.
	for o := t.home(key) * t.stride; ; {
		switch uint32(uint16(t.cells[o])) | uint32(uint16(t.cells[o+1]))<<16 {
		case 0: // keys are never 0
			return -1
		case key:
			return int32(o + 2)
		}
		if o += t.stride; o == len(t.cells) {
			o = 0
		}
	}
}

// Weight returns weight c of row r, a row Find returned.
func (t *Table) Weight(r int32, c int) float32 {
	return float32(t.cells[int(r)+t.col+c]) * t.scales[c]
}

// Quantised returns row r's weights as stored, a row Find returned: weight
// c is float32(q[c]) * Scales()[c], as Weight computes it.
func (t *Table) Quantised(r int32) []int16 {
	r += int32(t.col)
	return t.cells[int(r) : int(r)+t.Width : int(r)+t.Width]
}

// SharesRows reports whether t and u are views of one joined table, so that
// a row one's Find returns is the same key's row in the other.
func (t *Table) SharesRows(u *Table) bool {
	return t != nil && u != nil && len(t.cells) > 0 && len(u.cells) > 0 && &t.cells[0] == &u.cells[0]
}

// Scales returns each column's quantisation scale (see Quantised).
func (t *Table) Scales() []float32 { return t.scales }

// EncodeTable quantises weights (len(keys)×width, row-major) and biases into
// the table file format. Keys must be ascending and non-zero; rows whose
// weights all quantise to zero are dropped.
func EncodeTable(keys []uint32, weights []float64, bias []float64, width int) ([]byte, error) {
	if len(weights) != len(keys)*width || len(bias) != width {
		return nil, fmt.Errorf("encode table: %d keys × width %d but %d weights, %d biases", len(keys), width, len(weights), len(bias))
	}
	scales := make([]float64, width)
	for i := range keys {
		for c := 0; c < width; c++ {
			scales[c] = max(scales[c], math.Abs(weights[i*width+c]))
		}
	}
	for c := range scales {
		scales[c] /= math.MaxInt16
		if scales[c] == 0 {
			scales[c] = 1
		}
	}
	q := make([]int16, len(weights))
	kept := make([]bool, len(keys))
	n := 0
	for i, k := range keys {
		if k == 0 || i > 0 && k <= keys[i-1] {
			return nil, errors.New("encode table: keys must be ascending and non-zero")
		}
		for c := 0; c < width; c++ {
			v := int16(math.Round(weights[i*width+c] / scales[c]))
			q[i*width+c] = v
			if v != 0 {
				kept[i] = true
			}
		}
		if kept[i] {
			n++
		}
	}
	b := []byte(tableMagic)
	b = binary.LittleEndian.AppendUint32(b, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for _, v := range bias {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}
	for _, v := range scales {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}
	prev := uint32(0)
	for i, k := range keys {
		if kept[i] {
			b = binary.AppendUvarint(b, uint64(k-prev))
			prev = k
		}
	}
	for i := range keys {
		if kept[i] {
			for c := 0; c < width; c++ {
				b = binary.LittleEndian.AppendUint16(b, uint16(q[i*width+c]))
			}
		}
	}
	return b, nil
}

// tableFile is a table file read up to its weights.
type tableFile struct {
	width        int
	bias, scales []float32
	keys         []uint32 // ascending
	rows         []byte   // a row of width little-endian int16s per key
}

func readTableFile(b []byte) (tableFile, error) {
	if len(b) < 12 || string(b[:4]) != tableMagic {
		return tableFile{}, errors.New("decode table: not a weight table")
	}
	width := int(binary.LittleEndian.Uint32(b[4:]))
	n := int(binary.LittleEndian.Uint32(b[8:]))
	b = b[12:]
	if width <= 0 || width > 1<<10 || n < 0 || len(b) < 8*width || n > len(b) {
		return tableFile{}, errors.New("decode table: corrupt header")
	}
	f := tableFile{width: width, bias: make([]float32, width), scales: make([]float32, width)}
	for c := 0; c < width; c++ {
		f.bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*c:]))
		f.scales[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(width+c):]))
	}
	b = b[8*width:]
	f.keys = make([]uint32, n)
	prev := uint64(0)
	for i := range f.keys {
		d, m := binary.Uvarint(b)
		if m <= 0 {
			return tableFile{}, errors.New("decode table: corrupt keys")
		}
		b = b[m:]
		prev += d
		if prev == 0 || prev > math.MaxUint32 {
			return tableFile{}, errors.New("decode table: corrupt keys")
		}
		f.keys[i] = uint32(prev)
	}
	if len(b) != 2*n*width {
		return tableFile{}, fmt.Errorf("decode table: %d weight bytes, want %d", len(b), 2*n*width)
	}
	f.rows = b
	return f, nil
}

// newTable returns an empty table for n keys of width weights.
func newTable(n, width int) (*Table, error) {
	t := &Table{Width: width, n: n, stride: 2 + width}
	t.size = max(1, n*maxLoadDen/maxLoadNum+1)
	if t.size*t.stride > math.MaxInt32 {
		return nil, errors.New("decode table: too large")
	}
	t.cells = make([]int16, t.size*t.stride)
	return t, nil
}

// put stores key k in its first free slot and returns the slot's row.
func (t *Table) put(k uint32) []int16 {
	o := t.home(k) * t.stride
	for t.cells[o] != 0 || t.cells[o+1] != 0 {
		if o += t.stride; o == len(t.cells) {
			o = 0
		}
	}
	t.cells[o], t.cells[o+1] = int16(k), int16(k>>16)
	return t.cells[o+2 : o+t.stride]
}

// putRow decodes row i of f's weights into dst.
func (f *tableFile) putRow(dst []int16, i int) {
	q := f.rows[2*i*f.width : 2*(i+1)*f.width]
	for c := range f.width {
		dst[c] = int16(uint16(q[2*c]) | uint16(q[2*c+1])<<8)
	}
}

// DecodeTable reads a table file.
func DecodeTable(b []byte) (*Table, error) {
	f, err := readTableFile(b)
	if err != nil {
		return nil, err
	}
	t, err := newTable(len(f.keys), f.width)
	if err != nil {
		return nil, err
	}
	t.Bias, t.scales = f.bias, f.scales
	for i, k := range f.keys {
		f.putRow(t.put(k), i)
	}
	return t, nil
}

// DecodeJoined reads two table files into one table that holds every key
// of either, with a's weights and then b's side by side in its slot (zeros
// where one of them lacks the key, which weigh as no row at all), and
// returns its two views: ja weighs as a's table, jb as b's. Two models
// that look up the same keys of a text, such as the empathy and the
// politeness models' word n-grams, then find both rows with one lookup: a
// row either view's Find returns is the key's row in both. Neither table
// is built on its own first.
func DecodeJoined(a, b []byte) (ja, jb *Table, err error) {
	fa, err := readTableFile(a)
	if err != nil {
		return nil, nil, err
	}
	fb, err := readTableFile(b)
	if err != nil {
		return nil, nil, err
	}
	// Both key lists ascend: merge them, once to count the keys they
	// share and once to place each key with its rows.
	ka, kb := fa.keys, fb.keys
	n := len(ka) + len(kb)
	for i, k := 0, 0; i < len(ka) && k < len(kb); {
		switch {
		case ka[i] < kb[k]:
			i++
		case kb[k] < ka[i]:
			k++
		default:
			n--
			i++
			k++
		}
	}
	j, err := newTable(n, fa.width+fb.width)
	if err != nil {
		return nil, nil, err
	}
	// a's keys go in first: placed before b's own keys, they are found
	// after fewer probes (b's own keys are looked up
	// only by the models that read b).
	k := 0
	for i, key := range ka {
		row := j.put(key)
		fa.putRow(row, i)
		for k < len(kb) && kb[k] < key {
			k++
		}
		if k < len(kb) && kb[k] == key {
			fb.putRow(row[fa.width:], k)
		}
	}
	for i, k := 0, 0; k < len(kb); k++ {
		for i < len(ka) && ka[i] < kb[k] {
			i++
		}
		if i == len(ka) || ka[i] != kb[k] {
			fb.putRow(j.put(kb[k])[fa.width:], k)
		}
	}
	ja, jb = new(Table), new(Table)
	*ja, *jb = *j, *j
	ja.Width, ja.Bias, ja.scales, ja.n = fa.width, fa.bias, fa.scales, len(ka)
	jb.Width, jb.Bias, jb.scales, jb.n, jb.col = fb.width, fb.bias, fb.scales, len(kb), fa.width
	return ja, jb, nil
}
