package web

import (
	"testing"

	"golang.org/x/text/language"
)

func TestFollowUpsKindredOpensReadInTheReadersLanguage(t *testing.T) {
	sw, en := &view{Lang: "sw", p: printer(language.Swahili)}, &view{Lang: "en", p: printer(language.English)}
	cases := []struct{ what, sw string }{
		{"Call Mama Grace: the survey says they felt not heard.", "Mpigie simu Mama Grace: utafiti unasema hakuhisi amesikilizwa."},
		{`Call Baba Otieno: the survey says they felt only partly heard. They wrote: "Nobody \"called\" back"`,
			"Mpigie simu Baba Otieno: utafiti unasema alihisi amesikilizwa kwa sehemu tu. Aliandika: “Nobody \"called\" back”"},
		{"Call to check the card arrived", "Call to check the card arrived"}, // an agent's own words stay as written
	}
	for _, c := range cases {
		if got := sw.FollowUpWhat(c.what); got != c.sw {
			t.Errorf("sw %q:\n got %q\nwant %q", c.what, got, c.sw)
		}
		if got := en.FollowUpWhat(c.what); got != c.what {
			t.Errorf("en %q: got %q", c.what, got)
		}
	}
}
