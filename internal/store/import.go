package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kindred-desk/kindred"
)

// ImportCustomer is a customer as another desk's export names them, checked
// by the importer as the API checks a new customer.
type ImportCustomer struct {
	SourceID string // the customer's id in the source; never empty
	Name     string
	Phone    string // E.164, or ""
	Email    string
}

// ImportConversation is a conversation (a ticket) as an export gives it.
// Many messages share one.
type ImportConversation struct {
	SourceID string
	Customer *ImportCustomer
	Channel  kindred.Channel
	Subject  string
	Status   kindred.Status
	Priority kindred.Priority
	// CreatedAt is when it was opened; zero: its first message's time.
	CreatedAt time.Time
}

// ImportMessage is one message of an export, analysed by the compassion
// engine before it is written. It is historical: recorded as it was, never
// sent, without a delivery status.
type ImportMessage struct {
	SourceID     string
	Conversation *ImportConversation
	Direction    kindred.Direction
	AuthorID     *int64 // the agent who wrote it, when they are one of ours
	AuthorName   string
	Body         string
	CreatedAt    time.Time
	Analysis     *kindred.Analysis
}

// ImportCounts says what one write of an import added.
type ImportCounts struct {
	Customers     int
	Conversations int
	Messages      int
	// Already counts the messages a former run imported: left as they are.
	Already int
}

// Add adds o's counts to c.
func (c *ImportCounts) Add(o ImportCounts) {
	c.Customers += o.Customers
	c.Conversations += o.Conversations
	c.Messages += o.Messages
	c.Already += o.Already
}

// Kinds of record in import_ids (messages are in import_messages).
const (
	importCustomer     = "customer"
	importConversation = "conversation"
)

// idCacheSize bounds each id cache of an Import: two generations of at most
// this many entries (about 100 bytes each).
const idCacheSize = 100_000

// idCache remembers the local ids of recently seen source ids, in two
// generations so that memory stays bounded however long the import: when the
// young one is full, it becomes the old one and the old one is dropped. A
// miss is looked up in import_ids.
type idCache struct {
	young, old map[string]int64
	size       int
}

func newIDCache(size int) idCache {
	return idCache{young: make(map[string]int64), size: size}
}

func (c *idCache) get(sid string) (int64, bool) {
	if id, ok := c.young[sid]; ok {
		return id, true
	}
	if id, ok := c.old[sid]; ok {
		c.put(sid, id)
		return id, true
	}
	return 0, false
}

func (c *idCache) put(sid string, id int64) {
	if len(c.young) >= c.size {
		c.old, c.young = c.young, make(map[string]int64, c.size/4)
	}
	c.young[sid] = id
}

// Import writes the records of one source (a Zendesk account, a Chatwoot
// install, a CSV file's system) into the store, a batch at a time, each
// batch in one transaction. Each record's source id is kept in import_ids
// beside its local id, so that a record already imported is left alone:
// importing the same export twice, or again after a run was stopped, adds
// nothing twice. An Import is not safe for concurrent use.
type Import struct {
	db     *DB
	source string
	// Local ids of the customers and conversations met lately.
	customers, conversations idCache
	// checkpointing is set once the SQLite writer has handed its
	// checkpoints to the checkpointer, with a larger cache, for the import;
	// Close restores both.
	checkpointing bool
	checkpointer  *checkpointer
}

// importCheckpoint is how many pages SQLite's write-ahead log may hold
// during an import before the writer copies them into the database itself
// (1,000 otherwise): a bound the checkpointer keeps the log far under.
const importCheckpoint = 65536

// checkpointer copies SQLite's write-ahead log into the database on a
// connection of its own while the import's writer goes on writing, which
// WAL mode allows: the writer no longer stops, at every few batches, to
// copy pages and wait for the disk. (Measured on 300,000 messages: a fifth
// of the writer's time.)
type checkpointer struct {
	conn   *sql.DB
	wake   chan struct{} // a batch was committed
	stop   chan struct{}
	exited chan struct{}
}

func startCheckpointer(db *DB) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", db.backupDSN)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, wake: make(chan struct{}, 1), stop: make(chan struct{}), exited: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.exited)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		// PASSIVE: copy what no reader needs, without waiting for anyone.
		// A failure is left for the next wake, the writer's own bound, or
		// Close to make good.
		c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// committed tells the checkpointer of a commit, without waiting.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.exited
	return c.conn.Close()
}

