package web

import (
	"strings"
	"testing"
)

func TestDeskNamesAreNotSaidTwice(t *testing.T) {
	tests := []struct{ name, en, sw string }{
		{"Desk 1", "Desk 1", "Meza 1"},
		{"desk 2", "Desk 2", "Meza 2"},
		{"Meza 3", "Desk 3", "Meza 3"},
		{"4", "Desk 4", "Meza 4"},
		{"Pensions counter", "Desk Pensions counter", "Meza Pensions counter"},
		{"Desk", "Desk Desk", "Meza Desk"}, // nothing after the word: the name stands
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, sw := lobbyView{&view{p: printer(english)}}, lobbyView{&view{p: printer(swahili)}}
			if got := en.DeskTitle(tt.name); got != tt.en {
				t.Errorf("English %q, want %q", got, tt.en)
			}
			if got := sw.DeskTitle(tt.name); got != tt.sw {
				t.Errorf("Kiswahili %q, want %q", got, tt.sw)
			}
		})
	}
	if got := (lobbyView{&view{p: printer(swahili)}}).Say("A001", "Desk 1"); got != "Tiketi A001, meza 1" {
		t.Errorf("ticket place %q", got)
	}
}

// TestKiswahiliNeverCallsACodeSecret: "nambari ya siri" is what M-Pesa calls
// a PIN, which nobody may ask for. A one-time code that a desk officer asks
// for must have other words, or customers learn to tell their PIN.
func TestKiswahiliNeverCallsACodeSecret(t *testing.T) {
	for en, sw := range swahiliAll() {
		if strings.Contains(strings.ToLower(sw), "ya siri") {
			t.Errorf("%q is %q: say namba ya uthibitisho", en, sw)
		}
	}
	if got := swahiliAll()["upset"]; got == "amekasirika" {
		t.Errorf("upset is %q, which means angry", got)
	}
	for _, k := range []string{"First response, 90th percentile", "25th percentile", "75th percentile"} {
		if strings.Contains(strings.ToLower(swahiliAll()[k]), "asilimia ya") {
			t.Errorf("%q is %q: a percentile is not a percentage", k, swahiliAll()[k])
		}
	}
}
