package web_test

// Browser tests of the agent console: a real headless Chromium (see
// chrome_test.go) signs in, works a conversation with the live compassion
// coach, and checks the pages with axe-core (axe_test.go), at normal size and
// in large-text mode. They run against the real console and JSON API over a
// real SQLite store, through httptest.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/auth"
	"github.com/kindred-desk/kindred/internal/store"
	"github.com/kindred-desk/kindred/internal/web"
)

// The replies the agent drafts: one cold and unhelpful, one warm and concrete.
const (
	coldReply = "Fill the form again. As I already said, we can't do anything about the post."
	warmReply = "Baba Otieno, I'm so sorry your card hasn't arrived, and that the cold makes writing hard. " +
		"You don't need to fill the form again: I've reprinted your card today and posted it to your daughter's address; " +
		"it will reach you by Friday 28 November. I'll call you on Thursday to check."
	customerMessage = "My card has not come and I am 82, my hands go numb in the cold so I cannot fill the form again. " +
		"My daughter helps me with the phone."
)

// officialese is an earlier reply in the conversation, in the language of
// forms: "explain it again, more simply" has work to do on it.
const officialese = "Your application for a replacement card has been received and is being processed in accordance with " +
	"the applicable procedures. Kindly await delivery through the postal service, which may take up to " +
	"thirty working days from the date of approval."

// person is a seeded agent and the password they sign in with.
type person struct {
	kindred.Agent
	password string
}

// desk is a running console with a seeded store.
type desk struct {
	url          string
	db           *store.DB
	admin, agent person
	customer     *kindred.Customer // Joseph Otieno, who needs care
	conversation *kindred.Conversation
}

// seedActor is who the audit log names for the seeded data.
var seedActor = kindred.Actor{Name: "browser test seed", Role: kindred.RoleAdmin}

// newDesk starts a desk (see emptyDesk) seeded with two agents, Joseph
// Otieno's conversation and a calmer one.
func newDesk(t *testing.T) *desk {
	t.Helper()
	d := emptyDesk(t)
	ctx := kindred.WithActor(context.Background(), seedActor)
	d.admin = d.addAgent(t, ctx, "Amina Wanjiru", "amina@desk.example", kindred.RoleAdmin)
	d.agent = d.addAgent(t, ctx, "Grace Achieng", "grace@desk.example", kindred.RoleAgent)
	d.seed(t, ctx)
	return d
}

// feature wires one of kindred's features into a test desk, as kindred
// serve wires it: db is the desk's store, base its address.
type feature func(db *store.DB, base string, console *web.Config, api *api.Config)

// emptyDesk starts the console and the JSON API, mounted as `kindred serve`
// mounts them, over a new, empty SQLite store: a desk on its first run.
func emptyDesk(t *testing.T, features ...feature) *desk {
	t.Helper()
	ctx := kindred.WithActor(context.Background(), seedActor)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kindred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	analyzer := compassion.DeskAnalyzer{}
	consoleCfg := web.Config{
		Agents:        db,
		Customers:     db,
		Conversations: db,
		Sessions:      db,
		Analyzer:      analyzer,
		Logger:        logger,
	}
	apiCfg := api.Config{
		Agents:        db,
		Customers:     db,
		Conversations: db,
		Audit:         db,
		Outbox:        db,
		Analyzer:      analyzer,
		Ready:         db.Ping,
		Logger:        logger,
	}
	for _, f := range features {
		f(db, base, &consoleCfg, &apiCfg)
	}
	console := web.New(consoleCfg)
	apiCfg.OnMessage = console.Hub().Publish
	apiHandler := api.New(apiCfg)
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/ussd"} {
		mux.Handle(p, apiHandler)
	}
	mux.Handle("/", console)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	// Live-update streams stay open as long as a page is: end them first,
	// as serve does on shutdown, so that closing the server need not wait.
	t.Cleanup(console.Hub().Close)

	return &desk{url: srv.URL, db: db}
}

// passwordHashes keeps each seeded password's hash: argon2id is slow on
// purpose, and every test seeds the same agents.
var passwordHashes sync.Map

