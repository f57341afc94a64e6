package web

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// inboxRow is one conversation as the inbox shows it.
type inboxRow struct {
	Conv     kindred.Conversation
	Customer *kindred.Customer
	Badges   []string
	Waiting  bool          // the ball is in our court
	Waited   time.Duration // since the customer's last message, when Waiting
	Need     int           // how much care the person needs; see careNeed
	Last     string        // the start of the customer's last message
}

// inboxFilters are the inbox's GET parameters.
type inboxFilters struct {
	Assignee string // "", "me" or "none"
	Waiting  bool
	Channel  string
	Priority string
	Resolved bool
}

// inboxPage is how many conversations one page of the inbox shows; the
// next page continues after the last (see kindred.ConversationFilter.After).
const inboxPage = 100

func (c *Console) inbox(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	qs := r.URL.Query()
	f := inboxFilters{
		Assignee: qs.Get("assignee"),
		Waiting:  qs.Get("waiting") == "1",
		Channel:  qs.Get("channel"),
		Priority: qs.Get("priority"),
		Resolved: qs.Get("resolved") == "1",
	}
	// One more than a page, to know whether there is a next.
	cf := kindred.ConversationFilter{Page: kindred.Page{Limit: inboxPage + 1}, Open: !f.Resolved}
	if a := qs.Get("after"); a != "" {
		key, err := parseInboxKey(a)
		if err != nil {
			return err
		}
		cf.After = key
	}
	switch f.Assignee {
	case "me":
		cf.AssigneeID = q.agent.ID
	case "none":
		cf.Unassigned = true
	default:
		f.Assignee = ""
	}
	if slices.Contains(kindred.Channels, kindred.Channel(f.Channel)) {
		cf.Channel = kindred.Channel(f.Channel)
	} else {
		f.Channel = ""
	}
	if slices.Contains(kindred.Priorities, kindred.Priority(f.Priority)) {
		cf.Priority = kindred.Priority(f.Priority)
	} else {
		f.Priority = ""
	}
	if f.Waiting {
		cf.Status = kindred.StatusWaitingOnUs
	}
	convs, err := c.cfg.Conversations.Conversations(ctx, cf)
	if err != nil {
		return err
	}
	// The store filters and orders, most recently updated first: every
	// conversation the filters select is on some page.
	var next string
	if len(convs) > inboxPage {
		convs = convs[:inboxPage]
		last := convs[inboxPage-1]
		more := r.URL.Query()
		more.Set("after", formatInboxKey(last.UpdatedAt, last.ID))
		next = "/inbox?" + more.Encode()
	}
	rows, err := c.inboxRows(ctx, convs)
	if err != nil {
		return err
	}
	changed, _ := strconv.Atoi(qs.Get("changed"))
	agents, err := c.cfg.Agents.Agents(ctx)
	if err != nil {
		return err
	}
	agents = slices.DeleteFunc(agents, func(a kindred.Agent) bool { return !a.ServesCustomers() })
	v := c.view(r, q, "Inbox")
	v.Nav = "inbox"
	for i := range rows {
		for j, b := range rows[i].Badges {
			rows[i].Badges[j] = v.T(b)
		}
	}
	c.pages.render(w, r, c.log, http.StatusOK, "inbox", struct {
		*view
		Rows       []inboxRow
		F          inboxFilters
		Channels   []kindred.Channel
		Priorities []kindred.Priority
		Next       string // the next page, when there is one
		Agents     []kindred.Agent
		Statuses   []kindred.Status
		Changed    int  // conversations just changed together
		Answered   bool // a reply just sent, and nobody else waits
	}{v, rows, f, kindred.Channels, kindred.Priorities, next, agents, kindred.Statuses, changed, qs.Get("answered") == "1"})
	return nil
}

// inboxRows reads the people and their last words for a page of
// conversations, one read each for the whole page, not two per row, and
// puts the rows in the inbox's order: waiting on us first, then the most
// care needed, then the longest wait.
func (c *Console) inboxRows(ctx context.Context, convs []kindred.Conversation) ([]inboxRow, error) {
	custIDs, convIDs := make([]int64, len(convs)), make([]int64, len(convs))
	for i, conv := range convs {
		custIDs[i], convIDs[i] = conv.CustomerID, conv.ID
	}
	customers, err := c.cfg.Customers.CustomersByID(ctx, custIDs)
	if err != nil {
		return nil, err
	}
	lasts, err := c.cfg.Conversations.LatestInbounds(ctx, convIDs)
	if err != nil {
		return nil, err
	}
	now := c.cfg.Now()
	rows := make([]inboxRow, 0, len(convs))
	for _, conv := range convs {
		cust := customers[conv.CustomerID]
		if cust == nil {
			// A conversation's customer cannot be deleted; should one be
			// missing, fail as reading it alone would, not show a blank row.
			return nil, kindred.Errorf(kindred.NotFound, "customer %d of conversation %d not found", conv.CustomerID, conv.ID)
		}
		last := lasts[conv.ID]
		row := inboxRow{Conv: conv, Customer: cust, Waiting: conv.Status == kindred.StatusWaitingOnUs}
		var report *compassion.CustomerReport
		if last != nil {
			report = customerReport(last)
			row.Last = snippet(last.Body, 120)
			if row.Waiting {
				row.Waited = now.Sub(last.CreatedAt)
			}
		}
		row.Badges = careBadges(report, last, cust)
		row.Need = careNeed(conv.Priority, report, cust)
		rows = append(rows, row)
	}
	sortInbox(rows)
	return rows, nil
}

