package kindred

import (
	"context"
	"time"
)

// Proactive care: kindred reaches out before the customer has to ask. A
// promised date at risk reminds the agent; a delay becomes a heads-up the
// customer reads before the date passes; a resolved conversation gets a
// follow-up and a short "did you feel heard?" survey; hardship or a long wait
// suggests a small gesture.

// DelayStatus is where a heads-up stands.
type DelayStatus string

// Delay statuses. A draft waits for an agent (or, in a batch, a lead) to
// approve it; approving it puts it in the outbox, which makes it sent.
const (
	DelayDraft     DelayStatus = "draft"
	DelaySent      DelayStatus = "sent"
	DelayCancelled DelayStatus = "cancelled"
)

// Delay is a conversation whose promised date has moved, with the heads-up
// that tells the customer.
type Delay struct {
	ID             int64       `json:"id"`
	ConversationID int64       `json:"conversation_id"`
	CustomerID     int64       `json:"customer_id"`
	CustomerName   string      `json:"customer_name"`   // so that a batch is read person by person
	Batch          string      `json:"batch,omitempty"` // shared by delays marked together
	Reason         string      `json:"reason"`          // in plain words, as the customer reads it
	Plan           string      `json:"plan"`            // what we will do meanwhile
	PromisedAt     *time.Time  `json:"promised_at"`     // the date promised before
	NewDate        time.Time   `json:"new_date"`
	Draft          string      `json:"draft"` // the heads-up as it will be sent
	Subject        string      `json:"subject"`
	Compassion     *float64    `json:"compassion"`  // the engine's score of the draft
	Suggestions    []string    `json:"suggestions"` // the engine's advice on the draft
	Status         DelayStatus `json:"status"`
	Channel        Channel     `json:"channel,omitempty"` // sms or email, once sent
	CreatedBy      *int64      `json:"created_by"`
	ApprovedBy     *int64      `json:"approved_by"`
	CreatedAt      time.Time   `json:"created_at"`
	ApprovedAt     *time.Time  `json:"approved_at"`
	SentAt         *time.Time  `json:"sent_at"` // when it went to the outbox
	OutboxID       *int64      `json:"outbox_id"`
}

// DelayRequest marks conversations delayed: those listed, or every
// conversation that is not resolved and carries Tag.
type DelayRequest struct {
	ConversationIDs []int64
	Tag             string
	Reason          string
	Plan            string
	NewDate         time.Time
}

// DelayFilter selects delays, newest first; zero fields do not filter.
type DelayFilter struct {
	ConversationID int64
	Batch          string
	Status         DelayStatus
	Page
}

// BatchResult is what approving a batch did: the heads-ups sent, and those
// left as drafts because the customer cannot be reached.
type BatchResult struct {
	Sent    []Delay        `json:"sent"`
	Skipped []SkippedDelay `json:"skipped"`
}

// SkippedDelay is a heads-up that could not be sent, and why, naming the
// customer so that someone can reach them another way.
type SkippedDelay struct {
	DelayID        int64  `json:"delay_id"`
	ConversationID int64  `json:"conversation_id"`
	CustomerName   string `json:"customer_name"`
	Reason         string `json:"reason"`
}

// DueReminder is a conversation whose promised date is near (or past), not
// resolved, and about which no heads-up has been sent.
type DueReminder struct {
	ConversationID int64     `json:"conversation_id"`
	CustomerID     int64     `json:"customer_id"`
	CustomerName   string    `json:"customer_name"`
	Subject        string    `json:"subject"`
	AssigneeID     *int64    `json:"assignee_id"`
	DueAt          time.Time `json:"due_at"`
	DraftID        *int64    `json:"draft_id"` // a heads-up waiting for approval, if any
}

// DueFilter selects reminders: dates before Before; AssigneeID 0 is anyone's.
type DueFilter struct {
	Before     time.Time
	AssigneeID int64
	Page
}

// FollowUpStatus is where a follow-up stands.
type FollowUpStatus string

// Follow-up statuses.
const (
	FollowUpPending FollowUpStatus = "pending"
	FollowUpDone    FollowUpStatus = "done"
	FollowUpSkipped FollowUpStatus = "skipped"
)

// FollowUp is a promise to check back: "call Mrs. Wanjiru on Friday to check
// the card arrived".
type FollowUp struct {
	ID             int64          `json:"id"`
	ConversationID int64          `json:"conversation_id"`
	AgentID        int64          `json:"agent_id"` // who will do it
	What           string         `json:"what"`
	DueAt          time.Time      `json:"due_at"`
	Status         FollowUpStatus `json:"status"`
	Outcome        string         `json:"outcome"`
	CreatedAt      time.Time      `json:"created_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
}

// FollowUpFilter selects follow-ups, soonest due first.
type FollowUpFilter struct {
	AgentID        int64
	ConversationID int64
	Status         FollowUpStatus
	DueBefore      *time.Time
	Page
}

// GestureStatus is where a suggested gesture stands.
type GestureStatus string

// Gesture statuses.
const (
	GestureSuggested GestureStatus = "suggested"
	GestureDone      GestureStatus = "done"
	GestureDismissed GestureStatus = "dismissed"
)

// Gesture kinds.
const (
	GestureCall = "call" // a personal call
	GestureNote = "note" // a handwritten note
)

// Gesture is a small kindness suggested by what the customer went through.
type Gesture struct {
	ID             int64         `json:"id"`
	ConversationID int64         `json:"conversation_id"`
	Kind           string        `json:"kind"`
	Reason         string        `json:"reason"`
	Status         GestureStatus `json:"status"`
	DoneBy         *int64        `json:"done_by"`
	CreatedAt      time.Time     `json:"created_at"`
	DoneAt         *time.Time    `json:"done_at"`
}

// FeltHeard is the answer to "Did you feel heard?".
type FeltHeard string

// Answers to "Did you feel heard?".
const (
	HeardYes    FeltHeard = "yes"
	HeardPartly FeltHeard = "partly"
	HeardNo     FeltHeard = "no"
)

// Survey asks a customer, after resolution, how it went.
type Survey struct {
	ID             int64      `json:"id"`
	ConversationID int64      `json:"conversation_id"`
	CustomerID     int64      `json:"customer_id"`
	AgentID        *int64     `json:"agent_id"`
	Channel        Channel    `json:"channel"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	AnsweredAt     *time.Time `json:"answered_at"`
	Satisfaction   *int       `json:"satisfaction"` // 1-5
	FeltHeard      *FeltHeard `json:"felt_heard"`
	Comment        string     `json:"comment"`
	OutboxID       *int64     `json:"outbox_id"`
}

