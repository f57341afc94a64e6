package compassion

import (
	"github.com/kindred-desk/kindred"
)

// DeskAnalyzer is the compassion engine as the desk uses it: it implements
// kindred.Analyzer, so that every stored message carries its analysis. The
// zero value is ready to use and safe for concurrent use.
type DeskAnalyzer struct{}

var _ kindred.Analyzer = DeskAnalyzer{}

// Analyze reads m. A customer's message (inbound) gets the customer report:
// its sentiment and distress. An agent's reply (outbound) gets the full
// report, judged against inReplyTo (the customer message it answers, when
// there is one) and the customer c (their name, as AddressAs gives it, and
// their accommodations), with its compassion score. Internal notes are
// never sent to anyone, so they are not analysed: Analyze returns nil.
func (DeskAnalyzer) Analyze(m *kindred.Message, inReplyTo *kindred.Message, c *kindred.Customer) *kindred.Analysis {
	if m == nil {
		return nil
	}
	switch m.Direction {
	case kindred.Inbound:
		cr := AnalyzeCustomer(m.Body)
		// AppendJSON writes what encoding/json would, in a tenth of the
		// time (see Report.AppendJSON), which an import of a million
		// messages feels.
		report := (&Report{Customer: &cr}).AppendJSON(make([]byte, 0, 512))
		d := cr.Distress
		return &kindred.Analysis{Sentiment: cr.Sentiment.Compound, Distress: &d, Report: report}
	case kindred.Outbound:
		in := Input{Reply: m.Body}
		if inReplyTo != nil && inReplyTo.Direction == kindred.Inbound {
			in.CustomerMessage = inReplyTo.Body
		}
		if c != nil {
			in.CustomerName = c.AddressAs()
			for _, a := range c.Accommodations {
				in.Accommodations = append(in.Accommodations, string(a))
			}
		}
		r := Analyze(in)
		report := r.AppendJSON(make([]byte, 0, 4096)) // a reply's report is about 4 KB
		a := &kindred.Analysis{Compassion: r.Compassion, Report: report}
		if r.Reply != nil {
			a.Sentiment = r.Reply.Sentiment.Compound
			a.Signals = make([]kindred.Signal, len(r.Reply.Signals))
			for i, s := range r.Reply.Signals {
				a.Signals[i] = kindred.Signal{Name: s.Name, Effect: s.Effect}
			}
		}
		return a
	}
	return nil
}
