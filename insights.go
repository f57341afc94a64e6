package kindred

import (
	"context"
	"time"
)

// Insights computes the team's measures of care for leads and admins, each
// agent's coaching view, and keeps the kindness log.
type Insights interface {
	// Dashboard measures the period [f.From, f.To).
	Dashboard(ctx context.Context, f Period) (*Dashboard, error)
	// Coaching is one agent's view of their own replies in the period: their
	// weekly trend, the habits that help most and the one to practise.
	Coaching(ctx context.Context, agentID int64, f Period) (*Coaching, error)
	// RecordKindness adds an act of care to the kindness log; the actor in
	// ctx is who saw it.
	RecordKindness(ctx context.Context, k *Kindness) error
	// KindnessLog lists the acts of care recorded in the period, newest first.
	KindnessLog(ctx context.Context, f Period, p Page) ([]Kindness, error)
}

// Period is a span of time, From included and To excluded.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Dashboard is what the insights dashboard shows. Shares are 0..1 and null
// when there is nothing to divide by; times are in seconds. Conversation
// measures are over the conversations opened in the period; survey measures
// over the answers given in it; heads-ups over those sent in it; follow-ups
// over those due in it; compassion over the replies written in it.
type Dashboard struct {
	Period Period `json:"period"`

	// CSAT is the share of survey answers of 4 or 5 out of 5.
	CSAT     *float64 `json:"csat"`
	CSATMean *float64 `json:"csat_mean"`
	// Satisfaction counts the answers 1..5 (index 0 is 1).
	Satisfaction [5]int `json:"satisfaction"`
	Answers      int    `json:"answers"`

	// FeltHeard is the share of "yes" among the answers to "did you feel heard?".
	FeltHeard       *float64   `json:"felt_heard"`
	FeltHeardCounts HeardCount `json:"felt_heard_counts"`

	FirstResponseP50 *float64 `json:"first_response_p50_seconds"`
	FirstResponseP90 *float64 `json:"first_response_p90_seconds"`
	ResolutionP50    *float64 `json:"resolution_p50_seconds"`
	ResolutionP90    *float64 `json:"resolution_p90_seconds"`
	Conversations    int      `json:"conversations"`
	Resolved         int      `json:"resolved"`

	// ReturningCustomers counts the customers with more than one
	// conversation in the period; Retention says more.
	ReturningCustomers int       `json:"returning_customers"`
	Retention          Retention `json:"retention"`

	HeadsUps  HeadsUps  `json:"heads_ups"`
	FollowUps FollowUps `json:"follow_ups"`

	// CompassionByTeam and CompassionByAgent are the weekly distribution of
	// reply compassion scores, oldest week first.
	CompassionByTeam  []CompassionWeek `json:"compassion_by_team"`
	CompassionByAgent []CompassionWeek `json:"compassion_by_agent"`

	// CompassionVsCSAT relates a conversation's mean reply compassion to
	// the customer's satisfaction; BySatisfaction is the mean compassion of
	// the conversations at each answer 1..5.
	CompassionVsCSAT Correlation       `json:"compassion_vs_csat"`
	BySatisfaction   []SatisfactionBin `json:"compassion_by_satisfaction"`
}

// HeardCount counts the answers to "did you feel heard?".
type HeardCount struct {
	Yes    int `json:"yes"`
	Partly int `json:"partly"`
	No     int `json:"no"`
}

// Retention is how many customers came back.
type Retention struct {
	Customers int `json:"customers"` // with a conversation in the period
	Returning int `json:"returning"` // with more than one in the period
	// CameBack90 counts customers who opened a conversation in the period
	// within 90 days of an earlier one (which may be before the period).
	CameBack90      int      `json:"came_back_within_90_days"`
	ReturningShare  *float64 `json:"returning_share"`
	CameBack90Share *float64 `json:"came_back_within_90_days_share"`
}

