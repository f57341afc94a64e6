package sentiment

import (
	"errors"
	"strings"
	"testing"
)

func TestReadRatingsCopesWithMessyFiles(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []Rating
		lines []int // lines reported as unreadable
	}{
		{"vader crlf", "1\t2.5\tSo lucky.\r\n2\t-1.2\tNot good\r\n",
			[]Rating{{"1", 2.5, "So lucky.", 1}, {"2", -1.2, "Not good", 2}}, nil},
		{"lf, no final newline", "7\t0\thello", []Rating{{"7", 0, "hello", 1}}, nil},
		{"html entities", "3\t1\tWe were 17 deep &amp; &quot;happy&quot; &#39;yes&#39;\n",
			[]Rating{{"3", 1, `We were 17 deep & "happy" 'yes'`, 1}}, nil},
		{"header and blank lines", "id\tmean\ttext\n\n  \r\n1\t1.5\tok\n\n",
			[]Rating{{"1", 1.5, "ok", 4}}, nil},
		{"byte order mark", "\uFEFF1\t1\tfine\n", []Rating{{"1", 1, "fine", 1}}, nil},
		{"extra white space", "  1 \t 2.0 \t  padded text  \n", []Rating{{"1", 2, "padded text", 1}}, nil},
		{"spaces instead of tabs", "5   -3.25  awful   service\n", []Rating{{"5", -3.25, "awful   service", 1}}, nil},
		{"csv quoted text", "1\t1\t\"she said \"\"hi\"\"\"\n", []Rating{{"1", 1, `she said "hi"`, 1}}, nil},
		{"quoted quotation kept", "1\t1\t\"I\" love \"you\"\n", []Rating{{"1", 1, `"I" love "you"`, 1}}, nil},
		{"tab inside text", "1\t1\ta\tb\n", []Rating{{"1", 1, "a\tb", 1}}, nil},
		{"bad lines counted", "1\t1\tok\n2\tNaN\tx\n3\tabc\ty\n4\t1\t \nshort\n5\t2\tfine\n",
			[]Rating{{"1", 1, "ok", 1}, {"5", 2, "fine", 6}}, []int{2, 3, 4, 5}},
		{"non-numeric first line that is not a header is still skipped silently", "a\tb\tc\n1\t1\tx\n",
			[]Rating{{"1", 1, "x", 2}}, nil},
		{"empty file", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad, err := ReadRatings(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("rating %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			var lines []int
			for _, e := range bad {
				lines = append(lines, e.Line)
			}
			if len(lines) != len(tt.lines) {
				t.Fatalf("unreadable lines %v, want %v", lines, tt.lines)
			}
			for i := range lines {
				if lines[i] != tt.lines[i] {
					t.Errorf("unreadable lines %v, want %v", lines, tt.lines)
				}
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadRatingsReportsReaderErrors(t *testing.T) {
	if _, _, err := ReadRatings(failingReader{}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err = %v", err)
	}
}

func FuzzReadRatings(f *testing.F) {
	f.Add("1\t2.5\tSo lucky.\r\n2\t-1\t&amp;\n\n")
	f.Add("id mean text\n\"\"\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		ratings, bad, err := ReadRatings(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ratings {
			if r.Text == "" || r.Line < 1 {
				t.Errorf("bad rating %+v", r)
			}
		}
		for _, e := range bad {
			if e.Line < 1 || e.Err == nil {
				t.Errorf("bad line error %+v", e)
			}
		}
	})
}

func TestCorrelationOfGroundTruth(t *testing.T) {
	ratings, _, err := ReadRatings(strings.NewReader("1\t3\tI love it, wonderful!\n2\t-3\tterrible, I hate it\n3\t0\tthe box is brown\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Correlation(ratings)
	if err != nil || r < 0.95 {
		t.Errorf("Correlation = %v, %v; want near 1", r, err)
	}
}
