package web

import (
	"testing"

	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/care"

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

// TestGestureReasonsHaveSwahili: the care worker's reasons for a gesture
// are shown through the catalog, so each needs its Kiswahili.
func TestGestureReasonsHaveSwahili(t *testing.T) {
	sw := swahiliAll()
	reasons := []string{care.LongWaitGesture.Reason}
	for _, cue := range []string{compassion.CueBereavement, compassion.CueIllness, compassion.CueFinancialHardship} {
		for _, s := range care.GesturesFor(&compassion.CustomerReport{Cues: []compassion.Cue{{Kind: cue}}}) {
			reasons = append(reasons, s.Reason)
		}
	}
	if len(reasons) < 5 {
		t.Fatalf("only %d reasons found", len(reasons))
	}
	for _, r := range reasons {
		if _, ok := sw[r]; !ok {
			t.Errorf("no Kiswahili for the gesture reason %q", r)
		}
	}
}
