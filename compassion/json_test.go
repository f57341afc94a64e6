package compassion

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
)

// stdJSON is what AppendJSON must reproduce: encoding/json's Encoder with
// HTML escaping off, less its final newline.
func stdJSON(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// checkSameJSON fails the test when AppendJSON and encoding/json differ on
// r, or when encoding/json cannot encode r at all.
func checkSameJSON(t testing.TB, what string, r *Report) {
	t.Helper()
	want, err := stdJSON(r)
	if err != nil {
		t.Fatalf("%s: encoding/json: %v", what, err)
	}
	// A non-empty dst checks that AppendJSON appends.
	got := r.AppendJSON([]byte("xy"))
	if !bytes.HasPrefix(got, []byte("xy")) {
		t.Fatalf("%s: AppendJSON did not keep dst", what)
	}
	got = got[2:]
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(i-60, 0)
		t.Fatalf("%s: AppendJSON differs from encoding/json at byte %d:\n got …%s\nwant …%s",
			what, i, got[from:min(i+60, len(got))], want[from:min(i+60, len(want))])
	}
}

// jsonCorpus is every exchange the equality test reads: the shared data
// sets (when present) and the string literals of this package's tests.
func jsonCorpus(t *testing.T) []Input {
	t.Helper()
	var ins []Input
	names := []string{"Mrs. Wanjiru", "Baba Otieno", "Sam"}
	acc := [][]string{{"plain_language"}, {"Low-Vision", "hearing"}, {}, nil}
	// decorate gives some exchanges a name and accommodations.
	decorate := func(in Input) Input {
		n := len(ins)
		if n%3 == 0 {
			in.CustomerName = names[(n/3)%len(names)]
		}
		if n%4 != 3 {
			in.Accommodations = acc[n%len(acc)]
		}
		return in
	}

	// EPITOME: seeker posts and responses, from all three files.
	for _, name := range empathy.Files {
		f, err := os.Open(filepath.Join(epitomeDir, name))
		if err != nil {
			t.Logf("EPITOME %s not available: %v", name, err)
			continue
		}
		pairs, err := empathy.ReadCSV(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pairs {
			ins = append(ins, decorate(Input{CustomerMessage: p.Seeker, Reply: p.Response}))
		}
	}

	// VADER tweets, as replies alone and as customer messages alone; each
	// also answers the previous one.
	if tf, err := os.Open("../../shared/data/vader/tweets_GroundTruth.txt"); err != nil {
		t.Logf("VADER tweets not available: %v", err)
	} else {
		sc := bufio.NewScanner(tf)
		prev := ""
		for sc.Scan() {
			cols := strings.SplitN(sc.Text(), "\t", 3)
			if len(cols) != 3 {
				continue
			}
			ins = append(ins, decorate(Input{Reply: cols[2]}), decorate(Input{CustomerMessage: cols[2]}), decorate(Input{CustomerMessage: prev, Reply: cols[2]}))
			prev = cols[2]
		}
		tf.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}

	// The package's test examples: every string literal of its test files,
	// as a customer message, as a reply, and as a reply to the one before.
	lits := testLiterals(t)
	for i, s := range lits {
		ins = append(ins, decorate(Input{CustomerMessage: s}), decorate(Input{Reply: s}))
		if i > 0 {
			ins = append(ins, decorate(Input{CustomerMessage: lits[i-1], Reply: s}))
		}
	}
	return ins
}

// testLiterals returns the string literals of the package's _test.go files
// (not this one), where its examples live.
func testLiterals(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "json_test.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Logf("%s: %v", name, err) // a file being edited: skip it
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && strings.TrimSpace(s) != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
			return true
		})
	}
	return out
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	ins := jsonCorpus(t)
	if testing.Short() && len(ins) > 2000 {
		ins = ins[:2000]
	}
	ids := []json.RawMessage{nil, json.RawMessage(`"msg-1"`), json.RawMessage(`42`), json.RawMessage(`-1.5e3`), json.RawMessage(`"a\"<b>\u2028"`)}
	var trunc int
	for i, in := range ins {
		r := Analyze(in)
		r.ID = ids[i%len(ids)]
		if r.Truncated {
			trunc++
		}
		checkSameJSON(t, fmt.Sprintf("exchange %d %+.80v", i, in), &r)
	}
	t.Logf("%d exchanges", len(ins))

	// Truncated reports, of either message.
	long := strings.Repeat("I'm sorry, I'll post your card today by 2 pm. ", MaxAnalyzed/40)
	for _, in := range []Input{{Reply: long}, {CustomerMessage: long}, {CustomerMessage: long, Reply: long, CustomerName: "Sam"}} {
		r := Analyze(in)
		if !r.Truncated {
			t.Fatal("a long message was not truncated")
		}
		checkSameJSON(t, "truncated", &r)
	}
}

