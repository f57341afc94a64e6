package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/kindred-desk/kindred"
)

// The USSD menu serves basic phones through a USSD gateway in the common
// format (Africa's Talking and others): each request carries the form fields
// sessionId, serviceCode, phoneNumber and text, where text is every input of
// the session so far joined by "*" ("" on the first request). The answer is
// text/plain starting "CON " (show this and wait for input) or "END " (show
// this and hang up). Screens are at most 182 characters, what every handset
// shows.
//
// The menu is worked out afresh from the whole of text on each request, so
// it keeps no session state of its own. A request the gateway sends again
// (same session, same text) gets the same answer without doing anything
// twice: answers are remembered for a while, and joining a queue from a
// phone that already holds a ticket shows that ticket instead of a second.

// ussdMaxScreen is the most a USSD screen shows.
const ussdMaxScreen = 182

type ussd struct {
	s    *server
	memo *ussdMemo
}

func newUSSD(s *server) *ussd { return &ussd{s: s, memo: newUSSDMemo(10*time.Minute, 20000)} }

func (u *ussd) serve(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, err := fmt.Fprintln(w, "the form could not be read")
		return err
	}
	var missing []string
	for _, f := range []string{"sessionId", "serviceCode", "phoneNumber", "text"} {
		if _, ok := r.Form[f]; !ok {
			missing = append(missing, f)
		}
	}
	session, phone, text := r.Form.Get("sessionId"), strings.TrimSpace(r.Form.Get("phoneNumber")), r.Form.Get("text")
	if len(missing) == 0 && (session == "" || phone == "") {
		missing = append(missing, "sessionId and phoneNumber must not be empty")
	}
	if len(missing) > 0 || len(text) > 1000 || len(session) > 200 {
		w.WriteHeader(http.StatusBadRequest)
		msg := "missing field(s): " + strings.Join(missing, ", ")
		if len(missing) == 0 {
			msg = "text or sessionId is too long"
		}
		_, err := fmt.Fprintln(w, msg)
		return err
	}
	if num, err := phonenumbers.Parse(phone, u.s.cfg.DefaultRegion); err == nil && phonenumbers.IsValidNumber(num) {
		phone = phonenumbers.Format(num, phonenumbers.E164)
	}
	key := session + "\x00" + phone + "\x00" + text
	// The answer is worked out to the end even if the gateway gives up
	// waiting: its retry is then answered from the memo.
	ctx := context.WithoutCancel(r.Context())
	answer := u.memo.do(key, func() (string, bool) {
		a := u.answer(ctx, phone, text)
		return fitScreen(a), !isFailure(a)
	})
	_, err := w.Write([]byte(answer))
	return err
}

// fitScreen keeps an answer within one screen.
func fitScreen(s string) string {
	if utf8.RuneCountInString(s) <= ussdMaxScreen {
		return s
	}
	return string([]rune(s)[:ussdMaxScreen-1]) + "…"
}

