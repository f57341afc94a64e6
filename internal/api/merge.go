package api

import (
	"net/http"
)

// listDuplicates lists the other records that share the customer's phone
// or email: perhaps the same person, registered twice.
func (s *server) listDuplicates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	dups, err := s.cfg.Customers.Duplicates(r.Context(), id)
	if err != nil {
		return s.storeFailed("Duplicates", err)
	}
	return writeJSON(w, http.StatusOK, dups)
}

// listMerges lists the merges into or from the customer, newest first.
func (s *server) listMerges(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	ms, err := s.cfg.Customers.Merges(r.Context(), id)
	if err != nil {
		return s.storeFailed("Merges", err)
	}
	return writeJSON(w, http.StatusOK, ms)
}

// mergeCustomer merges record merged_id into the customer in the path: its
// conversations, notes, helpers, surveys and tickets move here. Audited, and
// undone with POST /api/v1/merges/{id}/undo.
func (s *server) mergeCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in struct {
		MergedID int64 `json:"merged_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	if in.MergedID <= 0 {
		c.Add("merged_id", "give the id of the record to merge into this one")
	}
	if err := c.Err(); err != nil {
		return err
	}
	m, err := s.cfg.Customers.MergeCustomers(r.Context(), id, in.MergedID)
	if err != nil {
		return s.storeFailed("MergeCustomers", err)
	}
	return writeJSON(w, http.StatusCreated, m)
}

// undoMerge moves back exactly what a merge moved.
func (s *server) undoMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "merge")
	if err != nil {
		return err
	}
	m, err := s.cfg.Customers.UndoMerge(r.Context(), id)
	if err != nil {
		return s.storeFailed("UndoMerge", err)
	}
	return writeJSON(w, http.StatusOK, m)
}
