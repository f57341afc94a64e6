// Package outbox delivers the messages kindred writes to its outbox (SMS,
// email) with retries, and moves those that cannot be delivered to the
// dead-letter list for a person to look at.
//
// Start with Worker: it claims due messages from a kindred.OutboxService
// with a lease, hands each to the Sender for its channel, and records the
// outcome. A Sender's error is retried with capped exponential backoff and
// jitter, unless it is Permanent (a number that does not exist), in which
// case the message is dead at once. Delivery is at least once; a sender
// that passes the message id on as an idempotency key (the sms package
// does) makes it exactly once at the gateway.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
)

// Sender delivers one message on one channel and returns the provider's id
// for it. An error wrapped by Permanent is not retried.
type Sender interface {
	Send(ctx context.Context, m kindred.OutboundMessage) (providerID string, err error)
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m kindred.OutboundMessage) (string, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m kindred.OutboundMessage) (string, error) {
	return f(ctx, m)
}

// Permanent marks err as one retrying cannot cure: the message goes to the
// dead-letter list at once. The rule the worker applies is duck-typed, so
// that senders need not import this package: an error whose chain holds a
// value with a method Permanent() bool that returns true is permanent.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

type permanentError struct{ err error }

func (e permanentError) Error() string   { return e.err.Error() }
func (e permanentError) Unwrap() error   { return e.err }
func (e permanentError) Permanent() bool { return true }

// IsPermanent reports whether err, or any error in its chain, says it is
// permanent.
func IsPermanent(err error) bool {
	for err != nil {
		if p, ok := err.(interface{ Permanent() bool }); ok && p.Permanent() {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if IsPermanent(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// Config sets up a Worker. Zero durations and counts take the defaults.
type Config struct {
	Store   kindred.OutboxService
	Senders map[kindred.Channel]Sender // a message whose channel has no sender is dead

	Lease       time.Duration // how long a claimed message is held; default 2 minutes
	SendTimeout time.Duration // per message; default 30 seconds, must be under Lease
	Batch       int           // messages claimed at once; default 20
	Poll        time.Duration // how often to look for due messages; default 5 seconds
	MinBackoff  time.Duration // wait after the first failure; default 15 seconds
	MaxBackoff  time.Duration // the longest wait between tries; default 30 minutes
	MaxAttempts int           // tries before a message is dead; default 10 (about 3 hours)

	Logger   *slog.Logger          // nil: slog.Default()
	Registry prometheus.Registerer // nil: no metrics
	Now      func() time.Time      // nil: time.Now
}

// Worker delivers the outbox. Build it with New; run one or several (in
// one process or many): claims with leases keep them from sending the same
// message at once.
type Worker struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	sent, retried, dead *prometheus.CounterVec
}

// New returns a worker for cfg.
func New(cfg Config) *Worker {
	if cfg.Store == nil {
		panic("outbox: Config needs a Store")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.SendTimeout >= cfg.Lease {
		cfg.SendTimeout = cfg.Lease / 2
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 15 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Minute
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Worker{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}
	w.sent = counter(cfg.Registry, "kindred_outbox_sent_total", "Outgoing messages delivered, by channel.")
	w.retried = counter(cfg.Registry, "kindred_outbox_retries_total", "Failed delivery attempts that will be tried again, by channel.")
	w.dead = counter(cfg.Registry, "kindred_outbox_dead_total", "Outgoing messages moved to the dead-letter list, by channel.")
	return w
}

// counter registers a counter by channel, or reuses one already registered
// (a second worker in the same process).
func counter(reg prometheus.Registerer, name, help string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"channel"})
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		panic("outbox: register " + name + ": " + err.Error())
	}
	return c
}

// Wake asks the worker to look for due messages now rather than at its
// next poll: call it after enqueueing something urgent. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers due messages until ctx ends, then returns nil. A failure of
// the store is logged and tried again at the next poll.
func (w *Worker) Run(ctx context.Context) error {
	w.log.InfoContext(ctx, "outbox worker started", slog.Duration("poll", w.cfg.Poll), slog.Int("max_attempts", w.cfg.MaxAttempts))
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			w.log.InfoContext(ctx, "outbox worker stopped")
			return nil
		case <-t.C:
		case <-w.wake:
		}
		for {
			n, err := w.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.log.ErrorContext(ctx, "outbox: round stopped; trying again at the next poll", slog.String("err", err.Error()))
				}
				break
			}
			if n < w.cfg.Batch || ctx.Err() != nil {
				break
			}
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(w.cfg.Poll)
	}
}