// Close ends the import: on SQLite the checkpointer stops, the writer
// checkpoints as before and keeps its usual cache, and the log written
// during the import is copied into the database now and cut, as far as
// readers allow.
func (im *Import) Close(ctx context.Context) error {
	if !im.checkpointing {
		return nil
	}
	im.checkpointing = false
	var errs []error
	if im.checkpointer != nil {
		errs = append(errs, im.checkpointer.close())
		im.checkpointer = nil
	}
	for _, p := range []string{"wal_autocheckpoint = 1000", "cache_size = -2000"} {
		if _, err := im.db.w.ExecContext(ctx, "PRAGMA "+p); err != nil {
			errs = append(errs, err)
		}
	}
	// The log is copied in and cut to nothing (see scrubWAL), unless a
	// reader holds it: then the next checkpoints copy it as usual.
	if err := im.db.scrubWAL(ctx); err != nil && !errors.Is(err, errWALBusy) {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("end import: %w", err)
	}
	return nil
}

// Import starts an import from source, the name the records' ids belong to.
func (db *DB) Import(source string) (*Import, error) {
	if strings.TrimSpace(source) == "" || utf8.RuneCountInString(source) > 100 {
		return nil, invalid("source", "name the source in 1 to 100 characters")
	}
	return &Import{db: db, source: source,
		customers: newIDCache(idCacheSize), conversations: newIDCache(idCacheSize)}, nil
}

// Write stores msgs in one transaction: each message whose source id was
// not imported before, with its conversation and customer when they are
// new, and the conversations' times and status brought up to date. The
// messages of one conversation must come oldest first, as they were
// written. Nothing is sent: no outbox, no webhook event, no delivery
// status. It audits one entry for the batch.
func (im *Import) Write(ctx context.Context, msgs []ImportMessage) (ImportCounts, error) {
	if len(msgs) == 0 {
		return ImportCounts{}, nil
	}
	var (
		n   ImportCounts
		err error
		w   *importWrite
	)
	if im.db.dialect == Postgres {
		w, err = im.writePostgres(ctx, msgs)
	} else {
		w, err = im.writeSQLite(ctx, msgs)
	}
	if err != nil {
		return ImportCounts{}, fmt.Errorf("import %d messages from %s: %w", len(msgs), im.source, err)
	}
	// Only a committed batch's ids are remembered.
	for sid, id := range w.customers {
		im.customers.put(sid, id)
	}
	for sid, id := range w.conversations {
		im.conversations.put(sid, id)
	}
	n = w.counts
	return n, nil
}

// importWrite is what one batch's transaction found and made.
type importWrite struct {
	counts ImportCounts
	// New and looked-up ids of this batch, for the caches once committed.
	customers, conversations map[string]int64
	// touched holds, per local conversation id, what the batch's messages
	// change, in the order first met.
	touched map[int64]*convChange
	order   []int64
}

// convChange is what a batch's messages do to one conversation: the same
// as Conversation.Apply would, message after message, for history whose
// status is the source's.
type convChange struct {
	status        kindred.Status
	updated       int64  // the newest message
	firstResponse *int64 // the first reply in this batch
}

func newImportWrite() *importWrite {
	return &importWrite{customers: map[string]int64{}, conversations: map[string]int64{}, touched: map[int64]*convChange{}}
}

// touch records message m of conversation id.
func (w *importWrite) touch(id int64, m *ImportMessage) {
	ch := w.touched[id]
	if ch == nil {
		ch = &convChange{status: m.Conversation.Status}
		w.touched[id] = ch
		w.order = append(w.order, id)
	}
	at := ms(m.CreatedAt)
	ch.updated = max(ch.updated, at)
	if m.Direction == kindred.Outbound && (ch.firstResponse == nil || at < *ch.firstResponse) {
		ch.firstResponse = &at
	}
}

// conversationTimes are a conversation's opening and first message, for
// the row written when it is new.
func conversationCreated(c *ImportConversation, first time.Time) int64 {
	if !c.CreatedAt.IsZero() && c.CreatedAt.Before(first) {
		return ms(c.CreatedAt)
	}
	return ms(first)
}

func (im *Import) auditDetail(n ImportCounts) string {
	return fmt.Sprintf("from %s: %d messages, %d conversations, %d customers added; %d already there",
		im.source, n.Messages, n.Conversations, n.Customers, n.Already)
}