// nextWaiting is the conversation the inbox puts first among those waiting
// on us that agent may take (theirs, or nobody's yet), other than skip; 0
// when there is none.
func (c *Console) nextWaiting(ctx context.Context, agentID, skip int64) (int64, error) {
	convs, err := c.cfg.Conversations.Conversations(ctx, kindred.ConversationFilter{Status: kindred.StatusWaitingOnUs, Page: kindred.Page{Limit: inboxPage}})
	if err != nil {
		return 0, err
	}
	convs = slices.DeleteFunc(convs, func(cv kindred.Conversation) bool {
		return cv.ID == skip || cv.AssigneeID != nil && *cv.AssigneeID != agentID
	})
	rows, err := c.inboxRows(ctx, convs)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].Conv.ID, nil
}

// formatInboxKey writes a conversation's place in the inbox order for the
// next page's link: its update time in unix milliseconds, a dot, its id.
func formatInboxKey(updated time.Time, id int64) string {
	return strconv.FormatInt(updated.UnixMilli(), 10) + "." + strconv.FormatInt(id, 10)
}

// parseInboxKey reads what formatInboxKey wrote.
func parseInboxKey(s string) (*kindred.ConversationKey, error) {
	at, id, ok := strings.Cut(s, ".")
	msec, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return nil, &kindred.Error{Kind: kindred.Invalid, Message: "the inbox page link is damaged",
			Fields: []kindred.FieldError{{Field: "after", Reason: "must be a time in milliseconds, a dot and a conversation id"}}}
	}
	return &kindred.ConversationKey{UpdatedAt: time.UnixMilli(msec).UTC(), ID: n}, nil
}

// careNeed scores how much care a person needs, for the inbox order:
//
//	need = priority (low 0, normal 1, high 2, urgent 3)
//	     + distress in their last message (≥ 0.6: 2, ≥ 0.3: 1)
//	     + 1 when they are vulnerable (a cue such as age, illness, loss or
//	       money worries in their words, or an accommodation on file)
//
// Bands, not the raw distress, so that small differences in the engine's
// reading do not jump one person ahead of another who has waited longer.
func careNeed(p kindred.Priority, report *compassion.CustomerReport, cust *kindred.Customer) int {
	need := slices.Index(kindred.Priorities, p)
	if need < 0 {
		need = 1
	}
	vulnerable := cust != nil && len(cust.Accommodations) > 0
	if report != nil {
		switch {
		case report.Distress >= 0.6:
			need += 2
		case report.Distress >= 0.3:
			need++
		}
		if len(report.Cues) > 0 {
			vulnerable = true
		}
	}
	if vulnerable {
		need++
	}
	return need
}

// sortInbox puts first the conversations waiting on us, then those whose
// people need the most care (careNeed), then those who have waited longest
// since their last message; the rest by most recent activity.
func sortInbox(rows []inboxRow) {
	slices.SortStableFunc(rows, func(a, b inboxRow) int {
		if a.Waiting != b.Waiting {
			if a.Waiting {
				return -1
			}
			return 1
		}
		if n := cmp.Compare(b.Need, a.Need); n != 0 {
			return n
		}
		if n := cmp.Compare(b.Waited, a.Waited); n != 0 {
			return n
		}
		return b.Conv.UpdatedAt.Compare(a.Conv.UpdatedAt)
	})
}

// customerReport reads the engine's report on a customer's message, or nil.
func customerReport(m *kindred.Message) *compassion.CustomerReport {
	if m == nil || m.Analysis == nil || len(m.Analysis.Report) == 0 {
		return nil
	}
	var r compassion.Report
	if err := json.Unmarshal(m.Analysis.Report, &r); err != nil {
		return nil
	}
	return r.Customer
}

// emotionFloor is the emotion score from which the inbox names a feeling.
const emotionFloor = 0.3

// careBadges are calm words for what the customer's last message tells us,
// in English (translated by the page): never colours or icons alone.
func careBadges(r *compassion.CustomerReport, m *kindred.Message, cust *kindred.Customer) []string {
	var out []string
	add := func(b string) {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	if r != nil {
		for _, e := range r.Emotions {
			if e.Score < emotionFloor {
				continue
			}
			switch e.Name {
			case compassion.EmotionAnger, compassion.EmotionFrustration, compassion.EmotionSadness:
				add("upset")
			case compassion.EmotionAnxiety:
				add("worried")
			case compassion.EmotionConfusion:
				add("confused")
			}
		}
		if r.Distress >= 0.6 {
			add("upset")
		}
		for _, cue := range r.Cues {
			if b := cueBadges[cue.Kind]; b != "" {
				add(b)
			}
		}
	}
	if m != nil && m.HelperID != nil {
		add("helper writing")
	}
	// "elderly — may need more time" already says it: each need shows once.
	if cust != nil && cust.HasAccommodation(kindred.ExtraTime) &&
		!slices.ContainsFunc(out, func(b string) bool { return strings.HasSuffix(b, moreTime) }) {
		add(moreTime)
	}
	return out
}

// moreTime is the badge for a person who needs extra time.
const moreTime = "may need more time"

var cueBadges = map[string]string{
	compassion.CueAge:               "elderly — " + moreTime,
	compassion.CueBereavement:       "grieving",
	compassion.CueFinancialHardship: "money worries",
	compassion.CueHelper:            "helper writing",
	compassion.CueIllness:           "unwell",
	compassion.CueDisability:        "disability — ask what helps",
	compassion.CueReadingDifficulty: "finds reading hard",
	compassion.CuePhoneDifficulty:   "finds phones hard",
}

// snippet is the start of s, at most n characters, on a word boundary.
func snippet(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for i := n; i > n/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return string(r[:cut]) + "…"
}
