package empathy

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadCSVHandlesTrickyInput(t *testing.T) {
	header := "sp_id,rp_id,seeker_post,response_post,level,rationales\n"
	tests := []struct {
		name string
		in   string
		want []Pair
	}{
		{
			name: "plain",
			in:   header + "s1,r1,help me,I hear you,1,I hear you|\n",
			want: []Pair{{"s1", "r1", "help me", "I hear you", 1, []string{"I hear you"}}},
		},
		{
			name: "BOM and CRLF",
			in:   "\ufeff" + strings.ReplaceAll(header, "\n", "\r\n") + "s1,r1,a,b,0,\r\n",
			want: []Pair{{"s1", "r1", "a", "b", 0, nil}},
		},
		{
			name: "embedded newline, comma and quotes",
			in:   header + "s1,r1,\"line one\r\nline, two\",\"she said \"\"hi\"\"\",2,\"said|hi\"\n",
			want: []Pair{{"s1", "r1", "line one\nline, two", "she said \"hi\"", 2, []string{"said", "hi"}}},
		},
		{
			name: "HTML entities",
			in:   header + "s1,r1,rock &amp; roll,I&#39;m here &lt;3,1,I&#39;m here|\n",
			want: []Pair{{"s1", "r1", "rock & roll", "I'm here <3", 1, []string{"I'm here"}}},
		},
		{
			name: "stray quote inside a field",
			in:   header + "s1,r1,a 5\" screen,ok,0,\n",
			want: []Pair{{"s1", "r1", "a 5\" screen", "ok", 0, nil}},
		},
		{
			name: "bad levels skipped, float levels read",
			in:   header + "s1,r1,a,b,x,\ns2,r2,a,b,7,\ns3,r3,a,b,1.0,\n",
			want: []Pair{{"s3", "r3", "a", "b", 1, nil}},
		},
		{
			name: "columns in another order, ids and rationales missing",
			in:   "level,response_post,seeker_post\n2,why?,sad\n",
			want: []Pair{{"", "", "sad", "why?", 2, nil}},
		},
		{
			name: "short record",
			in:   header + "s1,r1,a\n",
			want: nil,
		},
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
}

func TestReadCSVRejectsMissingColumns(t *testing.T) {
	if _, err := ReadCSV(strings.NewReader("a,b\n1,2\n")); err == nil {
		t.Fatal("want an error for a header without seeker_post/response_post/level")
	}
	if _, err := ReadCSV(strings.NewReader("")); err == nil {
		t.Fatal("want an error for an empty file")
	}
}

func TestJoinMatchesPairsAcrossFilesAndRepeatedKeys(t *testing.T) {
	h := "sp_id,rp_id,seeker_post,response_post,level\n"
	fsys := fstest.MapFS{
		Files[0]: {Data: []byte(h + "s1,r1,a,b,1\ns2,r2,c,d,0\ns1,r1,a,b,2\n")},
		Files[1]: {Data: []byte(h + "s2,r2,c,d,2\ns1,r1,a,b,0\ns1,r1,a,b,1\n")},
		Files[2]: {Data: []byte(h + "s1,r1,a,b,0\ns1,r1,a,b,0\ns2,r2,c,d,1\n")},
	}
	d, err := ReadData(fsys)
	if err != nil {
		t.Fatal(err)
	}
	j, ok := d.Join()
	if !ok || len(j) != 3 {
		t.Fatalf("Join = %v, %v", j, ok)
	}
	want := [][3]Level{{1, 0, 0}, {0, 2, 1}, {2, 1, 0}}
	for i := range want {
		if j[i].Levels != want[i] {
			t.Errorf("pair %d levels %v, want %v", i, j[i].Levels, want[i])
		}
	}
	d[2] = d[2][:2]
	if _, ok := d.Join(); ok {
		t.Error("Join must fail when a file lacks pairs")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("sp_id,rp_id,seeker_post,response_post,level,rationales\ns,r,\"a\nb\",c,1,c|\n")
	f.Add("\ufefflevel,response_post,seeker_post\r\n2,\"x\"\"y\",z\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		pairs, _ := ReadCSV(strings.NewReader(in))
		for _, p := range pairs {
			if p.Level < 0 || p.Level > 2 {
				t.Fatalf("level %d out of range", p.Level)
			}
		}
	})
}