// clipTo shortens a name to n characters.
func clipTo(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// ussdWords are the menu's words in one language.
type ussdWords struct {
	main, again, queues, noQueues, noLobby, back, hours, noHours string
	ticket, already, place, called, noTicket, tooMany            string
	code, helperCode, noCode, noKey, failed                      string
	waitRange, waitOne, waitSoon                                 string
}

const ussdLanguageMenu = "CON Welcome / Karibu.\nChoose a language / Chagua lugha:\n1. English\n2. Kiswahili"

var ussdLanguageAgain = "CON Please reply 1 or 2. / Tafadhali jibu 1 au 2.\n1. English\n2. Kiswahili"

var ussdText = map[string]ussdWords{
	"en": {
		main:       "Welcome. Reply with a number:\n1. Join a queue\n2. My place and wait\n3. Hear my one-time code\n4. Office hours",
		again:      "Sorry, that is not on the list. Please try again.\n",
		queues:     "Choose a service:",
		noQueues:   "END No services are taking tickets right now. Please try again later.",
		noLobby:    "END Queue tickets are not available on this line. Please ask at the office.",
		back:       "0. Back",
		hours:      "END Office hours: %s",
		noHours:    "END Please ask at the office for the opening hours.",
		ticket:     "END Your ticket is %s for %s. You are number %d in line. Wait: %s. We will send an SMS when your turn is near.",
		already:    "END You already have ticket %s for %s. You are number %d in line. Wait: %s.",
		place:      "END Ticket %s: you are number %d in line. Wait: %s.",
		called:     "END Ticket %s: it is your turn now. Please go to the desk.",
		noTicket:   "END You have no ticket today. Dial again and choose 1 to join a queue.",
		tooMany:    "END This phone has had the most tickets it may take today. Please ask at the office.",
		code:       "END Your one-time code is %s. It works until %s. Do not share it.",
		helperCode: "END The code for %s is %s. It works until %s. Give it only to the desk officer.",
		noCode:     "END There is no code waiting for this phone. Ask the desk officer to send one.",
		noKey:      "END Codes cannot be read out on this line yet. Please ask the desk officer to send yours by SMS.",
		failed:     "END Sorry, something went wrong on our side. Please try again in a few minutes.",
		waitRange:  "about %d-%d minutes",
		waitOne:    "about %d minutes",
		waitSoon:   "a few minutes",
	},
	"sw": {
		main:       "Karibu. Jibu kwa nambari:\n1. Jiunge na foleni\n2. Nafasi yangu na muda\n3. Sikia namba yangu ya uthibitisho\n4. Saa za ofisi",
		again:      "Samahani, hilo halipo kwenye orodha. Jaribu tena.\n",
		queues:     "Chagua huduma:",
		noQueues:   "END Hakuna huduma inayotoa tiketi sasa. Tafadhali jaribu baadaye.",
		noLobby:    "END Tiketi za foleni hazipatikani kwa laini hii. Tafadhali uliza ofisini.",
		back:       "0. Rudi",
		hours:      "END Saa za ofisi: %s",
		noHours:    "END Tafadhali uliza ofisini saa za kufungua.",
		ticket:     "END Tiketi yako ni %s ya %s. Wewe ni nambari %d kwenye foleni. Kusubiri: %s. Tutakutumia SMS zamu yako ikikaribia.",
		already:    "END Tayari una tiketi %s ya %s. Wewe ni nambari %d kwenye foleni. Kusubiri: %s.",
		place:      "END Tiketi %s: wewe ni nambari %d kwenye foleni. Kusubiri: %s.",
		called:     "END Tiketi %s: ni zamu yako sasa. Tafadhali nenda dawatini.",
		noTicket:   "END Huna tiketi leo. Piga tena uchague 1 ili ujiunge na foleni.",
		tooMany:    "END Simu hii imepata tiketi nyingi zaidi zinazoruhusiwa leo. Tafadhali uliza ofisini.",
		code:       "END Namba yako ya uthibitisho ni %s. Inatumika hadi saa %s. Usimpe mtu mwingine.",
		helperCode: "END Namba ya uthibitisho ya %s ni %s. Inatumika hadi saa %s. Mpe afisa wa dawati pekee.",
		noCode:     "END Hakuna namba ya uthibitisho inayosubiri simu hii. Mwombe afisa wa dawati akutumie.",
		noKey:      "END Namba za uthibitisho haziwezi kusomwa kwenye laini hii bado. Tafadhali mwombe afisa wa dawati akutumie kwa SMS.",
		failed:     "END Samahani, kuna hitilafu upande wetu. Tafadhali jaribu tena baada ya dakika chache.",
		waitRange:  "takriban dakika %d-%d",
		waitOne:    "takriban dakika %d",
		waitSoon:   "dakika chache",
	},
}

// ussdState is where the caller is in the menu.
type ussdState int

const (
	stateLanguage ussdState = iota
	stateMain
	stateQueues
)

// answer works out the screen for the session's inputs so far.
func (u *ussd) answer(ctx context.Context, phone, text string) string {
	var inputs []string
	if text != "" {
		inputs = strings.Split(text, "*")
	}
	lang, state := "", stateLanguage
	caller, err := u.s.cfg.Verify.Caller(ctx, phone)
	switch {
	case err == nil:
		if strings.HasPrefix(caller.Language, "sw") {
			lang = "sw"
		} else if strings.HasPrefix(caller.Language, "en") {
			lang = "en"
		}
	case kindred.ErrorKind(err) != kindred.NotFound:
		return u.failed(ctx, "", "Caller", err)
	}
	if lang != "" {
		state = stateMain
	}
	invalid := false
	var queues []kindred.Queue
	for _, in := range inputs {
		in = strings.TrimSpace(in)
		before := state
		switch state {
		case stateLanguage:
			switch in {
			case "1":
				lang, state = "en", stateMain
			case "2":
				lang, state = "sw", stateMain
			}
		case stateMain:
			switch in {
			case "1":
				if u.s.cfg.Lobby == nil {
					return ussdText[lang].noLobby
				}
				state = stateQueues
			case "2":
				return u.place(ctx, lang, phone)
			case "3":
				return u.readCode(ctx, lang, phone)
			case "4":
				return u.hours(lang)
			}
		case stateQueues:
			if in == "0" {
				state = stateMain
				break
			}
			if queues == nil {
				if queues, err = u.queues(ctx); err != nil {
					return u.failed(ctx, lang, "Queues", err)
				}
			}
			if n, err := strconv.Atoi(in); err == nil && n >= 1 && n <= len(queues) {
				return u.join(ctx, lang, phone, caller, queues[n-1])
			}
		}
		invalid = state == before
	}
	words := ussdText[lang]
	switch state {
	case stateLanguage:
		if invalid {
			return ussdLanguageAgain
		}
		return ussdLanguageMenu
	case stateQueues:
		if queues == nil {
			if queues, err = u.queues(ctx); err != nil {
				return u.failed(ctx, lang, "Queues", err)
			}
		}
		if len(queues) == 0 {
			return words.noQueues
		}
		return u.queueMenu(words, queues, invalid)
	}
	if invalid {
		return "CON " + words.again + words.main
	}
	return "CON " + words.main
}

// queues lists the services a caller may join, at most what fits a screen.
func (u *ussd) queues(ctx context.Context) ([]kindred.Queue, error) {
	qs, err := u.s.cfg.Lobby.Queues(ctx)
	if err != nil {
		return nil, err
	}
	if len(qs) > 8 {
		qs = qs[:8]
	}
	if qs == nil {
		qs = []kindred.Queue{}
	}
	return qs, nil
}

// queueMenu lists the services, shortening long names to fit one screen.
func (u *ussd) queueMenu(words ussdWords, qs []kindred.Queue, invalid bool) string {
	head := "CON "
	if invalid {
		head += words.again
	}
	head += words.queues
	foot := "\n" + words.back
	room := ussdMaxScreen - utf8.RuneCountInString(head) - utf8.RuneCountInString(foot)
	per := room/len(qs) - len("\n1. ")
	var b strings.Builder
	b.WriteString(head)
	for i, q := range qs {
		fmt.Fprintf(&b, "\n%d. %s", i+1, clipTo(q.Name, max(per, 4)))
	}
	b.WriteString(foot)
	return b.String()
}

// wait says an estimate in words: "about 10-20 minutes".
func wait(words ussdWords, e kindred.WaitEstimate) string {
	switch {
	case e.HighMinutes <= 0:
		return words.waitSoon
	case e.LowMinutes >= e.HighMinutes:
		return fmt.Sprintf(words.waitOne, e.HighMinutes)
	}
	return fmt.Sprintf(words.waitRange, e.LowMinutes, e.HighMinutes)
}

// join gives the caller a ticket, or shows the one they already hold.
func (u *ussd) join(ctx context.Context, lang, phone string, caller *kindred.Customer, q kindred.Queue) string {
	words := ussdText[lang]
	if t, err := u.s.cfg.Lobby.TicketByPhone(ctx, phone); err == nil {
		return fmt.Sprintf(words.already, t.Number, clipTo(u.queueName(ctx, t.QueueCode), 40), t.Position, wait(words, t.Wait))
	} else if kindred.ErrorKind(err) != kindred.NotFound {
		return u.failed(ctx, lang, "TicketByPhone", err)
	}
	t := &kindred.Ticket{QueueCode: q.Code, Phone: phone, Language: lang}
	if caller != nil {
		t.CustomerID = &caller.ID
	}
	if err := u.s.cfg.Lobby.IssueTicket(ctx, t); err != nil {
		if kindred.ErrorKind(err) == kindred.RateLimited {
			return words.tooMany
		}
		return u.failed(ctx, lang, "IssueTicket", err)
	}
	return fmt.Sprintf(words.ticket, t.Number, clipTo(q.Name, 40), t.Position, wait(words, t.Wait))
}

// queueName names a service by its code, or gives the code.
func (u *ussd) queueName(ctx context.Context, code string) string {
	qs, err := u.s.cfg.Lobby.Queues(ctx)
	if err != nil {
		return code
	}
	for _, q := range qs {
		if q.Code == code {
			return q.Name
		}
	}
	return code
}

func (u *ussd) place(ctx context.Context, lang, phone string) string {
	words := ussdText[lang]
	if u.s.cfg.Lobby == nil {
		return words.noLobby
	}
	t, err := u.s.cfg.Lobby.TicketByPhone(ctx, phone)
	if kindred.ErrorKind(err) == kindred.NotFound {
		return words.noTicket
	}
	if err != nil {
		return u.failed(ctx, lang, "TicketByPhone", err)
	}
	if t.Status == kindred.TicketCalled || t.Position == 0 {
		return fmt.Sprintf(words.called, t.Number)
	}
	return fmt.Sprintf(words.place, t.Number, t.Position, wait(words, t.Wait))
}

func (u *ussd) readCode(ctx context.Context, lang, phone string) string {
	words := ussdText[lang]
	if u.s.cfg.GatewayKey == "" {
		// Without a gateway key anyone who reaches /ussd can name any
		// phone: reading codes out would hand them to a stranger.
		return words.noKey
	}
	r, err := u.s.cfg.Verify.ReadCode(ctx, phone, u.s.cfg.Now())
	if kindred.ErrorKind(err) == kindred.NotFound {
		return words.noCode
	}
	if err != nil {
		return u.failed(ctx, lang, "ReadCode", err)
	}
	until := r.Code.ExpiresAt.In(u.s.cfg.Location).Format("15:04")
	if r.Helper {
		return fmt.Sprintf(words.helperCode, clipTo(r.Customer, 40), r.Digits, until)
	}
	return fmt.Sprintf(words.code, r.Digits, until)
}

func (u *ussd) hours(lang string) string {
	words := ussdText[lang]
	if h := strings.TrimSpace(u.s.cfg.OfficeHours); h != "" {
		return fmt.Sprintf(words.hours, clipTo(h, 150))
	}
	return words.noHours
}

// failed logs err (once, here) and ends the session kindly.
func (u *ussd) failed(ctx context.Context, lang, op string, err error) string {
	u.s.log.ErrorContext(ctx, "ussd: "+op+" failed", errAttr(err))
	if lang == "" {
		lang = "en"
	}
	return ussdText[lang].failed
}

// ussdMemo remembers recent answers by session and text, so that a request
// the gateway repeats is answered the same without being acted on twice. A
// repeat that arrives while the first is still being answered waits for it.
type ussdMemo struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]*memoEntry
}

