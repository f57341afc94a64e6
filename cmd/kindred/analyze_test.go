package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// jsonlWorkers are the worker counts the --jsonl tests run with: one, as on
// one core (read, analyse and write in turn), and several.
var jsonlWorkers = []int{1, 4}

func TestAnalyzeJSONLKeepsInputOrderAndEchoesIDs(t *testing.T) {
	var in bytes.Buffer
	const n = 300
	for i := range n {
		var id any = i
		if i%2 == 1 {
			id = fmt.Sprintf("msg-%d", i)
		}
		line, _ := json.Marshal(map[string]any{
			"id":               id,
			"customer_message": strings.Repeat("I'm worried about my card. ", i%7),
			"reply":            strings.Repeat("I'll post it today. ", i%5),
		})
		in.Write(line)
		in.WriteByte('\n')
	}
	for _, workers := range jsonlWorkers {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			checkOrderAndIDs(t, in.Bytes(), n, workers)
		})
	}
}

func checkOrderAndIDs(t *testing.T, in []byte, n, workers int) {
	var out bytes.Buffer
	if err := analyzeLines(context.Background(), bytes.NewReader(in), &out, defaultMaxLine, workers); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		var r struct {
			ID         json.RawMessage `json:"id"`
			Compassion *float64        `json:"compassion"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		want := fmt.Sprint(i)
		if i%2 == 1 {
			want = fmt.Sprintf(`"msg-%d"`, i)
		}
		if string(r.ID) != want {
			t.Fatalf("line %d has id %s, want %s", i, r.ID, want)
		}
		if (i%5 == 0) != (r.Compassion == nil) {
			t.Errorf("line %d: compassion %v, want null only without a reply", i, r.Compassion)
		}
		i++
	}
	if i != n {
		t.Fatalf("got %d lines, want %d", i, n)
	}
}

func TestAnalyzeJSONLReportsBadLinesAndGoesOn(t *testing.T) {
	for _, workers := range jsonlWorkers {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			in := strings.Join([]string{
				`{"id": 1, "reply": "I'll call you today."}`,
				`{"id": "two", "reply": broken`,
				``,
				`[1, 2]`,
				`{"id": 3, "reply": 42}`,
				`{"id": 4, "customer_message": "Where is my card?"}`,
			}, "\n")
			var out bytes.Buffer
			err := analyzeLines(context.Background(), strings.NewReader(in), &out, defaultMaxLine, workers)
			if err == nil || !strings.Contains(err.Error(), "3 of 5 lines") {
				t.Errorf("err = %v, want a count of the 3 failed lines", err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			want := []struct{ id, errPart string }{
				{"1", ""}, {`"two"`, "not valid JSON"}, {"null", "one JSON object"}, {"3", "should be string"}, {"4", ""},
			}
			if len(lines) != len(want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
			}
			for i, w := range want {
				var r struct {
					ID    json.RawMessage `json:"id"`
					Error string          `json:"error"`
				}
				if err := json.Unmarshal([]byte(lines[i]), &r); err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
				if string(r.ID) != w.id || !strings.Contains(r.Error, w.errPart) || (w.errPart == "") != (r.Error == "") {
					t.Errorf("line %d = id %s error %q, want id %s error containing %q", i, r.ID, r.Error, w.id, w.errPart)
				}
			}
		})
	}
}

func TestAnalyzeJSONLHandlesLongLines(t *testing.T) {
	for _, workers := range jsonlWorkers {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			reply := strings.Repeat("I'm sorry for the wait; I'll post your card today. ", 60000) // about 3 MB
			line, _ := json.Marshal(map[string]any{"id": 1, "reply": reply})
			in := string(line) + "\n" + `{"id": 2, "reply": "ok"}` + "\n"
			var out bytes.Buffer
			if err := analyzeLines(context.Background(), strings.NewReader(in), &out, defaultMaxLine, workers); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(out.String(), "\n"); n != 2 {
				t.Fatalf("got %d lines, want 2", n)
			}
			out.Reset()
			err := analyzeLines(context.Background(), strings.NewReader(in), &out, 1<<20, workers)
			if err == nil || !strings.HasPrefix(out.String(), `{"id":null,"error":"line is longer`) || !strings.Contains(out.String(), `{"id":2,`) {
				t.Errorf("with a 1 MB limit: err %v, output %.200s", err, out.String())
			}
		})
	}
}

// TestAnalyzeJSONLStreams writes one line at a time and reads its report
// before writing the next: a command that read all its input first would
// never answer.
func TestAnalyzeJSONLStreams(t *testing.T) {
	for _, workers := range jsonlWorkers {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- analyzeLines(context.Background(), inR, outW, defaultMaxLine, workers)
				outW.Close()
			}()
			out := bufio.NewReader(outR)
			for i := range 3 {
				fmt.Fprintf(inW, `{"id": %d, "reply": "I'll call you at 2 pm."}`+"\n", i)
				line, err := out.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(line, fmt.Sprintf(`{"id":%d,`, i)) {
					t.Fatalf("report %d: %.80s", i, line)
				}
			}
			inW.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAnalyzeSingleInput(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		check func(r map[string]any) bool
	}{
		{"plain text is a customer message", nil, "I'm 80 and worried about my card.", func(r map[string]any) bool {
			return r["customer"] != nil && r["reply"] == nil && r["compassion"] == nil
		}},
		{"plain text with --reply is a reply", []string{"--reply", "--name", "Mrs. Wanjiru"}, "Mrs. Wanjiru, I'll post it today.", func(r map[string]any) bool {
			return r["customer"] == nil && r["reply"] != nil && r["compassion"] != nil
		}},
		{"a JSON object", nil, `{"id": "a1", "customer_message": "Where is it?", "reply": "I'll post it today."}`, func(r map[string]any) bool {
			return r["id"] == "a1" && r["customer"] != nil && r["reply"] != nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runAnalyze(context.Background(), tt.args, strings.NewReader(tt.stdin), &out, &errOut); err != nil {
				t.Fatal(err)
			}
			var r map[string]any
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if !tt.check(r) {
				t.Errorf("unexpected report: %.300s", out.String())
			}
			if !strings.Contains(out.String(), "\n  \"") {
				t.Error("report is not indented")
			}
		})
	}
}

func TestStreamGCPercentRespectsGOGC(t *testing.T) {
	if p, ok := streamGCPercent(""); !ok || p != 200 {
		t.Errorf(`streamGCPercent("") = %d, %v; want 200, true`, p, ok)
	}
	for _, env := range []string{"100", "off", "50"} {
		if _, ok := streamGCPercent(env); ok {
			t.Errorf("streamGCPercent(%q) overrides the environment", env)
		}
	}
}

// failingWriter refuses every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestAnalyzeJSONLStopsWhenOutputFails(t *testing.T) {
	in := strings.Repeat(`{"id": 1, "reply": "I'll call you today."}`+"\n", 5000)
	for _, workers := range jsonlWorkers {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			err := analyzeLines(context.Background(), strings.NewReader(in), failingWriter{}, defaultMaxLine, workers)
			if err == nil || !strings.HasPrefix(err.Error(), "write: ") {
				t.Errorf("err = %v, want a write error", err)
			}
		})
	}
}
