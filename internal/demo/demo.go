// Package demo fills a kindred database with a few months of a desk's life,
// so that the console and the insights dashboard can be seen on a fresh
// machine: agents in three teams, customers (some with accommodations and
// helpers' worries), conversations on every channel with customer messages
// and agent replies of varied care, each reply scored by the real
// compassion engine through the store's AddMessage, surveys whose answers
// follow the care of the replies (plausibly, with noise), heads-ups about
// delays sent before and after the promised date, follow-ups, and entries
// in the kindness log.
//
// The same seed gives the same desk. Everything is invented: names are
// common Kenyan names, and no record describes a real person.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/care"
	"github.com/kindred-desk/kindred/internal/store"
)

// Options say how much history to write.
type Options struct {
	Months int       // of history, ending at Now; 0 means 3
	Seed   uint64    // the same seed writes the same desk
	Now    time.Time // the end of the history; zero means time.Now()
	// Force adds the demo to a database that already holds customers or
	// conversations; without it Fill refuses, so that a real desk is never
	// mixed with invented people by mistake.
	Force bool
	// PerDay is the mean number of conversations a day; 0 means 8.
	PerDay float64
	// Location is the desk's clock, whose office hours the lobby's days
	// keep; nil means UTC. The store's own clock (SetLocation) should be
	// the same, or the lobby's days fall on the wrong dates.
	Location *time.Location
}

// Summary counts what Fill wrote.
type Summary struct {
	Agents, Customers, Conversations, Messages, Surveys, HeadsUps, FollowUps, Kindness, Tickets int
}

func (s Summary) String() string {
	return fmt.Sprintf("%d agents, %d customers, %d conversations, %d messages, %d answered surveys, %d heads-ups, %d follow-ups, %d acts of kindness, %d lobby tickets over %d office days",
		s.Agents, s.Customers, s.Conversations, s.Messages, s.Surveys, s.HeadsUps, s.FollowUps, s.Kindness, s.Tickets, lobbyDays)
}

// ErrNotEmpty is returned when the database already holds data and Force is
// not set.
var ErrNotEmpty = errors.New("the database already holds customers or conversations; use --force to add the demo to it")

// seedActor is who the audit log names for the demo's changes.
var seedActor = kindred.Actor{Name: "kindred demo"}

// generator holds the state of one run.
type generator struct {
	db   *store.DB
	r    *rand.Rand
	now  time.Time // the end of the history
	at   time.Time // the store's clock while writing
	sum  Summary
	ctx  context.Context
	an   compassion.DeskAnalyzer
	care store.DemoCare

	agents    []*agent
	customers []*kindred.Customer
}

// agent is a demo agent with how much care their replies tend to show, and
// how much they grow over the months (coaching works).
type agent struct {
	kindred.Agent
	warmth, growth float64
}

// Fill writes the demo into db and returns what it wrote. It sets the
// store's clock back while writing and restores it to time.Now after.
func Fill(ctx context.Context, db *store.DB, o Options) (Summary, error) {
	if o.Months <= 0 {
		o.Months = 3
	}
	if o.PerDay <= 0 {
		o.PerDay = 8
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	empty, err := db.Empty(ctx)
	if err != nil {
		return Summary{}, err
	}
	if !empty && !o.Force {
		return Summary{}, ErrNotEmpty
	}
	g := &generator{db: db, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x6b696e64)), now: o.Now.UTC().Truncate(time.Minute),
		ctx: kindred.WithActor(ctx, seedActor)}
	db.SetClock(func() time.Time { return g.at })
	defer db.SetClock(time.Now)

	start := g.now.AddDate(0, -o.Months, 0)
	if err := g.makeAgents(start.AddDate(0, 0, -30)); err != nil {
		return g.sum, err
	}
	if err := g.makeCustomers(start.AddDate(0, 0, -60), o.Months); err != nil {
		return g.sum, err
	}
	if err := g.makeConversations(start, o.PerDay); err != nil {
		return g.sum, err
	}
	if err := g.makeKindness(start, o.Months); err != nil {
		return g.sum, err
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	if err := g.makeLobby(loc); err != nil {
		return g.sum, err
	}
	g.at = g.now
	if err := db.LoadDemoCare(g.ctx, g.care); err != nil {
		return g.sum, err
	}
	g.sum.Surveys, g.sum.HeadsUps, g.sum.FollowUps = len(g.care.Surveys), len(g.care.Delays), len(g.care.FollowUps)
	return g.sum, nil
}

