package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// The web chat: a website adds one script tag, and its visitors chat with
// the desk. The widget (static/chat/) runs on the website's own origin,
// so everything here is cross-origin by design:
//
//   - Only the origins in Config.ChatOrigins (--chat-origins) may use it:
//     the WebSocket handshake, the POST and the event stream each check
//     Origin. None listed: the chat is off and none of its routes exist.
//   - The visitor is known by a token the server signs (HMAC-SHA256 with a
//     key the store keeps), which the widget keeps in the website's
//     localStorage and sends in its first frame (WebSocket), a header
//     (POST) or the query (event stream). Not a cookie: a cookie of the
//     desk's on another site is a third-party cookie, which Safari and
//     Firefox partition or drop and Chrome is phasing out, and which would
//     need SameSite=None and CORS with credentials; and since a browser
//     never sends the token by itself, no other site can chat as the
//     visitor (nothing to forge, so no CSRF).
//   - Rate limits per visitor and per client address (behind
//     --trusted-proxies, the address the proxy saw).

// Limits of the web chat, per minute.
const (
	chatVisitorLimit = 20  // messages and contacts of one visitor
	chatAddressLimit = 120 // messages and contacts from one address (an office behind one router)
	chatArrivalLimit = 60  // new visitors and new connections from one address
	chatAckLimit     = 120 // acknowledgements of one visitor (beyond: ignored)
	chatHistory      = 100 // messages a widget is given when it opens
)

// chatHeartbeat renews a connected visitor's presence and checks the
// connection, well within kindred.ChatOnlineFor.
const chatHeartbeat = 30 * time.Second

// chatDesk serves the web chat: the widget's files and its visitors'
// WebSocket, POST and event-stream endpoints.
type chatDesk struct {
	c       *Console
	svc     kindred.ChatService
	key     []byte
	origins map[string]bool

	byVisitor, byAddress, arrivals, acks *limiter
	typing                               *limiter

	mu     sync.Mutex
	open   map[string]int                     // visitor id: connections open in this process
	locals map[string]map[*chatWatch]struct{} // visitor id: their open widgets here
}

func newChatDesk(c *Console) *chatDesk {
	d := &chatDesk{c: c, svc: c.cfg.Chat, key: c.cfg.ChatKey, origins: map[string]bool{},
		byVisitor: newLimiter(chatVisitorLimit, time.Minute), byAddress: newLimiter(chatAddressLimit, time.Minute),
		arrivals: newLimiter(chatArrivalLimit, time.Minute), acks: newLimiter(chatAckLimit, time.Minute),
		typing: newLimiter(1, 2*time.Second),
		open:   map[string]int{}, locals: map[string]map[*chatWatch]struct{}{}}
	for _, o := range c.cfg.ChatOrigins {
		d.origins[strings.ToLower(o)] = true
	}
	return d
}

// chatRoutes lists the web chat's endpoints for the route table: public,
// and answered by their own handlers (handlers), without the console's
// session, role check or error pages: other websites call them.
func (c *Console) chatRoutes() []route {
	var routes []route
	for pattern := range c.chat.handlers() {
		routes = append(routes, route{pattern: pattern})
	}
	slices.SortFunc(routes, func(a, b route) int { return strings.Compare(a.pattern, b.pattern) })
	return routes
}

// handlers are the web chat's endpoints by pattern.
func (d *chatDesk) handlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /chat/widget.js":  d.asset("chat/widget.js"),
		"GET /chat/widget.css": d.asset("chat/widget.css"),
		"GET /chat/ws":         d.ws,
		"POST /chat/frames":    d.frames,
		"OPTIONS /chat/frames": d.preflight,
		"GET /chat/events":     d.events,
	}
}

// asset serves one of the widget's embedded files. Any site may load them.
func (d *chatDesk) asset(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = name
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		// Public files: any site may read them (tools that check a page's
		// styles, such as axe-core, fetch its stylesheets).
		w.Header().Set("Access-Control-Allow-Origin", "*")
		d.c.static.ServeHTTP(w, r2)
	}
}

