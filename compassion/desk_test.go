package compassion

import (
	"encoding/json"
	"testing"

	"github.com/kindred-desk/kindred"
)

func TestDeskAnalyzerByDirection(t *testing.T) {
	customer := &kindred.Customer{Name: "Grace Wanjiru", PreferredName: "Mrs. Wanjiru", Accommodations: []kindred.Accommodation{kindred.PlainLanguage}}
	in := &kindred.Message{Direction: kindred.Inbound, Body: "I'm 78 and really worried: my pension card is three weeks late."}
	out := &kindred.Message{Direction: kindred.Outbound, Body: "Mrs. Wanjiru, I'm sorry it is late. I'll post it today."}
	note := &kindred.Message{Direction: kindred.InternalNote, Body: "Called the print office."}
	var d DeskAnalyzer

	a := d.Analyze(in, nil, customer)
	if a == nil || a.Distress == nil || a.Compassion != nil || a.Sentiment >= 0 {
		t.Fatalf("inbound: want distress, negative sentiment and no score, got %+v", a)
	}
	var r Report
	if err := json.Unmarshal(a.Report, &r); err != nil || r.Customer == nil || r.Reply != nil {
		t.Errorf("inbound report %s (err %v)", a.Report, err)
	}

	a = d.Analyze(out, in, customer)
	if a == nil || a.Compassion == nil || a.Distress != nil {
		t.Fatalf("outbound: want a score and no distress, got %+v", a)
	}
	r = Report{}
	if err := json.Unmarshal(a.Report, &r); err != nil || r.Customer == nil || r.Reply == nil {
		t.Fatalf("outbound report %s (err %v)", a.Report, err)
	}
	if !hasSignal(r, "name") {
		t.Error("the preferred name used in the reply is not credited")
	}
	if r.Reply.PlainLanguage.TargetGrade != strictTargetGrade {
		t.Error("the plain-language accommodation is not applied")
	}
	// The signals the store keeps for coaching are the report's.
	if len(a.Signals) != len(r.Reply.Signals) {
		t.Fatalf("analysis lists %d signals, its report %d", len(a.Signals), len(r.Reply.Signals))
	}
	for i, s := range r.Reply.Signals {
		if a.Signals[i] != (kindred.Signal{Name: s.Name, Effect: s.Effect}) {
			t.Errorf("signal %d: %+v, report has %s %v", i, a.Signals[i], s.Name, s.Effect)
		}
	}

	if a := d.Analyze(note, in, customer); a != nil {
		t.Errorf("internal note analysed: %+v", a)
	}
}
