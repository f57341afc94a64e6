// Package bench is kindred's load generator: it posts customer messages,
// agent replies or whole new conversations to a desk's API from many
// concurrent clients and reports the rate and the latencies, so that an
// operator can measure their own install (kindred bench). It can also write
// down every write the desk acknowledged (Config.Acked), so that a fault
// test (scripts/faults.sh) can check afterwards that each one is stored.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Modes the load generator knows.
const (
	// Messages posts customer messages into existing conversations.
	Messages = "messages"
	// Replies posts agent replies, which the engine reads against the
	// customer's last message.
	Replies = "replies"
	// Customers creates a customer, a conversation and its first message:
	// three requests to one operation.
	Customers = "customers"
	// Chat runs web chat visitors over WebSockets: each writes every
	// ChatPace, and an agent answers each message through the API. One
	// operation is one exchange; Stored, Reply and Push time its parts.
	Chat = "chat"
	// Outbound posts agent replies on SMS and email conversations (half the
	// clients each), which the desk queues in its outbox to send.
	Outbound = "outbound"
)

// Modes lists the modes, for flags' help.
var Modes = []string{Messages, Replies, Customers, Chat, Outbound}

// failurePause is how long a client waits after a failed operation, so that
// a desk that is down (restarting, its database away) is not hammered.
const failurePause = 50 * time.Millisecond

// Config says what to post, where, and for how long.
type Config struct {
	URL         string // the desk, e.g. http://127.0.0.1:8080
	Token       string // an API token of role agent or above
	Mode        string
	Concurrency int           // clients posting at once
	Count       int           // operations to run; 0 for no bound
	Duration    time.Duration // time to run; 0 for no bound
	Client      *http.Client  // nil for one with enough idle connections

	// Chat mode: the Origin the visitors' widgets send (one of the desk's
	// --chat-origins), and whether each visitor names its own client
	// address in X-Forwarded-For (the desk must trust the bench's address
	// as a proxy, --trusted-proxies), so that the desk's per-address limits
	// see 200 visitors rather than one address.
	Origin          string
	SpreadAddresses bool
	// Pace is how often each chat visitor writes; 0: ChatPace. Under 3 s a
	// visitor passes the desk's limit of 20 messages a minute.
	Pace time.Duration
	// Pause is how long each client waits between operations: 0 posts as
	// fast as the desk answers; more makes a steady load that leaves the
	// machine room for other work (a fault test needs load, not the most).
	Pause time.Duration
	// Acked, when set, is written one JSON line (an Ack) for each write
	// the desk acknowledged with a 2xx answer, set-up included, as soon as
	// the answer is read. Writes to it are serialised.
	Acked io.Writer
}

// Ack is one write the desk acknowledged: what was created, the id the
// desk answered with, and what was sent.
type Ack struct {
	Kind           string `json:"kind"` // customer, conversation or message
	ID             int64  `json:"id"`
	CustomerID     int64  `json:"customer_id,omitempty"`     // a conversation's customer
	ConversationID int64  `json:"conversation_id,omitempty"` // a message's conversation
	Channel        string `json:"channel,omitempty"`         // a conversation's channel
	Direction      string `json:"direction,omitempty"`       // a message's direction
	Body           string `json:"body,omitempty"`            // a message's body, as sent
}

