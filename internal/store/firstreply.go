package store

import "github.com/kindred-desk/kindred"

// takesOnFirstReply reports whether m, by author (nil when m has none),
// takes conversation c: an unassigned conversation goes to the person who
// replies in it, so that its follow-ups reach them and its survey is
// credited to them. Internal notes take nothing, nor do replies by a service
// account (no email) or a kiosk, which serve no one. c must have been read
// in the transaction that writes m, for update: its assignee is then the
// one the write sees.
func takesOnFirstReply(c *kindred.Conversation, m *kindred.Message, author *kindred.Agent) bool {
	return m.Direction == kindred.Outbound && author != nil && c.AssigneeID == nil && author.ServesCustomers()
}