// HeadsUps counts the heads-ups about delays sent in the period, by whether
// they reached the customer before the date we had promised.
type HeadsUps struct {
	Before    int `json:"before_promised_date"`
	After     int `json:"after_promised_date"`
	NoPromise int `json:"no_promised_date"`
}

// FollowUps counts the follow-ups due in the period. Overdue ones are still
// pending after their date; Pending ones are not due yet.
type FollowUps struct {
	Done    int `json:"done"`
	Skipped int `json:"skipped"`
	Overdue int `json:"overdue"`
	Pending int `json:"pending"`
}

// CompassionWeek is the distribution of one team's or agent's reply
// compassion scores in one week, Monday to Sunday on the desk's clock. Week
// is the week's first moment, in the desk's zone (2026-11-30T00:00:00+03:00
// in Nairobi).
type CompassionWeek struct {
	Week    time.Time `json:"week"`
	Team    string    `json:"team"`
	AgentID int64     `json:"agent_id,omitempty"`
	Agent   string    `json:"agent,omitempty"`
	N       int       `json:"n"`
	Mean    float64   `json:"mean"`
	Min     float64   `json:"min"`
	P25     float64   `json:"p25"`
	Median  float64   `json:"median"`
	P75     float64   `json:"p75"`
	Max     float64   `json:"max"`
}

// Correlation is Pearson's r with its sample size and, when n allows, a 95%
// confidence interval (Fisher's z). R is null when n < 3. Caution is a
// plain-words warning when the sample is too small to lean on.
type Correlation struct {
	R       *float64 `json:"r"`
	N       int      `json:"n"`
	Low     *float64 `json:"ci95_low"`
	High    *float64 `json:"ci95_high"`
	Caution string   `json:"caution,omitempty"`
}

// SatisfactionBin is the mean reply compassion of the conversations whose
// customer gave one satisfaction answer.
type SatisfactionBin struct {
	Satisfaction   int      `json:"satisfaction"`
	N              int      `json:"n"`
	MeanCompassion *float64 `json:"mean_compassion"`
}

// Coaching is one agent's coaching view.
type Coaching struct {
	Agent   Agent            `json:"agent"`
	Period  Period           `json:"period"`
	Replies int              `json:"replies"`
	Mean    *float64         `json:"mean"`
	Trend   []CompassionWeek `json:"trend"`
	// Habits are the three that added most to the agent's scores, with an
	// example from their own replies.
	Habits []Habit `json:"habits"`
	// Practise is the one thing that cost their replies most, or nil.
	Practise *Habit `json:"practise"`
	// Kindness is what colleagues saw them do.
	Kindness []Kindness `json:"kindness"`
}

// Habit is a signal the engine records on replies (see compassion.Signal),
// how often it showed in the agent's replies and what it was worth.
type Habit struct {
	Signal     string   `json:"signal"` // the engine's name: apology, next_step_when, blame...
	Replies    int      `json:"replies"`
	MeanEffect float64  `json:"mean_effect"` // points per reply where it showed
	Example    *Example `json:"example,omitempty"`
}

// Example is one of the agent's own replies that shows a habit.
type Example struct {
	MessageID      int64     `json:"message_id"`
	ConversationID int64     `json:"conversation_id"`
	Body           string    `json:"body"`
	Compassion     *float64  `json:"compassion"`
	Evidence       string    `json:"evidence,omitempty"`   // the words that showed it
	Suggestion     string    `json:"suggestion,omitempty"` // what the engine suggested on that reply
	At             time.Time `json:"at"`
}

// Kindness is an act of care a member of staff saw a colleague do.
type Kindness struct {
	ID             int64     `json:"id"`
	AgentID        int64     `json:"agent_id"` // who did it
	AgentName      string    `json:"agent_name"`
	RecordedBy     int64     `json:"recorded_by"`
	RecordedByName string    `json:"recorded_by_name"`
	What           string    `json:"what"`
	ConversationID *int64    `json:"conversation_id"`
	CreatedAt      time.Time `json:"created_at"`
}
