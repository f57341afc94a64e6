package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"

	"github.com/kindred-desk/kindred"
)

//go:embed templates static
var embedded embed.FS

// assets serves the embedded static files. Pages link to them with a
// ?v=<content hash>, so a versioned URL can be cached for a year: a new
// build changes the hash, and browsers fetch the new file.
type assets struct {
	fs      fs.FS
	version map[string]string // file name to a short hash of its content
}

func newAssets(fsys fs.FS) *assets {
	a := &assets{fs: fsys, version: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.version[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic("web: read static files: " + err.Error())
	}
	return a
}

// url is the versioned address of a static file.
func (a *assets) url(name string) string {
	v, ok := a.version[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + v
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path
	v, ok := a.version[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(a.fs, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == v {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("ETag", `"`+v+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// pages holds one parsed template set per page: the layout, the shared
// partials, and the page's own content.
type pages struct {
	sets map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join": strings.Join,
	// fileSize says an attachment's size in words: "12 KB".
	"fileSize":  kindred.FileSize,
	"agentName": agentName,
}

// agentName is how a list of agents names a: by name, and where another
// agent of the list has the same name (two Wanjiru Kamaus at one office),
// with their email too, or else their number, so that a lead picks the
// right one.
func agentName(agents []kindred.Agent, a kindred.Agent) string {
	for _, o := range agents {
		if o.ID != a.ID && strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(a.Name)) {
			if a.Email != "" {
				return a.Name + " (" + a.Email + ")"
			}
			return a.Name + " (#" + strconv.FormatInt(a.ID, 10) + ")"
		}
	}
	return a.Name
}

func mustParsePages(a *assets) *pages {
	names, err := fs.Glob(embedded, "templates/pages/*.html")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("web: no page templates: %v", err))
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		t := template.Must(template.New(path.Base(n)).Funcs(templateFuncs).
			ParseFS(embedded, "templates/layout.html", "templates/partials.html", n))
		p.sets[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p
}

// render writes page name with data, buffered so that a template error
// becomes a clean 500 instead of half a page.
func (p *pages) render(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, name string, data any) {
	p.renderTemplate(w, r, log, status, name, "layout", data)
}

// renderTemplate writes one named template of page set name: the layout,
// or a fragment such as the coach panel.
func (p *pages) renderTemplate(w http.ResponseWriter, r *http.Request, log *slog.Logger, status int, name, tmpl string, data any) {
	t, ok := p.sets[name]
	if !ok {
		panic("web: no page " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("err", err.Error()))
		http.Error(w, "Something went wrong on our side. It has been logged.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// view is what every page's layout needs: the language, the person signed
// in, their text size, where the page is (for forms that come back to it).
type view struct {
	Lang      string
	Title     string
	Agent     *kindred.Agent
	LargeText bool
	Back      string // this page's address, for the preference forms
	Nav       string // the section to mark current in the navigation
	Live      int64  // the conversation this page shows, for live updates
	LiveLobby bool   // the page follows the lobby's queue (a desk page)
	Scripts   []string

	// Which features this desk runs, for the navigation and links to them.
	HasLobby    bool
	CanVerify   bool
	HasCare     bool
	HasAccounts bool // people can change their own password (/account)
	HasInsights bool
	HasSaved    bool // saved replies
	HasOutbox   bool // the outbox page, for leads
	HasAudit    bool // the audit log page, for admins
	// USSDCode is what people dial for the desk's USSD menu, where a
	// one-time code is read out (*384*1234#); "" when not configured.
	USSDCode string

	p      *message.Printer
	assets *assets
	now    time.Time      // when the page is made, for "today" and "yesterday"
	loc    *time.Location // the desk's clock
}

func (c *Console) view(r *http.Request, q *request, title string) *view {
	v := &view{
		Lang:      langCode(q.lang),
		Agent:     q.agent,
		LargeText: q.prefs.LargeText,
		Back:      r.URL.RequestURI(), // the language form drops its ?lang= (see preferences)
		p:         printer(q.lang),
		assets:    c.static,
		now:       c.cfg.Now(),
		loc:       c.cfg.Location,

		HasLobby:    c.cfg.Lobby != nil,
		CanVerify:   c.cfg.Verify != nil,
		HasCare:     c.cfg.Care != nil,
		HasAccounts: c.cfg.Accounts != nil,
		HasInsights: c.cfg.Insights != nil,
		HasSaved:    c.cfg.SavedReplies != nil,
		HasOutbox:   c.cfg.Outbox != nil,
		HasAudit:    c.cfg.Audit != nil,
		USSDCode:    c.cfg.USSDCode,
	}
	if r.Method != http.MethodGet {
		v.Back = "/"
		if ref := r.Header.Get("Referer"); ref != "" {
			if u, err := url.Parse(ref); err == nil && u.Host == r.Host {
				v.Back = localPath(u.RequestURI(), "/")
			}
		}
	}
	v.Title = v.T(title)
	if q.agent != nil && q.agent.Role != kindred.RoleKiosk {
		v.Scripts = []string{"live.js", "keys.js"}
	}
	return v
}

// T translates a message (its English text) into the page's language, with
// Printf-style arguments.
func (v *view) T(key string, args ...any) string { return v.p.Sprintf(key, args...) }

// Asset is the versioned address of a static file.
func (v *view) Asset(name string) string { return v.assets.url(name) }

// IsAdmin reports whether the person signed in is an administrator.
func (v *view) IsAdmin() bool { return v.Agent != nil && v.Agent.Role == kindred.RoleAdmin }

// IsLead reports whether the person signed in leads a team (or administers
// the desk): they see the team's insights.
func (v *view) IsLead() bool {
	return v.Agent != nil && (v.Agent.Role == kindred.RoleLead || v.Agent.Role == kindred.RoleAdmin)
}

// When is a date and time in the reader's language, on the desk's clock
// (Config.Location, not the server's zone): "today, 09:14", "yesterday, 16:30", or
// "23 November 2026, 09:14". The numbers are written plainly: the message
// printer would group a year's digits ("2,026") as it does a count's.
func (v *view) When(t time.Time) string {
	t = t.In(v.clock())
	clock := fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute())
	now := v.now.In(v.clock())
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	switch day(now).Sub(day(t)).Round(time.Hour) / (24 * time.Hour) {
	case 0:
		return v.T("today, %s", clock)
	case 1:
		return v.T("yesterday, %s", clock)
	}
	return strconv.Itoa(t.Day()) + " " + v.T(t.Month().String()) + " " + strconv.Itoa(t.Year()) + ", " + clock
}

// clock is the desk's time zone; a view made outside a request (tests of
// the words alone) has the machine's.
func (v *view) clock() *time.Location {
	if v.loc != nil {
		return v.loc
	}
	return time.Local
}

// Waited is how long, roughly, a person has been waiting.
func (v *view) Waited(d time.Duration) string {
	switch {
	case d < time.Minute:
		return v.T("under a minute")
	case d < time.Hour:
		return v.T("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return v.T("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	default:
		return v.T("%d days", int(d.Hours()/24))
	}
}

// Label is the reader's words for a value of the domain vocabulary.
func (v *view) Label(x any) string {
	switch x := x.(type) {
	case kindred.Status:
		return v.T(statusLabels[x])
	case kindred.Priority:
		return v.T(priorityLabels[x])
	case kindred.Channel:
		return v.T(channelLabels[x])
	case kindred.Role:
		return v.T(roleLabels[x])
	case kindred.Accommodation:
		return v.T(accommodationLabels[x].label)
	case kindred.HelperScope:
		return v.T(scopeLabels[x])
	case kindred.Direction:
		return v.T(directionLabels[x])
	}
	return fmt.Sprint(x)
}

// languageName is a customer's language as the page names it, and as its
// speakers do when that differs: "Swahili" and "Kiswahili" on an English page.
type languageName struct {
	Name string // in the page's language; the raw code when unknown
	Self string // in the language itself, when it differs from Name
	Tag  string // the language's code, for lang="" on Self
}

// LanguageName names the language with BCP 47 code, for people rather than
// machines: "en" is "English" on an English page, "Kiingereza" on a
// Kiswahili one.
func (v *view) LanguageName(code string) languageName {
	tag, err := language.Parse(code)
	if err != nil || tag == language.Und {
		return languageName{Name: code}
	}
	namer := display.English.Tags()
	if v.Lang == "sw" {
		namer = display.Swahili.Tags()
	}
	n := languageName{Name: namer.Name(tag), Tag: tag.String()}
	if base, conf := tag.Base(); n.Name == "" || conf == language.No || base.String() == "und" {
		return languageName{Name: code}
	}
	if self := display.Self.Name(tag); self != "" && self != n.Name {
		n.Self = self
	}
	return n
}

var statusLabels = map[kindred.Status]string{
	kindred.StatusOpen:              "Open",
	kindred.StatusWaitingOnCustomer: "Waiting on the customer",
	kindred.StatusWaitingOnUs:       "Waiting on us",
	kindred.StatusResolved:          "Resolved",
}

var priorityLabels = map[kindred.Priority]string{
	kindred.PriorityLow:    "Low",
	kindred.PriorityNormal: "Normal",
	kindred.PriorityHigh:   "High",
	kindred.PriorityUrgent: "Urgent",
}

var channelLabels = map[kindred.Channel]string{
	kindred.ChannelDesk:     "At the desk",
	kindred.ChannelEmail:    "Email",
	kindred.ChannelChat:     "Chat",
	kindred.ChannelSMS:      "SMS",
	kindred.ChannelUSSD:     "USSD",
	kindred.ChannelPhone:    "Phone",
	kindred.ChannelWhatsApp: "WhatsApp",
}

var roleLabels = map[kindred.Role]string{
	kindred.RoleAdmin: "Administrator",
	kindred.RoleLead:  "Team lead",
	kindred.RoleAgent: "Agent",
	kindred.RoleKiosk: "Kiosk",
}

var scopeLabels = map[kindred.HelperScope]string{
	kindred.ScopeReceiveCodes:       "May receive one-time codes",
	kindred.ScopeActOnConversations: "May speak for the customer",
}

var directionLabels = map[kindred.Direction]string{
	kindred.Inbound:      "From the customer",
	kindred.Outbound:     "Our reply",
	kindred.InternalNote: "Internal note",
}

// accommodationLabels name the accommodations. Their icons are inline SVG
// in partials.html ("icon"): emoji and symbol characters show as empty
// boxes where the desk computer's fonts lack them.
var accommodationLabels = map[kindred.Accommodation]struct{ label string }{
	kindred.LargeText:     {"Needs large text"},
	kindred.ReadAloud:     {"Read things aloud"},
	kindred.ExtraTime:     {"Give extra time"},
	kindred.Seating:       {"Needs a seat"},
	kindred.SignLanguage:  {"Uses sign language"},
	kindred.HearingLoop:   {"Uses a hearing loop"},
	kindred.LowVision:     {"Low vision"},
	kindred.Wheelchair:    {"Uses a wheelchair"},
	kindred.PlainLanguage: {"Use plain language"},
}

// withoutLang drops ?lang= from a local address, so that a saved language
// choice is not overridden by the one the page was opened with.
func withoutLang(p string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	q := u.Query()
	if !q.Has("lang") {
		return p
	}
	q.Del("lang")
	u.RawQuery = q.Encode()
	return u.RequestURI()
}
