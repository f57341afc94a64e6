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
	chats     map[int64]map[*chatWatch]struct{}
	closed    chan struct{}
	once      sync.Once
	following atomic.Bool
	// announceTyping carries typing news to every process (see Typing);
	// set by AnnounceTyping on a hub that follows the database.
	announceTyping atomic.Pointer[func(conversationID int64, agent string)]
}

// event is one piece of news.
type event struct {
	kind           string // "message", "delivery", "inbox", "typing" or "lobby"
	conversationID int64
	message        *kindred.Message
	agent          string // "typing": the agent's first name; "" is the web chat visitor
}

// chatWatch is one open web chat widget's interest in its conversation. A
// wake is only a nudge: the widget's connection then reads what it has not
// shown yet from the store, so news dropped here is never a message lost.
type chatWatch struct {
	wake   chan struct{}
	typing chan string // agents' first names
}

func newChatWatch() *chatWatch {
	return &chatWatch{wake: make(chan struct{}, 1), typing: make(chan string, 1)}
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
	return &Hub{subs: map[*subscription]struct{}{}, perSess: map[int64]int{}, chats: map[int64]map[*chatWatch]struct{}{},
		closed: make(chan struct{})}
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

// Typing tells who watches the conversation that someone is typing in it:
// an agent, by first name, or the web chat visitor (agent ""). It never
// blocks for long. A hub that follows the database sends it through the
// database (AnnounceTyping), to be heard by every process as TypingSeen.
func (h *Hub) Typing(conversationID int64, agent string) {
	if f := h.announceTyping.Load(); f != nil && h.following.Load() {
		(*f)(conversationID, agent)
		return
	}
	h.TypingSeen(conversationID, agent)
}

// TypingSeen tells this process's consoles and widgets that someone is
// typing in the conversation, whichever process heard it. It never blocks.
func (h *Hub) TypingSeen(conversationID int64, agent string) {
	h.send(event{kind: "typing", conversationID: conversationID, agent: agent})
}

// AnnounceTyping gives a hub that follows the database the way to tell
// every process that someone is typing (on PostgreSQL, a NOTIFY).
func (h *Hub) AnnounceTyping(announce func(conversationID int64, agent string)) {
	h.announceTyping.Store(&announce)
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
	switch {
	case e.kind == "message":
		for w := range h.chats[e.conversationID] {
			nudge(w.wake)
		}
	case e.kind == "inbox" && e.conversationID == 0:
		// News may have been missed: every widget looks again.
		for _, ws := range h.chats {
			for w := range ws {
				nudge(w.wake)
			}
		}
	case e.kind == "typing" && e.agent != "":
		for w := range h.chats[e.conversationID] {
			select {
			case w.typing <- e.agent:
			default:
			}
		}
	}
}

func nudge(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default: // already nudged
	}
}

// watchChat makes w hear of conversationID (0: of nothing), instead of the
// conversation it heard of before.
func (h *Hub) watchChat(w *chatWatch, from, to int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ws := h.chats[from]; ws != nil {
		delete(ws, w)
		if len(ws) == 0 {
			delete(h.chats, from)
		}
	}
	if to != 0 {
		if h.chats[to] == nil {
			h.chats[to] = map[*chatWatch]struct{}{}
		}
		h.chats[to][w] = struct{}{}
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
