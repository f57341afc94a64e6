package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/kindred-desk/kindred"
)

// heartbeat keeps idle streams open through proxies that close silent connections.
const heartbeat = 25 * time.Second

// events streams Server-Sent Events to an open console: "message" with the
// rendered message when one is added to the conversation the page shows
// (?conversation=ID), "delivery" with a reply's new delivery status there,
// "typing" while its web chat visitor types, and "inbox" when any
// conversation changes.
// "inbox" when any conversation changes, and, to a desk page (?lobby=1),
// "lobby" when the queue changes.
func (c *Console) events(w http.ResponseWriter, r *http.Request, q *request) error {
	watching, _ := strconv.ParseInt(r.URL.Query().Get("conversation"), 10, 64)
	lobby := r.URL.Query().Get("lobby") == "1"
	rc := http.NewResponseController(w)
	// The server's write timeout is for ordinary requests; a stream lives
	// as long as the page is open.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && err != http.ErrNotSupported {
		return fmt.Errorf("events: %w", err)
	}
	sub, ok := c.cfg.Hub.subscribe(q.session.ID, q.agent.ID)
	if !ok {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many live streams for this session: close some tabs", http.StatusTooManyRequests)
		return nil
	}
	defer c.cfg.Hub.unsubscribe(sub)
	secret := sessionSecret(r)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	v := c.view(r, q, "Conversation")
	if since := catchUpFrom(r); watching != 0 && since > 0 {
		// What was added after the page's (or the stream's) last message
		// but before this stream was subscribed: drawn after the page, or
		// while the connection was lost. News from now on comes through
		// the subscription; the page passes over a message it has.
		msgs, err := c.cfg.Conversations.Messages(r.Context(), watching, 0, catchUpMax)
		if err != nil {
			return fmt.Errorf("events: catch up: %w", err)
		}
		for _, m := range msgs {
			if m.ID > since {
				if err := c.writeMessageEvent(w, v, m); err != nil {
					return err
				}
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-c.cfg.Hub.Done():
			return nil
		case <-sub.ended:
			return nil
		case <-tick.C:
			if !c.stillSignedIn(r, secret) {
				return nil
			}
			fmt.Fprint(w, ": still here\n\n")
		case e := <-sub.events:
			// News goes only to a session that is still live: signed
			// out or disabled elsewhere (another process, the API)
			// ends the stream before anything more is sent.
			if !c.stillSignedIn(r, secret) {
				return nil
			}
			switch {
			case e.kind == "message" && e.conversationID == watching && watching != 0:
				if err := c.writeMessageEvent(w, v, *e.message); err != nil {
					return err
				}
			case e.kind == "delivery" && e.conversationID == watching && watching != 0:
				var buf bytes.Buffer
				if err := c.pages.sets["conversation"].ExecuteTemplate(&buf, "delivery", messageView{view: v, M: *e.message}); err != nil {
					return fmt.Errorf("events: render delivery: %w", err)
				}
				b, _ := json.Marshal(struct {
					ID     int64  `json:"id"`
					Status string `json:"status"`
					HTML   string `json:"html"`
				}{e.message.ID, string(e.message.DeliveryStatus), buf.String()})
				fmt.Fprintf(w, "event: delivery\ndata: %s\n\n", b)
			case e.kind == "typing" && e.agent == "" && e.conversationID == watching && watching != 0:
				// The web chat visitor is typing.
				fmt.Fprintf(w, "event: typing\ndata: {\"conversation_id\":%d}\n\n", e.conversationID)
			case e.kind == "inbox":
				fmt.Fprintf(w, "event: inbox\ndata: {\"conversation_id\":%d}\n\n", e.conversationID)
			case e.kind == "lobby" && lobby:
				// No data: the page fetches the queue as its reader may see it.
				fmt.Fprint(w, "event: lobby\ndata: {}\n\n")
			default:
				continue
			}
		}
		if err := rc.Flush(); err != nil {
			return nil // the browser went away
		}
	}
}

// catchUpMax bounds the messages a stream sends on opening: a page that
// missed more is told of them by its "new messages" notice all the same.
const catchUpMax = 100

// catchUpFrom is the id of the last message the page has: the stream's
// Last-Event-ID when the browser reconnects (message events carry their
// id), else ?after=, which the page sets from its history; 0 when neither.
func catchUpFrom(r *http.Request) int64 {
	var since int64
	for _, s := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > since {
			since = n
		}
	}
	return since
}

// writeMessageEvent writes m, rendered as the history shows it, as a
// "message" event carrying its id.
func (c *Console) writeMessageEvent(w io.Writer, v *view, m kindred.Message) error {
	var buf bytes.Buffer
	if err := c.pages.sets["conversation"].ExecuteTemplate(&buf, "message", messageView{view: v, M: m}); err != nil {
		return fmt.Errorf("events: render message: %w", err)
	}
	b, _ := json.Marshal(struct {
		ID             int64  `json:"id"`
		ConversationID int64  `json:"conversation_id"`
		HTML           string `json:"html"`
	}{m.ID, m.ConversationID, buf.String()})
	fmt.Fprintf(w, "id: %d\nevent: message\ndata: %s\n\n", m.ID, b) // a failed write shows at the flush
	return nil
}

// stillSignedIn reports whether the session behind secret is live and its
// agent enabled. A failed read counts as ended: the browser reconnects,
// and its next request answers again.
func (c *Console) stillSignedIn(r *http.Request, secret string) bool {
	_, a, err := c.cfg.Sessions.SessionByHash(r.Context(), hashSecret(secret), c.cfg.Now(), c.cfg.IdleTimeout)
	return err == nil && !a.Disabled
}
