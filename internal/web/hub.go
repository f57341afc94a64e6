package web

import (
	"sync"

	"github.com/kindred-desk/kindred"
)

// Hub passes news of the desk to the consoles that are open: a message
// added to a conversation, or a change to the inbox. The JSON API and the
// console both publish to it; each open console listens through /events.
//
// It lives in one process. Several kindred processes on one PostgreSQL
// database would each see only their own news: they would need PostgreSQL
// LISTEN/NOTIFY behind Publish.
type Hub struct {
	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed chan struct{}
	once   sync.Once
}

// event is one piece of news.
type event struct {
	kind           string // "message" or "inbox"
	conversationID int64
	message        *kindred.Message
}

// subscription is one open console's stream. Its buffer is small: a
// console that falls behind misses news rather than slowing the desk.
type subscription struct {
	events chan event
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[*subscription]struct{}{}, closed: make(chan struct{})}
}

// Publish tells the open consoles that m was added to its conversation
// (and so that the inbox changed). It never blocks. Give it to the JSON API
// as api.Config.OnMessage.
func (h *Hub) Publish(m kindred.Message) {
	h.send(event{kind: "message", conversationID: m.ConversationID, message: &m})
	h.send(event{kind: "inbox", conversationID: m.ConversationID})
}

// InboxChanged tells the open consoles that a conversation changed (its
// assignee, status or tags).
func (h *Hub) InboxChanged(conversationID int64) {
	h.send(event{kind: "inbox", conversationID: conversationID})
}

func (h *Hub) send(e event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.events <- e:
		default: // this console is behind; it catches up on its next page load
		}
	}
}

func (h *Hub) subscribe() *subscription {
	s := &subscription{events: make(chan event, 32)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *Hub) unsubscribe(s *subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// Close ends every open stream, so that a server shutting down need not
// wait for them: give it to http.Server.RegisterOnShutdown.
func (h *Hub) Close() { h.once.Do(func() { close(h.closed) }) }

// Done is closed when the hub is closed.
func (h *Hub) Done() <-chan struct{} { return h.closed }
