package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/compassion/empathy"
)

// checkDecode fails the test when decodeLine, with its fast path, gives
// another line or another error than decodeLineStd (json.Unmarshal alone).
// It reports whether the fast path took the line.
func checkDecode(t testing.TB, data []byte) (fast bool) {
	t.Helper()
	var got, want analyzeLine
	orig := bytes.Clone(data)
	gotErr := decodeLine(data, &got)
	if !bytes.Equal(data, orig) {
		t.Fatalf("decodeLine changed its input %q", orig)
	}
	wantErr := decodeLineStd(data, &want)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %v, want %v", data, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", data, got, want)
	}
	var l analyzeLine
	fast = decodeLineFast(data, &l)
	if fast && wantErr != nil {
		t.Fatalf("%q: fast path accepts a line json.Unmarshal refuses: %v", data, wantErr)
	}
	return fast
}

func TestDecodeLineFastMatchesUnmarshal(t *testing.T) {
	tests := []struct {
		line string
		fast bool // whether the fast path should take it
	}{
		{`{"id":1,"customer_message":"Where is my card?","reply":"I'll post it today."}`, true},
		{`{}`, true},
		{` { } `, true},
		{"\t{\r\n\"id\"\t:\n\"a\" ,\"reply\" : \"x\"\r}\n", true},
		{`{"id":"msg-1"}`, true},
		{`{"id":null,"reply":null,"customer_message":null,"customer_name":null,"accommodations":null}`, true},
		{`{"id":-0,"reply":""}`, true},
		{`{"id":0.5}`, true},
		{`{"id":-12.250}`, true},
		{`{"id":123456789012345678901234567890}`, true},
		{`{"id":"\u00e9\"\\"}`, true},
		{`{"customer_name":"Mrs. Wanjiru","accommodations":["plain_language","Low-Vision"]}`, true},
		{`{"accommodations":[]}`, true},
		{`{"id":7,"reply":"Pole sana, Mama.","channel":"sms","language":"sw"}`, true},
		{`{"channel":null,"language":null}`, true},
		{`{"accommodations":[ "a" , "b" ]}`, true},
		{`{"reply":"a\"b\\c\/d\be\ff\ng\rh\ti"}`, true},
		{`{"reply":"\u003cb\u003e \u0026 \u2028 \u00E9 \uD83D\uDE00"}`, true},
		{`{"reply":"lone \ud800 high"}`, true},
		{`{"reply":"lone \udc00 low"}`, true},
		{`{"reply":"reversed \udc00\ud800"}`, true},
		{`{"reply":"high then letter \ud83d\u0041"}`, true},
		{`{"reply":"high at end \ud83d"}`, true},
		{"{\"reply\":\"bad utf8 \xff\xfe \xed\xa0\x80 \xc3\"}", true},
		{"{\"reply\":\"valid \xef\xbf\xbd é 😀\"}", true},
		{"{\"reply\":\"del \x7f\"}", true},
		{"{\"id\":\"bad \xff\"}", true},

		// Left to json.Unmarshal.
		{`{"ID":1}`, false},
		{`{"Reply":"x"}`, false},
		{`{"customer_Message":"x"}`, false},
		{`{"unknown":1,"reply":"x"}`, false},
		{`{"\u0069d":1}`, false},
		{`{"reply":"a","reply":"b"}`, false},
		{`{"id":1,"id":2}`, false},
		{`{"id":1e3}`, false},
		{`{"id":1E+3}`, false},
		{`{"id":1e400}`, false},
		{`{"id":01}`, false},
		{`{"id":-}`, false},
		{`{"id":1.}`, false},
		{`{"id":.5}`, false},
		{`{"id":+1}`, false},
		{`{"id":true}`, false},
		{`{"id":[1]}`, false},
		{`{"id":{"a":1}}`, false},
		{`{"id":nul}`, false},
		{`{"id":nullx}`, false},
		{`{"reply":42}`, false},
		{`{"reply":true}`, false},
		{`{"reply":["x"]}`, false},
		{`{"reply":{"x":1}}`, false},
		{`{"accommodations":"plain_language"}`, false},
		{`{"channel":["sms"]}`, false},
		{`{"language":"sw","language":"en"}`, false},
		{`{"accommodations":["a",null]}`, false},
		{`{"accommodations":["a",1]}`, false},
		{`{"accommodations":["a",]}`, false},
		{`{"accommodations":[,]}`, false},
		{`{"reply":"x"} trailing`, false},
		{`{"reply":"x"}{}`, false},
		{`{"reply":"x",}`, false},
		{`{,}`, false},
		{`{"reply" "x"}`, false},
		{`{"reply":"x" "id":1}`, false},
		{`{"reply":"unterminated}`, false},
		{`{"reply":"x"`, false},
		{`{"reply":"bad escape \x"}`, false},
		{`{"reply":"bad escape \'"}`, false},
		{`{"reply":"short \u12"}`, false},
		{`{"reply":"bad hex \u12g4"}`, false},
		{`{"reply":"pair with bad hex \ud83d\uZZZZ"}`, false},
		{"{\"reply\":\"raw\ttab\"}", false},
		{"{\"reply\":\"raw\nnewline\"}", false},
		{"\v{\"reply\":\"x\"}", false},
		{"{\"reply\":\"x\"}\f", false},
		{"\xef\xbb\xbf{\"reply\":\"x\"}", false},
		{`[1,2]`, false},
		{`"x"`, false},
		{``, false},
		{`   `, false},
		{`{`, false},
		{`}`, false},
		{`{"id":"two","reply":broken`, false},
	}
	for _, tt := range tests {
		if fast := checkDecode(t, []byte(tt.line)); fast != tt.fast {
			t.Errorf("%q: fast path %v, want %v", tt.line, fast, tt.fast)
		}
	}
}