// Visitor tokens: "v2." + the visitor id (32 hex digits) + "." + when it
// was signed (Unix seconds) + "." + the HMAC-SHA256 of both under the server
// key, base64url. Every hello signs a new one, so a visitor who comes back
// keeps their chat; a token not renewed for chatTokenLife is refused (the
// widget then starts a new visitor), so a copied token does not open a
// visitor's chat for ever.

const (
	chatTokenPrefix = "v2."
	chatTokenLife   = 30 * 24 * time.Hour
)

func newVisitorID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// sign returns a token for visitor id, signed now.
func (d *chatDesk) sign(id string) string {
	return d.signAt(id, d.c.cfg.Now().Unix())
}

func (d *chatDesk) signAt(id string, at int64) string {
	payload := id + "." + strconv.FormatInt(at, 10)
	mac := hmac.New(sha256.New, d.key)
	mac.Write([]byte("kindred chat visitor\x00" + payload))
	return chatTokenPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// visitorOf returns the visitor id in a token the server signed within
// chatTokenLife.
func (d *chatDesk) visitorOf(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, chatTokenPrefix)
	if !ok {
		return "", false
	}
	id, rest, ok := strings.Cut(rest, ".")
	if !ok || len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", false
	}
	ts, _, ok := strings.Cut(rest, ".")
	at, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || strconv.FormatInt(at, 10) != ts {
		return "", false
	}
	if !hmac.Equal([]byte(d.signAt(id, at)), []byte(token)) {
		return "", false
	}
	age := d.c.cfg.Now().Sub(time.Unix(at, 0))
	return id, age < chatTokenLife && age > -time.Hour // a little clock skew between nodes
}

// allowedOrigin returns the Origin of r and whether the chat serves it. A
// browser sends Origin on every WebSocket handshake, every cross-origin
// request and every POST; a same-origin GET (an event stream opened by a
// widget on the desk's own site) carries Sec-Fetch-Site instead.
func (d *chatDesk) allowedOrigin(r *http.Request) (string, bool) {
	o := strings.ToLower(r.Header.Get("Origin"))
	if o == "" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		o = scheme + "://" + strings.ToLower(r.Host)
	}
	return o, o != "" && o != "null" && d.origins[o]
}

// refuse answers an HTTP request with an error frame.
func (d *chatDesk) refuse(w http.ResponseWriter, e chatOut) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeFrames(w, e.status, []chatOut{e})
}

func writeFrames(w http.ResponseWriter, status int, frames []chatOut) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Frames []chatOut `json:"frames"`
	}{frames})
}