type memoEntry struct {
	done   chan struct{}
	answer string
	at     time.Time
}

func newUSSDMemo(ttl time.Duration, max int) *ussdMemo {
	return &ussdMemo{ttl: ttl, max: max, entries: map[string]*memoEntry{}}
}

// isFailure reports whether a is the "something went wrong" screen.
func isFailure(a string) bool {
	for _, w := range ussdText {
		if a == w.failed {
			return true
		}
	}
	return false
}

// do answers key once: a repeat gets the same answer, except that a failure
// is not remembered, so that a retry tries again.
func (m *ussdMemo) do(key string, answer func() (string, bool)) string {
	now := time.Now()
	m.mu.Lock()
	if e, ok := m.entries[key]; ok && now.Sub(e.at) < m.ttl {
		m.mu.Unlock()
		<-e.done
		return e.answer
	}
	if len(m.entries) >= m.max {
		for k, e := range m.entries {
			if now.Sub(e.at) >= m.ttl {
				delete(m.entries, k)
			}
		}
		if len(m.entries) >= m.max {
			// Still full of live sessions: forget the lot rather than grow
			// without bound; the lobby's one-ticket-per-phone rule still holds.
			m.entries = map[string]*memoEntry{}
		}
	}
	e := &memoEntry{done: make(chan struct{}), at: now}
	m.entries[key] = e
	m.mu.Unlock()
	defer close(e.done)
	var ok bool
	e.answer, ok = answer()
	if !ok {
		m.mu.Lock()
		if m.entries[key] == e {
			delete(m.entries, key)
		}
		m.mu.Unlock()
	}
	return e.answer
}
