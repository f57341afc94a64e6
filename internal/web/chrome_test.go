package web_test

// The harness of the browser tests: one headless Chromium for the whole test
// binary, a fresh tab (in its own browser context, so cookies never leak
// between tests) for each test, and small helpers that wait for conditions
// with deadlines rather than sleeping.
//
// The browser tests need Debian's chromium. Where it is missing they skip,
// saying so, so that the README's `go test ./...` passes on any machine;
// KINDRED_REQUIRE_BROWSER=1 (set by .ci/run) turns the skip into a failure.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const (
	// tabTimeout bounds everything one test does in its tab.
	tabTimeout = 90 * time.Second
	// waitTimeout bounds one wait for a condition, so that a failure names
	// the condition that never came true rather than the whole test's deadline.
	waitTimeout = 15 * time.Second

	// The desktop window the pages are laid out in (and screenshotted at).
	windowWidth, windowHeight = 1280, 900
)

// TestMain stops the shared browser, when a test started one, once every test
// has run. The browser itself starts lazily (see requireBrowser), so a run
// that selects no browser test never starts Chromium. It is the only TestMain
// of the package's tests: Go allows one across web and web_test.
func TestMain(m *testing.M) {
	code := m.Run()
	browser.stop()
	os.Exit(code)
}

// chromiumCandidates are the names and paths tried, in order, for the browser.
var chromiumCandidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findChromium returns the path of a Chromium (or Chrome) executable, or "".
// KINDRED_CHROMIUM, when set, names the only one to try.
func findChromium() string {
	candidates := chromiumCandidates
	if p := os.Getenv("KINDRED_CHROMIUM"); p != "" {
		candidates = []string{p}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// browserRequired reports whether a missing browser must fail the tests
// instead of skipping them; CI sets it so that nothing passes by skipping.
func browserRequired() bool { return os.Getenv("KINDRED_REQUIRE_BROWSER") == "1" }

// sharedBrowserState is the one browser of this test binary.
type sharedBrowserState struct {
	once   sync.Once
	ctx    context.Context // a chromedp context whose browser is running
	cancel context.CancelFunc
	err    error
	path   string
}

var browser sharedBrowserState

func (b *sharedBrowserState) start() {
	b.path = findChromium()
	if b.path == "" {
		return
	}
	// The flags are those that run Chromium on our machines: headless, as
	// root (hence no sandbox), without a GPU, and without the background
	// networking that a closed network refuses. chromedp makes a fresh
	// temporary --user-data-dir and removes it when the browser stops.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(b.path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true), // screenshots without scrollbars
		chromedp.WindowSize(windowWidth, windowHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b.cancel = func() { cancelCtx(); cancelAlloc() }
	// The first Do starts the browser; its context must have no deadline, or
	// the deadline would end the browser. So bound the start from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		b.err = err
	case <-time.After(60 * time.Second):
		b.err = errors.New("chromium did not start within 60s")
	}
	if b.err != nil {
		b.cancel()
		return
	}
	b.ctx = ctx
}

func (b *sharedBrowserState) stop() {
	if b.cancel != nil {
		b.cancel()
	}
}

// requireBrowser starts the shared browser, or skips the test (fails it, when
// KINDRED_REQUIRE_BROWSER=1) when no Chromium is installed.
func requireBrowser(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(browser.start)
	if browser.path == "" {
		looked := strings.Join(chromiumCandidates, ", ")
		if p := os.Getenv("KINDRED_CHROMIUM"); p != "" {
			looked = "KINDRED_CHROMIUM=" + p
		}
		msg := "chromium not found: install Debian's chromium to run the browser tests (looked for " + looked + ")"
		if browserRequired() {
			t.Fatal(msg + "; KINDRED_REQUIRE_BROWSER=1 forbids skipping")
		}
		t.Skip(msg)
	}
	if browser.err != nil {
		t.Fatalf("start %s: %v", browser.path, browser.err)
	}
	return browser.ctx
}

// tab is one browser tab of a test, pointed at one server.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL, without a trailing slash

	mu      sync.Mutex
	console []chromedp.ConsoleMessage // exceptions and errors the pages logged
}

// newTab opens a tab in a new browser context (its own cookies and storage)
// for base, with a deadline for everything the test does in it.
func newTab(t *testing.T, base string) *tab {
	t.Helper()
	parent := requireBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab; no deadline on its first run
		t.Fatalf("open tab: %v", err)
	}
	ctx, cancelDeadline := context.WithTimeout(ctx, tabTimeout)
	t.Cleanup(cancelDeadline)
	tb := &tab{t: t, ctx: ctx, base: strings.TrimSuffix(base, "/")}

	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleError {
				tb.mu.Lock()
				tb.console = append(tb.console, m)
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelDeadline()
		<-done
		if t.Failed() {
			tb.mu.Lock()
			defer tb.mu.Unlock()
			for _, m := range tb.console {
				t.Logf("the page logged: %s (%s:%d)", m, m.URL, m.Line)
			}
		}
	})
	return tb
}