func (d *desk) addAgent(t *testing.T, ctx context.Context, name, email string, role kindred.Role) person {
	t.Helper()
	password := "a long pass phrase for " + strings.Fields(name)[0]
	h, ok := passwordHashes.Load(password)
	if !ok {
		hash, err := auth.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		h, _ = passwordHashes.LoadOrStore(password, hash)
	}
	hash := h.(string)
	a := kindred.Agent{Name: name, Email: email, Role: role}
	if err := d.db.CreateAgent(ctx, &a, hash); err != nil {
		t.Fatal(err)
	}
	return person{a, password}
}

// seed adds Joseph Otieno, who is 82 and whose card has not come, with what
// the desk knows of him, and a calmer customer beside him in the inbox.
func (d *desk) seed(t *testing.T, ctx context.Context) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The calm customer wrote first, so has waited longer: Baba Otieno must
	// still come first in the inbox, because he needs more care.
	other := &kindred.Customer{Name: "Wanjiku Kamau", Language: "sw", Email: "wanjiku@example.org"}
	must(d.db.CreateCustomer(ctx, other))
	c := &kindred.Conversation{CustomerID: other.ID, Channel: kindred.ChannelEmail, Subject: "Change of address", Priority: kindred.PriorityLow}
	must(d.db.CreateConversation(ctx, c))
	d.inbound(t, ctx, c, other, "Hello, I have moved to Nakuru. Please send my letters to the new address. Thank you.")

	d.customer = &kindred.Customer{
		Name:           "Joseph Otieno",
		PreferredName:  "Baba Otieno",
		Pronunciation:  "BAH-bah oh-TYEH-no",
		Language:       "en",
		Phone:          "+254712345678",
		Accommodations: []kindred.Accommodation{kindred.LargeText, kindred.ExtraTime},
	}
	must(d.db.CreateCustomer(ctx, d.customer))
	must(d.db.AddNote(ctx, &kindred.Note{CustomerID: d.customer.ID, Body: "His hands go numb in the cold"}))
	must(d.db.AddHelper(ctx, &kindred.Helper{
		CustomerID: d.customer.ID, Name: "Achieng Otieno", Relation: "daughter", Phone: "+254722000111",
		Scopes: []kindred.HelperScope{kindred.ScopeReceiveCodes}, Consent: "in person at desk 3, signed form",
	}))
	d.conversation = &kindred.Conversation{CustomerID: d.customer.ID, Channel: kindred.ChannelSMS, Subject: "Replacement card has not arrived"}
	must(d.db.CreateConversation(ctx, d.conversation))
	asked := d.inbound(t, ctx, d.conversation, d.customer, "I asked for a new card at the desk in October.")
	// An earlier explanation, in officialese: "explain it again, more simply" has work to do.
	d.outbound(t, ctx, d.conversation, d.customer, asked, d.agent, officialese)
	d.inbound(t, ctx, d.conversation, d.customer, customerMessage)

}

