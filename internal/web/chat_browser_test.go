package web_test

// The web chat in a real browser: a website on another port embeds the
// widget with its one script tag; a visitor chats; an agent answers in the
// console; the reply shows in the widget, delivered; internal notes never
// do; and axe-core checks the widget in both languages and both text sizes.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// website serves a small page that embeds the desk's widget, on a port of
// its own: another origin, as a real website is.
func website(t *testing.T, desk *string, transport string) *httptest.Server {
	t.Helper()
	site := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Nairobi Water — Help</title>
<style>body{font:17px/1.6 Georgia,serif;margin:0;color:#222;background:#f7f4ee} header{background:#234;color:#fff;padding:1.2em 2em}
main{max-width:40em;padding:1em 2em} h1{margin:0;font-size:1.6em} a{color:#0a4f8f}</style></head>
<body><header><h1>Nairobi Water</h1></header>
<main><h2>Help with your bill</h2>
<p>Read your meter on the first of the month. If a bill looks wrong, tell us the reading and we will correct it.</p>
<p>Office hours: Monday to Friday, 8:00 to 17:00. Or <a href="#">find an office near you</a>.</p></main>
<script src="%s/chat/widget.js" data-transport="%s" defer></script>
</body></html>`, *desk, transport)
	}))
	site.Start()
	t.Cleanup(site.Close)
	return site
}

// chatFeature turns the web chat on for the site's origin.
func chatFeature(origin string) feature {
	return func(db *store.DB, base string, console *web.Config, _ *api.Config) {
		key, err := db.ServerKey(context.Background(), "chat visitor tokens")
		if err != nil {
			panic(err)
		}
		console.Chat, console.ChatKey, console.ChatOrigins = db, key, []string{origin}
		// Delivery news reaches the consoles as kindred serve wires it.
		console.Hub = web.NewHub()
		hub := console.Hub
		db.OnDelivery(func(_, messageID int64) {
			if m, err := db.Message(context.Background(), messageID); err == nil {
				hub.DeliveryChanged(*m)
			}
		})
	}
}

// inWidget is a JavaScript expression for an element inside the widget.
func inWidget(sel string) chromedp.JSPath {
	return chromedp.JSPath(`document.querySelector("#kindred-chat").shadowRoot.querySelector(` + jsString(sel) + `)`)
}

const widgetJS = `document.querySelector("#kindred-chat").shadowRoot`

func TestBrowserChatWidgetOnAnotherSite(t *testing.T) {
	for _, transport := range []string{"auto", "sse"} {
		t.Run(transport, func(t *testing.T) { chatRoundTrip(t, transport) })
	}
}

func chatRoundTrip(t *testing.T, transport string) {
	var deskURL string
	site := website(t, &deskURL, transport)
	d := emptyDesk(t, chatFeature(site.URL))
	deskURL = d.url
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)

	// The visitor, on the website.
	v := newTab(t, site.URL)
	v.open("/", http.StatusOK)
	waitFor[bool](v, "the widget to load its stylesheet", `document.querySelector("#kindred-chat")?.shadowRoot.querySelector(".kc.kc-ready") != null`)
	if got := eval[string](v, widgetJS+`.querySelector(".kc-launch").textContent`); got != "Chat with us" {
		t.Fatalf("launcher says %q", got)
	}
	// By keyboard: the launcher takes focus and Enter opens the chat, with
	// focus in the message box.
	v.do("focus the launcher", chromedp.Focus(inWidget(".kc-launch")))
	v.do("press Enter", chromedp.KeyEvent(kb.Enter))
	waitFor[bool](v, "focus in the message box", widgetJS+`.activeElement?.id === "kc-input"`)
	if eval[string](v, widgetJS+`.querySelector(".kc-launch").getAttribute("aria-expanded")`) != "true" {
		t.Error("the launcher does not say the chat is open")
	}
	v.do("type a message", chromedp.KeyEvent("Hello, my water bill says 4000 units but the meter reads 400."))
	v.do("send it with Enter", chromedp.KeyEvent(kb.Enter))
	waitFor[bool](v, "the message to be kept", widgetJS+`.querySelector(".kc-visitor[data-state=sent]") != null`)

	// The agent, in the console.
	convs, err := d.db.Conversations(ctx, kindred.ConversationFilter{Channel: kindred.ChannelChat})
	if err != nil || len(convs) != 1 {
		t.Fatalf("chat conversations: %v, %v", convs, err)
	}
	conv := convs[0]
	a := newTab(t, d.url)
	a.signIn(d.admin)
	// The page's live stream must be open before the visitor types, or
	// the news of it has nowhere to go.
	a.streamAfter(conv.ID, func() { a.open(fmt.Sprintf("/conversations/%d", conv.ID), http.StatusOK) })
	if label := a.text("button#send"); label != "Send reply to the web chat" {
		t.Fatalf("send button says %q", label)
	}
	a.mustExist("#coach")

	// The visitor types: the agent sees it. The widget says a visitor is
	// typing at most once each 3 s (and the desk passes on one notice a
	// visitor each 2 s), and the first message's notice went moments ago: a
	// person takes longer than that to start again. (Waiting only for the
	// desk's 2 s let the widget's own 3 s swallow the notice whenever signing
	// the agent in was quick.)
	time.Sleep(3100 * time.Millisecond)
	v.do("type more", chromedp.SendKeys(inWidget("#kc-input"), "It is for house 12"))
	waitFor[bool](a, "the console to say the visitor is typing", `document.querySelector("#typing-notice")?.textContent.includes("typing")`)
	v.do("clear the box", chromedp.Evaluate[chromedp.Void](`(() => { const i = `+widgetJS+`.querySelector("#kc-input");
		i.value = ""; i.dispatchEvent(new Event("input")); })()`))

	// An internal note, then the reply: only the reply reaches the widget.
	a.do("write a note", chromedp.SendKeys(chromedp.CSS("#note"), "INTERNAL: meter 12 was misread before"))
	a.submit("button#add-internal-note", http.StatusOK)
	reply := "I'm sorry about the bill. I have corrected the reading to 400 units; your new bill comes on Friday."
	a.do("write the reply", chromedp.SendKeys(chromedp.CSS("#reply"), reply))
	waitFor[bool](a, "the coach to score the draft", `!isNaN(`+scoreJS+`)`)
	waitFor[bool](v, "the widget to say the agent is typing", widgetJS+`.querySelector(".kc-typing").textContent === "Amina is typing…"`)
	// Record, in the widget, when the reply arrives.
	v.do("watch for the reply", chromedp.Evaluate[chromedp.Void](`new MutationObserver((_, o) => {
		const li = `+widgetJS+`.querySelector(".kc-agent");
		if (li) { window.replyAt = Date.now(); o.disconnect(); }
	}).observe(`+widgetJS+`.querySelector(".kc-list"), {childList: true})`))
	a.submit("button#send", http.StatusOK)
	waitFor[bool](v, "the reply in the widget", widgetJS+`.querySelector(".kc-agent") != null`)
	who := eval[string](v, widgetJS+`.querySelector(".kc-agent .kc-who").textContent`)
	body := eval[string](v, widgetJS+`.querySelector(".kc-agent .kc-body").textContent`)
	if who != "Amina: " || body != reply {
		t.Fatalf("the widget shows %q %q", who, body)
	}
	msgs, err := d.db.Messages(ctx, conv.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	stored := msgs[len(msgs)-1]
	if stored.Body != reply {
		t.Fatalf("last stored message %+v", stored)
	}
	// From the commit to the widget: the server's clock and the browser's
	// are the same machine's.
	latency := time.Duration(eval[float64](v, `window.replyAt`)-float64(stored.CreatedAt.UnixMilli())) * time.Millisecond
	t.Logf("%s: the reply showed in the widget %s after it was stored", transport, latency)

	// Delivered once the widget said it shows it. (The widget answers
	// within milliseconds, often before the console's page, reloaded after
	// sending, has opened its live stream: so read the page afresh.)
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := d.db.Message(ctx, stored.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveryStatus == kindred.DeliveryDelivered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply is %s, want delivered", m.DeliveryStatus)
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.open(fmt.Sprintf("/conversations/%d", conv.ID), http.StatusOK)
	if txt := a.text(fmt.Sprintf("#delivery-%d", stored.ID)); txt != "Delivered to the web chat" {
		t.Errorf("delivery says %q", txt)
	}
	if got := eval[string](v, widgetJS+`.querySelector(".kc-log").textContent`); strings.Contains(got, "INTERNAL") {
		t.Fatalf("the widget shows the internal note: %q", got)
	}

	// Escape closes the chat and gives focus back to the launcher.
	v.do("press Escape", chromedp.KeyEvent(kb.Escape))
	waitFor[bool](v, "focus back on the launcher", widgetJS+`.activeElement?.classList.contains("kc-launch")`)
	v.do("open again", chromedp.KeyEvent(kb.Enter))
	waitFor[bool](v, "the chat open again", widgetJS+`.querySelector("#kc-panel").hidden === false`)

	if transport != "auto" {
		v.noPageErrors()
		return
	}
	// axe-core, on the whole page with the chat open: English, larger
	// text, Kiswahili, and Kiswahili at normal size.
	checkAxe(v, "chat widget (English)")
	v.screenshot("chat-widget-en")
	v.do("larger text", chromedp.Click(inWidget(".kc-size")))
	waitFor[bool](v, "larger text on", widgetJS+`.querySelector(".kc").classList.contains("kc-large")`)
	if eval[string](v, widgetJS+`.querySelector(".kc-size").getAttribute("aria-pressed")`) != "true" {
		t.Error("the larger-text button does not say it is pressed")
	}
	checkAxe(v, "chat widget (English, larger text)")
	v.screenshot("chat-widget-en-large")
	v.do("Kiswahili", chromedp.Click(inWidget(".kc-lang")))
	waitFor[bool](v, "the widget in Kiswahili", widgetJS+`.querySelector(".kc-title").textContent === "Ongea nasi"`)
	if who := eval[string](v, widgetJS+`.querySelector(".kc-visitor .kc-who").textContent`); who != "Wewe: " {
		t.Errorf("in Kiswahili the visitor is %q", who)
	}
	if lang := eval[string](v, widgetJS+`.querySelector(".kc").getAttribute("lang")`); lang != "sw" {
		t.Errorf("the widget's lang is %q", lang)
	}
	checkAxe(v, "chat widget (Kiswahili, larger text)")
	v.screenshot("chat-widget-sw-large")
	v.do("normal text", chromedp.Click(inWidget(".kc-size")))
	checkAxe(v, "chat widget (Kiswahili)")
	v.screenshot("chat-widget-sw")

	// Too long: said in the visitor's language, and nothing sent.
	v.do("paste a long message", chromedp.Evaluate[chromedp.Void](widgetJS+`.querySelector("#kc-input").value = "a".repeat(2001)`))
	v.do("send", chromedp.Click(inWidget(".kc-send")))
	waitFor[bool](v, "the widget to refuse the long message", `/2\D?001/.test(`+widgetJS+`.querySelector(".kc-error").textContent)`)
	if n, _ := d.db.Messages(ctx, conv.ID, 0, 100); len(n) != len(msgs) {
		t.Errorf("a refused message was stored: %d messages, want %d", len(n), len(msgs))
	}
	// Remembered: the language and text size stay after a reload, and the
	// returning visitor sees their conversation.
	v.open("/", http.StatusOK)
	waitFor[bool](v, "the widget again", `document.querySelector("#kindred-chat")?.shadowRoot.querySelector(".kc.kc-ready") != null`)
	if got := eval[string](v, widgetJS+`.querySelector(".kc-launch").textContent`); got != "Ongea nasi" {
		t.Errorf("after a reload the launcher says %q", got)
	}
	v.do("open", chromedp.Click(inWidget(".kc-launch")))
	waitFor[bool](v, "the history", widgetJS+`.querySelectorAll(".kc-msg").length === 2`)
	v.noPageErrors()
	a.noPageErrors()

	if os.Getenv("KINDRED_CHAT_SCREENSHOT") != "" {
		// The README's picture: the conversation as the visitor sees it.
		v.do("English", chromedp.Click(inWidget(".kc-lang")))
		v.screenshot("chat-widget-readme")
	}
}