// RunOnce claims one batch of due messages and tries each once; it returns
// how many it claimed. When the outcome of a try cannot be recorded (the
// database went away and did not come back within the lease), it stops
// there with the error: the rest of the batch waits for its lease to run
// out rather than be sent while nothing can be noted, since each message
// sent then would be sent again.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	msgs, err := w.cfg.Store.Claim(ctx, w.cfg.Now(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim: %w", err)
	}
	// The wall clock, not cfg.Now: how long the records may be retried.
	leaseEnds := time.Now().Add(w.cfg.Lease)
	for _, m := range msgs {
		if err := w.deliver(ctx, m, leaseEnds); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

// deliver sends one claimed message and records how it went; it returns an
// error only when the outcome could not be recorded. The outcome is recorded
// even when ctx has ended (shutdown during a send), and tried again while
// the store does not answer, until leaseEnds, so that a message the gateway
// took is not sent again for want of a note.
func (w *Worker) deliver(ctx context.Context, m kindred.OutboundMessage, leaseEnds time.Time) error {
	attrs := []any{slog.Int64("outbox", m.ID), slog.String("channel", string(m.Channel)),
		slog.String("purpose", m.Purpose), slog.Int("attempt", m.Attempts)}
	var providerID string
	var err error
	sender, ok := w.cfg.Senders[m.Channel]
	if !ok || sender == nil {
		err = Permanent(fmt.Errorf("no sender is configured for %s", m.Channel))
	} else {
		sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
		providerID, err = sender.Send(sctx, m)
		cancel()
	}
	now := w.cfg.Now()
	channel := string(m.Channel)
	if err == nil {
		if err := w.record(ctx, leaseEnds, func(rctx context.Context) error {
			return w.cfg.Store.MarkSent(rctx, m.ID, providerID, now)
		}); err != nil {
			w.log.ErrorContext(ctx, "outbox: sent, but could not record it; it will be sent again when its lease runs out", append(attrs, slog.String("err", err.Error()))...)
			return fmt.Errorf("record outbox %d sent: %w", m.ID, err)
		}
		w.sent.WithLabelValues(channel).Inc()
		w.log.InfoContext(ctx, "outbox: sent", append(attrs, slog.String("provider_id", providerID))...)
		return nil
	}
	dead := IsPermanent(err) || m.Attempts >= w.cfg.MaxAttempts
	retryAt := now.Add(w.Backoff(m.Attempts))
	if merr := w.record(ctx, leaseEnds, func(rctx context.Context) error {
		return w.cfg.Store.MarkFailed(rctx, m.ID, err.Error(), retryAt, dead)
	}); merr != nil {
		w.log.ErrorContext(ctx, "outbox: failed, and could not record it", append(attrs, slog.String("err", err.Error()), slog.String("record_err", merr.Error()))...)
		return fmt.Errorf("record outbox %d failed: %w", m.ID, merr)
	}
	if dead {
		w.dead.WithLabelValues(channel).Inc()
		w.log.WarnContext(ctx, "outbox: dead", append(attrs, slog.String("err", err.Error()), slog.Bool("permanent", IsPermanent(err)))...)
		return nil
	}
	w.retried.WithLabelValues(channel).Inc()
	w.log.WarnContext(ctx, "outbox: will retry", append(attrs, slog.String("err", err.Error()), slog.Time("retry_at", retryAt))...)
	return nil
}

// record runs mark until it succeeds (see RecordUntil).
func (w *Worker) record(ctx context.Context, leaseEnds time.Time, mark func(context.Context) error) error {
	return RecordUntil(ctx, w.log, "outbox", leaseEnds, mark)
}

// RecordUntil runs mark, which notes the outcome of a try, until it
// succeeds: again and again while the store does not answer (a database
// restarting takes seconds), with waits from 100 ms doubling to 2 s, until
// the next wait would end after leaseEnds (then another worker may take the
// item anyway) or, on shutdown, after one more try. A refusal from the store
// (the item is not ours, or no longer pending) is not tried again. A worker
// that could not note a send must stop sending: each item it sent would go
// again when its lease ran out.
func RecordUntil(ctx context.Context, log *slog.Logger, what string, leaseEnds time.Time, mark func(context.Context) error) error {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := mark(rctx)
		cancel()
		var ke *kindred.Error
		if err == nil || errors.As(err, &ke) || ctx.Err() != nil || time.Now().Add(wait).After(leaseEnds) {
			return err
		}
		log.WarnContext(ctx, what+": could not record a try; trying again", slog.String("err", err.Error()), slog.Duration("wait", wait))
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// Backoff is the wait after failed attempt number attempt (1 for the
// first), with the worker's MinBackoff and MaxBackoff (see the function
// Backoff).
func (w *Worker) Backoff(attempt int) time.Duration {
	return Backoff(attempt, w.cfg.MinBackoff, w.cfg.MaxBackoff)
}

// Backoff is the wait after failed attempt number attempt (1 for the
// first): minWait doubled each time, capped at maxWait, then jittered to
// between half and all of it, so that messages that failed together (the
// gateway went down) do not all come back at the same instant. Other
// workers that retry (webhooks) wait by the same rule.
func Backoff(attempt int, minWait, maxWait time.Duration) time.Duration {
	d := minWait
	for i := 1; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	half := d / 2
	return half + rand.N(d-half+1)
}

// Log is the Sender for a channel with no gateway configured. It logs that
// the message could not be sent and fails it for good, so that it waits on
// the dead-letter list (a person can retry it once a gateway is set up) and
// the reply it carries says plainly that it was not sent; a message is never
// called sent when it went nowhere. It never logs the body: it may hold a
// one-time code.
type Log struct {
	Logger *slog.Logger // nil: slog.Default()
}

// Send logs m and fails it permanently with the reason.
func (l Log) Send(ctx context.Context, m kindred.OutboundMessage) (string, error) {
	log := l.Logger
	if log == nil {
		log = slog.Default()
	}
	log.WarnContext(ctx, "outbox: no gateway configured; message not sent",
		slog.Int64("outbox", m.ID), slog.String("channel", string(m.Channel)), slog.String("purpose", m.Purpose),
		slog.String("to", Mask(m.To)))
	return "", Permanent(NotConfigured(m.Channel))
}

// NotConfigured is the reason a message on channel could not be sent: no
// gateway or relay is set up for it.
func NotConfigured(channel kindred.Channel) error {
	switch channel {
	case kindred.ChannelSMS:
		return errors.New("not sent: no SMS gateway is set up")
	case kindred.ChannelEmail:
		return errors.New("not sent: no SMTP relay is set up for email")
	case kindred.ChannelWhatsApp:
		return errors.New("not sent: no WhatsApp account is set up")
	}
	return fmt.Errorf("not sent: nothing is set up to send %s", channel)
}

// Mask hides all but the last three characters of a phone number or the
// domain of an email address, for logs.
func Mask(to string) string {
	for i := len(to) - 1; i >= 0; i-- {
		if to[i] == '@' {
			return "…" + to[i:]
		}
	}
	if len(to) <= 3 {
		return to
	}
	return "…" + to[len(to)-3:]
}
