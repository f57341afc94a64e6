package web

import (
	"slices"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

func TestDatesAreWrittenPlainlyInThePageLanguage(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("EAT", 3*60*60)
	now := time.Date(2026, time.November, 25, 12, 0, 0, 0, time.Local)
	at := time.Date(2026, time.November, 23, 9, 14, 0, 0, time.Local).UTC() // as the store gives it
	for _, tc := range []struct {
		name, lang string
		t          time.Time
		want       string
	}{
		{"English", "en", at, "23 November 2026, 09:14"},
		{"Kiswahili", "sw", at, "23 Novemba 2026, 09:14"},
		{"today", "en", now.Add(-2 * time.Hour), "today, 10:00"},
		{"yesterday in Kiswahili", "sw", now.Add(-24 * time.Hour), "jana, 12:00"},
		{"a far year", "en", time.Date(12026, time.January, 2, 3, 4, 0, 0, time.Local), "2 January 12026, 03:04"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag, _ := supported(tc.lang)
			v := &view{Lang: tc.lang, p: printer(tag), now: now}
			if got := v.When(tc.t); got != tc.want {
				t.Errorf("When(%v) = %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}

func TestLanguageNamesAreWordsNotCodes(t *testing.T) {
	for _, tc := range []struct{ page, code, name, self string }{
		{"en", "en", "English", ""},
		{"en", "sw", "Swahili", "Kiswahili"},
		{"sw", "sw", "Kiswahili", ""},
		{"sw", "en", "Kiingereza", "English"},
		{"en", "not a tag", "not a tag", ""},
	} {
		tag, _ := supported(tc.page)
		v := &view{Lang: tc.page, p: printer(tag)}
		if got := v.LanguageName(tc.code); got.Name != tc.name || got.Self != tc.self {
			t.Errorf("on a %s page, LanguageName(%q) = %q (%q), want %q (%q)", tc.page, tc.code, got.Name, got.Self, tc.name, tc.self)
		}
	}
}

func TestEachNeedShowsOnceAmongTheBadges(t *testing.T) {
	cust := &kindred.Customer{Accommodations: []kindred.Accommodation{kindred.ExtraTime}}
	elderly := &compassion.CustomerReport{Cues: []compassion.Cue{{Kind: compassion.CueAge}}}
	got := careBadges(elderly, nil, cust)
	if want := []string{"elderly — may need more time"}; !slices.Equal(got, want) {
		t.Errorf("an elderly customer with extra time on file: badges %q, want %q", got, want)
	}
	if got, want := careBadges(nil, nil, cust), []string{"may need more time"}; !slices.Equal(got, want) {
		t.Errorf("extra time on file: badges %q, want %q", got, want)
	}
}

func TestPlaceholdersInAPlainerVersionAreMarked(t *testing.T) {
	got := fillIns("It is [what is left and when] now. [x]")
	want := []segment{{"It is ", ""}, {"[what is left and when]", "fill-in"}, {" now. ", ""}, {"[x]", "fill-in"}}
	if !slices.Equal(got, want) {
		t.Errorf("fillIns = %q, want %q", got, want)
	}
	if got := fillIns("No gaps here."); len(got) != 1 || got[0].Class != "" {
		t.Errorf("fillIns without gaps = %q", got)
	}
}
