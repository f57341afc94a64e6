package kindred

import (
	"context"
	"strings"
	"time"
)

// SavedReply is a reply an office gives often, written once and kept for
// every agent to start from ("Your card is ready for collection at desk
// 3"). {name} in its body becomes how the customer likes to be addressed,
// {agent} the agent's first name: a saved reply still greets the person.
type SavedReply struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"` // what agents pick it by
	Body      string    `json:"body"`
	CreatedBy *int64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Limits of a saved reply.
const (
	MaxSavedReplyTitle = 80
	MaxSavedReplyBody  = 2000
)

// For is the reply's body written to customer c by the agent named agent.
func (r SavedReply) For(c *Customer, agent string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(agent), " ")
	return strings.NewReplacer("{name}", c.AddressAs(), "{agent}", first).Replace(r.Body)
}

// SavedReplies keeps the office's saved replies.
type SavedReplies interface {
	// CreateSavedReply stores r; a title in use is Invalid naming "title".
	CreateSavedReply(ctx context.Context, r *SavedReply) error
	// SavedReplies lists the saved replies by title.
	SavedReplies(ctx context.Context) ([]SavedReply, error)
	SavedReply(ctx context.Context, id int64) (*SavedReply, error)
	// RemoveSavedReply takes a reply off the list; NotFound when it is not on it.
	RemoveSavedReply(ctx context.Context, id int64) error
}
