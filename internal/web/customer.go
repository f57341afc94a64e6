package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// customerPage is the customer profile.
type customerPage struct {
	*view
	Customer       *kindred.Customer
	Helpers        []kindred.Helper
	Notes          []kindred.Note
	Conversations  []kindred.Conversation
	Accommodations []kindred.Accommodation // the whole vocabulary, for the form
	Scopes         []kindred.HelperScope
	Problems       []string
	Form           map[string]string // what was typed, shown again after a mistake
	Added          bool              // just registered: the start form says so
	now            time.Time
	// Duplicates are other records with this phone or email; Merges the
	// merges into or from this record (see customer_merge.go).
	Duplicates []kindred.Customer
	Merges     []kindred.CustomerMerge
}

// Has reports whether the customer has accommodation a, for the checkboxes.
func (p *customerPage) Has(a kindred.Accommodation) bool { return p.Customer.HasAccommodation(a) }

// Active reports whether a helper's authority holds now.
func (p *customerPage) Active(h kindred.Helper) bool { return h.Active(p.now) }

func (c *Console) loadCustomer(r *http.Request, q *request, id int64) (*customerPage, error) {
	ctx := r.Context()
	cust, err := c.cfg.Customers.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	helpers, err := c.cfg.Customers.Helpers(ctx, id)
	if err != nil {
		return nil, err
	}
	notes, err := c.cfg.Customers.Notes(ctx, id)
	if err != nil {
		return nil, err
	}
	convs, err := c.cfg.Conversations.Conversations(ctx, kindred.ConversationFilter{CustomerID: id, Page: kindred.Page{Limit: 100}})
	if err != nil {
		return nil, err
	}
	v := c.view(r, q, "Customer")
	v.Title = cust.AddressAs()
	v.Nav = "customers"
	p := &customerPage{view: v, Customer: cust, Helpers: helpers, Notes: notes, Conversations: convs,
		Accommodations: kindred.Accommodations, Scopes: kindred.HelperScopes, Form: map[string]string{}, now: c.cfg.Now(),
		Added: r.Method == http.MethodGet && r.URL.Query().Has("added")}
	if err := c.loadMerges(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (c *Console) customer(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := c.loadCustomer(r, q, id)
	if err != nil {
		return err
	}
	c.pages.render(w, r, c.log, http.StatusOK, "customer", p)
	return nil
}

// customerForm runs a profile form: read checks the input and makes the
// change; a mistake shows the profile again with the problem and what was
// typed, success goes back to the profile.
func (c *Console) customerForm(w http.ResponseWriter, r *http.Request, q *request, customerID func() (int64, error),
	do func(k *api.Check) error) error {
	if err := r.ParseForm(); err != nil {
		return kindred.Errorf(kindred.Invalid, "the form could not be read")
	}
	id, err := customerID()
	if err != nil {
		return err
	}
	var k api.Check
	err = do(&k)
	if kindred.ErrorKind(err) == kindred.Invalid {
		p, lerr := c.loadCustomer(r, q, id)
		if lerr != nil {
			return lerr
		}
		p.Problems = problems(p.view, err)
		for name := range r.PostForm {
			p.Form[name] = r.PostForm.Get(name)
		}
		c.pages.render(w, r, c.log, http.StatusUnprocessableEntity, "customer", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// addNote keeps something the customer chose to tell us.
func (c *Console) addNote(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.customerForm(w, r, q, func() (int64, error) { return pathID(r) }, func(k *api.Check) error {
		id, _ := pathID(r)
		n := &kindred.Note{CustomerID: id, Body: k.Note("body", r.PostForm.Get("body")),
			Sensitive: r.PostForm.Get("sensitive") == "1", AuthorID: q.agent.ID, AuthorName: q.agent.Name}
		if err := k.Err(); err != nil {
			return err
		}
		return c.cfg.Customers.AddNote(r.Context(), n)
	})
}

// addHelper records a person the customer authorised, with how they consented.
func (c *Console) addHelper(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.customerForm(w, r, q, func() (int64, error) { return pathID(r) }, func(k *api.Check) error {
		id, _ := pathID(r)
		f := r.PostForm
		now := c.cfg.Now()
		h := &kindred.Helper{
			CustomerID: id,
			Name:       k.Name("name", f.Get("name"), true),
			Relation:   k.Name("relation", f.Get("relation"), true),
			Phone:      k.Phone("phone", f.Get("phone"), c.cfg.DefaultRegion),
			Scopes:     k.Scopes("scopes", f["scopes"]),
			Consent:    k.ShortText("consent", f.Get("consent"), true),
			ConsentAt:  now,
			CreatedBy:  q.agent.ID,
		}
		if d := f.Get("expires"); d != "" {
			t, err := time.ParseInLocation("2006-01-02", d, c.cfg.Location)
			if err != nil {
				k.Add("expires", "write a date such as 2026-12-31")
			} else {
				end := t.AddDate(0, 0, 1) // to the end of that day
				if !end.After(now) {
					k.Add("expires", "must be in the future")
				}
				h.ExpiresAt = &end
			}
		}
		if err := k.Err(); err != nil {
			return err
		}
		return c.cfg.Customers.AddHelper(r.Context(), h)
	})
}

// revokeHelper ends a helper's authority now.
func (c *Console) revokeHelper(w http.ResponseWriter, r *http.Request, q *request) error {
	hid, err := pathID(r)
	if err != nil {
		return err
	}
	h, err := c.cfg.Customers.Helper(r.Context(), hid)
	if err != nil {
		return err
	}
	return c.customerForm(w, r, q, func() (int64, error) { return h.CustomerID, nil }, func(k *api.Check) error {
		_, err := c.cfg.Customers.RevokeHelper(r.Context(), hid, c.cfg.Now())
		return err
	})
}

// setAccommodations records what helps the customer.
func (c *Console) setAccommodations(w http.ResponseWriter, r *http.Request, q *request) error {
	return c.customerForm(w, r, q, func() (int64, error) { return pathID(r) }, func(k *api.Check) error {
		id, _ := pathID(r)
		as := k.Accommodations("accommodations", r.PostForm["accommodations"])
		notes := k.ShortText("accommodation_notes", r.PostForm.Get("accommodation_notes"), false)
		if err := k.Err(); err != nil {
			return err
		}
		_, err := c.cfg.Customers.UpdateCustomer(r.Context(), id, kindred.CustomerUpdate{Accommodations: &as, AccommodationNotes: &notes})
		return err
	})
}

// customers lists customers, or finds them by name, phone or email.
func (c *Console) customers(w http.ResponseWriter, r *http.Request, q *request) error {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(query) > 200 {
		query = query[:200]
	}
	list, err := c.cfg.Customers.Customers(r.Context(), kindred.CustomerFilter{Query: query, Page: kindred.Page{Limit: 100}})
	if err != nil {
		return err
	}
	v := c.view(r, q, "Customers")
	v.Nav = "customers"
	c.pages.render(w, r, c.log, http.StatusOK, "customers", struct {
		*view
		Query     string
		Customers []kindred.Customer
	}{v, query, list})
	return nil
}
