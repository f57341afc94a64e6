package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

// chatOrigin is the website the test desks let embed the widget.
const chatOrigin = "http://shop.example"

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Chat, cfg.ChatKey, cfg.ChatOrigins = db, []byte("a test key of thirty-two bytes!!"), []string{chatOrigin}
	})
}

// visitor is a web chat widget speaking to a test desk over a WebSocket.
type visitor struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan chatOut
	token  string
}

// dialChat opens a widget's WebSocket from origin and says hello with token.
func dialChat(t *testing.T, d *testDesk, origin, token string) *visitor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(d.srv.URL, "http")+"/chat/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial the chat from %s: %v (status %d)", origin, err, status)
	}
	v := &visitor{t: t, conn: conn, frames: make(chan chatOut, 100)}
	t.Cleanup(func() { conn.CloseNow() })
	go func() {
		defer close(v.frames)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var f chatOut
			if err := json.Unmarshal(b, &f); err != nil {
				t.Errorf("the desk sent %q: %v", b, err)
				return
			}
			v.frames <- f
		}
	}()
	v.send(chatFrame{Type: "hello", Token: token})
	w := v.next("welcome")
	if w.Token == "" {
		t.Fatal("welcome without a token")
	}
	v.token = w.Token
	return v
}

func (v *visitor) send(f chatFrame) {
	v.t.Helper()
	b, _ := json.Marshal(f)
	v.sendRaw(b)
}

func (v *visitor) sendRaw(b []byte) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.conn.Write(ctx, websocket.MessageText, b); err != nil {
		v.t.Fatalf("send %s: %v", b, err)
	}
}

// next returns the next frame of type typ, failing on anything else but
// the frames a widget may get at any time (its own messages echoed, typing).
func (v *visitor) next(typ string) chatOut {
	v.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-v.frames:
			if !ok {
				v.t.Fatalf("the desk closed the chat, waiting for %s", typ)
			}
			if f.Type == typ {
				return f
			}
			if f.Type == "typing" || (f.Type == "message" && f.Message != nil && f.Message.From == "visitor") {
				continue
			}
			v.t.Fatalf("got %+v (message %+v), waiting for %s", f, f.Message, typ)
		case <-timeout:
			v.t.Fatalf("no %s frame within 10s", typ)
		}
	}
}

// quiet checks that nothing but echoes and typing comes for a while.
func (v *visitor) quiet(d time.Duration) {
	v.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f := <-v.frames:
			if f.Type == "typing" || (f.Type == "message" && f.Message != nil && f.Message.From == "visitor") {
				continue
			}
			v.t.Fatalf("got %+v (message %+v), want nothing", f, f.Message)
		case <-timeout:
			return
		}
	}
}

// chatPost posts one frame as the fallback does.
func chatPost(t *testing.T, d *testDesk, origin, token string, f any) (int, []chatOut, http.Header) {
	t.Helper()
	var body []byte
	switch f := f.(type) {
	case []byte:
		body = f
	default:
		body, _ = json.Marshal(f)
	}
	req, _ := http.NewRequest("POST", d.srv.URL+"/chat/frames", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if token != "" {
		req.Header.Set("X-Kindred-Visitor", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Frames []chatOut }
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("POST /chat/frames answered %d %q", resp.StatusCode, b)
	}
	return resp.StatusCode, out.Frames, resp.Header
}

func (d *testDesk) chatConversation(t *testing.T, token string) *kindred.ChatVisitor {
	t.Helper()
	id, ok := d.console.chat.visitorOf(token)
	if !ok {
		t.Fatalf("the desk's own token %q does not verify", token)
	}
	v, err := d.db.ChatVisitor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChatWidgetFilesAreServedToAnySite(t *testing.T) {
	d := newTestDesk(t)
	for path, typ := range map[string]string{"/chat/widget.js": "text/javascript", "/chat/widget.css": "text/css"} {
		r := d.browser().get(path)
		wantStatus(t, r, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), typ) || r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
			t.Errorf("%s: Content-Type %q, CORP %q", path, r.Header.Get("Content-Type"), r.Header.Get("Cross-Origin-Resource-Policy"))
		}
		t.Logf("%s: %d bytes", path, len(r.body))
	}
}