// SurveyFilter selects surveys, newest first.
type SurveyFilter struct {
	ConversationID int64
	AgentID        int64
	Answered       *bool
	Page
}

// SurveyAnswer is what the customer said.
type SurveyAnswer struct {
	Satisfaction int
	FeltHeard    FeltHeard
	Comment      string
}

// SurveyForm is what the public survey page shows: no more of the customer
// than their name and language.
type SurveyForm struct {
	SurveyID     int64
	CustomerName string
	Language     string
	Subject      string
}

// InboundSMS is a text message a customer sent to the desk's number, as the
// gateway reports it.
type InboundSMS struct {
	From       string
	To         string
	Text       string
	ProviderID string
	At         time.Time
}

// InboundResult says what became of a text: a survey answer, or a message
// stored in a conversation.
type InboundResult struct {
	SurveyAnswer bool     `json:"survey_answer"`
	Message      *Message `json:"message,omitempty"`
	// Repeat is set when the gateway sent a text it had sent before (same
	// id): it was handled the first time, and nothing was done again.
	Repeat bool `json:"repeat,omitempty"`
}

// Care keeps heads-ups, due dates, follow-ups, gestures and surveys.
type Care interface {
	// SetDue sets (or, with nil, clears) the date promised to the customer.
	SetDue(ctx context.Context, conversationID int64, due *time.Time) (*Conversation, error)
	// DueSoon lists the conversations whose promised date is at risk.
	DueSoon(ctx context.Context, f DueFilter) ([]DueReminder, error)

	// MarkDelayed drafts a heads-up for each conversation of r, checked by
	// the compassion engine; several at once share a batch.
	MarkDelayed(ctx context.Context, r DelayRequest) ([]Delay, error)
	Delay(ctx context.Context, id int64) (*Delay, error)
	Delays(ctx context.Context, f DelayFilter) ([]Delay, error)
	// ApproveHeadsUp sends one heads-up through the outbox, with text as
	// edited by the agent ("" keeps the draft), in one transaction.
	ApproveHeadsUp(ctx context.Context, id int64, text string) (*Delay, error)
	// ApproveBatch sends the drafts of a batch that can be sent: those
	// listed in only, after a lead read them one by one, or every draft
	// when only is nil. An id in only that is not a draft of the batch is
	// Invalid, and nothing is sent.
	ApproveBatch(ctx context.Context, batch string, only []int64) (*BatchResult, error)
	CancelDelay(ctx context.Context, id int64) (*Delay, error)

	ScheduleFollowUp(ctx context.Context, f *FollowUp) error
	FollowUp(ctx context.Context, id int64) (*FollowUp, error)
	FollowUps(ctx context.Context, f FollowUpFilter) ([]FollowUp, error)
	// CloseFollowUp records a follow-up as done or skipped, with its outcome.
	CloseFollowUp(ctx context.Context, id int64, status FollowUpStatus, outcome string) (*FollowUp, error)

	Gestures(ctx context.Context, conversationID int64) ([]Gesture, error)
	// CloseGesture records a suggested gesture as done or dismissed.
	CloseGesture(ctx context.Context, id int64, status GestureStatus) (*Gesture, error)

	Surveys(ctx context.Context, f SurveyFilter) ([]Survey, error)
	// SurveyForm returns what the survey page with this link's secret shows.
	// A used link is a Conflict, an expired one Locked, an unknown one NotFound.
	SurveyForm(ctx context.Context, secret string) (*SurveyForm, error)
	// AnswerSurvey records the answers given through the link, once.
	AnswerSurvey(ctx context.Context, secret string, a SurveyAnswer) error
	// InboundSMS takes a customer's text: an answer to an SMS survey, which
	// is recorded and answered with the next question, or else (a reply to a
	// heads-up, say) a message in their open SMS conversation, or a new one.
	// A text from a phone no customer has is NotFound.
	InboundSMS(ctx context.Context, m InboundSMS) (*InboundResult, error)
}

// ReachFor says how to send a heads-up or a survey to the customer of conv:
// by the conversation's own channel when the customer has that address
// (SMS, and USSD, which comes from a phone, to their phone; email to their
// email), else by SMS to their phone, else by email. ok is false when the
// customer has neither.
func ReachFor(conv *Conversation, cust *Customer) (ch Channel, to string, ok bool) {
	switch {
	case (conv.Channel == ChannelSMS || conv.Channel == ChannelUSSD) && cust.Phone != "":
		return ChannelSMS, cust.Phone, true
	case conv.Channel == ChannelEmail && cust.Email != "":
		return ChannelEmail, cust.Email, true
	case cust.Phone != "":
		return ChannelSMS, cust.Phone, true
	case cust.Email != "":
		return ChannelEmail, cust.Email, true
	}
	return "", "", false
}
