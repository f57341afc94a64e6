package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kindred-desk/kindred"
)

// A Zendesk export is read as Zendesk writes tickets: in the account's JSON
// export (one ticket a line) or as the Tickets and Incremental Ticket
// Export APIs return them ({"tickets": [...]}, pages one after another),
// each ticket with its comments in "comments" (the Ticket Comments API's
// objects). Users (requesters and comment authors) come from side-loaded
// "users" arrays (include=users) anywhere in the file, or from a users
// export given apart (Options.Users).
//
// A comment by the requester, or by a user whose role is end-user, is the
// customer's message; a public comment by anyone else is a reply; a
// private comment (public: false) is an internal note.

// zdUser is a Zendesk user.
type zdUser struct {
	ID    flex   `json:"id"`
	Name  flex   `json:"name"`
	Email flex   `json:"email"`
	Phone flex   `json:"phone"`
	Role  string `json:"role"` // end-user, agent or admin
}

// zdComment is a ticket comment.
type zdComment struct {
	ID        flex  `json:"id"`
	AuthorID  flex  `json:"author_id"`
	Body      flex  `json:"body"`
	PlainBody flex  `json:"plain_body"`
	Public    *bool `json:"public"`
	CreatedAt flex  `json:"created_at"`
}

// zdTicket is a ticket, with its comments.
type zdTicket struct {
	ID          flex   `json:"id"`
	RequesterID flex   `json:"requester_id"`
	Subject     flex   `json:"subject"`
	RawSubject  flex   `json:"raw_subject"`
	Status      string `json:"status"`
	Priority    flex   `json:"priority"`
	Via         struct {
		Channel flex `json:"channel"`
	} `json:"via"`
	CreatedAt flex        `json:"created_at"`
	Comments  []zdComment `json:"comments"`
	// Requester is the requester in full, where an export writes them
	// into the ticket.
	Requester *zdUser `json:"requester"`
}

// fields are the ticket's keys, for a ticket met as a top-level object.
func (t *zdTicket) fields() map[string]any {
	return map[string]any{"id": &t.ID, "requester_id": &t.RequesterID, "subject": &t.Subject,
		"raw_subject": &t.RawSubject, "status": &t.Status, "priority": &t.Priority, "via": &t.Via,
		"created_at": &t.CreatedAt, "comments": &t.Comments, "requester": &t.Requester}
}

// zendeskWrapperKeys are the top-level keys of the APIs' pages: an object
// whose first key is one of them holds tickets, not is one.
var zendeskWrapperKeys = map[string]bool{"tickets": true, "users": true, "count": true, "next_page": true,
	"previous_page": true, "end_time": true, "end_of_stream": true, "after_cursor": true, "before_cursor": true,
	"after_url": true, "before_url": true, "meta": true, "links": true}

type zendeskReader struct {
	in    *countingReader
	seek  io.Seeker // the input, when it can be read twice
	users map[string]zdUser
	t     *tracker
}

func newZendeskReader(in *countingReader, raw io.Reader, users io.Reader, t *tracker) (*zendeskReader, error) {
	z := &zendeskReader{in: in, users: map[string]zdUser{}, t: t}
	if users != nil {
		if err := z.readUsers(users, false); err != nil {
			return nil, fmt.Errorf("zendesk users: %w", err)
		}
	}
	// Side-loaded users follow the tickets in an API page: read them first
	// when the file can be read twice.
	if s, ok := raw.(io.ReadSeeker); ok {
		if _, err := s.Seek(0, io.SeekCurrent); err == nil {
			z.seek = s
		}
	}
	return z, nil
}

