package web

import (
	"net/http"

	"github.com/kindred-desk/kindred/internal/api"
)

// attachment serves a file a customer's email brought, as a download only
// (see api.ServeAttachment): a stranger's HTML never opens as a page of the
// console.
func (c *Console) attachment(w http.ResponseWriter, r *http.Request, q *request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := c.cfg.Attachments.Attachment(r.Context(), id)
	if err != nil {
		return err
	}
	api.ServeAttachment(w, a)
	return nil
}
