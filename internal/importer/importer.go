package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
	"github.com/kindred-desk/kindred/internal/store"
)

// Formats Run reads.
const (
	Zendesk  = "zendesk"
	Chatwoot = "chatwoot"
	CSV      = "csv"
	JSONL    = "jsonl"
)

// Formats lists the formats, for flags and errors.
var Formats = []string{Zendesk, Chatwoot, CSV, JSONL}

// Options says what to import and how.
type Options struct {
	// Format is the input's format: one of Formats.
	Format string
	// Source names the system the ids belong to; the format's name when
	// empty. Two exports from one system share it; exports from two
	// systems whose ids could collide (two Zendesk accounts) need two.
	Source string
	// Region reads phone numbers written without a country code.
	Region string
	// Users is a Zendesk users export (JSON Lines of users, or objects
	// with a "users" array), read before the tickets for the names,
	// emails, phones and roles of requesters and authors.
	Users io.Reader
	// BatchSize is the number of messages written in one transaction;
	// 0 means 5,000.
	BatchSize int
	// Workers analyse messages at once; 0 means runtime.GOMAXPROCS.
	Workers int
	// Analyzer reads each message; nil means the compassion engine
	// (compassion.DeskAnalyzer), as the desk uses it live.
	Analyzer kindred.Analyzer
	// Reject, when set, is told of each rejected record, in input order.
	Reject func(Rejection)
	// Progress, when set, is told after each batch is committed.
	Progress func(Progress)
}

// Summary counts what an import did.
type Summary struct {
	// Read is the messages read from the input (not counting Skipped).
	Read int64 `json:"read"`
	// Imported is the messages added; Already those a former run added.
	Imported int64 `json:"imported"`
	Already  int64 `json:"already"`
	// Rejected is the messages that could not be imported.
	Rejected int64 `json:"rejected"`
	// Skipped is what the source records beside messages and kindred has
	// no place for: Chatwoot's activity lines ("Conversation was resolved")
	// and bot forms.
	Skipped int64 `json:"skipped"`
	// Customers and Conversations are those added.
	Customers     int64 `json:"customers"`
	Conversations int64 `json:"conversations"`
}

// Progress is how far an import has come.
type Progress struct {
	Summary
	// Offset is the number of bytes of the input read up to the last
	// message committed.
	Offset int64
}

// Rejection is a record that was not imported, and why.
type Rejection struct {
	// At is where it is in the input: "line 12", "ticket 35 comment 7".
	At string `json:"at"`
	// SourceID is the message's id in the source, when it has one.
	SourceID string `json:"source_id,omitempty"`
	Field    string `json:"field"`
	Reason   string `json:"reason"`
}

// String is the rejection as one line for people.
func (r Rejection) String() string {
	return fmt.Sprintf("%s: %s: %s", r.At, r.Field, r.Reason)
}

// item is one message on its way through the pipeline.
type item struct {
	msg store.ImportMessage
	at  string
	// offset is how much of the input had been read when it was.
	offset int64
	// rejected is set by the reader or a worker when the message is not
	// to be imported.
	rejected []Rejection
	// replyTo is the customer's latest message in the conversation before
	// this one: what a reply answers.
	replyTo string
}

// reject marks it rejected for each field error in err.
func (it *item) reject(err error) {
	var ke *kindred.Error
	if errors.As(err, &ke) && len(ke.Fields) > 0 {
		for _, f := range ke.Fields {
			it.rejected = append(it.rejected, Rejection{At: it.at, SourceID: it.msg.SourceID, Field: f.Field, Reason: f.Reason})
		}
		return
	}
	it.rejected = append(it.rejected, Rejection{At: it.at, SourceID: it.msg.SourceID, Field: "record", Reason: err.Error()})
}

// rejectField marks it rejected for one field.
func (it *item) rejectField(field, reason string) {
	it.rejected = append(it.rejected, Rejection{At: it.at, SourceID: it.msg.SourceID, Field: field, Reason: reason})
}

// reader reads one format, calling emit for each message in input order.
type reader interface {
	read(ctx context.Context, emit func(*item) error) error
}