func (g *generator) makeAgents(at time.Time) error {
	g.at = at
	for _, p := range staff {
		a := &agent{Agent: kindred.Agent{Name: p.name, Email: p.email, Role: p.role, Team: p.team}, warmth: p.warmth, growth: p.growth}
		err := g.db.CreateAgent(g.ctx, &a.Agent, "")
		if kindred.ErrorKind(err) == kindred.Conflict {
			// Added to before, with --force: the same people again.
			existing, _, lerr := g.db.AgentByEmail(g.ctx, p.email)
			if lerr != nil {
				return lerr
			}
			a.Agent = *existing
		} else if err != nil {
			return err
		} else {
			g.sum.Agents++
		}
		g.agents = append(g.agents, a)
	}
	return nil
}

func (g *generator) makeCustomers(at time.Time, months int) error {
	n := 60 + 110*months
	for i := range n {
		g.at = at.Add(time.Duration(i) * time.Hour)
		first, last := pick(g.r, firstNames), pick(g.r, lastNames)
		c := &kindred.Customer{Name: first.name + " " + last, Language: "en"}
		if g.r.IntN(3) == 0 {
			c.Language = "sw"
		}
		if g.r.IntN(5) == 0 {
			c.PreferredName = first.elder + " " + last
		}
		if g.r.IntN(4) != 0 {
			c.Phone = fmt.Sprintf("+2547%02d%06d", 10+g.r.IntN(90), g.r.IntN(1_000_000))
		}
		if g.r.IntN(3) == 0 {
			c.Email = strings.ToLower(first.name+"."+last) + fmt.Sprintf("%d@example.org", i)
		}
		if g.r.IntN(10) < 3 {
			for range 1 + g.r.IntN(2) {
				a := pick(g.r, kindred.Accommodations)
				if !slices.Contains(c.Accommodations, a) {
					c.Accommodations = append(c.Accommodations, a)
				}
			}
		}
		if err := g.db.CreateCustomer(g.ctx, c); err != nil {
			return err
		}
		g.customers = append(g.customers, c)
		g.sum.Customers++
	}
	return nil
}

// channelWeights: walk-ins and SMS most, then email, chat, phone, USSD.
var channelWeights = []struct {
	ch kindred.Channel
	w  int
}{{kindred.ChannelDesk, 25}, {kindred.ChannelSMS, 25}, {kindred.ChannelEmail, 20}, {kindred.ChannelChat, 15}, {kindred.ChannelPhone, 10}, {kindred.ChannelUSSD, 5}}

func (g *generator) channel() kindred.Channel {
	n := g.r.IntN(100)
	for _, c := range channelWeights {
		if n < c.w {
			return c.ch
		}
		n -= c.w
	}
	return kindred.ChannelDesk
}

// firstReplyDelay is how long the first reply takes on a channel.
func (g *generator) replyDelay(ch kindred.Channel) time.Duration {
	mean := 20 * time.Minute
	switch ch {
	case kindred.ChannelSMS, kindred.ChannelUSSD:
		mean = 90 * time.Minute
	case kindred.ChannelEmail:
		mean = 7 * time.Hour
	}
	return time.Minute + time.Duration(g.r.ExpFloat64()*float64(mean))
}

// workingTime moves t into the desk's hours (08:00–17:00 East Africa Time,
// 05:00–14:00 UTC), Monday to Saturday.
func workingTime(t time.Time, r *rand.Rand) time.Time {
	for t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, 1)
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 5, 0, 0, 0, time.UTC)
	return day.Add(time.Duration(r.Int64N(int64(9 * time.Hour))))
}

