package web_test

// axe-core, vendored in testdata/axe.min.js (see testdata/axe.README.md for
// its version and licence), checks each page against WCAG 2.2 AA.

import (
	_ "embed"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe.min.js
var axeSource string

// axeTags are the rule sets run: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeViolation is one failed rule, with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"` // CSS selectors (nested arrays inside shadow roots)
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResult is what the page's axe.run resolves to, trimmed to what we report.
type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Incomplete []struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes int    `json:"nodes"`
	} `json:"incomplete"`
	Version string `json:"version"`
}

// runAxe injects axe-core into the page the tab shows and runs the WCAG 2.2 AA
// rules on the whole document.
//
// The script goes in through the DevTools protocol (Runtime.evaluate), which
// the page's Content-Security-Policy does not govern, so the test needs no
// hole in the policy the console sends to real users.
func runAxe(tb *tab) axeResult {
	tb.t.Helper()
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		tb.do("inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	script := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, resultTypes: ["violations", "incomplete"]})
		.then(r => ({
			version: axe.version,
			violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
				nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary}))})),
			incomplete: r.incomplete.map(v => ({id: v.id, help: v.help, nodes: v.nodes.length})),
		}))`
	res, err := chromedp.Run(tb.ctx, chromedp.Evaluate[axeResult](script, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("run axe-core on %s: %v", tb.path(), err)
	}
	return res
}

// checkAxe runs axe-core on the page the tab shows and fails the test, with
// every finding, unless there are no violations. name says which page and
// mode it was, for the report and for /tmp/kindred-axe-findings.txt.
func checkAxe(tb *tab, name string) {
	tb.t.Helper()
	res := runAxe(tb)
	for _, inc := range res.Incomplete {
		// "Needs review" is not a violation: axe could not decide (colour
		// contrast over a gradient, say). Log it so a person can look.
		tb.t.Logf("axe %s on %s: needs review: %s (%s, %d elements)", res.Version, name, inc.ID, inc.Help, inc.Nodes)
	}
	if len(res.Violations) == 0 {
		return
	}
	report := formatViolations(name, tb.path(), res.Violations)
	recordFindings(tb.t, name, report)
	tb.t.Errorf("axe-core %s found %d WCAG 2.2 AA violations on %s:\n%s", res.Version, len(res.Violations), name, report)
}

func formatViolations(name, path string, vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  [%s] %s (%s): %s\n      %s\n", name, v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "      at %s on %s\n        %s\n", selectors(n.Target), path, abbreviate(n.HTML))
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				fmt.Fprintf(&b, "        %s\n", strings.TrimSpace(line))
			}
		}
	}
	return b.String()
}

func selectors(target []any) string {
	var parts []string
	for _, t := range target {
		parts = append(parts, fmt.Sprint(t))
	}
	return strings.Join(parts, " >>> ")
}

// findingsFile is where the findings go while the console is being built, so
// that the engineer writing the pages can read them without running the tests.
const findingsFile = "/tmp/kindred-axe-findings.txt"

var findings struct {
	sync.Mutex
	byPage map[string]string
}

// recordFindings adds the findings of one page and rewrites findingsFile.
func recordFindings(t *testing.T, name, report string) {
	findings.Lock()
	defer findings.Unlock()
	if findings.byPage == nil {
		findings.byPage = map[string]string{}
	}
	findings.byPage[t.Name()+" — "+name] = report
	writeFindings(t)
}

// writeFindings rewrites findingsFile with the findings of this run so far,
// or says there are none. It is a convenience for people: failing to write it
// does not fail a test. The caller holds findings' lock.
func writeFindings(t *testing.T) {
	keys := make([]string, 0, len(findings.byPage))
	for k := range findings.byPage {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core WCAG 2.2 AA violations found by go test -run 'Browser|Axe' ./internal/web/ (run of %s)\n\n",
		time.Now().Format(time.DateTime))
	if len(keys) == 0 {
		b.WriteString("none (in this run, so far if it is still going)\n")
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "%s\n%s\n", k, findings.byPage[k])
	}
	if err := os.WriteFile(findingsFile, []byte(b.String()), 0o644); err != nil {
		t.Logf("write %s: %v", findingsFile, err)
	}
}

// startFindings begins a fresh findingsFile for this run.
func startFindings(t *testing.T) {
	findings.Lock()
	defer findings.Unlock()
	if findings.byPage == nil {
		findings.byPage = map[string]string{}
		writeFindings(t)
	}
}

// TestAxeHarnessFindsViolationsUnderAStrictPolicy makes sure the accessibility
// check is not vacuous: under the console's kind of Content-Security-Policy,
// axe-core runs, passes an accessible page and names the faults of a poor one.
func TestAxeHarnessFindsViolationsUnderAStrictPolicy(t *testing.T) {
	requireBrowser(t)
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness</title></head><body>%s</body></html>`, body)
		}
	}
	mux.HandleFunc("/good", page(`<main><h1>Good</h1><label for="q">Name</label><input id="q" name="q"></main>`))
	mux.HandleFunc("/poor", page(`<main><h1>Poor</h1><img src="/x.png"><input name="q"><button></button></main>`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tb := newTab(t, srv.URL)
	tb.open("/good", 200)
	if res := runAxe(tb); len(res.Violations) > 0 {
		t.Errorf("accessible page: want no violations, got:\n%s", formatViolations("good", "/good", res.Violations))
	}
	tb.open("/poor", 200)
	res := runAxe(tb)
	var ids []string
	for _, v := range res.Violations {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"image-alt", "label", "button-name"} {
		if !slices.Contains(ids, want) {
			t.Errorf("poor page: want violation %s, got %v", want, ids)
		}
	}
	if res.Version == "" {
		t.Error("axe-core reported no version")
	}
}

// openStatus navigates to path and returns the status of the page that loads.
func (tb *tab) openStatus(path string) int64 {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// TestAxeEveryPageHasNoViolations runs axe-core's WCAG 2.2 AA rules on every
// page of the console, at normal size and in large-text mode: zero violations.
func TestAxeEveryPageHasNoViolations(t *testing.T) {
	requireBrowser(t)
	startFindings(t)
	d := newDesk(t)
	first := emptyDesk(t) // a desk on its first run, for the setup page
	for _, large := range []bool{false, true} {
		mode := "normal"
		if large {
			mode = "large-text"
		}
		t.Run(mode, func(t *testing.T) {
			page := func(name string) string { return name + " (" + mode + ")" }

			// One tab walks the desk as its people do: signed out, then as
			// an administrator, then as an agent. A fresh renderer is the
			// slow part of an axe run, so the tab is reused throughout.
			tb := newTab(t, d.url)
			tb.open("/login", http.StatusOK)
			tb.setLargeText(large)
			checkAxe(tb, page("sign-in"))
			tb.do("fill in a wrong password",
				chromedp.SendKeys(chromedp.CSS("input#email"), d.agent.Email),
				chromedp.SendKeys(chromedp.CSS("input#password"), "not the password"),
				chromedp.Click(chromedp.CSS("button#sign-in")),
				chromedp.WaitVisible(chromedp.CSS("#form-error")),
			)
			tb.assertMode(large)
			checkAxe(tb, page("sign-in refused"))

			// An administrator's day: inbox, a conversation with the coach
			// showing, a customer's profile, the admin page, pages not found.
			tb.signIn(d.admin)
			tb.setLargeText(large)
			checkAxe(tb, page("inbox"))
			tb.screenshot("inbox-" + mode)

			tb.open(d.conversationPath(), http.StatusOK)
			tb.do("type a draft", chromedp.SendKeys(chromedp.CSS("textarea#reply"), coldReply))
			waitFor[bool](tb, "the coach's suggestions", `document.querySelectorAll("ol#coach-suggestions > li").length > 0`)
			tb.do("ask for a simpler explanation", chromedp.Click(chromedp.CSS("button#simpler"), chromedp.NodeVisible))
			waitFor[bool](tb, "#simpler-text", `(document.querySelector("#simpler-text")?.textContent ?? "").trim() !== ""`)
			tb.assertMode(large)
			checkAxe(tb, page("conversation with the coach"))

			tb.open(d.customerPath(), http.StatusOK)
			tb.assertMode(large)
			checkAxe(tb, page("customer profile"))

			tb.open("/admin", http.StatusOK)
			tb.assertMode(large)
			checkAxe(tb, page("admin"))

			// An agent's edit form, reached from the admin page, then the
			// same form sent back with a problem beside a field.
			tb.submit(fmt.Sprintf(`a.edit-agent[href="/admin/agents/%d"]`, d.agent.ID), http.StatusOK)
			tb.assertMode(large)
			checkAxe(tb, page("edit agent"))
			tb.do("clear the agent's name", chromedp.SetValue(chromedp.CSS("input#edit-name"), " "))
			tb.submit("button#save-agent", http.StatusUnprocessableEntity)
			tb.mustExist("#edit-name-error")
			tb.assertMode(large)
			checkAxe(tb, page("edit agent with a problem"))

			if got := tb.openStatus("/conversations/999999"); got != http.StatusNotFound {
				t.Errorf("a conversation that does not exist: status %d, want 404", got)
			}
			tb.assertMode(large)
			checkAxe(tb, page("404 conversation"))
			if got := tb.openStatus("/no/such/page"); got != http.StatusNotFound {
				t.Errorf("an unknown address: status %d, want 404", got)
			}
			checkAxe(tb, page("404 address"))

			// An agent is not an administrator: 403.
			tb.submit("form#sign-out button", http.StatusOK)
			tb.signIn(d.agent)
			tb.setLargeText(large)
			if got := tb.openStatus("/admin"); got != http.StatusForbidden {
				t.Errorf("an agent opening /admin: status %d, want 403", got)
			}
			tb.assertMode(large)
			checkAxe(tb, page("403"))

			// A desk on its first run, its setup page opened without the
			// one-time link. (Its own tab: cookies of one host are shared
			// across ports, and this desk has nobody signed in.)
			setup := newTab(t, first.url)
			setup.open("/login", http.StatusOK)
			setup.setLargeText(large)
			status := setup.openStatus("/setup")
			t.Logf("setup without its link: %d on %s", status, setup.path())
			setup.assertMode(large)
			checkAxe(setup, page("setup without link"))

			tb.noPageErrors()
			setup.noPageErrors()
		})
	}
}
