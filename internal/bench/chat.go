package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// ChatPace is how often each chat visitor writes unless Config.Pace says
// otherwise: one message and the agent's answer every 4 seconds, a brisk
// chat that stays within the desk's limit of 20 messages a minute per
// visitor.
const ChatPace = 4 * time.Second

// Latency is one measure's figures, in milliseconds.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func latencyOf(d []time.Duration) *Latency {
	slices.Sort(d)
	l := &Latency{N: len(d), P50: quantile(d, .5), P90: quantile(d, .9), P99: quantile(d, .99)}
	if len(d) > 0 {
		l.Max = ms(d[len(d)-1])
	}
	return l
}

// chatFrame is the part of the web chat's frames the visitors read.
type chatFrame struct {
	Type    string `json:"type"`
	Token   string `json:"token"`
	ID      string `json:"id"`
	Code    string `json:"code"`
	Error   string `json:"error"`
	Message *struct {
		ID   int64     `json:"id"`
		From string    `json:"from"`
		Body string    `json:"body"`
		At   time.Time `json:"at"`
		Ack  bool      `json:"ack"`
	} `json:"message"`
}

// chatVisitor is one widget: a WebSocket and the frames it hears.
type chatVisitor struct {
	conn   *websocket.Conn
	frames chan chatFrame
	closed chan struct{}
	err    error
}

func (p *poster) dialChat(ctx context.Context, i int) (*chatVisitor, error) {
	h := http.Header{"Origin": {p.c.Origin}}
	if p.c.SpreadAddresses {
		// Each visitor its own client address, as behind a proxy the desk
		// trusts: the desk's limits are per address.
		h.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", 100+i/65536%100, i/256%256, i%256))
	}
	u := "ws" + strings.TrimPrefix(strings.TrimSuffix(p.c.URL, "/"), "http") + "/chat/ws"
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial the chat: %s: %w", resp.Status, err)
		}
		return nil, fmt.Errorf("dial the chat: %w", err)
	}
	v := &chatVisitor{conn: conn, frames: make(chan chatFrame, 64), closed: make(chan struct{})}
	go func() {
		defer close(v.closed)
		for {
			_, b, err := conn.Read(context.WithoutCancel(ctx))
			if err != nil {
				v.err = err
				return
			}
			var f chatFrame
			if json.Unmarshal(b, &f) == nil {
				v.frames <- f
			}
		}
	}()
	return v, nil
}

func (v *chatVisitor) send(ctx context.Context, f map[string]any) error {
	b, _ := json.Marshal(f)
	return v.conn.Write(ctx, websocket.MessageText, b)
}

