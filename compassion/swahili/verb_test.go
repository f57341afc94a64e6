package swahili

import "testing"

func TestParseVerbReadsWhoActsAndWhen(t *testing.T) {
	cases := []struct {
		w    string
		want Verb
		ok   bool
	}{
		{"nitakupigia", Verb{Self: true, Future: true, ToYou: true}, true},
		{"nitampigia", Verb{Self: true, Future: true}, true},
		{"nitakujulisha", Verb{Self: true, Future: true, ToYou: true}, true},
		{"nimefanya", Verb{Self: true, Done: true}, true},
		{"tumetuma", Verb{Self: true, Done: true}, true},
		{"tutakutumia", Verb{Self: true, Future: true, ToYou: true}, true},
		{"nilituma", Verb{Self: true, Done: true}, true},
		{"atakupigia", Verb{Future: true, ToYou: true}, true},
		{"itafika", Verb{Future: true}, true},
		{"utapokea", Verb{You: true, Future: true}, true},
		{"ninatuma", Verb{Self: true, Now: true}, true},
		{"ninaelewa", Verb{}, false},
		{"naomba", Verb{}, false},
		{"nilikuwa", Verb{}, false},
		{"nitakuwa", Verb{}, false},
		{"samahani", Verb{}, false},
		{"attempts", Verb{}, false},
		{"update", Verb{}, false},
		{"kuchelewa", Verb{}, false},
		{"nilivyosema", Verb{}, false},
		{"tulipokuja", Verb{}, false},
	}
	for _, c := range cases {
		got, ok := ParseVerb(c.w)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseVerb(%q) = %+v, %v; want %+v, %v", c.w, got, ok, c.want, c.ok)
		}
	}
}
