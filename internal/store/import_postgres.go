package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kindred-desk/kindred"
)

// writePostgres writes a batch on PostgreSQL with COPY, a handful of round
// trips for thousands of rows: the batch's source ids are looked up in
// import_ids at once, the new rows' ids drawn from their sequences at
// once, and rows and ids copied in. Imports of one source take turns on an
// advisory lock, so that two runs at once cannot both take a record as new.
func (im *Import) writePostgres(ctx context.Context, msgs []ImportMessage) (*importWrite, error) {
	conn, err := im.db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var w *importWrite
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres driver connection is a %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if w, err = im.pgBatch(ctx, tx, msgs); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
	return w, err
}

func (im *Import) pgBatch(ctx context.Context, tx pgx.Tx, msgs []ImportMessage) (*importWrite, error) {
	w := newImportWrite()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "kindred import "+im.source); err != nil {
		return nil, fmt.Errorf("lock the source: %w", err)
	}

	// The conversations: cached, imported before, or new.
	var (
		convSIDs []string
		convOf   = map[string]*ImportConversation{}
		firstAt  = map[string]int64{}
	)
	for i := range msgs {
		c := msgs[i].Conversation
		if _, ok := im.conversations.get(c.SourceID); ok {
			continue
		}
		if _, ok := convOf[c.SourceID]; !ok {
			convOf[c.SourceID] = c
			convSIDs = append(convSIDs, c.SourceID)
			firstAt[c.SourceID] = conversationCreated(c, msgs[i].CreatedAt)
		}
	}
	had, err := pgLookup(ctx, tx, im.source, importConversation, convSIDs)
	if err != nil {
		return nil, err
	}
	var newConvs []string
	for _, sid := range convSIDs {
		if id, ok := had[sid]; ok {
			w.conversations[sid] = id
		} else {
			newConvs = append(newConvs, sid)
		}
	}

	// Their customers, likewise.
	if len(newConvs) > 0 {
		var custSIDs []string
		custOf := map[string]*ImportCustomer{}
		custAt := map[string]int64{}
		for _, sid := range newConvs {
			c := convOf[sid].Customer
			if _, ok := im.customers.get(c.SourceID); ok {
				continue
			}
			if _, ok := custOf[c.SourceID]; !ok {
				custOf[c.SourceID] = c
				custSIDs = append(custSIDs, c.SourceID)
				custAt[c.SourceID] = firstAt[sid]
			}
		}
		had, err := pgLookup(ctx, tx, im.source, importCustomer, custSIDs)
		if err != nil {
			return nil, err
		}
		var newCusts []string
		for _, sid := range custSIDs {
			if id, ok := had[sid]; ok {
				w.customers[sid] = id
			} else {
				newCusts = append(newCusts, sid)
			}
		}
		ids, err := pgNextIDs(ctx, tx, "customers", len(newCusts))
		if err != nil {
			return nil, err
		}
		rows := make([][]any, len(newCusts))
		for i, sid := range newCusts {
			c := custOf[sid]
			k := kindred.Customer{Name: c.Name, Email: c.Email}
			rows[i] = []any{ids[i], c.Name, c.Phone, c.Email, searchText(&k), custAt[sid], custAt[sid]}
			w.customers[sid] = ids[i]
		}
		if err := pgCopy(ctx, tx, "customers", []string{"id", "name", "phone", "email", "search", "created_at", "updated_at"}, rows); err != nil {
			return nil, err
		}
		if err := im.pgCopyIDs(ctx, tx, importCustomer, newCusts, ids); err != nil {
			return nil, err
		}
		w.counts.Customers = len(newCusts)

		ids, err = pgNextIDs(ctx, tx, "conversations", len(newConvs))
		if err != nil {
			return nil, err
		}
		rows = make([][]any, len(newConvs))
		for i, sid := range newConvs {
			c := convOf[sid]
			cust, ok := im.customers.get(c.Customer.SourceID)
			if !ok {
				cust = w.customers[c.Customer.SourceID]
			}
			at := firstAt[sid]
			rows[i] = []any{ids[i], cust, string(c.Channel), c.Subject, string(c.Status), string(c.Priority), at, at}
			w.conversations[sid] = ids[i]
		}
		if err := pgCopy(ctx, tx, "conversations", []string{"id", "customer_id", "channel", "subject", "status", "priority",
			"created_at", "updated_at"}, rows); err != nil {
			return nil, err
		}
		if err := im.pgCopyIDs(ctx, tx, importConversation, newConvs, ids); err != nil {
			return nil, err
		}
		w.counts.Conversations = len(newConvs)
	}

	// The messages not imported before, each once.
	convID := func(m *ImportMessage) int64 {
		id, ok := im.conversations.get(m.Conversation.SourceID)
		if !ok {
			id = w.conversations[m.Conversation.SourceID]
		}
		return id
	}
	type msgKey struct {
		conv int64
		sid  string
	}
	keys := make([]msgKey, len(msgs))
	convs, sids := make([]int64, len(msgs)), make([]string, len(msgs))
	for i := range msgs {
		keys[i] = msgKey{convID(&msgs[i]), msgs[i].SourceID}
		convs[i], sids[i] = keys[i].conv, keys[i].sid
	}
	seen := make(map[msgKey]bool, len(msgs))
	// One index probe per message (LATERAL … LIMIT 1): the planner's
	// statistics lag behind a table the import is filling.
	rs, err := tx.Query(ctx, `SELECT k.conversation_id, k.source_id
		FROM unnest($2::bigint[], $3::text[]) AS k(conversation_id, source_id)
		CROSS JOIN LATERAL (SELECT 1 FROM import_messages i
			WHERE i.source = $1 AND i.conversation_id = k.conversation_id AND i.source_id = k.source_id LIMIT 1) AS found`,
		im.source, convs, sids)
	if err != nil {
		return nil, fmt.Errorf("look up messages: %w", err)
	}
	for rs.Next() {
		var k msgKey
		if err := rs.Scan(&k.conv, &k.sid); err != nil {
			rs.Close()
			return nil, fmt.Errorf("look up messages: %w", err)
		}
		seen[k] = true
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("look up messages: %w", err)
	}
	var fresh []*ImportMessage
	for i := range msgs {
		if seen[keys[i]] {
			w.counts.Already++
			continue
		}
		seen[keys[i]] = true
		fresh = append(fresh, &msgs[i])
	}
	ids, err := pgNextIDs(ctx, tx, "messages", len(fresh))
	if err != nil {
		return nil, err
	}
	rows := make([][]any, len(fresh))
	claimed := make([][]any, len(fresh))
	var signals [][]any
	weeks := replyWeekCounts{}
	for i, m := range fresh {
		conv := convID(m)
		compassion, sentiment, distress, report := analysisColumns(m.Analysis)
		rows[i] = []any{ids[i], conv, string(m.Direction), nullInt(m.AuthorID), m.AuthorName, m.Body, ms(m.CreatedAt),
			compassion, sentiment, distress, report, string(m.Conversation.Channel)}
		claimed[i] = []any{im.source, conv, m.SourceID, ids[i]}
		if sig := replySignals(m.Direction, m.AuthorID, m.Analysis); sig != nil {
			signals = append(signals, []any{*m.AuthorID, ms(m.CreatedAt), ids[i], compassion, string(sig)})
		}
		weeks.add(m.Direction, m.AuthorID, m.Analysis, ms(m.CreatedAt))
		w.touch(conv, m)
	}
	if err := pgCopy(ctx, tx, "messages", []string{"id", "conversation_id", "direction", "author_id", "author_name", "body",
		"created_at", "compassion", "sentiment", "distress", "analysis", "channel"}, rows); err != nil {
		return nil, err
	}
	if err := pgCopy(ctx, tx, "import_messages", []string{"source", "conversation_id", "source_id", "message_id"}, claimed); err != nil {
		return nil, err
	}
	if err := pgCopy(ctx, tx, "reply_signals", []string{"author_id", "created_at", "message_id", "compassion", "signals"}, signals); err != nil {
		return nil, err
	}
	w.counts.Messages = len(fresh)

	// The conversations as their new messages leave them (see sqliteUpdate).
	if len(w.order) > 0 {
		var (
			cids     = make([]int64, len(w.order))
			updated  = make([]int64, len(w.order))
			first    = make([]*int64, len(w.order))
			statuses = make([]string, len(w.order))
		)
		for i, id := range w.order {
			ch := w.touched[id]
			cids[i], updated[i], first[i], statuses[i] = id, ch.updated, ch.firstResponse, string(ch.status)
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations c SET
			updated_at = GREATEST(c.updated_at, u.updated),
			first_response_at = CASE WHEN u.first IS NOT NULL AND (c.first_response_at IS NULL OR c.first_response_at > u.first)
				THEN u.first ELSE c.first_response_at END,
			status = u.status,
			resolved_at = CASE WHEN u.status = 'resolved' THEN GREATEST(c.updated_at, u.updated) END
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS u(id, updated, first, status)
			WHERE c.id = u.id`, cids, updated, first, statuses); err != nil {
			return nil, fmt.Errorf("update conversations: %w", err)
		}
	}

	actorID, actorName := actor(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO audit (at, actor_id, actor_name, action, subject, subject_id, detail)
		VALUES ($1, $2, $3, 'import', 'import', 0, $4)`, ms(im.db.clock()), actorID, actorName, im.auditDetail(w.counts)); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	// Last: the counts' rows are locked until the commit (see replyweeks.go).
	if err := weeks.writePostgres(ctx, tx); err != nil {
		return nil, err
	}
	return w, nil
}