// gate checks what every chat request must pass: its origin, which then
// gets the CORS answer, and, for a new connection, the address's limit.
func (d *chatDesk) gate(w http.ResponseWriter, r *http.Request, arriving bool) (addr string, ok bool) {
	origin, allowed := d.allowedOrigin(r)
	w.Header().Add("Vary", "Origin")
	if !allowed {
		d.c.log.InfoContext(r.Context(), "web chat: origin refused", slog.String("origin", r.Header.Get("Origin")), slog.String("path", r.URL.Path))
		d.refuse(w, chatErr(http.StatusForbidden, "origin", "", "this website may not use the desk's chat: its origin is not in --chat-origins"))
		return "", false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	addr = d.c.clientAddr(r)
	if arriving {
		if e := d.limited(d.arrivals, "a:"+addr); e != nil {
			d.refuse(w, *e)
			return "", false
		}
	}
	return addr, true
}

// limited counts one use of key on l, or returns the rate-limit error.
func (d *chatDesk) limited(l *limiter, key string) *chatOut {
	now := d.c.cfg.Now()
	ok, until := l.reserve([]string{key}, now)
	if ok {
		return nil
	}
	e := chatErr(http.StatusTooManyRequests, "rate_limited", "", "too many messages: wait a little and try again")
	e.RetryAfter = max(1, int(until.Sub(now).Seconds()+0.999))
	return &e
}

// preflight answers the browser's question before a cross-origin POST.
func (d *chatDesk) preflight(w http.ResponseWriter, r *http.Request) {
	if _, ok := d.gate(w, r, false); !ok {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Kindred-Visitor")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// chatSession is one widget's exchange with the desk: one WebSocket, one
// event stream, or one POST.
type chatSession struct {
	d     *chatDesk
	addr  string
	watch *chatWatch

	mu      sync.Mutex
	visitor string // "" until hello
	conv    int64  // the conversation watched
	cursor  int64  // the newest message the widget was given
}

func (d *chatDesk) session(addr string) *chatSession {
	return &chatSession{d: d, addr: addr, watch: newChatWatch()}
}

// follow makes the session hear of conversation conv.
func (s *chatSession) follow(conv int64) {
	s.mu.Lock()
	from := s.conv
	s.conv = conv
	s.mu.Unlock()
	if from != conv {
		s.d.c.cfg.Hub.watchChat(s.watch, from, conv)
	}
}

// hello answers a widget's first frame: who they are (a new visitor gets a
// token), and what is in their chat after message after.
func (s *chatSession) hello(ctx context.Context, f chatFrame) (chatOut, *chatOut) {
	id, ok := s.d.visitorOf(f.Token)
	if !ok {
		if e := s.d.limited(s.d.arrivals, "a:"+s.addr); e != nil {
			return chatOut{}, e
		}
		id = newVisitorID()
	}
	s.mu.Lock()
	s.visitor = id
	s.mu.Unlock()
	out := chatOut{Type: "welcome", Token: s.d.sign(id), Messages: []chatMessage{}}
	v, err := s.d.svc.ChatVisitor(ctx, id)
	switch {
	case kindred.ErrorKind(err) == kindred.NotFound:
		return out, nil // not met yet: nothing to show
	case err != nil:
		return chatOut{}, s.d.failed(ctx, "hello", err)
	}
	s.follow(v.ConversationID)
	out.ReplyBy, out.To = replyTo(v)
	msgs, err := s.d.svc.ChatMessages(ctx, id, f.After, chatHistory)
	if err != nil {
		return chatOut{}, s.d.failed(ctx, "hello", err)
	}
	cursor := f.After
	for _, m := range msgs {
		if cm, ok := chatMessageOf(m); ok {
			out.Messages = append(out.Messages, cm)
		}
		cursor = max(cursor, m.ID)
	}
	s.mu.Lock()
	s.cursor = cursor
	s.mu.Unlock()
	return out, nil
}

func replyTo(v *kindred.ChatVisitor) (string, string) {
	switch v.ReplyBy {
	case kindred.ChannelSMS:
		return "sms", v.Phone
	case kindred.ChannelEmail:
		return "email", v.Email
	}
	return "", ""
}

// failed logs an error the visitor cannot help and says so, plainly.
func (d *chatDesk) failed(ctx context.Context, what string, err error) *chatOut {
	if kindred.ErrorKind(err) == kindred.Invalid {
		var ke *kindred.Error
		if errors.As(err, &ke) {
			e := chatErr(http.StatusUnprocessableEntity, "invalid", "", ke.Message)
			if len(ke.Fields) > 0 {
				e.Field, e.Error = ke.Fields[0].Field, ke.Fields[0].Field+" "+ke.Fields[0].Reason
			}
			return &e
		}
	}
	d.c.log.ErrorContext(ctx, "web chat failed", slog.String("doing", what), slog.String("err", err.Error()))
	e := chatErr(http.StatusInternalServerError, "server", "", "something went wrong on the desk's side; please try again")
	return &e
}

// handle answers one frame after hello.
func (s *chatSession) handle(ctx context.Context, f chatFrame) []chatOut {
	s.mu.Lock()
	visitor := s.visitor
	s.mu.Unlock()
	d := s.d
	switch f.Type {
	case "hello":
		out, e := s.hello(ctx, f)
		if e != nil {
			return []chatOut{*e}
		}
		return []chatOut{out}
	case "message", "contact":
		if e := d.limited(d.byAddress, "a:"+s.addr); e != nil {
			e.ID = f.ID
			return []chatOut{*e}
		}
		if e := d.limited(d.byVisitor, "v:"+visitor); e != nil {
			e.ID = f.ID
			return []chatOut{*e}
		}
	case "typing":
		if e := d.limited(d.typing, "v:"+visitor); e != nil {
			return nil // typing news is a courtesy: more than one each 2 s is dropped
		}
	case "ack":
		if e := d.limited(d.acks, "v:"+visitor); e != nil {
			return nil
		}
	}
	switch f.Type {
	case "message":
		m, err := d.svc.InboundChat(ctx, visitor, f.Body, func(m *kindred.Message, c *kindred.Customer) {
			if d.c.cfg.Analyzer != nil {
				m.Analysis = d.c.cfg.Analyzer.Analyze(m, nil, c)
			}
		})
		if err != nil {
			e := d.failed(ctx, "message", err)
			e.ID = f.ID
			return []chatOut{*e}
		}
		s.follow(m.ConversationID)
		d.c.cfg.Hub.Publish(*m)
		d.wakeVisitor(visitor)
		cm, _ := chatMessageOf(*m)
		return []chatOut{{Type: "stored", ID: f.ID, Message: &cm}}
	case "typing":
		s.mu.Lock()
		conv := s.conv
		s.mu.Unlock()
		if conv == 0 {
			// A POST carries no session: ask which conversation.
			if v, err := d.svc.ChatVisitor(ctx, visitor); err == nil {
				conv = v.ConversationID
			}
		}
		if conv != 0 {
			d.c.cfg.Hub.Typing(conv, "")
		}
		return nil
	case "contact":
		var k api.Check
		var c kindred.ChatContact
		if strings.Contains(f.Contact, "@") {
			c.Email = k.Email("contact", f.Contact)
		} else {
			c.Phone = k.Phone("contact", f.Contact, d.c.cfg.DefaultRegion)
		}
		c.Name = k.Name("name", f.Name, false)
		if err := k.Err(); err != nil {
			e := d.failed(ctx, "contact", err)
			e.Code = "invalid_contact"
			return []chatOut{*e}
		}
		v, err := d.svc.SetChatContact(ctx, visitor, c)
		if err != nil {
			return []chatOut{*d.failed(ctx, "contact", err)}
		}
		out := chatOut{Type: "contact", ID: f.ID}
		out.ReplyBy, out.To = replyTo(v)
		return []chatOut{out}
	case "ack":
		if _, err := d.svc.ChatDelivered(ctx, visitor, f.MessageID, kindred.DeliveryDelivered); err != nil &&
			kindred.ErrorKind(err) != kindred.NotFound {
			d.failed(ctx, "ack", err)
		}
		return nil
	}
	return nil
}

// catchUp gives the widget every message of its chat it has not been given,
// and marks the desk's replies among them sent. The store leaves internal
// notes out; chatMessageOf would drop one anyway.
func (s *chatSession) catchUp(ctx context.Context, send func(chatOut) error) error {
	s.mu.Lock()
	visitor, cursor := s.visitor, s.cursor
	s.mu.Unlock()
	if visitor == "" {
		return nil
	}
	for {
		msgs, err := s.d.svc.ChatMessages(ctx, visitor, cursor, 200)
		if kindred.ErrorKind(err) == kindred.NotFound {
			return nil // they have not written yet
		}
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if cm, ok := chatMessageOf(m); ok {
				if err := send(chatOut{Type: "message", Message: &cm}); err != nil {
					return err
				}
				if m.Direction == kindred.Outbound && m.Channel == kindred.ChannelChat && m.DeliveryStatus == kindred.DeliveryQueued {
					if _, err := s.d.svc.ChatDelivered(ctx, visitor, m.ID, kindred.DeliverySent); err != nil {
						return err
					}
				}
			}
			cursor = m.ID
			s.mu.Lock()
			s.cursor = max(s.cursor, cursor)
			s.mu.Unlock()
		}
		if len(msgs) > 0 {
			s.follow(msgs[len(msgs)-1].ConversationID)
		}
		if len(msgs) < 200 {
			return nil
		}
	}
}

// stream pushes news to an open widget until ctx ends: the messages of its
// chat, agents typing; and keeps the visitor present meanwhile.
func (s *chatSession) stream(ctx context.Context, send func(chatOut) error, ping func(context.Context) error) error {
	d := s.d
	s.mu.Lock()
	visitor := s.visitor
	s.mu.Unlock()
	d.connect(ctx, visitor, s.watch)
	defer d.disconnect(ctx, visitor, s.watch)
	defer s.follow(0)
	if err := s.catchUp(ctx, send); err != nil {
		return err
	}
	beat := time.NewTicker(chatHeartbeat)
	defer beat.Stop()
	// A widget whose visitor has not written yet watches no conversation:
	// on a desk of several processes their first message may have gone
	// through another, so it looks now and then.
	var look <-chan time.Time
	if d.c.cfg.Hub.following.Load() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		look = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.c.cfg.Hub.Done():
			return nil
		case <-s.watch.wake:
			if err := s.catchUp(ctx, send); err != nil {
				return err
			}
		case agent := <-s.watch.typing:
			if err := send(chatOut{Type: "typing", Agent: agent}); err != nil {
				return err
			}
		case <-look:
			s.mu.Lock()
			waiting := s.conv == 0
			s.mu.Unlock()
			if waiting {
				if err := s.catchUp(ctx, send); err != nil {
					return err
				}
			}
		case <-beat.C:
			if err := ping(ctx); err != nil {
				return err
			}
			if err := d.svc.ChatOnline(ctx, visitor, d.c.cfg.Now().Add(kindred.ChatOnlineFor)); err != nil {
				d.failed(ctx, "presence", err)
			}
		}
	}
}