// writeSQLite writes a batch on SQLite with prepared statements. The writer
// holds the database's one write lock for the whole transaction, so the ids
// the new rows will get are known beforehand (the highest so far, plus
// one): each record's source id is claimed in import_ids with its future
// local id, and the row is written only when the claim was new.
func (im *Import) writeSQLite(ctx context.Context, msgs []ImportMessage) (*importWrite, error) {
	var w *importWrite
	err := im.db.Tx(ctx, func(tx *Tx) error {
		// The statements below run on the transaction's terms (see
		// Tx.ctx): a context that can end would also cost each of them a
		// watcher for its interruption.
		ctx := tx.ctx(ctx)
		w = newImportWrite()
		if !im.checkpointing {
			// While importing, the writer keeps more of the database in
			// memory (64 MB, not 2): a batch's new pages no longer spill
			// into the log before the commit, to be read back and written
			// again. Its checkpoints are the checkpointer's.
			for _, p := range []string{"wal_autocheckpoint = " + strconv.Itoa(importCheckpoint), "cache_size = -65536"} {
				if _, err := tx.Exec(ctx, "PRAGMA "+p); err != nil {
					return err
				}
			}
			im.checkpointing = true
			c, err := startCheckpointer(im.db)
			if err != nil {
				return err
			}
			im.checkpointer = c
		}
		s, err := prepareImport(ctx, tx)
		if err != nil {
			return err
		}
		defer s.close()
		var next struct{ customer, conversation, message int64 }
		for _, x := range []struct {
			table string
			id    *int64
		}{{"customers", &next.customer}, {"conversations", &next.conversation}, {"messages", &next.message}} {
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+x.table).Scan(x.id); err != nil {
				return err
			}
		}
		// claim records sid as local id in import_ids unless it is there
		// already, in which case it returns the id it has.
		claim := func(kind, sid string, id int64) (int64, bool, error) {
			r, err := s.claim.ExecContext(ctx, im.source, kind, sid, id)
			if err != nil {
				return 0, false, fmt.Errorf("claim %s %s: %w", kind, sid, err)
			}
			if k, err := r.RowsAffected(); err != nil || k == 1 {
				return id, true, err
			}
			var had int64
			if err := s.lookup.QueryRowContext(ctx, im.source, kind, sid).Scan(&had); err != nil {
				return 0, false, fmt.Errorf("look up %s %s: %w", kind, sid, err)
			}
			return had, false, nil
		}
		customer := func(c *ImportCustomer, at int64) (int64, error) {
			if id, ok := im.customers.get(c.SourceID); ok {
				return id, nil
			}
			if id, ok := w.customers[c.SourceID]; ok {
				return id, nil
			}
			id, isNew, err := claim(importCustomer, c.SourceID, next.customer)
			if err != nil {
				return 0, err
			}
			if isNew {
				k := kindred.Customer{Name: c.Name, Email: c.Email}
				if _, err := s.customer.ExecContext(ctx, id, c.Name, c.Phone, c.Email, searchText(&k), at, at); err != nil {
					return 0, fmt.Errorf("customer %s: %w", c.SourceID, err)
				}
				next.customer++
				w.counts.Customers++
			}
			w.customers[c.SourceID] = id
			return id, nil
		}
		conversation := func(m *ImportMessage) (int64, error) {
			c := m.Conversation
			if id, ok := im.conversations.get(c.SourceID); ok {
				return id, nil
			}
			if id, ok := w.conversations[c.SourceID]; ok {
				return id, nil
			}
			id, isNew, err := claim(importConversation, c.SourceID, next.conversation)
			if err != nil {
				return 0, err
			}
			if isNew {
				created := conversationCreated(c, m.CreatedAt)
				cust, err := customer(c.Customer, created)
				if err != nil {
					return 0, err
				}
				if _, err := s.conversation.ExecContext(ctx, id, cust, string(c.Channel), c.Subject, string(c.Status),
					string(c.Priority), created, created); err != nil {
					return 0, fmt.Errorf("conversation %s: %w", c.SourceID, err)
				}
				next.conversation++
				w.counts.Conversations++
			}
			w.conversations[c.SourceID] = id
			return id, nil
		}
		// The counts of the replies this batch writes, not of those it
		// finds already there.
		weeks := replyWeekCounts{}
		for i := range msgs {
			m := &msgs[i]
			conv, err := conversation(m)
			if err != nil {
				return err
			}
			id := next.message
			r, err := s.claimMessage.ExecContext(ctx, im.source, conv, m.SourceID, id)
			if err != nil {
				return fmt.Errorf("claim message %s: %w", m.SourceID, err)
			}
			if k, err := r.RowsAffected(); err != nil {
				return err
			} else if k == 0 {
				w.counts.Already++
				continue
			}
			compassion, sentiment, distress, report := analysisColumns(m.Analysis)
			if _, err := s.message.ExecContext(ctx, id, conv, string(m.Direction), nullInt(m.AuthorID), m.AuthorName, m.Body,
				ms(m.CreatedAt), compassion, sentiment, distress, report, string(m.Conversation.Channel)); err != nil {
				return fmt.Errorf("message %s: %w", m.SourceID, err)
			}
			if sig := replySignals(m.Direction, m.AuthorID, m.Analysis); sig != nil {
				if _, err := s.signal.ExecContext(ctx, *m.AuthorID, ms(m.CreatedAt), id, compassion, string(sig)); err != nil {
					return fmt.Errorf("message %s: signals: %w", m.SourceID, err)
				}
			}
			weeks.add(m.Direction, m.AuthorID, m.Analysis, ms(m.CreatedAt))
			next.message++
			w.counts.Messages++
			w.touch(conv, m)
		}
		for _, id := range w.order {
			ch := w.touched[id]
			if _, err := s.update.ExecContext(ctx, ch.updated, nullInt(ch.firstResponse), string(ch.status), id); err != nil {
				return fmt.Errorf("conversation %d: %w", id, err)
			}
		}
		if err := weeks.write(ctx, func(ctx context.Context, args ...any) error {
			_, err := s.weeks.ExecContext(ctx, args...)
			return err
		}); err != nil {
			return err
		}
		return tx.Audit(ctx, "import", "import", 0, im.auditDetail(w.counts))
	})
	if err == nil && im.checkpointer != nil {
		im.checkpointer.committed()
	}
	return w, err
}