// TestDecodeLineRandom builds lines from likely and unlikely pieces (keys,
// values, white space), some of them then damaged by a byte, and checks
// decodeLine against json.Unmarshal on each.
func TestDecodeLineRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{`"id"`, `"reply"`, `"customer_message"`, `"customer_name"`, `"accommodations"`, `"channel"`, `"language"`, `"ID"`, `"Reply"`, `"other"`, `"\u0069d"`, `""`}
	values := []string{
		`"plain"`, `""`, `"a\"b\\c\/\b\f\n\r\t"`, `"\u00e9\u2028\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800x"`, `"\ud83d\u0041"`,
		"\"\xff\xfe\xed\xa0\x80\"", `"é😀"`, `null`, `0`, `-0`, `7`, `-12.5`, `1e3`, `01`, `1.`, `true`, `false`,
		`[]`, `["plain_language"]`, `["a", "b"]`, `[null]`, `[1]`, `{}`, `{"a":1}`, `"\x"`, `"\u12"`,
	}
	spaces := []string{"", "", "", " ", "\t", "\r\n", "  "}
	sp := func() string { return spaces[rng.IntN(len(spaces))] }
	fast := 0
	const n = 20000
	for range n {
		var b strings.Builder
		b.WriteString(sp() + "{" + sp())
		for k := range rng.IntN(5) {
			if k > 0 {
				b.WriteString(sp() + "," + sp())
			}
			b.WriteString(keys[rng.IntN(len(keys))] + sp() + ":" + sp() + values[rng.IntN(len(values))])
		}
		b.WriteString(sp() + "}" + sp())
		line := []byte(b.String())
		if rng.IntN(4) == 0 && len(line) > 0 {
			at := rng.IntN(len(line))
			switch rng.IntN(3) {
			case 0:
				line = append(line[:at], line[at+1:]...)
			case 1:
				line[at] = byte(rng.IntN(256))
			default:
				const insert = "{}[],:\"\\ 0n"
				line = append(line[:at], append([]byte{insert[rng.IntN(len(insert))]}, line[at:]...)...)
			}
		}
		if checkDecode(t, line) {
			fast++
		}
	}
	t.Logf("%d of %d lines took the fast path", fast, n)
}

