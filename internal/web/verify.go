package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// The verification screens: staff send a one-time code from a customer's
// page (/customers/{id}/verify), then the customer types it on the desk's
// screen or at the kiosk (/codes/{id}). The kiosk finds a code by the phone
// it was sent to (/verify) and never shows whose it is.
//
// The screen follows WCAG 2.2: no countdown (2.2.1): the code's end is said
// as a clock time, and "More time" is a button that is always there while
// it can help; nothing to remember or transcribe by hand (3.3.8): the field
// takes autocomplete="one-time-code", paste, and the code with or without
// its space.

// verifyRoutes lists the verify pages.
func (c *Console) verifyRoutes() []route {
	return []route{
		{"GET /customers/{id}/verify", staff, c.verifyCustomer},
		{"POST /customers/{id}/codes", staff, c.sendCode},
		{"GET /codes/{id}", signedIn, c.codePage},
		{"POST /codes/{id}/check", signedIn, c.checkCode},
		{"POST /codes/{id}/extend", signedIn, c.extendCode},
		{"GET /verify", signedIn, c.findCodePage},
		{"POST /verify", signedIn, c.findCode},
	}
}

// sendPage is the form that sends a customer a code.
type sendPage struct {
	*view
	Customer *kindred.Customer
	Helpers  []kindred.Helper // those who may receive codes now
	Problems []string
	Chosen   string // the channel the form offers first: the customer's default, or what was posted
}

// ReadOutWhy says why the code is offered read out first, or "" when SMS is.
func (p *sendPage) ReadOutWhy() string {
	if kindred.DefaultCodeChannel(p.Customer) != kindred.CodeByVoice || p.Customer.Phone == "" {
		return ""
	}
	if p.Customer.HasAccommodation(kindred.ReadAloud) {
		return p.T("%s has asked for things to be read aloud, so the code is read out on their phone. You can still choose SMS.", p.Customer.AddressAs())
	}
	return p.T("%s has low vision, so the code is read out on their phone. You can still choose SMS.", p.Customer.AddressAs())
}

func (c *Console) loadSendPage(r *http.Request, q *request) (*sendPage, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	cust, err := c.cfg.Customers.Customer(r.Context(), id)
	if err != nil {
		return nil, err
	}
	all, err := c.cfg.Customers.Helpers(r.Context(), id)
	if err != nil {
		return nil, err
	}
	now := c.cfg.Now()
	var hs []kindred.Helper
	for _, h := range all {
		if h.Can(kindred.ScopeReceiveCodes, now) && h.Phone != "" {
			hs = append(hs, h)
		}
	}
	v := c.view(r, q, "Check who you are talking to")
	v.Nav = "customers"
	p := &sendPage{view: v, Customer: cust, Helpers: hs}
	switch {
	case cust.Phone != "":
		// Someone who cannot read a text hears the code on their phone
		// instead, unless the officer chooses SMS.
		p.Chosen = string(kindred.DefaultCodeChannel(cust))
	case len(hs) > 0:
		p.Chosen = "helper-" + strconv.FormatInt(hs[0].ID, 10)
	}
	return p, nil
}

// verifyCustomer offers the ways to send the customer a code.
func (c *Console) verifyCustomer(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadSendPage(r, q)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "verify_send", p)
	return nil
}

// sendCode sends the code and opens the screen where it is typed.
func (c *Console) sendCode(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	req := kindred.CodeRequest{CustomerID: id}
	switch ch := r.PostForm.Get("channel"); {
	case ch == "sms" || ch == "voice":
		req.Channel = kindred.CodeChannel(ch)
	case len(ch) > 7 && ch[:7] == "helper-":
		req.Channel = kindred.CodeToHelper
		req.HelperID, _ = strconv.ParseInt(ch[7:], 10, 64)
	}
	var problem string
	if req.Channel == "" {
		problem = "Choose how to send the code."
	}
	var code *kindred.Code
	if problem == "" {
		code, err = c.cfg.Verify.IssueCode(r.Context(), req, c.cfg.Now())
		switch {
		case err == nil:
		case kindred.ErrorKind(err) == kindred.RateLimited:
			problem = "This person has had several codes in the last few minutes. Please wait 15 minutes, or check who they are another way."
		case kindred.ErrorKind(err) == kindred.Forbidden:
			problem = "This helper may not receive codes now. Choose another way."
		case kindred.ErrorKind(err) == kindred.Invalid:
			problem = "There is no phone number to send the code to. Add one on the customer's page, or choose a helper."
		default:
			return err
		}
	}
	if problem != "" {
		p, lerr := c.loadSendPage(r, q)
		if lerr != nil {
			return lerr
		}
		p.Problems = []string{p.T(problem)}
		if ch := r.PostForm.Get("channel"); ch != "" {
			p.Chosen = ch
		}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "verify_send", p)
		return nil
	}
	http.Redirect(w, r, "/codes/"+strconv.FormatInt(code.ID, 10), http.StatusSeeOther)
	return nil
}

