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
type Table struct {
	Width int
	Bias  []float32
	slots []slot // open addressing; key 0 is empty
	w     []float32
	mask  uint32
	n     int
}

// slot holds a key with its row, side by side so that a probe reads one
// cache line.
type slot struct {
	key uint32
	row int32
}

// Len is the number of keys in the table.
func (t *Table) Len() int { return t.n }

// Lookup returns key's weights, or nil when the model has no such feature.
// It does not allocate.
func (t *Table) Lookup(key uint32) []float32 {
	r := t.Find(key)
	if r < 0 {
		return nil
	}
	return t.Row(r)
}

// Find returns the row number of key's weights (see Row), or -1 when the
// model has no such feature.
func (t *Table) Find(key uint32) int32 {
	if t == nil || t.n == 0 {
		return -1
	}
	i := (key * 0x9E3779B1) & t.mask
	for {
		s := t.slots[i]
		if s.key == key {
			return s.row
		}
		if s.key == 0 {
			return -1
		}
		i = (i + 1) & t.mask
	}
}

// Row returns the weights of row r, a number Find returned.
func (t *Table) Row(r int32) []float32 {
	i := int(r) * t.Width
	return t.w[i : i+t.Width : i+t.Width]
}

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

// DecodeTable reads a table file.
func DecodeTable(b []byte) (*Table, error) {
	if len(b) < 12 || string(b[:4]) != tableMagic {
		return nil, errors.New("decode table: not a weight table")
	}
	width := int(binary.LittleEndian.Uint32(b[4:]))
	n := int(binary.LittleEndian.Uint32(b[8:]))
	b = b[12:]
	if width <= 0 || width > 1<<10 || n < 0 || len(b) < 8*width || n > len(b) {
		return nil, errors.New("decode table: corrupt header")
	}
	t := &Table{Width: width, n: n, Bias: make([]float32, width)}
	scales := make([]float32, width)
	for c := 0; c < width; c++ {
		t.Bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*c:]))
		scales[c] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(width+c):]))
	}
	b = b[8*width:]
	keys := make([]uint32, n)
	prev := uint64(0)
	for i := range keys {
		d, m := binary.Uvarint(b)
		if m <= 0 {
			return nil, errors.New("decode table: corrupt keys")
		}
		b = b[m:]
		prev += d
		if prev == 0 || prev > math.MaxUint32 {
			return nil, errors.New("decode table: corrupt keys")
		}
		keys[i] = uint32(prev)
	}
	if len(b) != 2*n*width {
		return nil, fmt.Errorf("decode table: %d weight bytes, want %d", len(b), 2*n*width)
	}
	t.w = make([]float32, n*width)
	for r := 0; r < n; r++ {
		// Row by row: a division (i%width) per weight was a quarter of
		// the empathy model's load time.
		row, q := t.w[r*width:(r+1)*width], b[2*r*width:]
		for c := range row {
			row[c] = float32(int16(binary.LittleEndian.Uint16(q[2*c:]))) * scales[c]
		}
	}
	size := 1
	for size < 2*n {
		size <<= 1
	}
	t.slots = make([]slot, size)
	t.mask = uint32(size - 1)
	for r, k := range keys {
		i := (k * 0x9E3779B1) & t.mask
		for t.slots[i].key != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = slot{key: k, row: int32(r)}
	}
	return t, nil
}