// connect counts an open widget of visitor in this process and says they
// are present.
func (d *chatDesk) connect(ctx context.Context, visitor string, w *chatWatch) {
	d.mu.Lock()
	d.open[visitor]++
	if d.locals[visitor] == nil {
		d.locals[visitor] = map[*chatWatch]struct{}{}
	}
	d.locals[visitor][w] = struct{}{}
	d.mu.Unlock()
	if err := d.svc.ChatOnline(ctx, visitor, d.c.cfg.Now().Add(kindred.ChatOnlineFor)); err != nil {
		d.failed(ctx, "presence", err)
	}
}

// disconnect undoes connect; when it was the visitor's last open widget
// here, they are gone (replies then take the way they asked for).
func (d *chatDesk) disconnect(ctx context.Context, visitor string, w *chatWatch) {
	d.mu.Lock()
	d.open[visitor]--
	last := d.open[visitor] <= 0
	if last {
		delete(d.open, visitor)
	}
	delete(d.locals[visitor], w)
	if len(d.locals[visitor]) == 0 {
		delete(d.locals, visitor)
	}
	d.mu.Unlock()
	select {
	case <-d.c.cfg.Hub.Done():
		// Shutting down: their widget will reconnect (here after a restart,
		// or to another process), so they stay present until their
		// presence runs out on its own, and replies meanwhile wait for them.
		return
	default:
	}
	if last {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := d.svc.ChatOnline(ctx, visitor, d.c.cfg.Now()); err != nil {
			d.failed(ctx, "presence", err)
		}
	}
}

