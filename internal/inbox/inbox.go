// Package inbox receives customers' email: from kindred's own SMTP listener
// (Listener), for the desk's inbox addresses, or from an existing mailbox
// that a Poller reads over IMAP. Both hand each raw mail to Desk.Deliver,
// which parses it (internal/mail), keeps loops and noise out, and stores a
// person's mail as a message in its conversation.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/mail"
)

// Store is what the inbox needs of the database.
type Store interface {
	ReceiveEmail(ctx context.Context, e *kindred.InboundEmail, analyze func(*kindred.Message, *kindred.Customer) *kindred.Analysis) (*kindred.EmailReceipt, error)
	MarkBounced(ctx context.Context, emailID, reason string) (int64, error)
}

// Desk takes in raw mail for the desk.
type Desk struct {
	Store Store
	// Analyzer reads a customer's message as it does any other; nil: none.
	Analyzer kindred.Analyzer
	// OnMessage is told of each message stored, after commit (the consoles' hub).
	OnMessage func(kindred.Message)
	Logger    *slog.Logger
}

// Outcome says what Deliver did with a mail.
type Outcome struct {
	Kind    mail.Kind
	Receipt *kindred.EmailReceipt // set for a person's mail
	Bounced int64                 // the reply a bounce failed, 0 when none of ours
}

// Deliver parses one raw mail and acts on it:
//   - a person's mail is stored (see store.ReceiveEmail), analysed by the
//     compassion engine and announced to the consoles;
//   - a bounce fails the reply it returns (MarkBounced) and is not stored;
//   - an auto-reply (out of office, a list, a robot) is dropped, logged: a
//     message no person wrote would only reopen conversations, alert agents
//     and, answered, start a loop;
//   - our own mail come back is dropped.
//
// A mail Parse refuses returns its *mail.RefusedError and stores nothing.
func (d *Desk) Deliver(ctx context.Context, r io.Reader) (Outcome, error) {
	in, err := mail.Parse(r)
	if err != nil {
		return Outcome{}, err
	}
	log := d.logger().With(slog.String("message_id", in.MessageID), slog.String("kind", in.Kind.String()))
	out := Outcome{Kind: in.Kind}
	switch in.Kind {
	case mail.KindOurs:
		log.Info("email: our own mail came back; dropped", slog.String("why", in.Why))
		return out, nil
	case mail.KindAutoReply:
		log.Info("email: automatic mail dropped", slog.String("why", in.Why))
		return out, nil
	case mail.KindBounce:
		for _, id := range in.Bounced {
			msgID, err := d.Store.MarkBounced(ctx, id, in.BounceReason)
			if err != nil {
				return out, fmt.Errorf("inbox: record bounce of %s: %w", id, err)
			}
			if msgID != 0 {
				out.Bounced = msgID
				log.Info("email: a reply bounced", slog.Int64("message", msgID))
				return out, nil
			}
		}
		log.Info("email: a bounce for no reply of ours; dropped")
		return out, nil
	}
	ctx = kindred.WithActor(ctx, kindred.Actor{Name: "kindred email", Role: kindred.RoleAdmin})
	var analyze func(*kindred.Message, *kindred.Customer) *kindred.Analysis
	if d.Analyzer != nil {
		analyze = func(m *kindred.Message, c *kindred.Customer) *kindred.Analysis { return d.Analyzer.Analyze(m, nil, c) }
	}
	rec, err := d.Store.ReceiveEmail(ctx, &in.InboundEmail, analyze)
	if err != nil {
		var ke *kindred.Error
		if errors.As(err, &ke) && ke.Kind == kindred.Invalid {
			return out, &mail.RefusedError{Field: "mail", Reason: ke.Error()}
		}
		return out, fmt.Errorf("inbox: %w", err)
	}
	out.Receipt = rec
	if !rec.Stored {
		log.Info("email: duplicate dropped", slog.String("why", rec.Reason))
		return out, nil
	}
	log.Info("email: received", slog.Int64("conversation", rec.Message.ConversationID), slog.Int64("message", rec.Message.ID),
		slog.Bool("new_conversation", rec.NewConversation), slog.Int("attachments", len(rec.Message.Attachments)))
	if d.OnMessage != nil {
		d.OnMessage(*rec.Message)
	}
	return out, nil
}

func (d *Desk) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}
