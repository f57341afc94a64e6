package compassion

import (
	"encoding/json"
	"testing"
)

func FuzzAnalyze(f *testing.F) {
	f.Add(pensionMessage, "I'm so sorry. I'll post it today by 2 pm.", "Mrs. Wanjiru")
	f.Add("", "Calm down, just fill in the form. You should have read it.", "")
	f.Add("ok\xff", "a-'b\xff- will be sent soon 14:00 within 2 days", "\xff")
	f.Add("I'm 90 and blind", "...", "Dr")
	f.Fuzz(func(t *testing.T, customer, reply, name string) {
		r := Analyze(Input{CustomerMessage: customer, Reply: reply, CustomerName: name, Accommodations: []string{name}})
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("report does not marshal: %v", err)
		}
		check := func(what, s string, start, end int) {
			if start < 0 || end > len(s) || start > end {
				t.Fatalf("%s offsets [%d,%d) outside text of %d bytes", what, start, end, len(s))
			}
		}
		checkEv := func(what, s string, ev []Evidence) {
			for _, e := range ev {
				check(what, s, e.Start, e.End)
				if s[e.Start:e.End] != e.Text {
					t.Fatalf("%s evidence %q does not match text %q", what, e.Text, s[e.Start:e.End])
				}
			}
		}
		if c := r.Customer; c != nil {
			checkEv("urgency", customer, c.UrgencyEvidence)
			checkEv("heard", customer, c.HeardEvidence)
			for _, e := range c.Emotions {
				checkEv("emotion", customer, e.Evidence)
			}
			for _, cue := range c.Cues {
				checkEv("cue", customer, []Evidence{cue.Evidence})
			}
		}
		if r.Reply == nil {
			if r.Compassion != nil {
				t.Fatal("a score without a reply")
			}
			return
		}
		if r.Compassion == nil || *r.Compassion < 0 || *r.Compassion > 100 {
			t.Fatalf("score %v out of range", r.Compassion)
		}
		rep := r.Reply
		if len(rep.Suggestions) > MaxSuggestions {
			t.Fatalf("%d suggestions", len(rep.Suggestions))
		}
		if rep.Concreteness < 1 || rep.Concreteness > 5 {
			t.Fatalf("concreteness %v out of range", rep.Concreteness)
		}
		if rep.Politeness < 0 || rep.Politeness > 1 {
			t.Fatalf("politeness %v out of range", rep.Politeness)
		}
		for _, s := range rep.Signals {
			checkEv("signal "+s.Name, reply, s.Evidence)
		}
		for _, s := range rep.Suggestions {
			checkEv("suggestion", reply, s.Evidence)
		}
		ns := rep.NextStep
		checkEv("what", reply, ns.WhatEvidence)
		checkEv("who", reply, ns.WhoEvidence)
		checkEv("when", reply, ns.WhenEvidence)
		checkEv("long sentence", reply, rep.PlainLanguage.LongSentences)
		for _, a := range append(rep.VagueWords, rep.PlainLanguage.Jargon...) {
			checkEv("alternative", reply, []Evidence{a.Evidence})
		}
		for _, e := range rep.EmpathyEvidence {
			check("empathy", reply, e.Start, e.End)
		}
		for _, e := range rep.PolitenessStrategies {
			check("politeness", reply, e.Start, e.End)
		}
		for _, e := range rep.Sentiment.Evidence {
			check("sentiment", reply, e.Start, e.End)
		}
	})
}
