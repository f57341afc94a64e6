package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kindred-desk/kindred"
)

// loadMerges adds to the profile the other records of perhaps the same
// person, and the merges into or from this one.
func (c *Console) loadMerges(ctx context.Context, p *customerPage) error {
	var err error
	if p.Customer.MergedInto == nil {
		if p.Duplicates, err = c.cfg.Customers.Duplicates(ctx, p.Customer.ID); err != nil {
			return err
		}
	}
	p.Merges, err = c.cfg.Customers.Merges(ctx, p.Customer.ID)
	return err
}

// mergeCustomer merges the record named in the form into this one.
func (c *Console) mergeCustomer(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	merged, err := strconv.ParseInt(r.PostForm.Get("merged_id"), 10, 64)
	if err != nil || merged <= 0 {
		return kindred.Errorf(kindred.Invalid, "choose the record to merge")
	}
	if _, err := c.cfg.Customers.MergeCustomers(r.Context(), id, merged); err != nil {
		return err
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// undoMerge undoes a merge and goes back to the record kept.
func (c *Console) undoMerge(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := c.cfg.Customers.UndoMerge(r.Context(), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(m.KeptID, 10), http.StatusSeeOther)
	return nil
}