// TestAppendJSONIDs checks the ids encoding/json accepts, compacted as it
// compacts a json.RawMessage, and the documented null for those it refuses.
func TestAppendJSONIDs(t *testing.T) {
	r := Analyze(Input{Reply: "I'll call you today."})
	for _, id := range []string{`7`, `"x"`, ` 7 `, "\t\"a b\"\n", `{"a": [1, 2, {"b" : "c d"}], "e\"f": "\\"}`, `null`, `"\u00e9\ud83d\ude00"`, `1e-7`, `true`, "\"\u2028<&>\"",
		// plainID's cases and their edges
		`0`, `-0`, `-12`, `123456789012345678901234567890`, `""`, "\"a b/c~\x7f\"", `"é"`, `"a\"b"`, `0.5`, `-1.5e3`} {
		r.ID = json.RawMessage(id)
		checkSameJSON(t, "id "+id, &r)
	}
	for _, id := range []string{``, `{`, `"a`, `1 2`, `nul`, `-`, `01`, `-01`, `"`, `1-`, `"a"b"`, "\"a\tb\""} {
		r.ID = json.RawMessage(id)
		if _, err := stdJSON(&r); err == nil {
			t.Errorf("encoding/json accepts id %q: the test is wrong", id)
		}
		if got := r.AppendJSON(nil); !bytes.HasPrefix(got, []byte(`{"id":null,`)) {
			t.Errorf("id %q: got %.30s, want null", id, got)
		}
	}
}

// TestAppendJSONFloats checks the number formatting on values chosen to
// cross encoding/json's switches between plain and exponent notation.
func TestAppendJSONFloats(t *testing.T) {
	for _, f := range jsonFloats {
		got := appendFloat(nil, f)
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(appendFloat(nil, f)); got != "null" {
			t.Errorf("%v: got %s, want null", f, got)
		}
	}
}

// TestAppendIntMatchesStrconv checks appendInt's short cases and their
// edges against strconv.
func TestAppendIntMatchesStrconv(t *testing.T) {
	ns := []int{math.MinInt, math.MaxInt, 1 << 40, -(1 << 40), 123456789}
	for n := -1100; n <= 1100; n++ {
		ns = append(ns, n)
	}
	for _, n := range ns {
		if got, want := string(appendInt([]byte("x"), n)), "x"+strconv.Itoa(n); got != want {
			t.Errorf("appendInt(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestAppendFloatFastPath compares appendFloat with encoding/json on the
// numbers its fast path reads (a few decimals) and on their neighbours,
// which it must leave to strconv.
func TestAppendFloatFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(f float64) {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return // TestAppendJSONFloats
		}
		got := appendFloat(nil, f)
		want, _ := json.Marshal(f)
		if !bytes.Equal(got, want) {
			t.Fatalf("%v (%x): got %s, want %s", f, math.Float64bits(f), got, want)
		}
	}
	n := 300000
	if testing.Short() {
		n = 30000
	}
	for range n {
		d := rng.IntN(7)
		k := rng.Int64N(int64([]float64{10, 1e3, 1e6, 1e9, 1e13, 1e16}[rng.IntN(6)]))
		if rng.IntN(2) == 0 {
			k = -k
		}
		f := float64(k) / math.Pow10(d)
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(math.Nextafter(f, math.Inf(-1)))
		check(math.Float64frombits(rng.Uint64()))
		check(rng.Float64() * math.Pow10(rng.IntN(14)-5))
	}
	for _, f := range []float64{1e-4, 1e-4 - 1e-20, 1e9, 1e9 - 1e-7, 0.1 + 0.2, 0.99999, 0.999999999999, 9.9999, 12345678.9999} {
		check(f)
		check(-f)
	}
}

// TestAppendString puts every byte, and a few runes, at every position of
// plain strings of several lengths, so that the eight-byte skip of
// appendString meets them at each offset of its words.
func TestAppendString(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	check := func(s string) {
		buf.Reset()
		enc.Encode(s)
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	}
	var pieces []string
	for b := range 256 {
		pieces = append(pieces, string([]byte{byte(b)}))
	}
	pieces = append(pieces, "é", "\u2028", "\u2029", "😀", "\ufffd", "\xe2\x80", "\xed\xa0\x80", "\xf0\x9f\x98")
	for n := range 19 {
		plain := strings.Repeat("abcdefgh", 3)[:n]
		for _, p := range pieces {
			for at := 0; at <= n; at++ {
				check(plain[:at] + p + plain[at:])
			}
		}
	}
}

var jsonFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 0.55, 2.07, 68.3, 1.0 / 3, -0.5106, 100, 1e6, 123456789,
	1e-6, 9.99999e-7, 1e-7, -1e-7, 1.5e-9, 1e-10, 1e-100, 5e-324, math.SmallestNonzeroFloat64,
	1e20, 1e21 - 65536, 1e21, 1.5e21, -1e21, 1e100, math.MaxFloat64, 123456789012345678,
}

var jsonStrings = []string{
	"", "plain", `"quoted" \back\slash/`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "\u2028\u2029", "é ü 😀 中文", "bad \xff\xfe utf8 \xe2\x80", "\xed\xa0\x80 surrogate",
	"\ufffd real replacement", "mix \u2028\"\\\x1b<>&\xc3",
}

// TestAppendJSONRandomReports fills every field of Report, at any depth,
// through reflection with tricky values, nil and empty slices and nil
// pointers: a field added to any of the report's types and not to
// AppendJSON fails here.
func TestAppendJSONRandomReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var r Report
		fillRandom(rng, reflect.ValueOf(&r).Elem(), 0)
		r.ID = []json.RawMessage{nil, json.RawMessage(`12`), json.RawMessage(`"id"`)}[rng.IntN(3)]
		checkSameJSON(t, fmt.Sprintf("random report %d", i), &r)
	}
}