// wakeVisitor nudges the visitor's open widgets in this process: a message
// of theirs may have opened a conversation they do not watch yet.
func (d *chatDesk) wakeVisitor(visitor string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for w := range d.locals[visitor] {
		nudge(w.wake)
	}
}

// ws serves a widget over a WebSocket: hello first, then frames both ways.
func (d *chatDesk) ws(w http.ResponseWriter, r *http.Request) {
	addr, ok := d.gate(w, r, true)
	if !ok {
		return
	}
	origin, _ := d.allowedOrigin(r)
	// The server's timeouts are for ordinary requests; a chat stays open.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	// Origin is checked above, exactly; the library checks it again.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{origin}})
	if err != nil {
		return // Accept has answered
	}
	defer conn.CloseNow()
	conn.SetReadLimit(2 * maxChatFrameBytes)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	var wmu sync.Mutex
	send := func(o chatOut) error {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		wmu.Lock()
		defer wmu.Unlock()
		return conn.Write(wctx, websocket.MessageText, b)
	}
	s := d.session(addr)
	hctx, hcancel := context.WithTimeout(ctx, 10*time.Second)
	_, b, err := conn.Read(hctx)
	hcancel()
	if err != nil {
		return
	}
	f, e := parseChatFrame(b)
	if e == nil && f.Type != "hello" {
		e = &chatOut{Type: "error", Code: "hello_first", Error: "the first frame must be hello"}
	}
	if e != nil {
		send(*e)
		conn.Close(websocket.StatusPolicyViolation, e.Code)
		return
	}
	welcome, e := s.hello(ctx, f)
	if e != nil {
		send(*e)
		conn.Close(websocket.StatusTryAgainLater, e.Code)
		return
	}
	if send(welcome) != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		if err := s.stream(ctx, send, conn.Ping); err != nil && ctx.Err() == nil {
			d.c.log.InfoContext(ctx, "web chat: stream ended", slog.String("err", err.Error()))
		}
		conn.Close(websocket.StatusGoingAway, "")
	}()
	defer func() { <-done }()
	for {
		typ, b, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			send(chatErr(0, "invalid", "", "frames are JSON text"))
			continue
		}
		f, e := parseChatFrame(b)
		if e != nil {
			if send(*e) != nil {
				return
			}
			continue
		}
		for _, o := range s.handle(ctx, f) {
			if send(o) != nil {
				return
			}
		}
	}
}