func TestChatIsOffWithoutOrigins(t *testing.T) {
	d := newTestDesk(t, func(c *Config) { c.ChatOrigins = nil })
	for _, p := range []string{"/chat/widget.js", "/chat/ws", "/chat/events"} {
		if r := d.browser().get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s with the chat off: %d", p, r.StatusCode)
		}
	}
}

// TestChatRefusesOriginsNotAllowed: a website not in --chat-origins gets
// nowhere, by WebSocket, POST, preflight or event stream; nor does a
// request with no origin at all.
func TestChatRefusesOriginsNotAllowed(t *testing.T) {
	d := newTestDesk(t)
	ws := "ws" + strings.TrimPrefix(d.srv.URL, "http") + "/chat/ws"
	for _, origin := range []string{"http://evil.example", "https://shop.example", "http://shop.example:8080", "null"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, resp, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		cancel()
		if err == nil {
			conn.CloseNow()
			t.Fatalf("WebSocket from %s was accepted", origin)
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("WebSocket from %s: %v, want 403", origin, resp)
		}
		status, frames, _ := chatPost(t, d, origin, "", chatFrame{Type: "hello"})
		if status != http.StatusForbidden || len(frames) != 1 || frames[0].Code != "origin" {
			t.Errorf("POST from %s: %d %+v", origin, status, frames)
		}
		req, _ := http.NewRequest("OPTIONS", d.srv.URL+"/chat/frames", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		r := d.browser().do(req)
		if r.StatusCode != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d, allow-origin %q", origin, r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	if status, _, _ := chatPost(t, d, "", "", chatFrame{Type: "hello"}); status != http.StatusForbidden {
		t.Errorf("POST without Origin: %d", status)
	}
	req, _ := http.NewRequest("GET", d.srv.URL+"/chat/events?token=x", nil)
	req.Header.Set("Origin", "http://evil.example")
	if r := d.browser().do(req); r.StatusCode != http.StatusForbidden {
		t.Errorf("event stream from another origin: %d", r.StatusCode)
	}
	// The allowed origin gets its CORS answer.
	req, _ = http.NewRequest("OPTIONS", d.srv.URL+"/chat/frames", nil)
	req.Header.Set("Origin", chatOrigin)
	r := d.browser().do(req)
	if r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != chatOrigin ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "X-Kindred-Visitor") {
		t.Errorf("preflight from %s: %d %v", chatOrigin, r.StatusCode, r.Header)
	}
	if n := countRows(t, d, "SELECT COUNT(*) FROM chat_visitors"); n != 0 {
		t.Fatalf("%d visitors made by refused requests", n)
	}
}

