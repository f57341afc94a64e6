package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// coachView is the coach panel: the score of the draft, at most three
// suggestions, and the draft with the phrases that helped or hurt marked.
type coachView struct {
	*view
	Active      bool // a draft was read; false shows how to start
	Score       int
	Suggestions []compassion.Suggestion
	Segments    []segment
	SMS         *smsLength // the draft's length as a text, when the reply is one
}

// segment is a stretch of the draft; Class is "helps", "hurts" or "".
type segment struct {
	Text  string
	Class string
}

// coachFor reads draft as a reply to the customer's last message, knowing
// how to address them and what they need, on the channel the reply leaves by
// (an SMS must fit 160 characters); its suggestions are in the console's
// language.
func coachFor(v *view, draft string, lastIn *kindred.Message, cust *kindred.Customer, channel kindred.Channel) coachView {
	cv := coachView{view: v}
	if strings.TrimSpace(draft) == "" {
		return cv
	}
	in := compassion.Input{Reply: draft, Language: v.Lang}
	if channel == kindred.ChannelSMS {
		in.Channel = compassion.ChannelSMS
	}
	if lastIn != nil {
		in.CustomerMessage = lastIn.Body
	}
	if cust != nil {
		in.CustomerName = cust.AddressAs()
		for _, a := range cust.Accommodations {
			in.Accommodations = append(in.Accommodations, string(a))
		}
	}
	rep := compassion.Analyze(in)
	if rep.Compassion == nil || rep.Reply == nil {
		return cv
	}
	cv.Active = true
	cv.Score = int(*rep.Compassion + 0.5)
	cv.Suggestions = rep.Reply.Suggestions[:min(len(rep.Reply.Suggestions), compassion.MaxSuggestions)]
	cv.Segments = highlight(draft, rep.Reply.Signals)
	return cv
}

// highlight cuts draft into segments, marking the evidence of each signal
// that raised the score ("helps") or lowered it ("hurts"). Overlapping
// evidence keeps the first; offsets that do not fall on character
// boundaries inside the draft are ignored. The template escapes the text.
func highlight(draft string, signals []compassion.Signal) []segment {
	type span struct {
		start, end int
		class      string
	}
	var spans []span
	for _, s := range signals {
		class := ""
		switch {
		case s.Effect > 0:
			class = "helps"
		case s.Effect < 0:
			class = "hurts"
		default:
			continue
		}
		for _, e := range s.Evidence {
			if e.Start < 0 || e.End > len(draft) || e.Start >= e.End ||
				!utf8.RuneStart(draft[e.Start]) || (e.End < len(draft) && !utf8.RuneStart(draft[e.End])) {
				continue
			}
			spans = append(spans, span{e.Start, e.End, class})
		}
	}
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	var out []segment
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			continue
		}
		if sp.start > at {
			out = append(out, segment{Text: draft[at:sp.start]})
		}
		out = append(out, segment{Text: draft[sp.start:sp.end], Class: sp.class})
		at = sp.end
	}
	if at < len(draft) {
		out = append(out, segment{Text: draft[at:]})
	}
	return out
}

// coach answers the live coach's request with the panel's HTML: the
// draft is the form's body.
func (c *Console) coach(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	conv, err := c.cfg.Conversations.Conversation(r.Context(), id, false)
	if err != nil {
		return err
	}
	cust, err := c.cfg.Customers.Customer(r.Context(), conv.CustomerID)
	if err != nil {
		return err
	}
	lastIn, err := c.cfg.Conversations.LatestInbound(r.Context(), id, 0)
	if err != nil {
		return err
	}
	v := c.view(r, q, "Conversation")
	draft := r.PostForm.Get("body")
	if conv.Channel == kindred.ChannelChat && draft != "" {
		// The coach is asked as the agent types: the web chat visitor sees
		// "Amina is typing…" for nothing more.
		c.cfg.Hub.Typing(conv.ID, kindred.FirstName(q.agent.Name))
	}
	route := kindred.RouteReply(conv, cust, r.PostForm.Get("send_anyway") == "yes")
	cv := coachFor(v, draft, lastIn, cust, route.Channel)
	cv.SMS = smsLengthOf(route, draft)
	c.pages.renderTemplate(w, r, c.log, http.StatusOK, "conversation", "coach", cv)
	return nil
}

// simplerView is the "explain it again, more simply" box.
type simplerView struct {
	*view
	Asked bool
	Text  string    // the plainer version, as it would go into the reply
	Parts []segment // Text cut at its placeholders: Class "fill-in" marks one
	Gaps  bool      // Text has a [placeholder] the agent must fill in
}

// placeholder is a gap the rephrasing leaves for the agent, such as
// "[what is left and when]": it must never reach a customer unfilled.
// Compiled on first use: the bounded repeat makes a large program, whose
// compiling at start-up cost every kindred command 50 million instructions.
var placeholder = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\[[^\[\]\n]{1,80}\]`)
})

// fillIns cuts text at its placeholders, so that the page can mark each one.
func fillIns(text string) []segment {
	var out []segment
	at := 0
	for _, m := range placeholder().FindAllStringIndex(text, -1) {
		if m[0] > at {
			out = append(out, segment{Text: text[at:m[0]]})
		}
		out = append(out, segment{Text: text[m[0]:m[1]], Class: "fill-in"})
		at = m[1]
	}
	if at < len(text) {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// simplerFor is a plainer version of our last reply in the conversation,
// or of the draft when we have not replied yet.
func simplerFor(v *view, conv *kindred.Conversation, draft string) simplerView {
	sv := simplerView{view: v, Asked: true}
	source := strings.TrimSpace(draft)
	for i := len(conv.Messages) - 1; i >= 0; i-- {
		if conv.Messages[i].Direction == kindred.Outbound {
			source = conv.Messages[i].Body
			break
		}
	}
	if source != "" {
		sv.Text = compassion.Rephrase(source)
		sv.Parts = fillIns(sv.Text)
		sv.Gaps = slices.ContainsFunc(sv.Parts, func(s segment) bool { return s.Class == "fill-in" })
	}
	return sv
}

// simpler answers the "explain it again" button with the box's HTML.
func (c *Console) simpler(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	conv, err := c.cfg.Conversations.Conversation(r.Context(), id, true)
	if err != nil {
		return err
	}
	v := c.view(r, q, "Conversation")
	c.pages.renderTemplate(w, r, c.log, http.StatusOK, "conversation", "simpler", simplerFor(v, conv, r.PostForm.Get("body")))
	return nil
}