// inbound stores a customer's message with the engine's analysis, as the
// API does, so that the inbox shows its badges.
func (d *desk) inbound(t *testing.T, ctx context.Context, c *kindred.Conversation, cu *kindred.Customer, body string) *kindred.Message {
	t.Helper()
	m := &kindred.Message{ConversationID: c.ID, Direction: kindred.Inbound, AuthorName: cu.Name, Body: body}
	m.Analysis = compassion.DeskAnalyzer{}.Analyze(m, nil, cu)
	if err := d.db.AddMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// outbound stores an agent's reply to the customer message in, analysed.
func (d *desk) outbound(t *testing.T, ctx context.Context, c *kindred.Conversation, cu *kindred.Customer, in *kindred.Message, by person, body string) {
	t.Helper()
	id := by.ID
	m := &kindred.Message{ConversationID: c.ID, Direction: kindred.Outbound, AuthorID: &id, AuthorName: by.Name, Body: body}
	m.Analysis = compassion.DeskAnalyzer{}.Analyze(m, in, cu)
	if err := d.db.AddMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
}

func (d *desk) conversationPath() string { return fmt.Sprintf("/conversations/%d", d.conversation.ID) }
func (d *desk) customerPath() string     { return fmt.Sprintf("/customers/%d", d.customer.ID) }

// testWriter sends the server's warnings and errors to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// signIn signs p in through the sign-in form, as a person does.
func (tb *tab) signIn(p person) {
	tb.t.Helper()
	tb.open("/login", http.StatusOK)
	tb.do("fill in the sign-in form",
		chromedp.WaitVisible(chromedp.CSS("form#login")),
		chromedp.SendKeys(chromedp.CSS("input#email"), p.Email),
		chromedp.SendKeys(chromedp.CSS("input#password"), p.password),
	)
	tb.submit("button#sign-in", http.StatusOK)
	if got := tb.path(); got != "/inbox" {
		tb.t.Fatalf("after signing in as %s: on %s, want /inbox", p.Email, got)
	}
}

// checkSessionCookie checks, as the browser holds them, that the cookies set
// by signing in are out of scripts' reach and not sent on cross-site requests.
func (tb *tab) checkSessionCookie() {
	tb.t.Helper()
	cookies := tb.cookies()
	if len(cookies) == 0 {
		tb.t.Fatal("signed in, but the browser holds no cookie")
	}
	for _, c := range cookies {
		if !c.HTTPOnly {
			tb.t.Errorf("cookie %s is readable by scripts: want HttpOnly", c.Name)
		}
		if c.SameSite != network.CookieSameSiteLax && c.SameSite != network.CookieSameSiteStrict {
			tb.t.Errorf("cookie %s has SameSite=%q, want Lax or Strict", c.Name, c.SameSite)
		}
	}
	if visible := eval[string](tb, `document.cookie`); visible != "" {
		tb.t.Errorf("document.cookie shows %q to scripts", visible)
	}
}

// largeText reports whether the page is in large-text mode.
func (tb *tab) largeText() bool {
	tb.t.Helper()
	return eval[bool](tb, `document.body.classList.contains("large-text")`)
}

// setLargeText turns large-text mode on or off with the page's own toggle.
func (tb *tab) setLargeText(on bool) {
	tb.t.Helper()
	if tb.largeText() == on {
		return
	}
	before := tb.path()
	tb.submit("form#text-size button#toggle-large-text", http.StatusOK)
	if got := tb.path(); got != before {
		tb.t.Errorf("the text-size toggle on %s led to %s, want the same page back", before, got)
	}
	if tb.largeText() != on {
		tb.t.Fatalf("after the text-size toggle on %s: body class large-text is %v, want %v", before, !on, on)
	}
}

// inEveryMode runs walk as p, in a new tab, once in each of the console's
// four modes: English and Kiswahili, each at normal size and with large
// text. The tab is signed in and set to the mode; mode names the run
// ("sw-large") for axe's reports.
func inEveryMode(t *testing.T, base string, p person, walk func(t *testing.T, tb *tab, mode string, large bool)) {
	t.Helper()
	for _, lang := range []string{"en", "sw"} {
		for _, large := range []bool{false, true} {
			mode := lang
			if large {
				mode += "-large"
			}
			t.Run(mode, func(t *testing.T) {
				tb := newTab(t, base)
				tb.signIn(p)
				tb.setLargeText(large)
				tb.submit(`form#language button[value="`+lang+`"]`, http.StatusOK)
				walk(t, tb, mode, large)
			})
		}
	}
}

// assertMode checks that the page is in the mode the test chose.
func (tb *tab) assertMode(large bool) {
	tb.t.Helper()
	if got := tb.largeText(); got != large {
		tb.t.Errorf("%s: large-text mode is %v, want %v (it should persist across pages)", tb.path(), got, large)
	}
}

// coachScore reads the number #coach-score shows, or reports that it shows none.
func (tb *tab) coachScore() (float64, bool) {
	tb.t.Helper()
	return parseScore(tb.text("#coach-score"))
}

func parseScore(s string) (float64, bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Trim(f[0], "."), 64)
	return v, err == nil
}

// scoreJS is a JavaScript expression for the number #coach-score shows, or NaN.
const scoreJS = `(() => { const e = document.querySelector("#coach-score");
	const m = e && e.textContent.match(/\d+(\.\d+)?/); return m ? parseFloat(m[0]) : NaN; })()`

// highlightsShowJS is a JavaScript condition: #coach-highlights shows the
// whole of draft, so the coach's panel is about that draft. The words of the
// draft must appear in order; words between them (labels for screen readers,
// such as "could hurt:") are allowed.
func highlightsShowJS(draft string) string {
	return `((draft) => {
		const words = s => s.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(w => w);
		const shown = words(document.querySelector("#coach-highlights")?.textContent ?? "");
		let i = 0;
		for (const w of shown) { if (i < draft.length && w === draft[i]) i++; }
		return i === draft.length;
	})(` + jsWords(draft) + `)`
}

