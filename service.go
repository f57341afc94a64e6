package kindred

import (
	"context"
	"time"
)

// Page bounds a listing. A zero Limit means the store's default (50); the
// store caps Limit at 500.
type Page struct {
	Limit  int
	Offset int
}

// CustomerFilter selects customers. Query matches name, preferred name, phone
// or email, case-insensitively.
type CustomerFilter struct {
	Query string
	Page
}

// ConversationFilter selects conversations; zero fields do not filter.
type ConversationFilter struct {
	Status     Status
	Open       bool // only conversations not resolved
	Channel    Channel
	Priority   Priority
	AssigneeID int64 // conversations assigned to this agent
	Unassigned bool  // only conversations with no assignee
	CustomerID int64
	// After continues a listing after the conversation it names (keyset
	// paging): unlike an Offset, a page does not shift when conversations
	// are updated while the desk reads them, and costs the same however deep.
	After *ConversationKey
	Page
}

// ConversationKey is a conversation's place in the listings' order, most
// recently updated first.
type ConversationKey struct {
	UpdatedAt time.Time
	ID        int64
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Subject   string
	SubjectID int64
	ActorID   int64
	Page
}

// CustomerUpdate changes the non-nil fields of a customer.
type CustomerUpdate struct {
	Name               *string
	PreferredName      *string
	Pronunciation      *string
	Language           *string
	Phone              *string
	Email              *string
	Accommodations     *[]Accommodation
	AccommodationNotes *string
}

// ConversationUpdate changes the non-nil fields of a conversation.
type ConversationUpdate struct {
	Subject    *string
	Status     *Status
	Priority   *Priority
	AssigneeID *int64 // assign to this agent
	Unassign   bool   // clear the assignee
	Tags       *[]string
	DueAt      *time.Time // the date promised to the customer; a new date restarts its reminder
	ClearDue   bool       // clear the promised date
}

// AgentUpdate changes the non-nil fields of an agent. Email and password
// are not changed here: they are how the agent signs in.
type AgentUpdate struct {
	Name     *string
	Role     *Role
	Team     *string // "" for no team
	Disabled *bool   // a disabled agent can neither sign in nor use its tokens
}

// AgentService keeps the people who serve and their API tokens.
type AgentService interface {
	// CreateAgent stores a new agent; passwordHash may be empty for API-only accounts.
	CreateAgent(ctx context.Context, a *Agent, passwordHash string) error
	Agent(ctx context.Context, id int64) (*Agent, error)
	// AgentByEmail returns the agent and its password hash, for signing in.
	AgentByEmail(ctx context.Context, email string) (*Agent, string, error)
	Agents(ctx context.Context) ([]Agent, error)
	// UpdateAgent changes the non-nil fields of u and returns the agent as it
	// now is. It refuses (Conflict) a change that would leave the desk with
	// no enabled admin who can sign in.
	UpdateAgent(ctx context.Context, id int64, u AgentUpdate) (*Agent, error)
	// CountAdmins counts the enabled admins who can sign in (an email and a
	// password), so that an API-only admin does not hide a desk nobody can open.
	CountAdmins(ctx context.Context) (int, error)
	// CreateToken stores t, whose Hash the caller has set.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the live (not revoked) token with this hash and its agent.
	TokenByHash(ctx context.Context, hash []byte) (*Token, *Agent, error)
	RevokeToken(ctx context.Context, id int64) error
	// Tokens lists every token, revoked ones too, newest first; never secrets.
	Tokens(ctx context.Context) ([]Token, error)
}

