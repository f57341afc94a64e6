package api

import (
	"net/http"

	"github.com/kindred-desk/kindred"
)

// verifyRoutes lists the one-time code endpoints, and the USSD menu that
// basic phones reach through the gateway (public: a gateway sends no token).
// Staff issue codes; the kiosk may check a code typed at it and give more
// time (a slow reader stands there), and learns nothing about the customer.
func (s *server) verifyRoutes() []route {
	u := newUSSD(s)
	return []route{
		{method: "POST", path: "/api/v1/customers/{id}/codes", roles: staff, handler: s.issueCode},
		{method: "GET", path: "/api/v1/codes/{id}", roles: staff, handler: s.getCode},
		{method: "POST", path: "/api/v1/codes/{id}/check", roles: anyone, handler: s.checkCode},
		{method: "POST", path: "/api/v1/codes/{id}/extend", roles: anyone, handler: s.extendCode},
		{method: "POST", path: "/ussd", public: true, gateway: true, handler: u.serve},
	}
}

type codeInput struct {
	Channel  string `json:"channel"`
	HelperID int64  `json:"helper_id"`
}

// codeChannel reads a channel; "ussd" is another name for voice (the USSD
// menu reads the code to the caller).
func (c *checker) codeChannel(field, s string) kindred.CodeChannel {
	if s == "ussd" {
		return kindred.CodeByVoice
	}
	return oneOf(c, field, s, kindred.CodeChannels)
}

func (s *server) issueCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in codeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	req := kindred.CodeRequest{CustomerID: id, HelperID: in.HelperID}
	if in.Channel == "" && in.HelperID == 0 {
		// As at the desk: read out for someone who cannot read a text.
		cust, err := s.cfg.Customers.Customer(r.Context(), id)
		if err != nil {
			return s.storeFailed("Customer", err)
		}
		req.Channel = kindred.DefaultCodeChannel(cust)
	} else {
		req.Channel = c.codeChannel("channel", in.Channel)
	}
	switch {
	case req.Channel == kindred.CodeToHelper && in.HelperID <= 0:
		c.Add("helper_id", "is required when the channel is helper")
	case req.Channel != kindred.CodeToHelper && req.Channel != "" && in.HelperID != 0:
		c.Add("helper_id", "is only for the helper channel")
	}
	if err := c.Err(); err != nil {
		return err
	}
	code, err := s.cfg.Verify.IssueCode(r.Context(), req, s.cfg.Now())
	if err != nil {
		return s.storeFailed("IssueCode", err)
	}
	w.Header().Set("Location", "/api/v1/codes/"+itoa(code.ID))
	return writeJSON(w, http.StatusCreated, code)
}

func (s *server) getCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "code")
	if err != nil {
		return err
	}
	code, err := s.cfg.Verify.Code(r.Context(), id)
	if err != nil {
		return s.storeFailed("Code", err)
	}
	code.Status = code.StatusAt(s.cfg.Now())
	return writeJSON(w, http.StatusOK, code)
}

type checkInput struct {
	Code string `json:"code"`
}

// checkCode answers 200 when the code is right, 422 (naming field code,
// with the tries left) when wrong, and 423 when the code is dead: used,
// typed wrong five times, replaced by a newer code, or past its time.
func (s *server) checkCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "code")
	if err != nil {
		return err
	}
	var in checkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	code, err := s.cfg.Verify.CheckCode(r.Context(), id, in.Code, s.cfg.Now())
	if err != nil {
		return s.storeFailed("CheckCode", err)
	}
	return s.writeCode(w, r, code)
}

// writeCode answers with the code's record; a kiosk gets only what its
// screen needs, not whose code it is or where it was sent.
func (s *server) writeCode(w http.ResponseWriter, r *http.Request, c *kindred.Code) error {
	if a, _ := kindred.ActorFrom(r.Context()); a.Role == kindred.RoleKiosk {
		return writeJSON(w, http.StatusOK, map[string]any{
			"id": c.ID, "status": c.Status, "tries_left": c.TriesLeft, "expires_at": c.ExpiresAt,
		})
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *server) extendCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "code")
	if err != nil {
		return err
	}
	if err := decodeOptional(r, &struct{}{}); err != nil {
		return err
	}
	code, err := s.cfg.Verify.ExtendCode(r.Context(), id, s.cfg.Now())
	if err != nil {
		return s.storeFailed("ExtendCode", err)
	}
	return s.writeCode(w, r, code)
}