// Run imports in into db and returns what it did. It stops at the first
// error of the input's syntax or of the database, or when ctx ends, with
// everything committed so far kept: run it again to carry on.
func Run(ctx context.Context, db *store.DB, in io.Reader, o Options) (sum Summary, err error) {
	if !slices.Contains(Formats, o.Format) {
		return Summary{}, fmt.Errorf("format %q: give one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.Source == "" {
		o.Source = o.Format
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Analyzer == nil {
		o.Analyzer = compassion.DeskAnalyzer{}
	}
	if o.Region == "" {
		o.Region = "KE"
	}
	imp, err := db.Import(o.Source)
	if err != nil {
		return Summary{}, err
	}
	defer func() {
		// The import's end is written whatever stopped it.
		if cerr := imp.Close(context.WithoutCancel(ctx)); cerr != nil && err == nil {
			err = cerr
		}
	}()
	agents, err := agentsByEmail(ctx, db)
	if err != nil {
		return Summary{}, err
	}
	t := newTracker(o.Region, agents)
	counted := &countingReader{r: in}
	var r reader
	switch o.Format {
	case CSV, JSONL:
		r, err = newFlatReader(o.Format, counted, t)
	case Zendesk:
		r, err = newZendeskReader(counted, in, o.Users, t)
	case Chatwoot:
		r = newChatwootReader(counted, t)
	}
	if err != nil {
		return Summary{}, err
	}
	return run(ctx, imp, r, t, o)
}

// chunkSize is how many messages travel together from the reader to the
// workers and on to the writer.
const chunkSize = 256

type chunk struct {
	seq   int
	items []*item
}

// run is the pipeline: the reader, the workers and the writer, each on its
// own goroutine, with at most a few chunks in flight between them.
func run(ctx context.Context, imp *store.Import, r reader, t *tracker, o Options) (Summary, error) {
	resuming, err := imp.Resuming(ctx)
	if err != nil {
		return Summary{}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		sum Summary
		mu  sync.Mutex // guards sum between the collector and the writer
	)
	inFlight := make(chan struct{}, 4*o.Workers) // chunks read but not yet collected
	toWork := make(chan chunk, o.Workers)
	done := make(chan chunk, o.Workers)
	var wg sync.WaitGroup

	// The reader.
	wg.Go(func() {
		defer close(toWork)
		seq := 0
		cur := chunk{items: make([]*item, 0, chunkSize)}
		send := func() error {
			select {
			case inFlight <- struct{}{}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			cur.seq = seq
			seq++
			toWork <- cur
			cur = chunk{items: make([]*item, 0, chunkSize)}
			return nil
		}
		err := r.read(ctx, func(it *item) error {
			if err := ctx.Err(); err != nil {
				return context.Cause(ctx)
			}
			cur.items = append(cur.items, it)
			if len(cur.items) == chunkSize {
				return send()
			}
			return nil
		})
		if err == nil && len(cur.items) > 0 {
			err = send()
		}
		if err != nil {
			cancel(err)
		}
	})

	// The workers. A run that carries on after a stop first asks which
	// messages are in already, and analyses only the others.
	var workers sync.WaitGroup
	for range o.Workers {
		workers.Go(func() {
			for c := range toWork {
				var known []bool
				if resuming {
					msgs := make([]*store.ImportMessage, 0, len(c.items))
					for _, it := range c.items {
						if len(it.rejected) == 0 {
							msgs = append(msgs, &it.msg)
						}
					}
					k, err := imp.Known(ctx, msgs)
					if err != nil {
						cancel(err)
					}
					known = k
				}
				i := 0
				for _, it := range c.items {
					if len(it.rejected) > 0 {
						continue
					}
					if i < len(known) && known[i] {
						i++
						continue // the writer counts it as there already
					}
					i++
					analyse(it, o.Analyzer)
				}
				done <- c
			}
		})
	}
	go func() { workers.Wait(); close(done) }()

	// The writer, fed batches by the collector below.
	type batch struct {
		msgs   []store.ImportMessage
		offset int64
	}
	batches := make(chan batch, 1)
	var writeErr error
	wg.Go(func() {
		for b := range batches {
			if writeErr != nil {
				continue // drain
			}
			n, err := imp.Write(ctx, b.msgs)
			if err != nil {
				writeErr = err
				cancel(err)
				continue
			}
			mu.Lock()
			sum.Imported += int64(n.Messages)
			sum.Already += int64(n.Already)
			sum.Customers += int64(n.Customers)
			sum.Conversations += int64(n.Conversations)
			p := Progress{Summary: sum, Offset: b.offset}
			mu.Unlock()
			if o.Progress != nil {
				o.Progress(p)
			}
		}
	})

	// The collector: chunks back in input order, rejections reported,
	// messages gathered into batches.
	pending := map[int]chunk{}
	next := 0
	cur := batch{msgs: make([]store.ImportMessage, 0, o.BatchSize)}
	flush := func() {
		if len(cur.msgs) == 0 {
			return
		}
		select {
		case batches <- cur:
		case <-ctx.Done():
		}
		cur = batch{msgs: make([]store.ImportMessage, 0, o.BatchSize)}
	}
	for c := range done {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-inFlight
			for _, it := range c.items {
				mu.Lock()
				sum.Read++
				if len(it.rejected) > 0 {
					sum.Rejected++
				}
				mu.Unlock()
				if len(it.rejected) > 0 {
					if o.Reject != nil {
						for _, rej := range it.rejected {
							o.Reject(rej)
						}
					}
					continue
				}
				cur.msgs = append(cur.msgs, it.msg)
				cur.offset = it.offset
				if len(cur.msgs) == o.BatchSize {
					flush()
				}
			}
		}
	}
	if ctx.Err() == nil {
		flush()
	}
	close(batches)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	sum.Skipped = t.skipped
	if writeErr != nil {
		return sum, writeErr
	}
	if err := context.Cause(ctx); err != nil {
		return sum, err
	}
	return sum, nil
}

// analyse reads a message (checked by the reader) with the engine as the
// API does: a customer's message alone, a reply against the
// customer's latest message and the customer, an internal note not at all.
func analyse(it *item, an kindred.Analyzer) {
	if len(it.rejected) > 0 {
		return
	}
	m := &kindred.Message{Direction: it.msg.Direction, Body: it.msg.Body}
	if m.Direction == kindred.InternalNote {
		return
	}
	var inReplyTo *kindred.Message
	if m.Direction == kindred.Outbound && it.replyTo != "" {
		inReplyTo = &kindred.Message{Direction: kindred.Inbound, Body: it.replyTo}
	}
	cust := &kindred.Customer{Name: it.msg.Conversation.Customer.Name, Accommodations: []kindred.Accommodation{}}
	it.msg.Analysis = an.Analyze(m, inReplyTo, cust)
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// agentsByEmail maps the desk's agents' emails, lower-cased, to them, so
// that a reply written by one of them in the old desk is theirs here too.
func agentsByEmail(ctx context.Context, db *store.DB) (map[string]kindred.Agent, error) {
	as, err := db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]kindred.Agent, len(as))
	for _, a := range as {
		if a.Email != "" {
			m[strings.ToLower(a.Email)] = a
		}
	}
	return m, nil
}
