package web

import (
	"sync"
	"sync/atomic"

	"github.com/kindred-desk/kindred"
)

// Hub passes news of the desk to the consoles that are open: a message
// added to a conversation, or a change to the inbox. The JSON API and the
// console both publish to it; each open console listens through /events.
//
// It lives in one process. When several kindred processes serve one
// PostgreSQL database, each hub follows the database instead (Follow): the
// database announces every change to every process, this one included, and
// the hub passes on what it hears (MessageAdded, ConversationChanged), so a
// console sees news whichever process it came through.
type Hub struct {
	mu        sync.Mutex
	subs      map[*subscription]struct{}
	perSess   map[int64]int // open streams per session
	closed    chan struct{}
	once      sync.Once
	following atomic.Bool
}

// event is one piece of news.
type event struct {
	kind           string // "message", "delivery", "inbox" or "lobby"
	conversationID int64
	message        *kindred.Message
}

// subscription is one open console's stream. Its buffer is small: a
// console that falls behind misses news rather than slowing the desk.
type subscription struct {
	events    chan event
	sessionID int64
	agentID   int64
	ended     chan struct{} // closed when its session or agent is ended
}

// maxStreamsPerSession bounds the streams one session may hold open: a
// person has a few tabs, not thousands.
const maxStreamsPerSession = 8

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[*subscription]struct{}{}, perSess: map[int64]int{}, closed: make(chan struct{})}
}

// Publish tells the open consoles that m was added to its conversation
// (and so that the inbox changed). It never blocks. Give it to the JSON API
// as api.Config.OnMessage. A hub that follows the database ignores it: the
// database announces the message to every process.
func (h *Hub) Publish(m kindred.Message) {
	if !h.following.Load() {
		h.MessageAdded(m)
	}
}

// InboxChanged tells the open consoles that a conversation changed (its
// assignee, status or tags). A hub that follows the database ignores it.
func (h *Hub) InboxChanged(conversationID int64) {
	if !h.following.Load() {
		h.ConversationChanged(conversationID)
	}
}

// PublishLobby tells the open desk pages that the queue changed (a ticket
// issued, called, recalled, moved or closed; a desk opened or closed): give
// it to the store as OnQueued(store.QueueLobby). It never blocks. A hub that
// follows the database ignores it.
func (h *Hub) PublishLobby() {
	if !h.following.Load() {
		h.LobbyChanged()
	}
}

// LobbyChanged tells the open desk pages that the queue changed, whichever
// process changed it. It never blocks.
func (h *Hub) LobbyChanged() { h.send(event{kind: "lobby"}) }

// Follow makes the hub take its news from the database alone, through
// MessageAdded, ConversationChanged and LobbyChanged, and ignore Publish,
// InboxChanged and PublishLobby, which would tell this process's consoles
// a second time.
func (h *Hub) Follow() { h.following.Store(true) }

// MessageAdded tells the open consoles that m was added to its
// conversation, whichever process added it. It never blocks.
func (h *Hub) MessageAdded(m kindred.Message) {
	h.send(event{kind: "message", conversationID: m.ConversationID, message: &m})
	h.send(event{kind: "inbox", conversationID: m.ConversationID})
}

// DeliveryChanged tells the open consoles that reply m was sent, delivered
// or failed, whichever process learnt it. It never blocks.
func (h *Hub) DeliveryChanged(m kindred.Message) {
	h.send(event{kind: "delivery", conversationID: m.ConversationID, message: &m})
}

// ConversationChanged tells the open consoles that a conversation changed,
// whichever process changed it; 0 means news may have been missed (the
// database connection was lost), so every inbox should look again.
func (h *Hub) ConversationChanged(conversationID int64) {
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

// subscribe opens a stream for a session of an agent, or reports false when
// the session already has maxStreamsPerSession open.
func (h *Hub) subscribe(sessionID, agentID int64) (*subscription, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perSess[sessionID] >= maxStreamsPerSession {
		return nil, false
	}
	s := &subscription{events: make(chan event, 32), sessionID: sessionID, agentID: agentID, ended: make(chan struct{})}
	h.subs[s] = struct{}{}
	h.perSess[sessionID]++
	return s, true
}

func (h *Hub) unsubscribe(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if h.perSess[s.sessionID]--; h.perSess[s.sessionID] <= 0 {
		delete(h.perSess, s.sessionID)
	}
}

// endWhere ends the streams that match, at once.
func (h *Hub) endWhere(match func(*subscription) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if match(s) {
			select {
			case <-s.ended:
			default:
				close(s.ended)
			}
		}
	}
}

// EndSession ends the streams of a session that signed out. Each stream
// also checks its session before every piece of news, which covers a
// session ended elsewhere (another process, the API).
func (h *Hub) EndSession(sessionID int64) {
	h.endWhere(func(s *subscription) bool { return s.sessionID == sessionID })
}

// EndAgent ends the streams of an agent who was disabled.
func (h *Hub) EndAgent(agentID int64) {
	h.endWhere(func(s *subscription) bool { return s.agentID == agentID })
}

// Close ends every open stream, so that a server shutting down need not
// wait for them: give it to http.Server.RegisterOnShutdown.
func (h *Hub) Close() { h.once.Do(func() { close(h.closed) }) }

// Done is closed when the hub is closed.
func (h *Hub) Done() <-chan struct{} { return h.closed }
