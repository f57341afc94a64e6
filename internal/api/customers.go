package api

import (
	"net/http"

	"github.com/kindred-desk/kindred"
)

type customerInput struct {
	Name               string   `json:"name"`
	PreferredName      string   `json:"preferred_name"`
	Pronunciation      string   `json:"pronunciation"`
	Phone              string   `json:"phone"`
	Email              string   `json:"email"`
	Language           string   `json:"language"`
	Accommodations     []string `json:"accommodations"`
	AccommodationNotes string   `json:"accommodation_notes"`
}

func (s *server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	cust := &kindred.Customer{
		Name:               c.line("name", in.Name, true, maxNameLen),
		PreferredName:      c.line("preferred_name", in.PreferredName, false, maxNameLen),
		Pronunciation:      c.line("pronunciation", in.Pronunciation, false, maxNameLen),
		Phone:              c.phone("phone", in.Phone, s.cfg.DefaultRegion),
		Email:              c.email("email", in.Email),
		Language:           c.language("language", in.Language),
		Accommodations:     c.accommodations("accommodations", in.Accommodations),
		AccommodationNotes: c.text("accommodation_notes", in.AccommodationNotes, false, maxShortTextLen),
	}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Customers.CreateCustomer(r.Context(), cust); err != nil {
		return s.storeFailed("CreateCustomer", err)
	}
	w.Header().Set("Location", "/api/v1/customers/"+itoa(cust.ID))
	return writeJSON(w, http.StatusCreated, cust)
}

func (s *server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "q", "limit", "offset")
	f := kindred.CustomerFilter{Query: q.line("q", q.str("q"), false, maxQueryLen), Page: q.page()}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Customers.Customers(r.Context(), f)
	if err != nil {
		return s.storeFailed("Customers", err)
	}
	return writeList(w, r, list, f.Page)
}

func (s *server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	cust, err := s.cfg.Customers.Customer(r.Context(), id)
	if err != nil {
		return s.storeFailed("Customer", err)
	}
	return writeJSON(w, http.StatusOK, cust)
}

// customerPatch is a partial update: absent fields stay as they are, null
// clears an optional field (a name cannot be cleared).
type customerPatch struct {
	Name               optional[string]   `json:"name"`
	PreferredName      optional[string]   `json:"preferred_name"`
	Pronunciation      optional[string]   `json:"pronunciation"`
	Phone              optional[string]   `json:"phone"`
	Email              optional[string]   `json:"email"`
	Language           optional[string]   `json:"language"`
	Accommodations     optional[[]string] `json:"accommodations"`
	AccommodationNotes optional[string]   `json:"accommodation_notes"`
}

func (s *server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in customerPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	var u kindred.CustomerUpdate
	changed := false
	// set normalises one optional string field through check; null means "".
	set := func(o optional[string], dst **string, check func(string) string) {
		if !o.Set {
			return
		}
		v := check(o.Value) // o.Value is "" for null
		*dst, changed = &v, true
	}
	set(in.Name, &u.Name, func(v string) string { return c.line("name", v, true, maxNameLen) })
	set(in.PreferredName, &u.PreferredName, func(v string) string { return c.line("preferred_name", v, false, maxNameLen) })
	set(in.Pronunciation, &u.Pronunciation, func(v string) string { return c.line("pronunciation", v, false, maxNameLen) })
	set(in.Phone, &u.Phone, func(v string) string { return c.phone("phone", v, s.cfg.DefaultRegion) })
	set(in.Email, &u.Email, func(v string) string { return c.email("email", v) })
	set(in.Language, &u.Language, func(v string) string { return c.language("language", v) })
	set(in.AccommodationNotes, &u.AccommodationNotes, func(v string) string {
		return c.text("accommodation_notes", v, false, maxShortTextLen)
	})
	if in.Accommodations.Set {
		as := c.accommodations("accommodations", in.Accommodations.Value)
		u.Accommodations, changed = &as, true
	}
	if err := c.Err(); err != nil {
		return err
	}
	var cust *kindred.Customer
	if changed {
		cust, err = s.cfg.Customers.UpdateCustomer(r.Context(), id, u)
		if err != nil {
			return s.storeFailed("UpdateCustomer", err)
		}
	} else if cust, err = s.cfg.Customers.Customer(r.Context(), id); err != nil {
		return s.storeFailed("Customer", err)
	}
	return writeJSON(w, http.StatusOK, cust)
}

type noteInput struct {
	Body      string `json:"body"`
	Sensitive bool   `json:"sensitive"`
}

func (s *server) listNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Customers.Customer(r.Context(), id); err != nil {
		return s.storeFailed("Customer", err)
	}
	notes, err := s.cfg.Customers.Notes(r.Context(), id)
	if err != nil {
		return s.storeFailed("Notes", err)
	}
	return writeAll(w, notes)
}

func (s *server) addNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in noteInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	body := c.text("body", in.Body, true, maxNoteLen)
	if err := c.Err(); err != nil {
		return err
	}
	if _, err := s.cfg.Customers.Customer(r.Context(), id); err != nil {
		return s.storeFailed("Customer", err)
	}
	actor, _ := kindred.ActorFrom(r.Context())
	n := &kindred.Note{CustomerID: id, Body: body, Sensitive: in.Sensitive, AuthorID: actor.AgentID, AuthorName: actor.Name}
	if err := s.cfg.Customers.AddNote(r.Context(), n); err != nil {
		return s.storeFailed("AddNote", err)
	}
	return writeJSON(w, http.StatusCreated, n)
}
