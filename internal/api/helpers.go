package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/kindred-desk/kindred"
)

type helperInput struct {
	Name      string   `json:"name"`
	Relation  string   `json:"relation"`
	Phone     string   `json:"phone"`
	Scopes    []string `json:"scopes"`
	Consent   string   `json:"consent"`
	ExpiresAt string   `json:"expires_at"`
}

func (s *server) listHelpers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Customers.Customer(r.Context(), id); err != nil {
		return s.storeFailed("Customer", err)
	}
	hs, err := s.cfg.Customers.Helpers(r.Context(), id)
	if err != nil {
		return s.storeFailed("Helpers", err)
	}
	return writeAll(w, hs)
}

func (s *server) addHelper(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in helperInput
	if err := decode(r, &in); err != nil {
		return err
	}
	now := s.cfg.Now()
	var c checker
	h := &kindred.Helper{
		CustomerID: id,
		Name:       c.line("name", in.Name, true, maxNameLen),
		Relation:   c.line("relation", in.Relation, true, maxNameLen),
		Phone:      c.phone("phone", in.Phone, s.cfg.DefaultRegion),
		Scopes:     c.scopes("scopes", in.Scopes),
		Consent:    c.text("consent", in.Consent, true, maxShortTextLen),
		ConsentAt:  now,
		ExpiresAt:  c.timestamp("expires_at", in.ExpiresAt),
	}
	if h.ExpiresAt != nil && !h.ExpiresAt.After(now) {
		c.Add("expires_at", "must be in the future")
	}
	if err := c.Err(); err != nil {
		return err
	}
	if _, err := s.cfg.Customers.Customer(r.Context(), id); err != nil {
		return s.storeFailed("Customer", err)
	}
	actor, _ := kindred.ActorFrom(r.Context())
	h.CreatedBy = actor.AgentID
	if err := s.cfg.Customers.AddHelper(r.Context(), h); err != nil {
		return s.storeFailed("AddHelper", err)
	}
	return writeJSON(w, http.StatusCreated, h)
}

// scopes checks helper scopes: at least one, each known, no repeats.
func (c *checker) scopes(field string, in []string) []kindred.HelperScope {
	out := []kindred.HelperScope{}
	if len(in) == 0 {
		c.Add(field, fmt.Sprintf("must list at least one scope; allowed: %s", list(kindred.HelperScopes)))
		return out
	}
	for i, s := range in {
		sc := oneOf(c, field+"["+strconv.Itoa(i)+"]", s, kindred.HelperScopes)
		if sc != "" && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

func (s *server) revokeHelper(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "helper")
	if err != nil {
		return err
	}
	h, err := s.cfg.Customers.RevokeHelper(r.Context(), id, s.cfg.Now())
	if err != nil {
		return s.storeFailed("RevokeHelper", err)
	}
	return writeJSON(w, http.StatusOK, h)
}

// helperMayAct returns the helper with id if it may write on behalf of the
// customer of conversation conv, or an error saying why not.
func (s *server) helperMayAct(r *http.Request, id int64, conv *kindred.Conversation) (*kindred.Helper, error) {
	h, err := s.cfg.Customers.Helper(r.Context(), id)
	if kindred.ErrorKind(err) == kindred.NotFound {
		return nil, invalid("helper_id", "no such helper")
	}
	if err != nil {
		return nil, s.storeFailed("Helper", err)
	}
	now := s.cfg.Now()
	forbid := func(reason string) error {
		return &kindred.Error{Kind: kindred.Forbidden, Message: "this helper may not write on the customer's behalf: " + reason,
			Fields: []kindred.FieldError{{Field: "helper_id", Reason: reason}}}
	}
	switch {
	case h.CustomerID != conv.CustomerID:
		return nil, forbid("the helper acts for another customer, not this conversation's")
	case h.RevokedAt != nil:
		return nil, forbid("the customer's authorisation was revoked on " + h.RevokedAt.UTC().Format("2006-01-02 15:04 MST"))
	case !h.Active(now):
		return nil, forbid("the customer's authorisation expired on " + h.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
	case !h.Can(kindred.ScopeActOnConversations, now):
		return nil, forbid("the helper lacks the act_on_conversations scope")
	}
	return h, nil
}