// Result is one run's figures, written as one JSON line.
type Result struct {
	Mode        string  `json:"mode"`
	Concurrency int     `json:"concurrency"`
	Operations  int     `json:"operations"` // succeeded
	Requests    int     `json:"requests"`   // HTTP requests those made
	Errors      int     `json:"errors"`     // operations that failed
	FirstError  string  `json:"first_error,omitempty"`
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"per_s"` // operations per second
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
	// Chat mode: the visitor's message until the desk says it is stored;
	// the agent's reply from its request until the widget has it; and from
	// the reply's commit (its created_at) until the widget has it.
	Stored *Latency `json:"stored,omitempty"`
	Reply  *Latency `json:"reply,omitempty"`
	Push   *Latency `json:"push,omitempty"`
	// Load1 is the machine's load average over the last minute when the
	// run ended (Linux), to read the figures by.
	Load1 float64 `json:"load_avg_1m,omitempty"`
}

// bodies vary what is posted a little, so the engine reads different words.
var (
	customerBodies = []string{
		"My pension payment has not come this month and I am 81. I have no money for my medicine.",
		"I have been waiting two weeks for the meter reading to be corrected, please help.",
		"Thank you, the technician came this morning and the water is back.",
		"Nobody answers the phone and my daughter's school fees are due on Friday.",
	}
	agentBodies = []string{
		"I'm sorry the payment is late. I have asked the pensions office and will call you by noon.",
		"Thank you for waiting. I have corrected the reading and your next bill will show it.",
		"I am glad the water is back. Is there anything else I can do for you today?",
		"I understand how worrying this is. I will call the school office myself before Friday.",
	}
)

// Validate checks the configuration: each problem names its field.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("url: give the desk's address"))
	}
	if c.Token == "" {
		errs = append(errs, errors.New("token: give an API token of role agent or above"))
	}
	if !slices.Contains(Modes, c.Mode) {
		errs = append(errs, fmt.Errorf("mode %q: must be one of %s", c.Mode, strings.Join(Modes, ", ")))
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency %d: must be at least 1", c.Concurrency))
	}
	if c.Count < 0 {
		errs = append(errs, fmt.Errorf("count %d: must not be negative", c.Count))
	}
	if c.Duration < 0 {
		errs = append(errs, fmt.Errorf("duration %s: must not be negative", c.Duration))
	}
	if c.Pause < 0 {
		errs = append(errs, fmt.Errorf("pause %s: must not be negative", c.Pause))
	}
	if c.Count == 0 && c.Duration == 0 {
		errs = append(errs, errors.New("count, duration: give at least one bound"))
	}
	if c.Pace < 0 {
		errs = append(errs, fmt.Errorf("pace %s: must not be negative", c.Pace))
	}
	if c.Mode == Chat && c.Origin == "" {
		errs = append(errs, errors.New("origin: chat mode needs one of the desk's --chat-origins"))
	}
	return errors.Join(errs...)
}

// Run sets up what the mode needs (a customer and a conversation per
// client), then runs operations until Count are done or Duration has
// passed, whichever comes first, or ctx ends.
func Run(ctx context.Context, c Config) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Client == nil {
		c.Client = &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: c.Concurrency, MaxConnsPerHost: c.Concurrency},
			Timeout:   time.Minute,
		}
		defer c.Client.CloseIdleConnections()
	}
	if c.Mode == Chat {
		r, err := runChat(ctx, c)
		if r != nil {
			r.Load1 = loadAverage()
		}
		return r, err
	}
	p := &poster{c: c}
	if c.Acked != nil {
		p.acked = json.NewEncoder(c.Acked)
	}

	// One conversation per client, as on a desk where many customers write
	// at once.
	convs := make([]int64, c.Concurrency)
	switch c.Mode {
	case Messages, Replies:
		cust, err := p.customer(ctx, map[string]any{"name": "Bench Customer"})
		if err != nil {
			return nil, fmt.Errorf("set up: %w", err)
		}
		for i := range convs {
			conv, err := p.conversation(ctx, cust, "chat")
			if err != nil {
				return nil, fmt.Errorf("set up: %w", err)
			}
			convs[i] = conv
			if c.Mode == Replies {
				// A reply is read against the customer's message before it.
				if err := p.message(ctx, conv, "in", customerBodies[0]); err != nil {
					return nil, fmt.Errorf("set up: %w", err)
				}
			}
		}
	case Outbound:
		// A customer of their own for each client, reachable both ways, so
		// that each reply goes to one phone or one mailbox.
		run := time.Now().UnixNano() % 1_000_000
		for i := range convs {
			cust, err := p.customer(ctx, map[string]any{"name": fmt.Sprintf("Bench Customer %d", i+1),
				"phone": fmt.Sprintf("+2547%02d%06d", 10+i%20, (run+int64(i))%1_000_000),
				"email": fmt.Sprintf("bench-%d-%d@example.org", run, i+1)})
			if err != nil {
				return nil, fmt.Errorf("set up: %w", err)
			}
			channel := "sms"
			if i%2 == 1 {
				channel = "email"
			}
			conv, err := p.conversation(ctx, cust, channel)
			if err != nil {
				return nil, fmt.Errorf("set up: %w", err)
			}
			convs[i] = conv
			if err := p.message(ctx, conv, "in", customerBodies[0]); err != nil {
				return nil, fmt.Errorf("set up: %w", err)
			}
		}
	}

	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	var (
		next     atomic.Int64 // operations handed out
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := range c.Concurrency {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			var first string
			for i := 0; ; i++ {
				n := next.Add(1)
				if (c.Count > 0 && n > int64(c.Count)) || ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				err := p.operation(ctx, c.Mode, convs[w], i)
				if err != nil {
					if ctx.Err() != nil {
						break // the time ran out mid-request: not the desk's failure
					}
					bad++
					if first == "" {
						first = err.Error()
					}
					select {
					case <-ctx.Done():
					case <-time.After(failurePause):
					}
					continue
				}
				mine = append(mine, time.Since(t0))
				if c.Pause > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(c.Pause):
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if p.ackErr != nil {
		// The record of what was acknowledged has a hole: a check that
		// trusts it would miss a lost write.
		return nil, p.ackErr
	}

	r := &Result{Mode: c.Mode, Concurrency: c.Concurrency, Operations: len(lat), Errors: errs, FirstError: firstErr,
		Seconds: round(elapsed.Seconds())}
	r.Requests = r.Operations
	if c.Mode == Customers {
		r.Requests *= 3
	}
	if elapsed > 0 {
		r.PerSecond = round(float64(r.Operations) / elapsed.Seconds())
	}
	slices.Sort(lat)
	r.P50, r.P90, r.P99 = quantile(lat, 0.50), quantile(lat, 0.90), quantile(lat, 0.99)
	if len(lat) > 0 {
		r.Max = ms(lat[len(lat)-1])
	}
	r.Load1 = loadAverage()
	return r, nil
}

// quantile is the q-quantile of sorted latencies, in milliseconds (nearest
// rank).
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return ms(sorted[i])
}

func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

func round(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

type poster struct {
	c Config

	mu     sync.Mutex // serialises acked
	acked  *json.Encoder
	ackErr error // the first write to acked that failed
}

// operation runs one operation of mode; i varies the words.
func (p *poster) operation(ctx context.Context, mode string, conv int64, i int) error {
	switch mode {
	case Messages:
		return p.message(ctx, conv, "in", customerBodies[i%len(customerBodies)])
	case Replies, Outbound:
		return p.message(ctx, conv, "out", agentBodies[i%len(agentBodies)])
	}
	cust, err := p.customer(ctx, map[string]any{"name": "Bench Customer"})
	if err != nil {
		return err
	}
	c, err := p.conversation(ctx, cust, "chat")
	if err != nil {
		return err
	}
	return p.message(ctx, c, "in", customerBodies[i%len(customerBodies)])
}

// customer creates a customer from fields and returns its id.
func (p *poster) customer(ctx context.Context, fields map[string]any) (int64, error) {
	var c struct{ ID int64 }
	if err := p.post(ctx, "/api/v1/customers", fields, &c); err != nil {
		return 0, err
	}
	return c.ID, p.ack(Ack{Kind: "customer", ID: c.ID})
}

// conversation opens a conversation with customer on channel and returns its id.
func (p *poster) conversation(ctx context.Context, customer int64, channel string) (int64, error) {
	var c struct{ ID int64 }
	if err := p.post(ctx, "/api/v1/conversations", map[string]any{"customer_id": customer, "channel": channel, "subject": "bench"}, &c); err != nil {
		return 0, err
	}
	return c.ID, p.ack(Ack{Kind: "conversation", ID: c.ID, CustomerID: customer, Channel: channel})
}

func (p *poster) message(ctx context.Context, conv int64, direction, body string) error {
	path := fmt.Sprintf("/api/v1/conversations/%d/messages", conv)
	in := map[string]any{"direction": direction, "body": body}
	if p.acked == nil {
		// Only the status matters: the answer is not decoded.
		return p.post(ctx, path, in, nil)
	}
	var m struct{ ID int64 }
	if err := p.post(ctx, path, in, &m); err != nil {
		return err
	}
	return p.ack(Ack{Kind: "message", ID: m.ID, ConversationID: conv, Direction: direction, Body: body})
}

// ack writes down an acknowledged write, when the run keeps them.
func (p *poster) ack(a Ack) error {
	if p.acked == nil {
		return nil
	}
	if a.ID == 0 {
		return fmt.Errorf("the desk acknowledged a %s without an id", a.Kind)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.acked.Encode(a); err != nil {
		err = fmt.Errorf("write down an acknowledged %s: %w", a.Kind, err)
		if p.ackErr == nil {
			p.ackErr = err
		}
		return err
	}
	return nil
}

// post sends v as JSON and reads the answer into out when it is given; any
// status but 2xx is an error.
func (p *poster) post(ctx context.Context, path string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(p.c.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.c.Token)
	resp, err := p.c.Client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("POST %s: read answer: %w", path, err)
	}
	return nil
}