// importStatements are the statements of a batch on SQLite, prepared once
// for its thousands of rows.
type importStatements struct {
	claim, lookup, claimMessage, customer, conversation, message, signal, update, weeks *sql.Stmt
}

// The SQL of an import batch on SQLite.
const (
	sqliteClaim  = `INSERT INTO import_ids (source, kind, source_id, local_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqliteLookup = `SELECT local_id FROM import_ids WHERE source = ? AND kind = ? AND source_id = ?`
	// Claimed before the message is written, with the id it will get.
	sqliteClaimMessage = `INSERT INTO import_messages (source, conversation_id, source_id, message_id) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`
	// The customer's other fields keep their defaults: nothing else is known.
	sqliteCustomer = `INSERT INTO customers (id, name, phone, email, search, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqliteConversation = `INSERT INTO conversations (id, customer_id, channel, subject, status, priority, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	// A historical message: no delivery status, recipient or email id.
	sqliteMessage = `INSERT INTO messages (id, conversation_id, direction, author_id, author_name, body, created_at,
		compassion, sentiment, distress, analysis, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// The conversation as Apply leaves it after the batch's messages, its
	// status the source's: the newest message is its last change, the
	// earliest reply its first response, and a resolved one was resolved
	// at its last message.
	sqliteUpdate = `UPDATE conversations SET
		updated_at = MAX(updated_at, ?1),
		first_response_at = CASE WHEN ?2 IS NOT NULL AND (first_response_at IS NULL OR first_response_at > ?2)
			THEN ?2 ELSE first_response_at END,
		status = ?3,
		resolved_at = CASE WHEN ?3 = 'resolved' THEN MAX(updated_at, ?1) END
		WHERE id = ?4`
)

func prepareImport(ctx context.Context, tx *Tx) (*importStatements, error) {
	s := &importStatements{}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.claim, sqliteClaim}, {&s.lookup, sqliteLookup}, {&s.claimMessage, sqliteClaimMessage}, {&s.customer, sqliteCustomer},
		{&s.conversation, sqliteConversation}, {&s.message, sqliteMessage}, {&s.signal, replySignalsSQL}, {&s.update, sqliteUpdate},
		{&s.weeks, replyWeeksSQL},
	} {
		st, err := tx.tx.PrepareContext(tx.ctx(ctx), p.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare import: %w", err)
		}
		*p.stmt = st
	}
	return s, nil
}

func (s *importStatements) close() {
	for _, st := range []*sql.Stmt{s.claim, s.lookup, s.claimMessage, s.customer, s.conversation, s.message, s.signal, s.update, s.weeks} {
		if st != nil {
			st.Close()
		}
	}
}