// CustomerService keeps customers, what they told us, and their helpers.
type CustomerService interface {
	CreateCustomer(ctx context.Context, c *Customer) error
	Customer(ctx context.Context, id int64) (*Customer, error)
	// CustomersByID returns the customers with these ids, keyed by id, each
	// as Customer returns it; an id with no customer is left out.
	CustomersByID(ctx context.Context, ids []int64) (map[int64]*Customer, error)
	Customers(ctx context.Context, f CustomerFilter) ([]Customer, error)
	UpdateCustomer(ctx context.Context, id int64, u CustomerUpdate) (*Customer, error)
	AddNote(ctx context.Context, n *Note) error
	// Notes returns the customer's notes, newest first; reading sensitive
	// notes is recorded in the audit log.
	Notes(ctx context.Context, customerID int64) ([]Note, error)
	AddHelper(ctx context.Context, h *Helper) error
	Helper(ctx context.Context, id int64) (*Helper, error)
	Helpers(ctx context.Context, customerID int64) ([]Helper, error)
	RevokeHelper(ctx context.Context, id int64, at time.Time) (*Helper, error)
	// Duplicates returns the other records, not merged away, that share the
	// customer's phone number or email address: perhaps the same person.
	Duplicates(ctx context.Context, id int64) ([]Customer, error)
	// MergeCustomers moves everything of record mergedID to record keptID
	// (audited) and marks mergedID as merged into it.
	MergeCustomers(ctx context.Context, keptID, mergedID int64) (*CustomerMerge, error)
	// UndoMerge moves back exactly what merge id moved (audited).
	UndoMerge(ctx context.Context, id int64) (*CustomerMerge, error)
	// Merges lists the merges into or from the customer, newest first.
	Merges(ctx context.Context, customerID int64) ([]CustomerMerge, error)
}

// ConversationService keeps conversations and their messages.
type ConversationService interface {
	CreateConversation(ctx context.Context, c *Conversation) error
	// Conversation returns one conversation, with its messages oldest first
	// when withMessages is set.
	Conversation(ctx context.Context, id int64, withMessages bool) (*Conversation, error)
	Conversations(ctx context.Context, f ConversationFilter) ([]Conversation, error)
	UpdateConversation(ctx context.Context, id int64, u ConversationUpdate) (*Conversation, error)
	// UpdateConversations makes one change to many conversations (assign
	// them, resolve them) in one transaction: all or none. At most MaxBulk.
	UpdateConversations(ctx context.Context, ids []int64, u ConversationUpdate) ([]*Conversation, error)
	// AddMessage stores m and applies its effect on the conversation (see
	// Conversation.Apply) in one transaction.
	AddMessage(ctx context.Context, m *Message) error
	// ForMessage reads what posting a message in direction needs first: the
	// conversation (without messages, nor Chat and WhatsAppWindowOpen, which
	// the write reads itself), its customer, and for a reply (Outbound) the
	// customer's latest message, which it answers (nil when there is none,
	// and for any other direction).
	ForMessage(ctx context.Context, conversationID int64, direction Direction) (*Conversation, *Customer, *Message, error)
	// PostMessage is AddMessage with prepare called first on what ForMessage
	// reads (the conversation's tags may be missing), to complete m: its
	// author's name, its analysis. An error from prepare stores nothing and
	// is returned as it is. The store may call prepare inside the write's
	// transaction, to save a read of its own, so prepare must not use the
	// store: it would wait for a connection its caller may be holding.
	PostMessage(ctx context.Context, m *Message, prepare func(c *Conversation, cust *Customer, latest *Message) error) error
	// LatestInbound returns the newest message from the customer before
	// message id beforeID (0 for the newest overall), or nil when there is none.
	LatestInbound(ctx context.Context, conversationID, beforeID int64) (*Message, error)
	// LatestInbounds returns, keyed by conversation id, what LatestInbound
	// returns with beforeID 0 for each of these conversations; one with no
	// message from the customer, or that does not exist, is left out.
	LatestInbounds(ctx context.Context, conversationIDs []int64) (map[int64]*Message, error)
	// Messages returns the newest limit messages of a conversation written
	// before message id beforeID (0: the newest overall), oldest first: a
	// long history is read a page at a time.
	Messages(ctx context.Context, conversationID, beforeID int64, limit int) ([]Message, error)
}

// AuditService reads and appends the audit log. Changes made through the other
// services are audited by them, in the same transaction, using the Actor in
// the context.
type AuditService interface {
	Record(ctx context.Context, e *AuditEntry) error
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Analyzer reads a message for the care it needs (a customer's) or shows (an
// agent's reply, judged against the customer message it answers). The
// compassion engine implements it.
type Analyzer interface {
	Analyze(m *Message, inReplyTo *Message, c *Customer) *Analysis
}
