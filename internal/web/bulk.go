package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
)

// bulkUpdate assigns, or sets the status of, the conversations ticked in
// the inbox, all in one transaction: a lead sharing out the morning's
// emails, an agent resolving the ones answered at the desk.
func (c *Console) bulkUpdate(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var k api.Check
	var u kindred.ConversationUpdate
	var ids []int64
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return fieldError("id", "tick conversations from the list")
		}
		ids = append(ids, id)
	}
	switch a := r.PostForm.Get("assignee"); a {
	case "":
	case "none":
		u.Unassign = true
	default:
		aid, err := strconv.ParseInt(a, 10, 64)
		if err != nil || aid <= 0 {
			k.Add("assignee_id", "choose an agent from the list")
			break
		}
		agent, err := c.cfg.Agents.Agent(r.Context(), aid)
		if kindred.ErrorKind(err) == kindred.NotFound {
			k.Add("assignee_id", "no such agent")
			break
		}
		if err != nil {
			return err
		}
		k.Assignee("assignee_id", agent)
		u.AssigneeID = &agent.ID
	}
	if s := r.PostForm.Get("status"); s != "" {
		st := k.Status("status", s)
		u.Status = &st
	}
	err := k.Err()
	switch {
	case err != nil:
	case len(ids) == 0:
		err = fieldError("id", "tick at least one conversation")
	case u.Status == nil && u.AssigneeID == nil && !u.Unassign:
		err = fieldError("status", "choose whom to assign them to, or a status")
	default:
		_, err = c.cfg.Conversations.UpdateConversations(r.Context(), ids, u)
	}
	if kindred.ErrorKind(err) == kindred.Invalid {
		// Nothing changed; the page says why, and the way back.
		c.errorPageText(w, r, q, http.StatusUnprocessableEntity, strings.Join(problems(c.view(r, q, "Inbox"), err), " "))
		return nil
	}
	if err != nil {
		return err
	}
	for _, id := range ids {
		c.cfg.Hub.InboxChanged(id)
	}
	http.Redirect(w, r, "/inbox?changed="+strconv.Itoa(len(ids)), http.StatusSeeOther)
	return nil
}