// TestChatVisitorAndAgentTalkLiveAndNotesNeverReachTheWidget is the round
// trip over the WebSocket: the visitor writes, the agent answers in the
// console and sees the reply delivered, a note stays inside the desk.
func TestChatVisitorAndAgentTalkLiveAndNotesNeverReachTheWidget(t *testing.T) {
	d := newTestDesk(t)
	v := dialChat(t, d, chatOrigin, "")
	v.send(chatFrame{Type: "message", ID: "c1", Body: "Hello, my card has not come."})
	stored := v.next("stored")
	if stored.ID != "c1" || stored.Message == nil || stored.Message.From != "visitor" || stored.Message.Body != "Hello, my card has not come." {
		t.Fatalf("stored %+v", stored)
	}
	cv := d.chatConversation(t, v.token)
	conv, err := d.db.Conversation(context.Background(), cv.ConversationID, true)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Channel != kindred.ChannelChat || len(conv.Messages) != 1 || conv.Messages[0].Analysis == nil || conv.Chat == nil || !conv.Chat.Online {
		t.Fatalf("conversation %+v (chat %+v)", conv, conv.Chat)
	}

	agent := d.browser()
	agent.signIn("amina@example.org")
	page := agent.get(fmt.Sprintf("/conversations/%d", conv.ID))
	wantContains(t, page, "Send reply to the web chat", "is in the web chat now", `id="typing-notice"`)

	// The agent's draft is read by the coach: the visitor sees them typing.
	agent.post(fmt.Sprintf("/conversations/%d/coach", conv.ID), url.Values{"body": {"I am so sorry"}})
	if f := v.nextTyping(); f.Agent != "Amina" {
		t.Fatalf("typing %+v, want Amina", f)
	}

	wantStatus(t, agent.post(fmt.Sprintf("/conversations/%d/note", conv.ID), url.Values{"body": {"INTERNAL: check the courier's fraud flag"}}), http.StatusSeeOther)
	wantStatus(t, agent.post(fmt.Sprintf("/conversations/%d/reply", conv.ID), url.Values{"body": {"I am so sorry it has not come. I will post a new card today."}}), http.StatusSeeOther)
	reply := v.next("message")
	if reply.Message.From != "agent" || reply.Message.Agent != "Amina" || !strings.Contains(reply.Message.Body, "new card today") || !reply.Message.Ack {
		t.Fatalf("reply %+v", reply.Message)
	}
	// Sent when pushed; delivered when the widget says it shows it.
	waitStatus(t, d, reply.Message.ID, kindred.DeliverySent, kindred.DeliveryDelivered)
	v.send(chatFrame{Type: "ack", MessageID: reply.Message.ID})
	waitStatus(t, d, reply.Message.ID, kindred.DeliveryDelivered)
	wantContains(t, agent.get(fmt.Sprintf("/conversations/%d", conv.ID)), "Delivered to the web chat")

	// The note never came, and does not come with the history either.
	v.quiet(300 * time.Millisecond)
	again := dialChat(t, d, chatOrigin, v.token)
	_ = again
	status, frames, _ := chatPost(t, d, chatOrigin, "", chatFrame{Type: "hello", Token: v.token})
	if status != http.StatusOK || len(frames) != 1 || len(frames[0].Messages) != 2 {
		t.Fatalf("hello again: %d %+v", status, frames)
	}
	for _, m := range frames[0].Messages {
		if strings.Contains(m.Body, "INTERNAL") {
			t.Fatalf("the widget's history shows the internal note: %+v", m)
		}
	}
	// A renewed token (signed now), for the same visitor.
	was, _ := d.console.chat.visitorOf(v.token)
	if now, ok := d.console.chat.visitorOf(frames[0].Token); !ok || now != was {
		t.Fatalf("hello again made another visitor: %q, was %q", now, was)
	}

	// The visitor typing shows in the console's live stream.
	events := agentEvents(t, d, agent, conv.ID)
	v.send(chatFrame{Type: "typing"})
	events.want("event: typing")
}

func (v *visitor) nextTyping() chatOut {
	v.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-v.frames:
			if f.Type == "typing" {
				return f
			}
		case <-timeout:
			v.t.Fatal("no typing frame within 10s")
		}
	}
}

// waitStatus waits until message id has one of the statuses.
func waitStatus(t *testing.T, d *testDesk, id int64, want ...kindred.DeliveryStatus) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := d.db.Message(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if m.DeliveryStatus == w {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %d is %s, want %v", id, m.DeliveryStatus, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventLines reads a console's live stream.
type eventLines struct {
	t     *testing.T
	lines chan string
}

func agentEvents(t *testing.T, d *testDesk, b *browser, conv int64) *eventLines {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/events?conversation=%d", d.srv.URL, conv), nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	e := &eventLines{t: t, lines: make(chan string, 100)}
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "retry:") {
		t.Fatalf("the console's stream began %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
			e.lines <- sc.Text()
		}
	}()
	return e
}

func (e *eventLines) want(line string) {
	e.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l := <-e.lines:
			if l == line {
				return
			}
		case <-timeout:
			e.t.Fatalf("the console heard no %q", line)
		}
	}
}

