package compassion

import (
	"reflect"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/internal/learn"
	"github.com/kindred-desk/kindred/compassion/politeness"
)

// The joined models must read every reply as the embedded models do, the
// politeness model from the rows the empathy model found as from its own
// lookups.
func TestJoinedModelsReadAsTheEmbeddedOnes(t *testing.T) {
	pairs := [][2]string{
		{pensionMessage, "I'm so sorry about the wait, Mrs Otieno. I've posted your card today; it reaches you by Friday."},
		{"", "Could you please send us your reference number? Thanks!"},
		{"My son can't get through on the phone.", "Would you mind telling me when he called? I will check it myself and call you back at 3 pm."},
		{"hi", "..."},
		{"Where is my refund?!", "That must be so frustrating. I understand — let me look into it right now."},
		{"", ""},
	}
	m := models()
	for _, p := range pairs {
		toks := learn.Tokenize(nil, p[1])
		got, rows := m.emp.LevelsInto(p[0], p[1], nil, toks, nil, nil)
		if want := empathy.LevelsTokens(p[0], p[1], learn.Tokenize(nil, p[0]), toks); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: joined empathy model %+v, embedded %+v", p[1], got, want)
		}
		if len(rows) != 2*len(toks) {
			t.Fatalf("%q: %d rows for %d tokens, want two a token", p[1], len(rows), len(toks))
		}
		want := politeness.AnalyzeTokens(p[1], toks)
		if got := m.pol.AnalyzeRowsInto(p[1], toks, rows, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: joined politeness model given rows %+v, embedded %+v", p[1], got, want)
		}
		if got := m.pol.AnalyzeRowsInto(p[1], toks, nil, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: joined politeness model on its own %+v, embedded %+v", p[1], got, want)
		}
	}
}