// sharedJSONL returns the comparison input that internal/peer/govader
// -make writes (EPITOME pairs, then VADER tweets as replies), a line per
// exchange, and the same exchanges in other spellings: without HTML
// escaping, with string ids, names and accommodations, and with spaces
// between the tokens.
func sharedJSONL(t testing.TB) [][]byte {
	t.Helper()
	type peerLine struct { // as in internal/peer/govader
		ID              json.RawMessage `json:"id"`
		CustomerMessage string          `json:"customer_message,omitempty"`
		Reply           string          `json:"reply"`
	}
	type fullLine struct {
		ID             any      `json:"id"`
		Customer       string   `json:"customer_message"`
		Reply          string   `json:"reply"`
		Name           string   `json:"customer_name,omitempty"`
		Accommodations []string `json:"accommodations"`
	}
	var ins []peerLine
	f, err := os.Open("../../../shared/data/epitome/" + empathy.Files[0])
	if err != nil {
		t.Skipf("EPITOME data not available: %v", err)
	}
	pairs, err := empathy.ReadCSV(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		ins = append(ins, peerLine{ID: json.RawMessage(fmt.Sprint(len(ins) + 1)), CustomerMessage: p.Seeker, Reply: p.Response})
	}
	tw, err := os.ReadFile("../../../shared/data/vader/tweets_GroundTruth.txt")
	if err != nil {
		t.Skipf("VADER tweets not available: %v", err)
	}
	for _, row := range strings.Split(string(tw), "\n") {
		if cols := strings.SplitN(row, "\t", 3); len(cols) == 3 {
			ins = append(ins, peerLine{ID: json.RawMessage(fmt.Sprint(len(ins) + 1)), Reply: cols[2]})
		}
	}

	var lines [][]byte
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // HTML escaping on, as the peer writes
	raw := json.NewEncoder(&buf)
	raw.SetEscapeHTML(false)
	line := func(encode func()) []byte {
		buf.Reset()
		encode()
		return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	for i, in := range ins {
		lines = append(lines, line(func() { enc.Encode(in) }))
		var acc []string
		switch i % 4 {
		case 1:
			acc = []string{"plain_language"}
		case 2:
			acc = []string{}
		}
		full := fullLine{ID: fmt.Sprint("ex-", i), Customer: in.CustomerMessage, Reply: in.Reply, Accommodations: acc}
		if i%3 == 0 {
			full.Name = "Mrs. Wanjiru"
		}
		compact := line(func() { raw.Encode(full) })
		lines = append(lines, compact)
		// Spaced out over several lines, as the single-report path may
		// read an object.
		lines = append(lines, line(func() { json.Indent(&buf, compact, " ", "\t") }))
	}
	return lines
}

func TestDecodeLineFastOnSharedData(t *testing.T) {
	lines := sharedJSONL(t)
	fast := 0
	for _, l := range lines {
		if checkDecode(t, l) {
			fast++
		}
	}
	t.Logf("%d of %d lines took the fast path", fast, len(lines))
	if fast != len(lines) {
		t.Errorf("only %d of %d lines took the fast path", fast, len(lines))
	}
}

// TestAnalyzeJSONLOutputUnchanged checks analyzeLines's output, line by
// line, against what it wrote before AppendJSON and decodeLineFast: the
// report of json.Unmarshal's reading, written by json.Encoder.
func TestAnalyzeJSONLOutputUnchanged(t *testing.T) {
	var in bytes.Buffer
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	lines := sharedJSONL(t)
	if testing.Short() {
		lines = lines[:500]
	}
	for i, l := range lines {
		if i%7 != 0 && !testing.Short() { // a sample keeps the test short
			continue
		}
		if bytes.IndexByte(l, '\n') >= 0 {
			continue
		}
		in.Write(l)
		in.WriteByte('\n')
		var line analyzeLine
		if err := decodeLineStd(l, &line); err != nil {
			t.Fatal(err)
		}
		r := compassion.Analyze(line.Input)
		r.ID = line.ID
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range jsonlWorkers {
		var got bytes.Buffer
		if err := analyzeLines(context.Background(), bytes.NewReader(in.Bytes()), &got, defaultMaxLine, workers); err != nil {
			t.Fatal(err)
		}
		sameLines(t, got, want, workers)
	}
}

// sameLines fails the test at the first line where got and want differ.
func sameLines(t *testing.T, got, want bytes.Buffer, workers int) {
	t.Helper()
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := bufio.NewScanner(&got), bufio.NewScanner(&want)
		g.Buffer(nil, 1<<24)
		w.Buffer(nil, 1<<24)
		for n := 1; ; n++ {
			gok, wok := g.Scan(), w.Scan()
			if !gok || !wok || !bytes.Equal(g.Bytes(), w.Bytes()) {
				t.Fatalf("%d workers: output line %d differs:\n got %.300s\nwant %.300s", workers, n, g.Bytes(), w.Bytes())
			}
		}
	}
}

func FuzzDecodeLine(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"customer_message":"Where is my card?","reply":"I'll post it today."}`,
		`{"id":"a","customer_name":"Sam","accommodations":["plain_language"],"reply":"x"}`,
		`{"id":null,"reply":null,"accommodations":null}`,
		`{"id":-1.5,"reply":"\u003c\ud83d\ude00\ud800\"\\\/\b\f\n\r\t"}`,
		"{\"reply\":\"\xff\xed\xa0\x80\"}",
		`{"ID":1,"Reply":"x"}`,
		`{"reply":"a","reply":"b"}`,
		`{"id":1e400}`,
		`{"id": 7, "reply": "broken`,
		` {"accommodations":[ "a" , "b" ]} `,
		`[1,2]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// BenchmarkDecodeLine decodes the peer's lines, one per op, with the fast
// path and with json.Unmarshal alone:
//
//	go test -run '^$' -bench DecodeLine -benchtime 1s ./cmd/kindred/
func BenchmarkDecodeLine(b *testing.B) {
	var lines [][]byte
	for i, l := range sharedJSONL(b) {
		if i%3 == 0 { // the peer's own spelling
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		b.Skip("shared data not available")
	}
	for _, bc := range []struct {
		name   string
		decode func([]byte, *analyzeLine) error
	}{{"fast", decodeLine}, {"std", decodeLineStd}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				var l analyzeLine
				if err := bc.decode(lines[i%len(lines)], &l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnalyzeJSONL runs the command's whole path on one worker
// (decode, analyse, encode, write) over the peer's lines, EPITOME pairs
// then tweets: the Go benchmark closest to what scripts/speed.sh times,
// less start-up and the system's reading and writing. Profile the command
// path with
//
//	go test -run '^$' -bench AnalyzeJSONL -cpu 1 -cpuprofile cpu.out ./cmd/kindred/
func BenchmarkAnalyzeJSONL(b *testing.B) {
	var in []byte
	n := 0
	for i, l := range sharedJSONL(b) {
		if i%3 == 0 { // the peer's own spelling
			in = append(append(in, l...), '\n')
			n++
		}
	}
	if n == 0 {
		b.Skip("shared data not available")
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := analyzeLines(context.Background(), bytes.NewReader(in), io.Discard, defaultMaxLine, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
}