// TestChatTooLongIsRefusedWithAClearErrorAndNothingStored, over both
// transports.
func TestChatTooLongIsRefusedWithAClearErrorAndNothingStored(t *testing.T) {
	d := newTestDesk(t)
	long := strings.Repeat("a", kindred.ChatMessageLimit) + " ñ"
	v := dialChat(t, d, chatOrigin, "")
	v.send(chatFrame{Type: "message", ID: "big", Body: long})
	e := v.next("error")
	if e.Code != "too_long" || e.Field != "body" || e.ID != "big" || e.Limit != kindred.ChatMessageLimit || e.Length != utf8.RuneCountInString(long) ||
		!strings.Contains(e.Error, "at most 2000 characters") {
		t.Fatalf("error %+v", e)
	}
	status, frames, _ := chatPost(t, d, chatOrigin, v.token, chatFrame{Type: "message", ID: "big", Body: long})
	if status != http.StatusUnprocessableEntity || len(frames) != 1 || frames[0].Code != "too_long" {
		t.Fatalf("POST: %d %+v", status, frames)
	}
	// A frame past the byte limit is refused before it is read.
	status, frames, _ = chatPost(t, d, chatOrigin, v.token, bytes.Repeat([]byte("x"), maxChatFrameBytes+1))
	if status != http.StatusRequestEntityTooLarge || frames[0].Code != "too_large" {
		t.Fatalf("POST of a huge frame: %d %+v", status, frames)
	}
	// Exactly at the limit is fine.
	v.send(chatFrame{Type: "message", ID: "ok", Body: strings.Repeat("é", kindred.ChatMessageLimit)})
	v.next("stored")
	if n := countRows(t, d, "SELECT COUNT(*) FROM messages WHERE channel = 'chat'"); n != 1 {
		t.Fatalf("%d chat messages stored, want only the one within the limit", n)
	}
}

// TestChatRateLimitAnswers429 per visitor, over POST and WebSocket.
func TestChatRateLimitAnswers429(t *testing.T) {
	d := newTestDesk(t)
	_, frames, _ := chatPost(t, d, chatOrigin, "", chatFrame{Type: "hello"})
	token := frames[0].Token
	for i := range chatVisitorLimit {
		status, frames, _ := chatPost(t, d, chatOrigin, token, chatFrame{Type: "message", ID: strconv.Itoa(i), Body: fmt.Sprintf("message %d", i)})
		if status != http.StatusOK || frames[0].Type != "stored" {
			t.Fatalf("message %d: %d %+v", i, status, frames)
		}
	}
	status, frames, h := chatPost(t, d, chatOrigin, token, chatFrame{Type: "message", ID: "over", Body: "one more"})
	if status != http.StatusTooManyRequests || frames[0].Code != "rate_limited" || frames[0].RetryAfter < 1 || h.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %+v, Retry-After %q", status, frames, h.Get("Retry-After"))
	}
	v := dialChat(t, d, chatOrigin, token)
	v.send(chatFrame{Type: "message", ID: "ws", Body: "and by WebSocket"})
	if e := v.next("error"); e.Code != "rate_limited" || e.ID != "ws" {
		t.Fatalf("WebSocket over the limit: %+v", e)
	}
	if n := countRows(t, d, "SELECT COUNT(*) FROM messages WHERE channel = 'chat'"); n != chatVisitorLimit {
		t.Fatalf("%d messages stored, want %d", n, chatVisitorLimit)
	}
	// Another visitor from the same address may still write.
	_, frames, _ = chatPost(t, d, chatOrigin, "", chatFrame{Type: "hello"})
	if status, frames, _ := chatPost(t, d, chatOrigin, frames[0].Token, chatFrame{Type: "message", Body: "hi"}); status != http.StatusOK {
		t.Fatalf("another visitor: %d %+v", status, frames)
	}
}

