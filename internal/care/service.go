package care

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/store"
)

// Limits on what agents type into a heads-up.
const (
	maxReasonLen = 300
	maxPlanLen   = 500
	maxDraftLen  = 1600 // ten SMS parts
)

// DefaultSurveyTTL is how long a survey link works.
const DefaultSurveyTTL = 14 * 24 * time.Hour

// Service implements kindred.Care: the store keeps the records; Service
// adds what needs words or the engine (drafting heads-ups and checking
// them, the survey messages, reading SMS answers).
type Service struct {
	*store.DB

	// BaseURL is the desk's public address, for survey links
	// ("https://desk.example.org"); required to send surveys.
	BaseURL string
	// Location is the desk's time zone, for the dates in messages; nil: time.Local.
	Location *time.Location
	// SurveyTTL is how long a survey link works; 0: DefaultSurveyTTL.
	SurveyTTL time.Duration
	// Analyzer reads customers' texts that are not survey answers; nil:
	// the compassion engine.
	Analyzer kindred.Analyzer
	// Now returns the current time; nil: time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil: slog.Default()
}

// New returns the care service on db; baseURL is the desk's public address.
func New(db *store.DB, baseURL string) *Service {
	return &Service{DB: db, BaseURL: baseURL}
}

var _ kindred.Care = (*Service)(nil)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.Local
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Service) ttl() time.Duration {
	if s.SurveyTTL > 0 {
		return s.SurveyTTL
	}
	return DefaultSurveyTTL
}

// check scores a heads-up with the compassion engine: its score and its
// suggestions. A Swahili heads-up is scored on its own words (the engine
// reads Kiswahili) and its suggestions are in Kiswahili.
func check(text, name string, cust *kindred.Customer, lang Lang) (*float64, []string) {
	in := compassion.Input{Reply: text, CustomerName: name, Language: string(lang)}
	for _, a := range cust.Accommodations {
		in.Accommodations = append(in.Accommodations, string(a))
	}
	r := compassion.Analyze(in)
	sugg := []string{}
	if r.Reply != nil {
		for _, x := range r.Reply.Suggestions {
			sugg = append(sugg, x.Text)
		}
	}
	return r.Compassion, sugg
}