// codePage is the screen where the code is typed.
type codePage struct {
	*view
	Code     *kindred.Code
	Status   kindred.CodeStatus
	Customer *kindred.Customer // nil on the kiosk: it never shows whose code it is
	Helper   *kindred.Helper
	Kiosk    bool
	CanMore  bool
	Error    string // what went wrong with what was typed
	Notice   string // what just happened (more time given)
	Typed    string
}

// PhoneEnd is the last digits of the phone the code went to.
func (p *codePage) PhoneEnd() string {
	to := p.Code.To
	if len(to) > 3 {
		return to[len(to)-3:]
	}
	return to
}

// Until is the clock time the code works until.
func (p *codePage) Until() string { return p.When(p.Code.ExpiresAt) }

func (c *Console) loadCodePage(r *http.Request, q *request) (*codePage, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	code, err := c.cfg.Verify.Code(r.Context(), id)
	if err != nil {
		return nil, err
	}
	now := c.cfg.Now()
	v := c.view(r, q, "Type the code")
	p := &codePage{view: v, Code: code, Status: code.StatusAt(now), CanMore: code.CanExtend(now),
		Kiosk: q.agent.Role == kindred.RoleKiosk}
	if p.Kiosk {
		return p, nil
	}
	v.Nav = "customers"
	if p.Customer, err = c.cfg.Customers.Customer(r.Context(), code.CustomerID); err != nil {
		return nil, err
	}
	if code.HelperID != nil {
		if p.Helper, err = c.cfg.Customers.Helper(r.Context(), *code.HelperID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (c *Console) codePage(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := c.loadCodePage(r, q)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("more") == "1" && p.Status == kindred.CodeLive {
		p.Notice = p.T("You have more time. The code now works until %s.", p.Until())
	}
	c.pages.render(w, r, c.log, http.StatusOK, "verify_code", p)
	return nil
}

// checkCode checks what was typed. Right: the screen says so. Wrong: the
// screen again, with what was typed and the tries left.
func (c *Console) checkCode(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	typed := r.PostForm.Get("code")
	if len(typed) > 40 {
		typed = typed[:40]
	}
	_, cerr := c.cfg.Verify.CheckCode(r.Context(), id, typed, c.cfg.Now())
	kind := kindred.ErrorKind(cerr)
	if cerr != nil && kind != kindred.Invalid && kind != kindred.Locked {
		return cerr
	}
	p, err := c.loadCodePage(r, q)
	if err != nil {
		return err
	}
	status := http.StatusOK
	switch {
	case cerr == nil:
	case kind == kindred.Invalid:
		status = http.StatusUnprocessableEntity
		p.Typed = typed
		if _, ok := kindred.NormalizeCode(typed); !ok {
			p.Error = p.T("Please type the 6 digits of the code. The space in the middle does not matter.")
		} else if p.Code.TriesLeft == 1 {
			p.Error = p.T("That is not the code. You can try 1 more time.")
		} else {
			p.Error = p.T("That is not the code. You can try %d more times.", p.Code.TriesLeft)
		}
	default:
		status = http.StatusLocked
	}
	c.pages.render(w, r, c.log, status, "verify_code", p)
	return nil
}

// extendCode gives more time and comes back to the screen, which says so.
func (c *Console) extendCode(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	_, err = c.cfg.Verify.ExtendCode(r.Context(), id, c.cfg.Now())
	if kindred.ErrorKind(err) == kindred.Locked {
		p, lerr := c.loadCodePage(r, q)
		if lerr != nil {
			return lerr
		}
		c.pages.render(w, r, c.log, http.StatusLocked, "verify_code", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/codes/"+strconv.FormatInt(id, 10)+"?more=1", http.StatusSeeOther)
	return nil
}

// findPage is the kiosk's way in: the phone the code was sent to.
type findPage struct {
	*view
	Phone    string
	Problems []string
}

func (c *Console) findCodePage(w http.ResponseWriter, r *http.Request, q *request) error {
	c.pages.render(w, r, c.log, http.StatusOK, "verify_find", &findPage{view: c.view(r, q, "Type your code")})
	return nil
}

func (c *Console) findCode(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	p := &findPage{view: c.view(r, q, "Type your code"), Phone: r.PostForm.Get("phone")}
	var k api.Check
	phone := k.Phone("phone", p.Phone, c.cfg.DefaultRegion)
	if phone == "" {
		k.Add("phone", "")
	}
	if k.Err() != nil {
		p.Problems = []string{p.T("Please type the phone number the code was sent to, for example 0712 345 678.")}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "verify_find", p)
		return nil
	}
	code, err := c.cfg.Verify.LiveCode(r.Context(), phone, c.cfg.Now())
	var ke *kindred.Error
	if errors.As(err, &ke) && ke.Kind == kindred.NotFound {
		p.Problems = []string{p.T("There is no code waiting for this phone. Please ask at the desk for a new code.")}
		c.pages.render(w, r, c.log, http.StatusNotFound, "verify_find", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/codes/"+strconv.FormatInt(code.ID, 10), http.StatusSeeOther)
	return nil
}
