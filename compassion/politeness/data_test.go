package politeness

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadCSVHandlesTrickyInput(t *testing.T) {
	header := "Community,Id,Request,Score1,Normalized Score\n"
	tests := []struct {
		name string
		in   string
		want []Request
	}{
		{"plain", header + "Wikipedia,1,Could you help?,20,0.5\n", []Request{{"Wikipedia", "1", "Could you help?", 0.5}}},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(header, "\n", "\r\n") + "Wikipedia,1,Fix it.,3,-1.25\r\n", []Request{{"Wikipedia", "1", "Fix it.", -1.25}}},
		{"quoted newline and comma", header + "W,2,\"Hi, there.\r\nWhy?\",1,0\n", []Request{{"W", "2", "Hi, there.\nWhy?", 0}}},
		{"no Community column", "Id,Request,Normalized Score\n7,Thanks!,1.5\n", []Request{{"", "7", "Thanks!", 1.5}}},
		{"bad scores skipped", header + "W,1,a,1,x\nW,2,b,1,NaN\nW,3,c,1,\nW,4,d,1,2\n", []Request{{"W", "4", "d", 2}}},
		{"stray quote", header + "W,1,a 5\" screen?,1,0.1\n", []Request{{"W", "1", "a 5\" screen?", 0.1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
	if _, err := ReadCSV(strings.NewReader("Id,Text\n1,a\n")); err == nil {
		t.Error("want an error without Request and Normalized Score columns")
	}
}

func TestQuartilesArePerCommunity(t *testing.T) {
	var reqs []Request
	// Community A scores 1..8, community B 101..108: each keeps its own
	// top two and bottom two.
	for i := 1; i <= 8; i++ {
		reqs = append(reqs, Request{Community: "A", ID: "a", Score: float64(i)}, Request{Community: "B", ID: "b", Score: float64(100 + i)})
	}
	got := map[float64]bool{}
	for _, l := range Quartiles(reqs) {
		got[l.Score] = l.Polite
	}
	want := map[float64]bool{1: false, 2: false, 7: true, 8: true, 101: false, 102: false, 107: true, 108: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(Quartiles([]Request{{Score: 1}, {Score: 1}})) != 0 {
		t.Error("ties at both cuts must not be labelled")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("Community,Id,Request,Normalized Score\nW,1,\"a\nb\",0.3\n")
	f.Fuzz(func(t *testing.T, in string) {
		reqs, _ := ReadCSV(strings.NewReader(in))
		Quartiles(reqs)
	})
}