// analysisColumns are the stored columns of an analysis, as AddMessage
// writes them.
func analysisColumns(a *kindred.Analysis) (compassion, sentiment, distress, report any) {
	if a == nil {
		return nil, nil, nil, nil
	}
	compassion, distress, sentiment = floatOrNil(a.Compassion), floatOrNil(a.Distress), a.Sentiment
	if len(a.Report) > 0 {
		report = string(a.Report)
	}
	return compassion, sentiment, distress, report
}

// ImportedID returns the local id of a customer or conversation (kind)
// imported from source, or NotFound.
func (db *DB) ImportedID(ctx context.Context, source, kind, sourceID string) (int64, error) {
	var id int64
	err := db.ReadTx(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT local_id FROM import_ids WHERE source = ? AND kind = ? AND source_id = ?",
			source, kind, sourceID).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, kindred.Errorf(kindred.NotFound, "%s %s from %s was not imported", kind, sourceID, source)
	}
	if err != nil {
		return 0, fmt.Errorf("imported %s %s: %w", kind, sourceID, err)
	}
	return id, nil
}

// ImportedMessages returns the local ids of the messages imported from
// source, keyed by their source ids, in one conversation.
func (db *DB) ImportedMessages(ctx context.Context, source string, conversationID int64) (map[string]int64, error) {
	ids := map[string]int64{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT source_id, message_id FROM import_messages WHERE source = ? AND conversation_id = ?",
			source, conversationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sid string
			var id int64
			if err := rows.Scan(&sid, &id); err != nil {
				return err
			}
			ids[sid] = id
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("imported messages of conversation %d: %w", conversationID, err)
	}
	return ids, nil
}

// Resuming reports whether records of this source were imported before:
// only then can Known find any.
func (im *Import) Resuming(ctx context.Context) (bool, error) {
	var found bool
	err := im.db.ReadTx(ctx, func(tx *Tx) (err error) {
		found, err = tx.Exists(ctx, "SELECT 1 FROM import_ids WHERE source = ? LIMIT 1", im.source)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("import from %s: %w", im.source, err)
	}
	return found, nil
}

// Known reports, for each message, whether a committed batch imported it
// already, reading beside the writer: a run that carries on after a stop
// need not analyse again what it will skip. Write decides in the end.
func (im *Import) Known(ctx context.Context, msgs []*ImportMessage) ([]bool, error) {
	known := make([]bool, len(msgs))
	if im.db.dialect == Postgres {
		return known, im.knownPostgres(ctx, msgs, known)
	}
	err := im.db.ReadTx(ctx, func(tx *Tx) error {
		convs := map[string]int64{}
		for i, m := range msgs {
			sid := m.Conversation.SourceID
			id, ok := convs[sid]
			if !ok {
				err := tx.QueryRow(ctx, "SELECT local_id FROM import_ids WHERE source = ? AND kind = ? AND source_id = ?",
					im.source, importConversation, sid).Scan(&id)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				convs[sid] = id
			}
			if id == 0 {
				continue
			}
			var err error
			known[i], err = tx.Exists(ctx, "SELECT 1 FROM import_messages WHERE source = ? AND conversation_id = ? AND source_id = ?",
				im.source, id, m.SourceID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("imported messages from %s: %w", im.source, err)
	}
	return known, nil
}

// knownPostgres is Known in one round trip.
func (im *Import) knownPostgres(ctx context.Context, msgs []*ImportMessage, known []bool) error {
	convs, sids := make([]string, len(msgs)), make([]string, len(msgs))
	for i, m := range msgs {
		convs[i], sids[i] = m.Conversation.SourceID, m.SourceID
	}
	err := im.db.ReadTx(ctx, func(tx *Tx) error {
		// One index probe per message (LATERAL … LIMIT 1), whatever the
		// planner thinks of tables an import has just filled.
		rows, err := tx.Query(ctx, `SELECT k.n FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS k(conv, sid, n)
			CROSS JOIN LATERAL (SELECT c.local_id FROM import_ids c
				WHERE c.source = ? AND c.kind = ? AND c.source_id = k.conv LIMIT 1) AS c
			CROSS JOIN LATERAL (SELECT 1 FROM import_messages m
				WHERE m.source = ? AND m.conversation_id = c.local_id AND m.source_id = k.sid LIMIT 1) AS found`,
			convs, sids, im.source, importConversation, im.source)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				return err
			}
			known[n-1] = true
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("imported messages from %s: %w", im.source, err)
	}
	return nil
}