// MarkDelayed drafts a heads-up for each conversation r names, checks each
// with the compassion engine, and stores them as drafts; several share a
// batch that a lead may approve at once.
func (s *Service) MarkDelayed(ctx context.Context, r kindred.DelayRequest) ([]kindred.Delay, error) {
	var v kindred.Validation
	r.Reason, r.Plan, r.Tag = strings.TrimSpace(r.Reason), strings.TrimSpace(r.Plan), strings.ToLower(strings.TrimSpace(r.Tag))
	switch n := utf8.RuneCountInString(r.Reason); {
	case n == 0:
		v.Add("reason", "say why, in plain words the customer will read")
	case n > maxReasonLen:
		v.Add("reason", fmt.Sprintf("must be at most %d characters", maxReasonLen))
	}
	if utf8.RuneCountInString(r.Plan) > maxPlanLen {
		v.Add("plan", fmt.Sprintf("must be at most %d characters", maxPlanLen))
	}
	now := s.now()
	if r.NewDate.IsZero() {
		v.Add("new_date", "is required: the new date we can promise")
	} else if !r.NewDate.After(now) {
		v.Add("new_date", "must be in the future")
	}
	if len(r.ConversationIDs) == 0 && r.Tag == "" {
		v.Add("conversation_ids", "list the conversations, or give a tag")
	}
	if len(r.ConversationIDs) > 0 && r.Tag != "" {
		v.Add("tag", "give a tag or a list of conversations, not both")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	convs, err := s.DelayTargets(ctx, r.ConversationIDs, r.Tag)
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		return nil, &kindred.Error{Kind: kindred.Invalid, Message: "some fields need attention",
			Fields: []kindred.FieldError{{Field: "tag", Reason: fmt.Sprintf("no open conversation has the tag %q", r.Tag)}}}
	}
	batch := ""
	if len(convs) > 1 || r.Tag != "" {
		b := make([]byte, 6)
		rand.Read(b)
		batch = hex.EncodeToString(b)
	}
	ds := make([]kindred.Delay, len(convs))
	for i, c := range convs {
		cust, err := s.Customer(ctx, c.CustomerID)
		if err != nil {
			return nil, err
		}
		h := HeadsUp{Name: cust.AddressAs(), Subject: c.Subject, Reason: r.Reason, Plan: r.Plan, PromisedAt: c.DueAt, NewDate: r.NewDate}
		lang := LangOf(cust)
		subject, body := DraftHeadsUp(h, lang, now, s.loc())
		score, sugg := check(body, h.Name, cust, lang)
		ds[i] = kindred.Delay{ConversationID: c.ID, Batch: batch, Reason: r.Reason, Plan: r.Plan, NewDate: r.NewDate,
			Draft: body, Subject: subject, Compassion: score, Suggestions: sugg}
	}
	if err := s.CreateDelays(ctx, ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// ApproveHeadsUp sends one heads-up through the outbox. When the agent has
// changed the words, the new text is checked by the engine again and its
// score kept with it.
func (s *Service) ApproveHeadsUp(ctx context.Context, id int64, text string) (*kindred.Delay, error) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	var edited *kindred.Delay
	if text != "" {
		if utf8.RuneCountInString(text) > maxDraftLen {
			return nil, &kindred.Error{Kind: kindred.Invalid, Message: "some fields need attention",
				Fields: []kindred.FieldError{{Field: "text", Reason: fmt.Sprintf("must be at most %d characters", maxDraftLen)}}}
		}
		d, err := s.Delay(ctx, id)
		if err != nil {
			return nil, err
		}
		if text != d.Draft {
			cust, err := s.Customer(ctx, d.CustomerID)
			if err != nil {
				return nil, err
			}
			score, sugg := check(text, cust.AddressAs(), cust, LangOf(cust))
			edited = &kindred.Delay{Draft: text, Compassion: score, Suggestions: sugg}
		}
	}
	return s.SendHeadsUp(ctx, id, edited)
}

// ApproveBatch sends the drafts of the batch chosen (all when only is nil)
// whose customer can be reached.
func (s *Service) ApproveBatch(ctx context.Context, batch string, only []int64) (*kindred.BatchResult, error) {
	return s.SendBatch(ctx, batch, only)
}

// HashSecret is how a survey link's secret is kept: its SHA-256. The secret
// is random and long, so a slow hash would add nothing.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// newSecret returns a random link secret: 32 bytes, URL-safe.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SurveyLink is the address of the survey page for secret.
func (s *Service) SurveyLink(secret string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/survey/" + secret
}

// SendSurvey creates the survey of a resolved conversation and puts its
// invitation in the outbox, by the customer's channel. It returns the
// link's secret, which is kept nowhere else.
func (s *Service) SendSurvey(ctx context.Context, conv *kindred.Conversation, cust *kindred.Customer) (*kindred.Survey, string, error) {
	ch, to, ok := kindred.ReachFor(conv, cust)
	if !ok {
		return nil, "", kindred.Errorf(kindred.Invalid, "%s has no phone number or email address", cust.AddressAs())
	}
	if !ReadsWriting(cust) {
		// A written survey would reach a helper's eyes, or no one's.
		return nil, "", kindred.Errorf(kindred.Invalid,
			"%s asked for things to be read aloud or cannot see small print: ask how we did at the desk or on the phone instead of a written survey", cust.AddressAs())
	}
	if s.BaseURL == "" {
		return nil, "", errors.New("send survey: the desk's public address (BaseURL) is not set")
	}
	secret := newSecret()
	subject, body := SurveyInvite(cust.AddressAs(), conv.Subject, s.SurveyLink(secret), ch, LangOf(cust))
	m := &kindred.OutboundMessage{Channel: ch, To: to, Subject: subject, Body: body, Purpose: "survey"}
	sv := &kindred.Survey{ConversationID: conv.ID, Channel: ch, ExpiresAt: s.now().Add(s.ttl())}
	if err := s.CreateSurvey(ctx, sv, HashSecret(secret), m); err != nil {
		return nil, "", err
	}
	return sv, secret, nil
}

// SurveyForm returns what the survey page shows for a link.
func (s *Service) SurveyForm(ctx context.Context, secret string) (*kindred.SurveyForm, error) {
	if secret == "" || len(secret) > 100 {
		return nil, kindred.Errorf(kindred.NotFound, "no such survey")
	}
	return s.SurveyByToken(ctx, HashSecret(secret), s.now())
}

// AnswerSurvey records the answers given through a link, once.
func (s *Service) AnswerSurvey(ctx context.Context, secret string, a kindred.SurveyAnswer) error {
	if secret == "" || len(secret) > 100 {
		return kindred.Errorf(kindred.NotFound, "no such survey")
	}
	return s.AnswerSurveyByToken(ctx, HashSecret(secret), a, s.now())
}

// InboundSMS reads a customer's text as an answer to the SMS survey waiting
// for their phone: first the number from 1 to 5, then Y, P or N (with any
// words of their own). Each answer is recorded with the next message in one
// transaction; an answer that cannot be read is asked again. Any other text
// (a reply to a heads-up, which invites one) is a message from the customer
// in their open SMS conversation, read by the engine like any other.
func (s *Service) InboundSMS(ctx context.Context, m kindred.InboundSMS) (*kindred.InboundResult, error) {
	write := writeFunc(func(fn func(tx *store.Tx) error) error { return s.DB.Tx(ctx, fn) })
	if m.ProviderID != "" {
		// A gateway that timed out waiting for our answer sends the text
		// again, with the same id. A repeat of a text handled long ago is
		// answered here, without reading it again; one that arrives while
		// the first is being handled is stopped by HandleInbound, which
		// writes the text's effect and the record of its id together.
		seen, err := s.InboundHandled(ctx, m.ProviderID)
		if err != nil || seen {
			return &kindred.InboundResult{Repeat: seen}, err
		}
		write = func(fn func(tx *store.Tx) error) error { return s.HandleInbound(ctx, m.ProviderID, s.now(), fn) }
	}
	res, err := s.inboundSMS(ctx, m, write)
	if errors.Is(err, store.ErrInboundHandled) {
		return &kindred.InboundResult{Repeat: true}, nil
	}
	return res, err
}

// writeFunc runs fn in the write transaction that applies a text's effect.
type writeFunc func(fn func(tx *store.Tx) error) error

// inboundSMS handles a text, writing its one effect through write.
func (s *Service) inboundSMS(ctx context.Context, m kindred.InboundSMS, write writeFunc) (*kindred.InboundResult, error) {
	now := s.now()
	sv, cust, err := s.PendingSMSSurvey(ctx, m.From, now)
	if kindred.ErrorKind(err) == kindred.NotFound {
		msg, err := s.textMessage(ctx, m, write)
		if err != nil {
			return nil, err
		}
		return &kindred.InboundResult{Message: msg}, nil
	}
	if err != nil {
		return nil, err
	}
	answered, err := s.surveyReply(ctx, sv, cust, m, now, write)
	if err != nil || answered {
		return &kindred.InboundResult{SurveyAnswer: answered}, err
	}
	// Not an answer: it may be a question about something else entirely
	// ("why the delay?"). It reaches an agent like any other text.
	msg, err := s.textMessage(ctx, m, write)
	if err != nil {
		return nil, err
	}
	return &kindred.InboundResult{Message: msg}, nil
}

// textMessage stores a text that is not a survey answer in the customer's
// conversation.
func (s *Service) textMessage(ctx context.Context, m kindred.InboundSMS, write writeFunc) (*kindred.Message, error) {
	if strings.TrimSpace(m.Text) == "" {
		return nil, kindred.Errorf(kindred.NotFound, "an empty text")
	}
	conv, cust, err := s.TextConversation(ctx, m.From)
	if err != nil {
		return nil, err
	}
	msg := &kindred.Message{ConversationID: conv.ID, Direction: kindred.Inbound, Body: m.Text, AuthorName: cust.AddressAs()}
	an := s.Analyzer
	if an == nil {
		an = compassion.DeskAnalyzer{}
	}
	msg.Analysis = an.Analyze(msg, nil, cust)
	if err := write(func(tx *store.Tx) error { return tx.AddMessage(ctx, msg) }); err != nil {
		return nil, err
	}
	return msg, nil
}

// surveyReply records m as the next answer of the open SMS survey and
// reports whether it was one. A short text that cannot be read is asked
// again; a longer one is not taken for an answer at all.
func (s *Service) surveyReply(ctx context.Context, sv *kindred.Survey, cust *kindred.Customer, m kindred.InboundSMS, now time.Time, write writeFunc) (bool, error) {
	lang := LangOf(cust)
	reply := func(body string) *kindred.OutboundMessage {
		return &kindred.OutboundMessage{Channel: kindred.ChannelSMS, To: cust.Phone, Body: body, Purpose: "survey_reply", CustomerID: &cust.ID}
	}
	short := len(strings.Fields(m.Text)) <= 3
	if sv.Satisfaction == nil {
		n, ok := ParseSatisfaction(m.Text)
		switch {
		case ok:
			return true, write(func(tx *store.Tx) error {
				return tx.AnswerSurveyBySMS(ctx, sv.ID, &n, nil, "", reply(askHeard(lang)), now)
			})
		case short:
			return true, write(func(tx *store.Tx) error { return tx.Enqueue(ctx, reply(askNumberAgain(lang))) })
		}
		return false, nil
	}
	f, words, ok := ParseFeltHeard(m.Text)
	switch {
	case ok:
		if utf8.RuneCountInString(words) > 2000 {
			words = string([]rune(words)[:2000])
		}
		return true, write(func(tx *store.Tx) error {
			return tx.AnswerSurveyBySMS(ctx, sv.ID, nil, &f, words, reply(thanks(lang)), now)
		})
	case short:
		return true, write(func(tx *store.Tx) error { return tx.Enqueue(ctx, reply(askHeardAgain(lang))) })
	}
	return false, nil
}
