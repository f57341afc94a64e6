package store

import (
	"context"
	"fmt"

	"github.com/kindred-desk/kindred"
)

// takeOnFirstReply gives an unassigned conversation to the person who
// replies in it: whoever answered owns it, so its follow-ups reach them and
// its survey is credited to them. Internal notes take nothing, nor do
// replies by a service account (no email) or a kiosk, which serve no one.
// author is m's author, as read in tx (nil when m has none).
func (tx *Tx) takeOnFirstReply(ctx context.Context, c *kindred.Conversation, m *kindred.Message, author *kindred.Agent) error {
	if m.Direction != kindred.Outbound || author == nil || c.AssigneeID != nil {
		return nil
	}
	if !author.ServesCustomers() {
		return nil
	}
	res, err := tx.Exec(ctx, "UPDATE conversations SET assignee_id = ? WHERE id = ? AND assignee_id IS NULL", author.ID, c.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	c.AssigneeID = &author.ID
	return tx.Audit(ctx, "conversation.assign", "conversation", c.ID,
		fmt.Sprintf("taken by agent %d with the first reply", author.ID))
}