func (g *generator) makeConversations(start time.Time, perDay float64) error {
	days := int(g.now.Sub(start).Hours() / 24)
	for d := range days {
		day := start.AddDate(0, 0, d)
		n := int(perDay*0.5 + g.r.Float64()*perDay)
		if day.Weekday() == time.Sunday {
			continue
		}
		var times []time.Time
		for range n {
			times = append(times, workingTime(day, g.r))
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		for _, t := range times {
			if t.After(g.now) {
				continue
			}
			progress := float64(d) / float64(max(days, 1))
			if err := g.conversation(t, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

// customer picks who writes: a few people come back often, most once or
// twice, as at a real desk.
func (g *generator) customer() *kindred.Customer {
	u := g.r.Float64()
	return g.customers[int(u*u*float64(len(g.customers)))]
}

// careLevel chooses how much care a reply shows: 2 warm, 1 plain, 0 cold.
func (a *agent) careLevel(r *rand.Rand, progress float64) int {
	w := a.warmth + a.growth*progress + r.NormFloat64()*0.12
	switch u := r.Float64(); {
	case u < w:
		return 2
	case u < w+(1-w)*0.6:
		return 1
	}
	return 0
}

func (g *generator) conversation(created time.Time, progress float64) error {
	cust := g.customer()
	tp := pick(g.r, topics)
	ag := g.assignee(tp.team)
	ch := g.channel()
	g.at = created
	conv := &kindred.Conversation{CustomerID: cust.ID, Channel: ch, Subject: tp.subject, AssigneeID: &ag.ID,
		Tags: []string{tp.tag}}
	if err := g.db.CreateConversation(g.ctx, conv); err != nil {
		return err
	}
	g.sum.Conversations++

	// Most of those whose language is Kiswahili write in it, and are
	// answered in it; some write in English, as people at a Nairobi desk do.
	lang, said, worry := care.English, words{asks: tp.asks, again: tp.again, warm: tp.warm}, worries
	if care.LangOf(cust) == care.Swahili && g.r.IntN(4) != 0 {
		lang, said, worry = care.Swahili, tp.sw, swWorries
	}
	worried := g.r.IntN(10) < 4
	ask := g.fill(pick(g.r, said.asks), cust, created, lang)
	if worried {
		ask = pick(g.r, worry) + " " + ask
	}
	in, err := g.message(conv, cust, nil, ask, created, nil)
	if err != nil {
		return err
	}
	t := created.Add(g.replyDelay(ch))
	var scores []float64
	var last time.Time
	rounds := 1
	if g.r.IntN(10) < 4 {
		rounds = 2
	}
	for round := range rounds {
		if t.After(g.now) {
			break
		}
		body := g.reply(said, ag.careLevel(g.r, progress), cust, t, lang)
		out, err := g.message(conv, cust, ag, body, t, in)
		if err != nil {
			return err
		}
		if c := out.Analysis.Compassion; c != nil {
			scores = append(scores, *c)
		}
		last = t
		if round+1 < rounds {
			t = t.Add(time.Hour + time.Duration(g.r.ExpFloat64()*float64(8*time.Hour)))
			if t.After(g.now) {
				break
			}
			if in, err = g.message(conv, cust, nil, g.fill(pick(g.r, said.again), cust, t, lang), t, nil); err != nil {
				return err
			}
			t = t.Add(g.replyDelay(ch))
		}
	}
	if len(scores) == 0 {
		return nil
	}
	if g.r.IntN(20) < 3 || tp.delay == "" && g.r.IntN(10) == 0 {
		// Still open: nothing more has happened yet.
		return nil
	}
	if tp.delay != "" && g.r.IntN(10) < 3 {
		g.delay(conv, cust, ag, tp, created)
	}
	resolved := last.Add(30*time.Minute + time.Duration(g.r.ExpFloat64()*float64(20*time.Hour)))
	if resolved.After(g.now) {
		return nil
	}
	g.at = resolved
	status := kindred.StatusResolved
	if _, err := g.db.UpdateConversation(g.ctx, conv.ID, kindred.ConversationUpdate{Status: &status}); err != nil {
		return err
	}
	mean := 0.0
	for _, s := range scores {
		mean += s / float64(len(scores))
	}
	g.survey(conv, cust, ag, resolved, mean)
	g.followUp(conv, ag, resolved, tp)
	return nil
}

// assignee picks an agent, mostly from the topic's team.
func (g *generator) assignee(team string) *agent {
	var in []*agent
	for _, a := range g.agents {
		if a.Team == team && a.Role != kindred.RoleKiosk {
			in = append(in, a)
		}
	}
	if len(in) == 0 || g.r.IntN(5) == 0 {
		return g.agents[g.r.IntN(len(g.agents))]
	}
	return in[g.r.IntN(len(in))]
}

// message stores one message, analysed by the compassion engine as the API
// does: a reply is judged against the customer message it answers.
func (g *generator) message(conv *kindred.Conversation, cust *kindred.Customer, by *agent, body string, at time.Time, inReplyTo *kindred.Message) (*kindred.Message, error) {
	g.at = at
	m := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, AuthorName: cust.Name, Body: body, CreatedAt: at,
		Historical: true}
	if by != nil {
		m.Direction, m.AuthorID, m.AuthorName = kindred.Outbound, &by.ID, by.Name
	}
	m.Analysis = g.an.Analyze(m, inReplyTo, cust)
	if err := g.db.AddMessage(g.ctx, m); err != nil {
		return nil, err
	}
	g.sum.Messages++
	return m, nil
}

// survey answers the survey after resolution for about half the customers.
// Kinder replies make a happier customer more likely, not certain.
func (g *generator) survey(conv *kindred.Conversation, cust *kindred.Customer, ag *agent, resolved time.Time, mean float64) {
	if g.r.IntN(100) >= 55 {
		return
	}
	answered := resolved.Add(30*time.Minute + time.Duration(g.r.ExpFloat64()*float64(10*time.Hour)))
	if answered.After(g.now) {
		return
	}
	p := math.Max(0, math.Min(1, (mean-25)/60))
	sat := int(math.Round(1 + 4*p + g.r.NormFloat64()*1.2))
	sat = max(1, min(5, sat))
	heard := "no"
	switch h := p + g.r.NormFloat64()*0.3; {
	case h > 0.55:
		heard = "yes"
	case h > 0.3:
		heard = "partly"
	}
	comment := ""
	if g.r.IntN(4) == 0 {
		happy, unhappy := happyComments, unhappyComments
		if care.LangOf(cust) == care.Swahili {
			happy, unhappy = swHappyComments, swUnhappyComments
		}
		if sat >= 4 {
			comment = pick(g.r, happy)
		} else if sat <= 2 {
			comment = pick(g.r, unhappy)
		}
	}
	channel := "sms"
	if cust.Email != "" && g.r.IntN(2) == 0 {
		channel = "email"
	}
	id := ag.ID
	g.care.Surveys = append(g.care.Surveys, store.DemoSurvey{ConversationID: conv.ID, CustomerID: cust.ID, AgentID: &id,
		Channel: channel, SentAt: resolved, AnsweredAt: answered, Satisfaction: sat, FeltHeard: heard, Comment: comment})
}

// delay writes a heads-up about a delay: most go out before the date we
// promised, some too late.
func (g *generator) delay(conv *kindred.Conversation, cust *kindred.Customer, ag *agent, tp topic, created time.Time) {
	promised := created.AddDate(0, 0, 5+g.r.IntN(6))
	sent := promised.Add(time.Duration((g.r.NormFloat64()*1.5 - 1.2) * 24 * float64(time.Hour)))
	if sent.Before(created.Add(time.Hour)) {
		sent = created.Add(time.Hour + time.Duration(g.r.Int64N(int64(24*time.Hour))))
	}
	if sent.After(g.now) {
		return
	}
	newDate := promised.AddDate(0, 0, 4+g.r.IntN(7))
	draft := fmt.Sprintf("Dear %s, I'm sorry: %s. %s will now reach you by %s. I will call you that morning to check. %s",
		cust.AddressAs(), tp.delay, tp.thing, newDate.Format("Monday 2 January"), ag.Name)
	if care.LangOf(cust) == care.Swahili {
		// As the care page drafts it for a customer who speaks Kiswahili.
		_, draft = care.DraftHeadsUp(care.HeadsUp{Name: cust.AddressAs(), Subject: conv.Subject, Reason: tp.swDelay,
			Plan: "Nitakupigia simu asubuhi hiyo kuhakikisha.", PromisedAt: &promised, NewDate: newDate}, care.Swahili, sent, time.UTC)
	}
	rep := compassion.Analyze(compassion.Input{Reply: draft, CustomerName: cust.AddressAs()})
	g.care.Delays = append(g.care.Delays, store.DemoDelay{ConversationID: conv.ID, Reason: tp.delay, Draft: draft,
		Compassion: rep.Compassion, PromisedAt: &promised, NewDate: newDate, CreatedAt: sent.Add(-2 * time.Hour), SentAt: sent, CreatedBy: ag.ID})
}

// followUp promises to check back after some resolutions.
func (g *generator) followUp(conv *kindred.Conversation, ag *agent, resolved time.Time, tp topic) {
	if g.r.IntN(10) >= 3 {
		return
	}
	due := resolved.AddDate(0, 0, 2+g.r.IntN(6))
	f := store.DemoFollowUp{ConversationID: conv.ID, AgentID: ag.ID, What: "Call to check " + strings.ToLower(tp.thing) + " arrived",
		Status: "pending", DueAt: due, CreatedAt: resolved}
	if due.Before(g.now) {
		closed := due.Add(time.Duration(g.r.Int64N(int64(6 * time.Hour))))
		switch n := g.r.IntN(20); {
		case n < 14:
			f.Status, f.Outcome, f.ClosedAt = "done", pick(g.r, followUpDone), &closed
		case n < 17:
			f.Status, f.Outcome, f.ClosedAt = "skipped", pick(g.r, followUpSkipped), &closed
		}
	}
	g.care.FollowUps = append(g.care.FollowUps, f)
}

func (g *generator) makeKindness(start time.Time, months int) error {
	n := 4 * months
	for range n {
		by, to := g.agents[g.r.IntN(len(g.agents))], g.agents[g.r.IntN(len(g.agents))]
		if by.ID == to.ID {
			continue
		}
		g.at = workingTime(start.Add(time.Duration(g.r.Int64N(int64(g.now.Sub(start))))), g.r)
		if g.at.After(g.now) {
			continue
		}
		k := &kindred.Kindness{AgentID: to.ID, What: fmt.Sprintf(pick(g.r, kindnesses), firstName(to.Name))}
		ctx := kindred.WithActor(g.ctx, kindred.Actor{AgentID: by.ID, Name: by.Name, Role: by.Role})
		if err := g.db.RecordKindness(ctx, k); err != nil {
			return err
		}
		g.sum.Kindness++
	}
	return nil
}

func firstName(full string) string {
	f, _, _ := strings.Cut(full, " ")
	return f
}

// reply writes an agent's reply in lang with the care level chosen, from
// the topic's warm replies in said.
func (g *generator) reply(said words, level int, cust *kindred.Customer, at time.Time, lang care.Lang) string {
	plain, cold := plainReplies, coldReplies
	if lang == care.Swahili {
		plain, cold = swPlainReplies, swColdReplies
	}
	switch level {
	case 2:
		return g.fill(pick(g.r, said.warm), cust, at, lang)
	case 1:
		return g.fill(pick(g.r, plain), cust, at, lang)
	}
	return g.fill(pick(g.r, cold), cust, at, lang)
}

// fill puts the customer's name, the topic's thing and dates, in lang,
// into a template.
func (g *generator) fill(s string, cust *kindred.Customer, at time.Time, lang care.Lang) string {
	by := at.AddDate(0, 0, 3+g.r.IntN(5))
	call := by.AddDate(0, 0, -1)
	date := by.Format("Monday 2 January")
	if lang == care.Swahili {
		date = care.Date(by, by, time.UTC, lang) // "Ijumaa 14 Septemba"
	}
	return strings.NewReplacer(
		"{name}", cust.AddressAs(),
		"{date}", date,
		"{day}", care.Weekday(call.Weekday(), lang),
		"{ref}", fmt.Sprintf("%06d", g.r.IntN(1_000_000)),
	).Replace(s)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
