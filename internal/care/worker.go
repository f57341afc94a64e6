package care

import (
	"context"
	"log/slog"
	"time"

	"github.com/kindred-desk/kindred"
)

// AtRiskWithin is how near a promised date must be for the agent to be
// reminded to give a heads-up: two days leaves time to tell the customer.
const AtRiskWithin = 48 * time.Hour

// SurveyDelay is how long after a conversation is resolved its survey
// waits: long enough that a conversation reopened at once ("sorry, one more
// thing") is not surveyed half-way, and that the customer has seen the
// result; short enough that they still remember how they were treated.
const SurveyDelay = 2 * time.Hour

// SurveyAt is when the survey of a resolved conversation may go out: at
// least SurveyDelay after it was resolved, and never before the date
// promised to the customer, when one was (asking "did we keep our word?"
// before the day would be asking too early).
func SurveyAt(c *kindred.Conversation) time.Time {
	if c.ResolvedAt == nil {
		return time.Time{}
	}
	at := c.ResolvedAt.Add(SurveyDelay)
	if c.DueAt != nil && c.DueAt.After(at) {
		at = *c.DueAt
	}
	return at
}

// ReadsWriting reports whether a written survey (SMS, email) suits the
// customer: not when they asked for things read aloud or have low vision.
func ReadsWriting(cust *kindred.Customer) bool {
	return !cust.HasAccommodation(kindred.ReadAloud) && !cust.HasAccommodation(kindred.LowVision)
}

// Worker is the care loop: every Interval it sends surveys for newly
// resolved conversations, reminds agents of promised dates at risk, and
// suggests gestures. Its state is the database's, so several kindred
// processes may run it side by side and a restart loses nothing.
type Worker struct {
	Care     *Service
	Interval time.Duration // 0: a minute
	// SurveyWindow is how long after resolution a survey is still sent;
	// older resolutions (say, from before care was turned on) are left
	// alone. 0: 3 days. A promised date later than the window means no
	// survey: the window is counted from resolution.
	SurveyWindow time.Duration
}

// Run runs the loop until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	every := w.Interval
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass counts what one pass of the loop did.
type Pass struct {
	Surveys, Reminders, Gestures int
}

// RunOnce makes one pass; each step's failure is logged and the others
// still run.
func (w *Worker) RunOnce(ctx context.Context) Pass {
	ctx = kindred.WithActor(ctx, kindred.Actor{Name: "care"})
	log := w.Care.log()
	var p Pass
	var err error
	if p.Surveys, err = w.surveys(ctx); err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "care: send surveys", slog.String("err", err.Error()))
	}
	if p.Reminders, err = w.reminders(ctx); err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "care: remind due dates", slog.String("err", err.Error()))
	}
	if p.Gestures, err = w.gestures(ctx); err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "care: suggest gestures", slog.String("err", err.Error()))
	}
	long, err := w.longWaits(ctx)
	if err != nil && ctx.Err() == nil {
		log.ErrorContext(ctx, "care: suggest calls for long waits", slog.String("err", err.Error()))
	}
	p.Gestures += long
	if p != (Pass{}) {
		log.InfoContext(ctx, "care pass", slog.Int("surveys", p.Surveys), slog.Int("reminders", p.Reminders), slog.Int("gestures", p.Gestures))
	}
	return p
}

func (w *Worker) surveys(ctx context.Context) (int, error) {
	if w.Care.BaseURL == "" {
		return 0, nil // no public address: a link would lead nowhere
	}
	window := w.SurveyWindow
	if window <= 0 {
		window = 3 * 24 * time.Hour
	}
	due, err := w.Care.ResolvedWithoutSurvey(ctx, w.Care.now().Add(-window), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	now := w.Care.now()
	for _, d := range due {
		if now.Before(SurveyAt(&d.Conversation)) {
			continue // a later pass sends it, while it is within the window
		}
		_, _, err := w.Care.SendSurvey(ctx, &d.Conversation, &d.Customer)
		switch kindred.ErrorKind(err) {
		case kindred.Conflict: // another process sent it first
			continue
		case kindred.Invalid:
			// No address the outbox takes: say so, and record a survey
			// that was never sent, so that the next pass does not pick the
			// same conversations again and newer ones still get theirs.
			w.Care.log().WarnContext(ctx, "care: survey not sent", slog.Int64("conversation", d.Conversation.ID), slog.String("err", err.Error()))
			unsent := &kindred.Survey{ConversationID: d.Conversation.ID, Channel: d.Conversation.Channel, ExpiresAt: w.Care.now()}
			if err := w.Care.CreateSurvey(ctx, unsent, HashSecret(newSecret()), nil); err != nil && kindred.ErrorKind(err) != kindred.Conflict {
				return n, err
			}
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (w *Worker) reminders(ctx context.Context) (int, error) {
	ids, err := w.Care.RemindDue(ctx, w.Care.now().Add(AtRiskWithin))
	return len(ids), err
}

// GestureWindow is how old a customer's message may be and still suggest a
// gesture.
const GestureWindow = 14 * 24 * time.Hour

// cueCursor names how far the scan of customer messages has read.
const cueCursor = "gesture_messages"

// recentOverlap is how far back each pass looks again, whatever the cursor
// says: ids are handed out before commit, so on PostgreSQL a message can
// commit after one with a higher id that the cursor has already passed.
// Suggesting a gesture twice is harmless (one of each kind per conversation).
const recentOverlap = 5 * time.Minute

func (w *Worker) gestures(ctx context.Context) (int, error) {
	n := 0
	suggest := func(msgs []kindred.Message) error {
		for _, m := range msgs {
			for _, g := range GesturesFor(customerReport(m.Analysis)) {
				added, err := w.Care.SuggestGesture(ctx, m.ConversationID, g.Kind, g.Reason)
				if err != nil {
					return err
				}
				if added {
					n++
				}
			}
		}
		return nil
	}
	recent, err := w.Care.CustomerMessagesAfter(ctx, 0, w.Care.now().Add(-recentOverlap), 500)
	if err != nil {
		return 0, err
	}
	if err := suggest(recent); err != nil {
		return n, err
	}
	after, err := w.Care.CareCursor(ctx, cueCursor)
	if err != nil {
		return n, err
	}
	for {
		// A customer's words from long ago (say, before care was turned
		// on) call for no gesture now.
		msgs, err := w.Care.CustomerMessagesAfter(ctx, after, w.Care.now().Add(-GestureWindow), 200)
		if err != nil || len(msgs) == 0 {
			return n, err
		}
		if err := suggest(msgs); err != nil {
			return n, err
		}
		after = msgs[len(msgs)-1].ID
		if err := w.Care.SetCareCursor(ctx, cueCursor, after); err != nil {
			return n, err
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
	}
}

func (w *Worker) longWaits(ctx context.Context) (int, error) {
	ids, err := w.Care.LongOpen(ctx, w.Care.now().Add(-LongWait), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		added, err := w.Care.SuggestGesture(ctx, id, LongWaitGesture.Kind, LongWaitGesture.Reason)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}