// readUsers reads the users of r: user objects one after another (a users
// export), or the "users" arrays of wrapper objects. With pagesOnly it
// stops at the first value that is not a wrapper object: a file of tickets
// has no side-loaded users.
func (z *zendeskReader) readUsers(r io.Reader, pagesOnly bool) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	var errStop = errors.New("stop")
	user := func() error {
		var u zdUser
		if err := decodeValue(dec, &u); err != nil {
			var re *recordError
			if errors.As(err, &re) {
				return nil // a malformed user names nobody
			}
			return err
		}
		if u.ID != "" {
			z.users[string(u.ID)] = u
		}
		return nil
	}
	err := topLevel(dec, func() error {
		if pagesOnly {
			return errStop
		}
		return user()
	}, func(key string) error {
		if !zendeskWrapperKeys[key] {
			if pagesOnly {
				return errStop
			}
			var u zdUser
			err := decodeRest(dec, key, map[string]any{"id": &u.ID, "name": &u.Name, "email": &u.Email,
				"phone": &u.Phone, "role": &u.Role})
			if u.ID != "" {
				z.users[string(u.ID)] = u
			}
			var re *recordError
			if errors.As(err, &re) {
				return nil
			}
			return err
		}
		return eachKey(dec, key, func(key string) error {
			switch key {
			case "users":
				return array(dec, user)
			case "tickets":
				// A ticket at a time: the array may be the whole export.
				return array(dec, func() error { return skip(dec) })
			}
			return skip(dec)
		})
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

func (z *zendeskReader) read(ctx context.Context, emit func(*item) error) error {
	if z.seek != nil {
		start, err := z.seek.Seek(0, io.SeekCurrent)
		if err != nil {
			return err
		}
		if err := z.readUsers(z.in.r, true); err != nil {
			return fmt.Errorf("zendesk: %w", err)
		}
		if _, err := z.seek.Seek(start, io.SeekStart); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bufio.NewReaderSize(z.in, 256<<10))
	n := 0
	ticket := func(t *zdTicket, err error) error {
		n++
		return z.ticket(t, n, err, emit)
	}
	err := topLevel(dec, func() error {
		var t zdTicket
		return ticket(&t, decodeValue(dec, &t))
	}, func(key string) error {
		if !zendeskWrapperKeys[key] {
			var t zdTicket
			return ticket(&t, decodeRest(dec, key, t.fields()))
		}
		return eachKey(dec, key, func(key string) error {
			switch key {
			case "tickets":
				return array(dec, func() error {
					var t zdTicket
					return ticket(&t, decodeValue(dec, &t))
				})
			case "users":
				// Read already, or read now for the tickets that follow.
				return array(dec, func() error {
					var u zdUser
					if err := decodeValue(dec, &u); err != nil {
						var re *recordError
						if errors.As(err, &re) {
							return nil
						}
						return err
					}
					if u.ID != "" {
						z.users[string(u.ID)] = u
					}
					return nil
				})
			}
			return skip(dec)
		})
	})
	if err != nil {
		return fmt.Errorf("zendesk: %w", err)
	}
	return nil
}

// ticket emits the comments of the n-th ticket, read with error err.
func (z *zendeskReader) ticket(t *zdTicket, n int, err error, emit func(*item) error) error {
	where := "ticket " + cmpOrFlex(t.ID, "#"+strconv.Itoa(n))
	if done, err := rejectRecord(err, where, z.in.n, emit); done {
		return err
	}
	requester := z.user(t.RequesterID, t.Requester)
	cust := z.t.customer(customerFields{id: string(t.RequesterID), name: requester.name(t.RequesterID),
		phone: string(requester.Phone), email: string(requester.Email)})
	subject := t.Subject
	if subject == "" {
		subject = t.RawSubject
	}
	conv := z.t.conversation(conversationFields{
		id:       string(t.ID),
		channel:  zendeskChannel(string(t.Via.Channel)),
		subject:  string(subject),
		status:   zendeskStatus(t.Status),
		priority: zendeskPriority(string(t.Priority)),
		created:  parseTime(string(t.CreatedAt)),
	}, cust)
	if len(t.Comments) == 0 {
		it := &item{at: where, offset: z.in.n}
		it.rejectField("comments", "the ticket has no comments: give each ticket its comments (the Ticket Comments API's objects)")
		return emit(it)
	}
	for i, c := range t.Comments {
		it := &item{at: fmt.Sprintf("%s comment %s", where, cmpOrFlex(c.ID, "#"+strconv.Itoa(i+1))), offset: z.in.n}
		author := z.user(c.AuthorID, nil)
		f := messageFields{id: string(c.ID), body: string(c.PlainBody), at: parseTime(string(c.CreatedAt)),
			atText: string(c.CreatedAt)}
		if f.body == "" {
			f.body = string(c.Body)
		}
		switch {
		case c.Public != nil && !*c.Public:
			f.direction = kindred.InternalNote
		case c.AuthorID != "" && c.AuthorID == t.RequesterID, author.Role == "end-user":
			f.direction = kindred.Inbound
		default:
			f.direction = kindred.Outbound
		}
		if f.direction != kindred.Inbound {
			f.author, f.authorEmail = strings.TrimSpace(string(author.Name)), string(author.Email)
			if f.author == "" && f.authorEmail == "" && c.AuthorID != "" {
				f.author = "Zendesk user " + string(c.AuthorID)
			}
		}
		z.t.message(it, conv, f)
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// user returns the user with this id, or inline, or a user known by id
// alone.
func (z *zendeskReader) user(id flex, inline *zdUser) zdUser {
	if inline != nil && (inline.ID == "" || inline.ID == id) {
		u := *inline
		u.ID = id
		return u
	}
	if u, ok := z.users[string(id)]; ok {
		return u
	}
	return zdUser{ID: id}
}

// name is what to call the user: their name, else their email or phone,
// else "Zendesk user" and their id.
func (u zdUser) name(id flex) string {
	if s := strings.TrimSpace(string(u.Name)); s != "" {
		return s
	}
	if u.Email != "" || u.Phone != "" {
		return ""
	}
	if id == "" {
		return ""
	}
	return "Zendesk user " + string(id)
}

func cmpOrFlex(f flex, or string) string {
	if f != "" {
		return string(f)
	}
	return or
}

// zendeskChannel maps a ticket's via.channel to kindred's channels. Web
// forms and the API are answered by email in Zendesk, so they are email
// here too.
func zendeskChannel(s string) kindred.Channel {
	switch strings.ToLower(s) {
	case "chat", "chat_transcript", "native_messaging", "messaging", "mobile_sdk", "mobile", "facebook",
		"twitter", "instagram_dm", "telegram", "line", "wechat", "sunshine_conversations_api":
		return kindred.ChannelChat
	case "sms", "text":
		return kindred.ChannelSMS
	case "voice", "phone", "phone_call_inbound", "phone_call_outbound":
		return kindred.ChannelPhone
	case "whatsapp":
		return kindred.ChannelWhatsApp
	}
	return kindred.ChannelEmail
}

// zendeskStatus maps Zendesk's statuses: new and open wait on us, pending
// waits on the customer, on-hold waits on someone else (on us, here), and
// solved and closed are resolved.
func zendeskStatus(s string) kindred.Status {
	switch strings.ToLower(s) {
	case "new":
		return kindred.StatusOpen
	case "open", "hold":
		return kindred.StatusWaitingOnUs
	case "pending":
		return kindred.StatusWaitingOnCustomer
	case "solved", "closed", "":
		return kindred.StatusResolved
	}
	return kindred.Status(s)
}

// zendeskPriority maps Zendesk's priorities, which are kindred's; a ticket
// without one is normal.
func zendeskPriority(s string) kindred.Priority {
	if s == "" {
		return kindred.PriorityNormal
	}
	return kindred.Priority(strings.ToLower(s))
}