// jsWords is the JavaScript array of the lower-case words of s, split as
// highlightsShowJS splits them.
func jsWords(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	q := make([]string, len(f))
	for i, w := range f {
		q[i] = jsString(w)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// clearReply empties #reply with the keyboard, as a person does: select all,
// then delete, so that the page sees its input events.
func (tb *tab) clearReply() {
	tb.t.Helper()
	tb.do("clear the reply",
		chromedp.Focus(chromedp.CSS("textarea#reply")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
	)
	if v := eval[string](tb, `document.querySelector("textarea#reply").value`); v != "" {
		tb.t.Fatalf("the reply still holds %q after select-all and delete", v)
	}
}

// TestBrowserAgentAnswersWithTheCoach is the console's main path, in both
// modes: an agent signs in, opens the inbox and the conversation, types a cold
// reply and sees the coach's suggestions, improves it and sees the score rise,
// sends it and sees it in the history.
func TestBrowserAgentAnswersWithTheCoach(t *testing.T) {
	requireBrowser(t)
	for _, large := range []bool{false, true} {
		name := "normal"
		if large {
			name = "large-text"
		}
		t.Run(name, func(t *testing.T) {
			d := newDesk(t)
			tb := newTab(t, d.url)
			suffix := ""
			if large {
				suffix = "-large"
			}

			tb.signIn(d.agent)
			if !large {
				tb.checkSessionCookie()
			}
			tb.setLargeText(large)
			tb.assertMode(large)

			// The inbox: Baba Otieno's conversation, with calm, textual badges.
			tb.open("/inbox", http.StatusOK)
			tb.assertMode(large)
			link := fmt.Sprintf(`a.conversation-link[href="%s"]`, d.conversationPath())
			tb.mustExist(link)
			if first := eval[string](tb, `document.querySelector("a.conversation-link")?.getAttribute("href") ?? ""`); first != d.conversationPath() {
				t.Errorf("the inbox lists %s first, want Baba Otieno's %s: he needs more care, though he has waited less",
					first, d.conversationPath())
			}
			badges := eval[[]string](tb, `[...document.querySelectorAll(".badge")].map(b => b.textContent.trim()).filter(s => s)`)
			if len(badges) == 0 {
				t.Errorf("inbox: no .badge with text, though Baba Otieno wrote in distress and is elderly")
			}
			t.Logf("inbox badges: %q", badges)
			tb.screenshot("inbox" + suffix)

			tb.submit(link, http.StatusOK)
			if got := tb.path(); got != d.conversationPath() {
				t.Fatalf("the inbox link led to %s, want %s", got, d.conversationPath())
			}
			tb.assertMode(large)

			// The history and the customer card.
			history := tb.text("ol#history")
			if !strings.Contains(history, "my hands go numb in the cold") {
				t.Errorf("#history does not show the customer's message; it shows %q", abbreviate(history))
			}
			tb.mustExist("ol#history > li.message.in")
			card := tb.text("aside#customer-card")
			for _, want := range []string{"Baba Otieno", "His hands go numb in the cold", "Achieng Otieno"} {
				if !strings.Contains(card, want) {
					t.Errorf("#customer-card does not show %q; it shows %q", want, abbreviate(card))
				}
			}
			if live := eval[string](tb, `document.querySelector("section#coach")?.getAttribute("aria-live") ?? ""`); live != "polite" {
				t.Errorf(`section#coach has aria-live=%q, want "polite"`, live)
			}

			// "Explain it again, more simply": a plainer version of our last
			// explanation, for people who need to hear it twice.
			tb.do("ask for a simpler explanation", chromedp.Click(chromedp.CSS("button#simpler"), chromedp.NodeVisible))
			simpler := waitFor[string](tb, "#simpler-text", `(document.querySelector("#simpler-text")?.textContent ?? "").trim()`)
			t.Logf("simpler: %q", simpler)
			if simpler == officialese {
				t.Errorf("#simpler-text repeats our last explanation word for word: %q", simpler)
			}

			// A cold reply: the coach suggests, and scores it. The coach's
			// highlights show the draft it read, so waiting for the whole
			// draft there means the score is the whole draft's.
			tb.do("type the cold reply", chromedp.SendKeys(chromedp.CSS("textarea#reply"), coldReply))
			waitFor[bool](tb, "the coach's suggestions and score for the whole cold reply",
				`document.querySelectorAll("ol#coach-suggestions > li").length > 0 && !Number.isNaN(`+scoreJS+`) && `+
					highlightsShowJS(coldReply))
			suggestions := eval[[]string](tb, `[...document.querySelectorAll("ol#coach-suggestions > li")].map(li => li.textContent.trim())`)
			if len(suggestions) > 3 {
				t.Errorf("the coach gave %d suggestions, want at most three: %q", len(suggestions), suggestions)
			}
			cold, _ := tb.coachScore()
			t.Logf("cold reply: score %v, suggestions %q", cold, suggestions)
			if hurts := eval[[]string](tb, `[...document.querySelectorAll("#coach-highlights mark.hurts")].map(m => m.textContent)`); len(hurts) == 0 {
				t.Errorf("#coach-highlights marks nothing that hurts in %q", coldReply)
			} else {
				t.Logf("cold reply: hurts %q", hurts)
			}
			tb.screenshot("conversation-coach" + suffix)

			// The warm, concrete reply: the score rises.
			tb.clearReply()
			tb.do("type the warm reply", chromedp.SendKeys(chromedp.CSS("textarea#reply"), warmReply))
			warm := waitFor[float64](tb, fmt.Sprintf("the coach's score for the whole warm reply to rise above the cold reply's %v", cold),
				fmt.Sprintf(`(() => { const s = %s; return s > %v && %s ? s : 0; })()`, scoreJS, cold, highlightsShowJS(warmReply)))
			t.Logf("warm reply: score %v (cold %v)", warm, cold)
			if helps := eval[[]string](tb, `[...document.querySelectorAll("#coach-highlights mark.helps")].map(m => m.textContent)`); len(helps) == 0 {
				t.Errorf("#coach-highlights marks nothing that helps in the warm reply")
			}

			// Send it; it is in the history, as our reply.
			tb.submit("button#send", http.StatusOK)
			if got := tb.path(); got != d.conversationPath() {
				t.Errorf("sending led to %s, want back to %s", got, d.conversationPath())
			}
			outs := eval[[]string](tb, `[...document.querySelectorAll("ol#history > li.message.out")].map(li => li.textContent)`)
			if len(outs) == 0 || !strings.Contains(outs[len(outs)-1], "I've reprinted your card today") {
				t.Errorf("the sent reply is not the last li.message.out in #history; those are %q", outs)
			}
			if v := eval[string](tb, `document.querySelector("textarea#reply").value`); v != "" {
				t.Errorf("the composer still holds %q after sending", abbreviate(v))
			}
			tb.assertMode(large)
			stored, err := d.db.Conversation(context.Background(), d.conversation.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			last := stored.Messages[len(stored.Messages)-1]
			if last.Direction != kindred.Outbound || last.Body != warmReply {
				t.Errorf("the last stored message is %s %q, want our reply exactly as typed", last.Direction, last.Body)
			}
			if last.Analysis == nil || last.Analysis.Compassion == nil {
				t.Errorf("the sent reply was stored without its compassion score")
			}

			// The customer's profile.
			tb.open(d.customerPath(), http.StatusOK)
			tb.assertMode(large)
			profile := tb.text("main")
			for _, want := range []string{"Joseph Otieno", "Baba Otieno", "Achieng Otieno", "His hands go numb in the cold"} {
				if !strings.Contains(profile, want) {
					t.Errorf("the profile does not show %q", want)
				}
			}
			tb.screenshot("profile" + suffix)

			if large {
				// The mode is the agent's, remembered: it survives signing out and in.
				tb.submit("form#sign-out button", http.StatusOK)
				if got := tb.path(); got != "/login" {
					t.Errorf("signing out led to %s, want /login", got)
				}
				tb.open("/inbox", http.StatusOK) // signed out: the sign-in page, not the inbox
				if tb.exists(link) {
					t.Errorf("after signing out the inbox still shows conversations")
				}
				tb.signIn(d.agent)
				tb.assertMode(true)
			}
			tb.noPageErrors()
		})
	}
}

// TestBrowserSignInRefusesAWrongPassword: the form says so, in #form-error,
// and the person stays signed out.
func TestBrowserSignInRefusesAWrongPassword(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	tb := newTab(t, d.url)
	tb.open("/login", http.StatusOK)
	tb.do("fill in a wrong password",
		chromedp.SendKeys(chromedp.CSS("input#email"), d.agent.Email),
		chromedp.SendKeys(chromedp.CSS("input#password"), "not the password"),
	)
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS("button#sign-in"), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status < 400 || resp.Status >= 500 {
		t.Errorf("a wrong password answered %d, want a 4xx", resp.Status)
	}
	if msg := tb.text("#form-error"); msg == "" {
		t.Error("#form-error is empty after a wrong password")
	}
	if got := eval[string](tb, `document.querySelector("input#email").value`); got != d.agent.Email {
		t.Errorf("the email field holds %q after a failed sign-in, want it kept: %q", got, d.agent.Email)
	}
	tb.open("/inbox", http.StatusOK)
	if tb.path() == "/inbox" && tb.exists("a.conversation-link") {
		t.Error("the inbox opened after a refused sign-in")
	}
	tb.noPageErrors()
}

// TestBrowserKeyboardReachesSkipLinkFirst: from the top of the sign-in page,
// the first Tab reaches "Skip to main content", and keyboard focus is visible
// on the sign-in button.
func TestBrowserKeyboardReachesSkipLinkFirst(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	tb := newTab(t, d.url)
	tb.open("/login", http.StatusOK)

	tb.do("press Tab", chromedp.KeyEvent(kb.Tab))
	first := eval[string](tb, `document.activeElement ? document.activeElement.textContent.trim() : ""`)
	if first != "Skip to main content" {
		t.Errorf("the first Tab reaches %q, want the link \"Skip to main content\"", first)
	}
	target := eval[string](tb, `(() => { const a = document.activeElement; const h = a && a.getAttribute("href");
		return h && h.startsWith("#") && document.getElementById(h.slice(1)) ? h : ""; })()`)
	if target == "" {
		t.Errorf("the skip link does not point at an element of the page")
	}
	if !eval[bool](tb, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`) {
		t.Errorf("the focused skip link is not visible")
	}

	// Tab on to the sign-in button: it must show where focus is.
	const maxTabs = 20
	for i := 0; ; i++ {
		if eval[bool](tb, `document.activeElement && document.activeElement.id === "sign-in"`) {
			break
		}
		if i == maxTabs {
			t.Fatalf("%d presses of Tab never reached button#sign-in", maxTabs)
		}
		tb.do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	style := eval[map[string]string](tb, `(() => { const s = getComputedStyle(document.activeElement);
		return {outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, boxShadow: s.boxShadow,
			focusVisible: String(document.activeElement.matches(":focus-visible"))}; })()`)
	outlined := style["outlineStyle"] != "none" && style["outlineWidth"] != "0px"
	if !outlined && style["boxShadow"] == "none" {
		t.Errorf("button#sign-in shows no focus: computed outline %s %s, box-shadow %s", style["outlineStyle"], style["outlineWidth"], style["boxShadow"])
	}
	t.Logf("focus on button#sign-in: %v", style)
	tb.noPageErrors()
}

// TestBrowserConversationFitsAt200PercentZoom: at 200% zoom a 1280-pixel
// window is 640 CSS pixels wide; the conversation page must not scroll
// sideways, in either mode.
func TestBrowserConversationFitsAt200PercentZoom(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	tb.do("emulate 200% zoom", chromedp.EmulateViewport(windowWidth/2, windowHeight/2))
	for _, large := range []bool{false, true} {
		tb.setLargeText(large)
		tb.open(d.conversationPath(), http.StatusOK)
		tb.do("type a draft so the coach shows", chromedp.SendKeys(chromedp.CSS("textarea#reply"), coldReply))
		waitFor[bool](tb, "the coach's suggestions", `document.querySelectorAll("ol#coach-suggestions > li").length > 0`)
		size := eval[map[string]float64](tb, `({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})`)
		if size["scrollWidth"] > size["innerWidth"] {
			wide := eval[[]string](tb, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
				.slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : ""))`)
			t.Errorf("large text %v: the conversation scrolls sideways at 200%% zoom: scrollWidth %v > innerWidth %v; too wide: %q",
				large, size["scrollWidth"], size["innerWidth"], wide)
		}
		suffix := ""
		if large {
			suffix = "-large"
		}
		tb.screenshot("conversation-200pct" + suffix)
	}
	tb.noPageErrors()
}

// TestBrowserConsoleSpeaksKiswahili: the language form turns the console into
// Kiswahili, marked as such for screen readers, and the pages stay accessible.
func TestBrowserConsoleSpeaksKiswahili(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	english := tb.text("a.skip-link, body > a[href='#main']")
	tb.submit(`form#language button[name="lang"][value="sw"]`, http.StatusOK)
	if got := eval[string](tb, `document.documentElement.lang`); got != "sw" {
		t.Errorf(`after choosing Kiswahili, <html lang=%q>, want "sw"`, got)
	}
	if sw := tb.text("a.skip-link, body > a[href='#main']"); sw == english {
		t.Errorf("after choosing Kiswahili the skip link still reads %q", sw)
	}
	for _, path := range []string{"/inbox", d.conversationPath(), d.customerPath()} {
		tb.open(path, http.StatusOK)
		if got := eval[string](tb, `document.documentElement.lang`); got != "sw" {
			t.Errorf(`%s: <html lang=%q>, want "sw": the choice should persist`, path, got)
		}
		checkAxe(tb, "Kiswahili "+path)
	}
	tb.noPageErrors()
}

// TestBrowserNewMessageAppearsWithoutReload: while an agent has the
// conversation open, a message that arrives through the JSON API appears in
// the history at once (Server-Sent Events), and a polite notice says so.
func TestBrowserNewMessageAppearsWithoutReload(t *testing.T) {
	requireBrowser(t)
	d := newDesk(t)
	secret, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	ctx := kindred.WithActor(context.Background(), seedActor)
	if err := d.db.CreateToken(ctx, &kindred.Token{AgentID: d.admin.ID, Name: "sms gateway", Hash: hash}); err != nil {
		t.Fatal(err)
	}

	tb := newTab(t, d.url)
	tb.signIn(d.agent)
	tb.openLive(d.conversationPath(), d.conversation.ID)

	const body = "Thank you. My daughter will collect it on Saturday."
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/conversations/%d/messages", d.url, d.conversation.ID),
		strings.NewReader(fmt.Sprintf(`{"direction": "in", "body": %q}`, body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("POST the message through the API: status %d", resp.StatusCode)
	}

	waitFor[bool](tb, "the new message in #history without a reload",
		`[...document.querySelectorAll("ol#history > li.message.in")].some(li => li.textContent.includes(`+jsString(body)+`))`)
	notice := waitFor[string](tb, "a notice of the new message",
		`(document.querySelector("#live-notice")?.textContent ?? "").trim()`)
	t.Logf("live notice: %q", notice)
	if strings.ContainsAny(notice, `"\`) {
		t.Errorf("the live notice reads %s: quotes and escapes are not words for people", notice)
	}
	if live := eval[string](tb, `document.querySelector("#live-notice")?.getAttribute("aria-live") ?? document.querySelector("#live-notice")?.getAttribute("role") ?? ""`); live != "polite" && live != "status" {
		t.Errorf(`#live-notice is announced with %q, want aria-live="polite" or role="status"`, live)
	}
	tb.noPageErrors()
}

// openLive opens the page of conversation id and waits until its
// live-update stream is answered.
func (tb *tab) openLive(path string, id int64) {
	tb.t.Helper()
	tb.streamAfter(id, func() { tb.open(path, http.StatusOK) })
}

// streamAfter runs action, which leads to the page of conversation id, and
// waits until that page's live-update stream is answered. The server
// subscribes the page to updates before it answers the stream's request,
// so once the browser has the answer no news is missed.
func (tb *tab) streamAfter(id int64, action func()) {
	tb.t.Helper()
	responses := chromedp.Events(tb.ctx, network.ResponseReceived)
	action()
	streamCtx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	for ev, err := range responses {
		if err != nil || streamCtx.Err() != nil {
			break
		}
		// Only this page's own stream counts: the inbox, where signing in
		// lands, opens one too, and its answer may arrive late.
		if strings.Contains(ev.Response.URL, fmt.Sprintf("/events?conversation=%d", id)) && ev.Response.Status == http.StatusOK {
			return
		}
	}
	tb.t.Fatalf("the conversation page opened no live-update stream (GET /events) within %s", waitTimeout)
}