// pgLookup returns the local ids of those of sids imported from source
// before.
func pgLookup(ctx context.Context, tx pgx.Tx, source, kind string, sids []string) (map[string]int64, error) {
	found := map[string]int64{}
	if len(sids) == 0 {
		return found, nil
	}
	rows, err := tx.Query(ctx, "SELECT source_id, local_id FROM import_ids WHERE source = $1 AND kind = $2 AND source_id = ANY($3)",
		source, kind, sids)
	if err != nil {
		return nil, fmt.Errorf("look up %ss: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid string
		var id int64
		if err := rows.Scan(&sid, &id); err != nil {
			return nil, fmt.Errorf("look up %ss: %w", kind, err)
		}
		found[sid] = id
	}
	return found, rows.Err()
}

// pgNextIDs draws n ids from table's id sequence.
func pgNextIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	rows, err := tx.Query(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, n)
	if err != nil {
		return nil, fmt.Errorf("ids for %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("ids for %s: %w", table, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ids for %s: %w", table, err)
	}
	if len(ids) != n {
		return nil, errors.New("ids for " + table + ": the sequence gave too few")
	}
	return ids, nil
}

// pgCopy copies rows into table's columns.
func pgCopy(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if n != int64(len(rows)) {
		return fmt.Errorf("copy %s: %d rows of %d", table, n, len(rows))
	}
	return nil
}

// pgCopyIDs records that the records sids of kind are now ids.
func (im *Import) pgCopyIDs(ctx context.Context, tx pgx.Tx, kind string, sids []string, ids []int64) error {
	rows := make([][]any, len(sids))
	for i, sid := range sids {
		rows[i] = []any{im.source, kind, sid, ids[i]}
	}
	return pgCopy(ctx, tx, "import_ids", []string{"source", "kind", "source_id", "local_id"}, rows)
}