// do runs actions in the tab, failing the test with what was being done.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", abbreviate(expr), err)
	}
	return v
}

// open navigates to path and checks the status of the page that loads.
func (tb *tab) open(path string, wantStatus int64) {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	tb.checkResponse("open "+path, resp, wantStatus)
}

// submit clicks sel, which submits a form or follows a link, and waits for the
// page it leads to (after redirects), checking its status.
func (tb *tab) submit(sel string, wantStatus int64) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("click %s: %v (on %s)", sel, err, tb.path())
	}
	tb.checkResponse("click "+sel, resp, wantStatus)
}

func (tb *tab) checkResponse(what string, resp *network.Response, want int64) {
	tb.t.Helper()
	if resp == nil {
		tb.t.Fatalf("%s: no response", what)
	}
	if resp.Status != want {
		tb.t.Fatalf("%s: got %s status %d %s, want %d", what, resp.URL, resp.Status, resp.StatusText, want)
	}
}

// path is the path (and query) of the page the tab shows.
func (tb *tab) path() string {
	loc, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// waitFor waits until the JavaScript expression is truthy, for at most
// waitTimeout, and returns its value.
func waitFor[T any](tb *tab, what, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0)))
	if err != nil {
		tb.t.Fatalf("waiting for %s on %s: %v\n(condition: %s)", what, tb.path(), err, abbreviate(expr))
	}
	return v
}

// text returns the trimmed text of the first element matching sel, waiting
// for it to be present.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s on %s: %v", sel, tb.path(), err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// exists reports whether sel matches an element now.
func (tb *tab) exists(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
}

// mustExist fails the test when sel matches nothing on the page.
func (tb *tab) mustExist(sel string) {
	tb.t.Helper()
	if !tb.exists(sel) {
		tb.t.Fatalf("%s: no element matches %s", tb.path(), sel)
	}
}

// noPageErrors fails the test if a page threw an exception or reported a
// Content-Security-Policy violation: the pages are meant to run their own
// scripts cleanly under their own policy.
func (tb *tab) noPageErrors() {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.console {
		switch {
		case m.IsException():
			tb.t.Errorf("page threw: %s (%s:%d)", m.Text, m.URL, m.Line)
		case strings.Contains(m.Text, "Content Security Policy"):
			tb.t.Errorf("page broke its own Content-Security-Policy: %s (%s)", m.Text, m.URL)
		case m.Source == "network":
			// A 401, 403 or 404 the test asked for; the status is checked where it is.
		default:
			tb.t.Logf("page logged: %s (%s)", m, m.URL)
		}
	}
}

// screenshot writes a PNG of the whole page to the repository's screenshots/
// folder (ignored by git), and to /screenshots when it can, for a person to
// look at.
func (tb *tab) screenshot(name string) string {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.MkdirAll("/screenshots", 0o755); err == nil {
		if err := os.WriteFile(filepath.Join("/screenshots", name+".png"), png, 0o644); err != nil {
			tb.t.Logf("screenshot %s: %v", name, err)
		}
	}
	abs, _ := filepath.Abs(path)
	tb.t.Logf("screenshot: %s", abs)
	return abs
}

// cookies returns the cookies the tab holds for its server.
func (tb *tab) cookies() []*network.Cookie {
	tb.t.Helper()
	res, err := chromedp.Run(tb.ctx, func(ctx context.Context, t *chromedp.Target) (*network.GetCookiesResult, error) {
		r, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.base}})
		return &r, err
	})
	if err != nil {
		tb.t.Fatalf("read cookies: %v", err)
	}
	return res.Cookies
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			if r < 0x20 || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