func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i), depth+1)
			}
		}
	case reflect.Pointer:
		if rng.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(rng, v.Elem(), depth+1)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage: set by the caller
			return
		}
		switch rng.IntN(4) {
		case 0:
			v.SetZero() // nil: null, or left out with omitempty
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // empty: [], or left out
		default:
			n := 1 + rng.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fillRandom(rng, v.Index(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(jsonStrings[rng.IntN(len(jsonStrings))])
	case reflect.Float64:
		v.SetFloat(jsonFloats[rng.IntN(len(jsonFloats))])
	case reflect.Int:
		v.SetInt([]int64{0, 1, 2, -3, 1 << 40, math.MinInt64}[rng.IntN(6)])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	default:
		panic("fillRandom: unexpected kind " + v.Kind().String() + " in Report: teach AppendJSON and this test about it")
	}
}

// TestAnalyzeReportsAreFinite: AppendJSON writes null for a NaN or an
// infinity where encoding/json fails; Analyze must never give one.
func TestAnalyzeReportsAreFinite(t *testing.T) {
	for _, in := range []Input{
		{}, {Reply: "."}, {CustomerMessage: "!!!", Reply: "???"}, {Reply: "\xff\xfe"},
		{CustomerMessage: strings.Repeat("no ", 10000), Reply: strings.Repeat("sorry ", 10000)},
		{CustomerMessage: pensionMessage, Reply: "I'm so sorry. I'll post it today by 2 pm.", CustomerName: "Mrs. Wanjiru", Accommodations: []string{"plain_language"}},
	} {
		r := Analyze(in)
		if _, err := stdJSON(&r); err != nil {
			t.Errorf("%+.60v: %v", in, err)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add(pensionMessage, "I'm so sorry. I'll post it today by 2 pm.", "Mrs. Wanjiru")
	f.Add("", "Calm down, just fill in the form. You should have read it.", "")
	f.Add("ok\xff", "a-'b\xff- will be sent soon 14:00 within 2 days", "\xff")
	f.Add("I'm 90 and blind \u2028 \"quoted\" \\ <b>&</b>", "Sorry \u2029 \x00\x01\t\n \"x\" \\y <>&", "Dr \"Who\"")
	f.Add("\xed\xa0\x80\xc3", "\x1b[31m red \x7f", "<script>")
	f.Fuzz(func(t *testing.T, customer, reply, name string) {
		r := Analyze(Input{CustomerMessage: customer, Reply: reply, CustomerName: name, Accommodations: []string{name}})
		checkSameJSON(t, "fuzz", &r)
	})
}

// benchReports are a few realistic reports for the encoding benchmarks.
func benchReports(b *testing.B) []Report {
	d := loadBench(b)
	var rs []Report
	for i, p := range d["epitome"][:20] {
		r := Analyze(p.toInput())
		r.ID = json.RawMessage(strconv.Itoa(i))
		rs = append(rs, r)
	}
	for i, p := range d["tweets"][:20] {
		r := Analyze(p.toInput())
		r.ID = json.RawMessage(strconv.Quote(fmt.Sprint("t", i)))
		rs = append(rs, r)
	}
	return rs
}

// BenchmarkAppendJSON and BenchmarkEncodingJSON encode the same reports, one
// per op:
//
//	go test -run '^$' -bench 'AppendJSON|EncodingJSON' -benchtime 2s ./compassion/
func BenchmarkAppendJSON(b *testing.B) {
	rs := benchReports(b)
	var buf []byte
	b.SetBytes(meanJSONSize(rs))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = rs[i%len(rs)].AppendJSON(buf[:0])
	}
}

func BenchmarkEncodingJSON(b *testing.B) {
	rs := benchReports(b)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b.SetBytes(meanJSONSize(rs))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf.Reset()
		if err := enc.Encode(&rs[i%len(rs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func meanJSONSize(rs []Report) int64 {
	n := 0
	for i := range rs {
		n += len(rs[i].AppendJSON(nil))
	}
	return int64(n / len(rs))
}
