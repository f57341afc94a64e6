package mail

import (
	"strings"
	"testing"
)

func TestHTMLToTextKeepsParagraphsAndDropsTags(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs and breaks", "<p>Thank you &amp; bless you.</p><p>It came<br>today.</p>", "Thank you & bless you.\n\nIt came\ntoday."},
		{"scripts and styles go with their content", "<script>alert(1)</script><style>p{}</style>x &lt; y", "x < y"},
		{"list items are lines", "<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>Thank you &amp; bless you.</p><p>It came<br>today.</p>")
	f.Add("<script>alert(1)</script><style>p{}</style>x &lt; y")
	f.Add("<div><ul><li>one</li><li>two</li></ul></div>&nbsp;")
	f.Fuzz(func(t *testing.T, in string) {
		out := HTMLToText(in)
		if strings.Contains(out, "\n\n\n") || out != strings.TrimSpace(out) {
			t.Errorf("HTMLToText(%q) = %q: unnormalised whitespace", in, out)
		}
	})
}