// TestChatFallbackCarriesTheRoundTrip: POST to speak, Server-Sent Events to
// hear, as the widget does when a WebSocket cannot open; a forged token is
// a stranger.
func TestChatFallbackCarriesTheRoundTrip(t *testing.T) {
	d := newTestDesk(t)
	status, frames, _ := chatPost(t, d, chatOrigin, "", chatFrame{Type: "hello"})
	if status != http.StatusOK || frames[0].Type != "welcome" {
		t.Fatalf("hello: %d %+v", status, frames)
	}
	token := frames[0].Token
	if status, frames, _ := chatPost(t, d, chatOrigin, token, chatFrame{Type: "message", ID: "m", Body: "Is anyone there?"}); status != http.StatusOK || frames[0].Type != "stored" {
		t.Fatalf("message: %d %+v", status, frames)
	}
	// Change one letter in the middle of the signature: replacing the last
	// two with "AA" left a token that already ended so (1 in 1024) unchanged.
	i := len(token) - 10
	c := byte('A')
	if token[i] == c {
		c = 'B'
	}
	forged := token[:i] + string(c) + token[i+1:]
	if status, frames, _ := chatPost(t, d, chatOrigin, forged, chatFrame{Type: "message", Body: "as someone else"}); status != http.StatusUnauthorized || frames[0].Code != "unknown_visitor" {
		t.Fatalf("forged token: %d %+v", status, frames)
	}
	if _, frames, _ := chatPost(t, d, chatOrigin, "", chatFrame{Type: "hello", Token: forged}); frames[0].Token == token {
		t.Fatal("a forged token was taken as the visitor")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", d.srv.URL+"/chat/events?token="+url.QueryEscape(token), nil)
	req.Header.Set("Origin", chatOrigin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != chatOrigin {
		t.Fatalf("events: %d %v", resp.StatusCode, resp.Header)
	}
	sc := bufio.NewScanner(resp.Body)
	next := func() chatOut {
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var f chatOut
				if err := json.Unmarshal([]byte(data), &f); err != nil {
					t.Fatal(err)
				}
				return f
			}
		}
		t.Fatalf("the stream ended: %v", sc.Err())
		return chatOut{}
	}
	if f := next(); f.Type != "message" || f.Message.From != "visitor" {
		t.Fatalf("first frame %+v", f)
	}
	cv := d.chatConversation(t, token)
	agent := d.browser()
	agent.signIn("amina@example.org")
	agent.post(fmt.Sprintf("/conversations/%d/note", cv.ConversationID), url.Values{"body": {"INTERNAL note"}})
	agent.post(fmt.Sprintf("/conversations/%d/reply", cv.ConversationID), url.Values{"body": {"Yes, Amina here. How can I help?"}})
	f := next()
	if f.Type != "message" || f.Message.From != "agent" || f.Message.Agent != "Amina" || strings.Contains(f.Message.Body, "INTERNAL") {
		t.Fatalf("after the note and the reply: %+v", f.Message)
	}
	if status, _, _ := chatPost(t, d, chatOrigin, token, chatFrame{Type: "ack", MessageID: f.Message.ID}); status != http.StatusOK {
		t.Fatalf("ack: %d", status)
	}
	waitStatus(t, d, f.Message.ID, kindred.DeliveryDelivered)

	// They leave a phone, and go: the next reply goes by SMS, and the
	// customer record has the number.
	status, frames, _ = chatPost(t, d, chatOrigin, token, chatFrame{Type: "contact", Contact: "0722 000 111", Name: "Wanjiku"})
	if status != http.StatusOK || frames[0].ReplyBy != "sms" || frames[0].To != "+254722000111" {
		t.Fatalf("contact: %d %+v", status, frames)
	}
	if status, frames, _ := chatPost(t, d, chatOrigin, token, chatFrame{Type: "contact", Contact: "not a phone"}); status != http.StatusUnprocessableEntity || frames[0].Code != "invalid_contact" || frames[0].Field != "contact" {
		t.Fatalf("a bad contact: %d %+v", status, frames)
	}
	cancel()
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conv, err := d.db.Conversation(context.Background(), cv.ConversationID, false)
		if err != nil {
			t.Fatal(err)
		}
		if !conv.Chat.Online {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the visitor is still online after their stream closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	page := agent.get(fmt.Sprintf("/conversations/%d", cv.ConversationID))
	wantContains(t, page, "Send reply by SMS to &#43;254722000111", "has left the web chat, and asked to be answered this way")
	agent.post(fmt.Sprintf("/conversations/%d/reply", cv.ConversationID), url.Values{"body": {"We will text you when it is ready."}})
	if n := countRows(t, d, "SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND recipient = '+254722000111'"); n != 1 {
		t.Fatalf("%d SMS in the outbox, want the reply", n)
	}
}

// FuzzChatFrame: whatever a widget (or anyone) sends as a frame is read or
// refused with an error frame, never a panic; what is read keeps the
// limits the desk relies on.
func FuzzChatFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","token":"v1.abc.def","after":3}`,
		`{"type":"message","id":"c1","body":"Habari, kadi yangu haijafika."}`,
		`{"type":"message","body":"  \r\n "}`,
		`{"type":"typing"}`,
		`{"type":"contact","contact":"+254722000111","name":"Wanjiku"}`,
		`{"type":"ack","message_id":42}`,
		`{"type":"ack","message_id":-1}`,
		`{"type":"message","body":"a"}{"type":"typing"}`,
		`[1,2,3]`, `null`, `"hello"`, `{"type":"nope"}`, `{"type":"message","body":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, e := parseChatFrame(b)
		if e != nil {
			if e.Type != "error" || e.Code == "" || e.Error == "" || e.status < 400 {
				t.Fatalf("refusal %+v", e)
			}
			return
		}
		switch fr.Type {
		case "hello", "typing", "contact", "ack":
		case "message":
			if n := utf8.RuneCountInString(fr.Body); n == 0 || n > kindred.ChatMessageLimit || strings.TrimSpace(fr.Body) != fr.Body {
				t.Fatalf("accepted body of %d characters: %q", n, fr.Body)
			}
			if strings.IndexFunc(fr.Body, isTextControl) >= 0 {
				t.Fatalf("accepted a control character: %q", fr.Body)
			}
		default:
			t.Fatalf("accepted type %q", fr.Type)
		}
		if len(fr.Token) > maxChatTokenLen || len(fr.ID) > maxChatClientID || fr.After < 0 {
			t.Fatalf("accepted %+v", fr)
		}
		if fr.Type == "ack" && fr.MessageID <= 0 {
			t.Fatalf("accepted ack %+v", fr)
		}
		if fr.Type == "contact" && (fr.Contact == "" || utf8.RuneCountInString(fr.Contact) > maxChatContactLen) {
			t.Fatalf("accepted contact %+v", fr)
		}
	})
}

// A token not renewed by a hello for chatTokenLife is refused, so a copied
// token does not open a visitor's chat for ever; one in its life is good.
func TestChatTokensExpire(t *testing.T) {
	d := newTestDesk(t)
	chat := d.console.chat
	id := newVisitorID()
	now := time.Now()
	for _, tc := range []struct {
		signed time.Time
		ok     bool
	}{
		{now, true},
		{now.Add(-chatTokenLife + time.Hour), true},
		{now.Add(-chatTokenLife - time.Hour), false},
		{now.Add(2 * time.Hour), false}, // from the future: not a clock's skew
	} {
		if _, ok := chat.visitorOf(chat.signAt(id, tc.signed.Unix())); ok != tc.ok {
			t.Errorf("a token signed %v ago: verified %v, want %v", now.Sub(tc.signed).Round(time.Hour), ok, tc.ok)
		}
	}
}

func TestChatTokensVerifyOnlyTheirOwnKey(t *testing.T) {
	d := newTestDesk(t)
	id := newVisitorID()
	tok := d.console.chat.sign(id)
	if got, ok := d.console.chat.visitorOf(tok); !ok || got != id {
		t.Fatalf("own token: %q %v", got, ok)
	}
	other := newTestDesk(t, func(c *Config) { c.ChatKey = []byte("another key, also long enough!!") })
	at := strings.Split(tok, ".")[2] // when it was signed
	for _, bad := range []string{other.console.chat.sign(id), "", "v2." + id, "v2." + id + ".", "v2." + id + "." + at + ".",
		strings.Replace(tok, id[:4], "ffff", 1), "v3" + tok[2:], strings.Replace(tok, "."+at+".", ".0"+at+".", 1)} {
		if _, ok := d.console.chat.visitorOf(bad); ok {
			t.Errorf("token %q verified", bad)
		}
	}
}