// frames serves the fallback's half from the widget: one frame a POST,
// answered with the frames it gives.
func (d *chatDesk) frames(w http.ResponseWriter, r *http.Request) {
	addr, ok := d.gate(w, r, false)
	if !ok {
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxChatFrameBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		e := chatErr(http.StatusRequestEntityTooLarge, "too_large", "", fmt.Sprintf("a frame can be at most %d bytes", maxChatFrameBytes))
		e.Limit = maxChatFrameBytes
		d.refuse(w, e)
		return
	case err != nil:
		return // the client went away
	}
	f, e := parseChatFrame(b)
	if e != nil {
		d.refuse(w, *e)
		return
	}
	s := d.session(addr)
	if f.Type != "hello" {
		id, ok := d.visitorOf(r.Header.Get("X-Kindred-Visitor"))
		if !ok {
			d.refuse(w, chatErr(http.StatusUnauthorized, "unknown_visitor", "", "say hello first: X-Kindred-Visitor must carry the token the desk gave"))
			return
		}
		s.visitor = id
	} else if f.Token == "" {
		f.Token = r.Header.Get("X-Kindred-Visitor")
	}
	outs := s.handle(r.Context(), f)
	status := http.StatusOK
	for _, o := range outs {
		if o.Type == "error" && o.status != 0 {
			status = o.status
			if o.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(o.RetryAfter))
			}
			break
		}
	}
	if outs == nil {
		outs = []chatOut{}
	}
	writeFrames(w, status, outs)
}

// events serves the fallback's half to the widget: a stream of frames
// (Server-Sent Events), for the visitor whose token is in the query.
func (d *chatDesk) events(w http.ResponseWriter, r *http.Request) {
	addr, ok := d.gate(w, r, true)
	if !ok {
		return
	}
	id, ok := d.visitorOf(r.URL.Query().Get("token"))
	if !ok {
		d.refuse(w, chatErr(http.StatusUnauthorized, "unknown_visitor", "", "say hello first: token must carry the token the desk gave"))
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if last, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		after = last // a reconnect resumes where it stopped
	}
	s := d.session(addr)
	s.visitor, s.cursor = id, max(0, after)
	if v, err := d.svc.ChatVisitor(r.Context(), id); err == nil {
		s.follow(v.ConversationID)
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	if rc.Flush() != nil {
		return
	}
	var wmu sync.Mutex
	send := func(o chatOut) error {
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		wmu.Lock()
		defer wmu.Unlock()
		if o.Type == "message" {
			fmt.Fprintf(w, "id: %d\n", o.Message.ID)
		}
		fmt.Fprintf(w, "data: %s\n\n", b)
		return rc.Flush()
	}
	ping := func(context.Context) error {
		wmu.Lock()
		defer wmu.Unlock()
		fmt.Fprint(w, ": still here\n\n")
		return rc.Flush()
	}
	if err := s.stream(r.Context(), send, ping); err != nil && r.Context().Err() == nil {
		d.c.log.InfoContext(r.Context(), "web chat: event stream ended", slog.String("err", err.Error()))
	}
}