// wait returns the first frame that match accepts, passing over others (a
// visitor's own message echoed, agents typing).
func (v *chatVisitor) wait(ctx context.Context, what string, match func(chatFrame) bool) (chatFrame, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		select {
		case f := <-v.frames:
			if f.Type == "error" {
				return f, time.Now(), fmt.Errorf("waiting for %s: the desk said %s: %s", what, f.Code, f.Error)
			}
			if match(f) {
				return f, time.Now(), nil
			}
		case <-v.closed:
			return chatFrame{}, time.Now(), fmt.Errorf("waiting for %s: the chat closed: %v", what, v.err)
		case <-ctx.Done():
			return chatFrame{}, time.Now(), fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// runChat runs Concurrency chat visitors, each writing every Pace while
// an agent answers each message through the API, until Count rounds are
// done or Duration has passed.
func runChat(ctx context.Context, c Config) (*Result, error) {
	p := &poster{c: c}
	pace := c.Pace
	if pace <= 0 {
		pace = ChatPace
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	type visitor struct {
		v    *chatVisitor
		conv int64
	}
	visitors := make([]visitor, c.Concurrency)
	// Setting up: each visitor says hello, leaves an email (by which the
	// agent side finds their conversation) and writes once. Not timed.
	var setup sync.WaitGroup
	setupErrs := make([]error, c.Concurrency)
	sem := make(chan struct{}, 20)
	for i := range visitors {
		setup.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			v, conv, err := p.chatSetup(ctx, i, run)
			visitors[i], setupErrs[i] = visitor{v, conv}, err
		})
	}
	setup.Wait()
	defer func() {
		for _, v := range visitors {
			if v.v != nil {
				v.v.conn.Close(websocket.StatusNormalClosure, "")
			}
		}
	}()
	if err := errors.Join(setupErrs...); err != nil {
		return nil, fmt.Errorf("set up the chat visitors: %w", err)
	}

	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	var (
		next                 atomic.Int64
		mu                   sync.Mutex
		rounds, stored, push []time.Duration
		reply                []time.Duration
		errs                 int
		firstErr             string
		wg                   sync.WaitGroup
	)
	start := time.Now()
	for i, vis := range visitors {
		wg.Go(func() {
			// Spread the visitors over one pace, as people do not all write
			// in the same second.
			select {
			case <-time.After(pace * time.Duration(i) / time.Duration(len(visitors))):
			case <-ctx.Done():
				return
			}
			for k := 0; ; k++ {
				n := next.Add(1)
				if (c.Count > 0 && n > int64(c.Count)) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				s, r, pu, err := p.chatRound(ctx, vis.v, vis.conv, fmt.Sprintf("%d-%d", i, k), k)
				mu.Lock()
				if err != nil {
					if ctx.Err() == nil {
						errs++
						if firstErr == "" {
							firstErr = err.Error()
						}
					}
				} else {
					rounds, stored, reply, push = append(rounds, time.Since(t0)), append(stored, s), append(reply, r), append(push, pu)
				}
				mu.Unlock()
				if err != nil && vis.v.err != nil {
					return // the connection is gone
				}
				select {
				case <-time.After(pace - time.Since(t0)):
				case <-ctx.Done():
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := &Result{Mode: Chat, Concurrency: c.Concurrency, Operations: len(rounds), Requests: 3 * len(rounds), Errors: errs,
		FirstError: firstErr, Seconds: round(elapsed.Seconds())}
	if elapsed > 0 {
		r.PerSecond = round(float64(r.Operations) / elapsed.Seconds())
	}
	all := latencyOf(rounds)
	r.P50, r.P90, r.P99, r.Max = all.P50, all.P90, all.P99, all.Max
	r.Stored, r.Reply, r.Push = latencyOf(stored), latencyOf(reply), latencyOf(push)
	return r, nil
}

// chatSetup connects visitor i, leaves its email and writes a first
// message, then finds its conversation through the API as the agent side.
func (p *poster) chatSetup(ctx context.Context, i int, run string) (*chatVisitor, int64, error) {
	v, err := p.dialChat(ctx, i)
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*chatVisitor, int64, error) {
		v.conn.CloseNow()
		return nil, 0, fmt.Errorf("visitor %d: %w", i, err)
	}
	if err := v.send(ctx, map[string]any{"type": "hello"}); err != nil {
		return fail(err)
	}
	if _, _, err := v.wait(ctx, "welcome", func(f chatFrame) bool { return f.Type == "welcome" }); err != nil {
		return fail(err)
	}
	email := fmt.Sprintf("bench-%s-%d@example.org", run, i)
	if err := v.send(ctx, map[string]any{"type": "contact", "contact": email, "name": fmt.Sprintf("Bench Visitor %d", i)}); err != nil {
		return fail(err)
	}
	if _, _, err := v.wait(ctx, "contact", func(f chatFrame) bool { return f.Type == "contact" }); err != nil {
		return fail(err)
	}
	if err := v.send(ctx, map[string]any{"type": "message", "id": "first", "body": customerBodies[i%len(customerBodies)]}); err != nil {
		return fail(err)
	}
	if _, _, err := v.wait(ctx, "stored", func(f chatFrame) bool { return f.Type == "stored" && f.ID == "first" }); err != nil {
		return fail(err)
	}
	var custs []struct{ ID int64 }
	if err := p.get(ctx, "/api/v1/customers?q="+url.QueryEscape(email), &custs); err != nil || len(custs) != 1 {
		return fail(fmt.Errorf("find the visitor's customer record: %d found, %v", len(custs), err))
	}
	var convs []struct{ ID int64 }
	if err := p.get(ctx, fmt.Sprintf("/api/v1/conversations?channel=chat&customer_id=%d", custs[0].ID), &convs); err != nil || len(convs) != 1 {
		return fail(fmt.Errorf("find the visitor's conversation: %d found, %v", len(convs), err))
	}
	return v, convs[0].ID, nil
}

// chatRound is one exchange: the visitor writes (timed until the desk says
// it is stored), the agent answers through the API (timed from the request
// until the widget has it, and from the reply's commit until then), and the
// widget acknowledges it.
func (p *poster) chatRound(ctx context.Context, v *chatVisitor, conv int64, tag string, k int) (stored, reply, push time.Duration, err error) {
	id := "m" + tag
	t0 := time.Now()
	if err := v.send(ctx, map[string]any{"type": "message", "id": id, "body": customerBodies[k%len(customerBodies)]}); err != nil {
		return 0, 0, 0, err
	}
	if _, at, err := v.wait(ctx, "stored", func(f chatFrame) bool { return f.Type == "stored" && f.ID == id }); err != nil {
		return 0, 0, 0, err
	} else {
		stored = at.Sub(t0)
	}
	body := agentBodies[k%len(agentBodies)] + " (" + tag + ")"
	t1 := time.Now()
	if err := p.message(ctx, conv, "out", body); err != nil {
		return 0, 0, 0, err
	}
	f, at, err := v.wait(ctx, "the reply", func(f chatFrame) bool {
		return f.Type == "message" && f.Message != nil && f.Message.From == "agent" && f.Message.Body == body
	})
	if err != nil {
		return 0, 0, 0, err
	}
	reply, push = at.Sub(t1), at.Sub(f.Message.At)
	if f.Message.Ack {
		if err := v.send(ctx, map[string]any{"type": "ack", "message_id": f.Message.ID}); err != nil {
			return 0, 0, 0, err
		}
	}
	return stored, reply, max(push, 0), nil
}

// get reads a JSON answer from the API.
func (p *poster) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(p.c.URL, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+p.c.Token)
	resp, err := p.c.Client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// loadAverage is the system's load average over the last minute, from
// /proc/loadavg (Linux); 0 where it cannot be read.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
