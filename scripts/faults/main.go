// Command faults is the tally of scripts/faults.sh: after a run of kindred
// under load, SIGKILLs, a database restart and gateways down, it reads what
// the load was acknowledged (kindred bench --acked), what the SMS gateway
// and the mailbox took (kindred smsgw --record, kindred mailgw --record) and
// the database, and prints whether every acknowledged write is stored,
// whether the outbox drained with each message reaching its gateway exactly
// once, and whether the database is intact. It exits 1 when anything is
// wrong.
//
//	go run ./scripts/faults --db kindred.db --acked a.jsonl,b.jsonl --sms sms.jsonl --mail mail.jsonl
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kindred-desk/kindred/internal/bench"
	"github.com/kindred-desk/kindred/internal/sms"
	"github.com/kindred-desk/kindred/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

// errFailed is run's answer when the tally found something wrong: it has
// printed what.
var errFailed = errors.New("the tally found faults (lines marked FAIL)")

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	dsn := fs.String("db", "", "the desk's database: a SQLite file or a postgres:// URL")
	ackedFiles := fs.String("acked", "", "comma-separated files of acknowledged writes (kindred bench --acked)")
	smsFile := fs.String("sms", "", "the SMS gateway's record (kindred smsgw --record)")
	mailFile := fs.String("mail", "", "the mailbox's record (kindred mailgw --record)")
	wait := fs.Duration("wait", 0, "instead of the tally, wait up to this long for the outbox to have no pending row, printing how many are left")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *wait > 0 && *dsn != "" {
		return waitDrained(ctx, *dsn, *wait, out)
	}
	if *dsn == "" || *ackedFiles == "" || *smsFile == "" || *mailFile == "" {
		return errors.New("give --db, --acked, --sms and --mail")
	}
	var acks []bench.Ack
	for _, f := range strings.Split(*ackedFiles, ",") {
		a, err := readLines[bench.Ack](f)
		if err != nil {
			return err
		}
		acks = append(acks, a...)
	}
	texts, err := readLines[sms.Delivery](*smsFile)
	if err != nil {
		return err
	}
	mails, err := readLines[mailRecord](*mailFile)
	if err != nil {
		return err
	}
	db, err := openRaw(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	t := &tally{out: out, postgres: isPostgres(*dsn)}
	if err := t.acknowledged(ctx, db, acks); err != nil {
		return err
	}
	if err := t.outbox(ctx, db, acks, texts, mails); err != nil {
		return err
	}
	if err := t.integrity(ctx, db, *dsn); err != nil {
		return err
	}
	if t.failed {
		return errFailed
	}
	return nil
}

// waitDrained waits until the outbox of the database at dsn has no pending
// row, or fails after timeout.
func waitDrained(ctx context.Context, dsn string, timeout time.Duration, out io.Writer) error {
	db, err := openRaw(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	last := time.Time{}
	for {
		var pending, retrying int
		err := db.QueryRowContext(ctx, `SELECT count(*), count(CASE WHEN attempts > 1 OR last_error <> '' THEN 1 END)
			FROM outbox WHERE status = 'pending'`).Scan(&pending, &retrying)
		if err != nil {
			return fmt.Errorf("count the pending outbox: %w", err)
		}
		took := time.Since(start).Round(time.Second)
		if pending == 0 {
			fmt.Fprintf(out, "outbox drained after %s\n", took)
			return nil
		}
		if took > timeout {
			return fmt.Errorf("the outbox still has %d pending rows after %s", pending, timeout)
		}
		if time.Since(last) >= 15*time.Second {
			fmt.Fprintf(out, "waiting for the outbox: %d pending (%d of them tried before) after %s\n", pending, retrying, took)
			last = time.Now()
		}
		time.Sleep(time.Second)
	}
}

// mailRecord is one line of kindred mailgw --record.
type mailRecord struct {
	MessageID string `json:"message_id"`
	OutboxID  string `json:"outbox_id"`
	To        []string
}

// readLines reads a file of JSON lines.
func readLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		all = append(all, v)
	}
	return all, sc.Err()
}

// isPostgres reports whether dsn names PostgreSQL, as store.Open reads it.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openRaw opens the database for plain queries (the drivers are those the
// store registers), with ? placeholders rewritten for PostgreSQL by q.
func openRaw(dsn string) (*sql.DB, error) {
	if isPostgres(dsn) {
		return sql.Open("pgx", dsn)
	}
	return sql.Open("sqlite", "file:"+dsn+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
}

type tally struct {
	out      io.Writer
	postgres bool
	failed   bool
}

// line prints one line of the tally; bad marks it FAIL and the run failed.
func (t *tally) line(bad bool, format string, args ...any) {
	mark := "ok  "
	if bad {
		mark = "FAIL"
		t.failed = true
	}
	fmt.Fprintf(t.out, "%s  %s\n", mark, fmt.Sprintf(format, args...))
}

// info prints a line that is a figure, not a check.
func (t *tally) info(format string, args ...any) {
	fmt.Fprintf(t.out, "      %s\n", fmt.Sprintf(format, args...))
}

// acknowledged checks that each acknowledged write is stored as it was sent.
func (t *tally) acknowledged(ctx context.Context, db *sql.DB, acks []bench.Ack) error {
	type want struct{ sent, missing, wrong int }
	by := map[string]*want{"customer": {}, "conversation": {}, "message": {}}
	var examples []string
	note := func(s string) {
		if len(examples) < 5 {
			examples = append(examples, s)
		}
	}
	for _, a := range acks {
		w, ok := by[a.Kind]
		if !ok {
			return fmt.Errorf("an acknowledged %q: not a kind the tally knows", a.Kind)
		}
		w.sent++
		var err error
		switch a.Kind {
		case "customer":
			var id int64
			err = db.QueryRowContext(ctx, t.q("SELECT id FROM customers WHERE id = ?"), a.ID).Scan(&id)
		case "conversation":
			var customer int64
			var channel string
			err = db.QueryRowContext(ctx, t.q("SELECT customer_id, channel FROM conversations WHERE id = ?"), a.ID).Scan(&customer, &channel)
			if err == nil && (customer != a.CustomerID || channel != a.Channel) {
				w.wrong++
				note(fmt.Sprintf("conversation %d is customer %d's on %s, acknowledged as %d's on %s", a.ID, customer, channel, a.CustomerID, a.Channel))
			}
		case "message":
			var conv int64
			var direction, body string
			err = db.QueryRowContext(ctx, t.q("SELECT conversation_id, direction, body FROM messages WHERE id = ?"), a.ID).Scan(&conv, &direction, &body)
			if err == nil && (conv != a.ConversationID || direction != a.Direction || body != a.Body) {
				w.wrong++
				note(fmt.Sprintf("message %d differs from what was acknowledged", a.ID))
			}
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			w.missing++
			note(fmt.Sprintf("acknowledged %s %d is not stored", a.Kind, a.ID))
		case err != nil:
			return fmt.Errorf("read %s %d: %w", a.Kind, a.ID, err)
		}
	}
	fmt.Fprintln(t.out, "acknowledged writes (each 2xx answer, with the id it returned):")
	total := 0
	for _, kind := range []string{"customer", "conversation", "message"} {
		w := by[kind]
		total += w.sent
		t.line(w.missing+w.wrong > 0, "%-13s %6d acknowledged, %6d present, %d missing, %d not as sent", kind+"s", w.sent, w.sent-w.missing-w.wrong, w.missing, w.wrong)
	}
	t.line(total == 0, "%-13s %6d acknowledged in all", "writes", total)
	for _, e := range examples {
		t.info("%s", e)
	}
	return nil
}

// outboxRow is one row of the outbox.
type outboxRow struct {
	channel, status, providerID string
	attempts                    int
	messageID                   sql.NullInt64
}

// outbox checks that the outbox drained, that each acknowledged reply was
// queued once and sent, and that each sent message reached its gateway
// exactly once.
func (t *tally) outbox(ctx context.Context, db *sql.DB, acks []bench.Ack, texts []sms.Delivery, mails []mailRecord) error {
	rows, err := db.QueryContext(ctx, "SELECT id, channel, status, provider_id, attempts, message_id FROM outbox")
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	outbox := map[int64]outboxRow{}
	byMessage := map[int64][]int64{}
	for rows.Next() {
		var id int64
		var r outboxRow
		if err := rows.Scan(&id, &r.channel, &r.status, &r.providerID, &r.attempts, &r.messageID); err != nil {
			rows.Close()
			return fmt.Errorf("read the outbox: %w", err)
		}
		outbox[id] = r
		if r.messageID.Valid {
			byMessage[r.messageID.Int64] = append(byMessage[r.messageID.Int64], id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}

	fmt.Fprintln(t.out, "outbox (SMS and email replies):")
	status := map[string]int{}
	retried, attempts := 0, 0
	byChannel := map[string]int{}
	for _, r := range outbox {
		status[r.status]++
		byChannel[r.channel]++
		attempts += r.attempts
		if r.attempts > 1 {
			retried++
		}
	}
	t.line(len(outbox) == 0, "rows          %6d (%d SMS, %d email)", len(outbox), byChannel["sms"], byChannel["email"])
	t.line(status["pending"] > 0, "queued        %6d still pending (want 0: drained)", status["pending"])
	t.line(status["sent"] != len(outbox), "sent          %6d", status["sent"])
	t.line(status["dead"] > 0, "dead          %6d (failed for good)", status["dead"])
	t.info("failed tries  %6d rows needed more than one try; %d tries in all", retried, attempts)
	if other := len(outbox) - status["pending"] - status["sent"] - status["dead"]; other > 0 {
		t.line(true, "unknown       %6d rows in a status the tally does not know", other)
	}

	// Each acknowledged reply on an SMS or email conversation: one outbox
	// row, sent.
	convChannel := map[int64]string{}
	for _, a := range acks {
		if a.Kind == "conversation" {
			convChannel[a.ID] = a.Channel
		}
	}
	replies, queuedOnce, notQueued, queuedTwice, replySent := 0, 0, 0, 0, 0
	for _, a := range acks {
		if a.Kind != "message" || a.Direction != "out" {
			continue
		}
		if ch := convChannel[a.ConversationID]; ch != "sms" && ch != "email" {
			continue
		}
		replies++
		ids := byMessage[a.ID]
		switch len(ids) {
		case 0:
			notQueued++
		case 1:
			queuedOnce++
			if outbox[ids[0]].status == "sent" {
				replySent++
			}
		default:
			queuedTwice++
		}
	}
	t.line(replies == 0 || queuedOnce != replies, "replies       %6d acknowledged on SMS and email: %d queued once, %d not queued, %d queued more than once", replies, queuedOnce, notQueued, queuedTwice)
	t.line(replySent != replies, "replies sent  %6d of %d", replySent, replies)

	// What the gateways took, by outbox id: the SMS gateway delivers a
	// message once per idempotency key (a resend is answered from its
	// record); a mailbox keeps one message per Message-ID (a resent copy
	// with the same Message-ID is the same message).
	fmt.Fprintln(t.out, "exactly once at the gateways (each sent row taken as one message, nothing else taken):")
	smsTaken := map[int64]map[string]int{} // outbox id: gateway message id: deliveries
	smsResent, smsStray := 0, 0
	for _, d := range texts {
		id, ok := outboxID(strings.TrimPrefix(d.Key, "kindred-outbox-"))
		if !ok || !strings.HasPrefix(d.Key, "kindred-outbox-") {
			smsStray++
			continue
		}
		if d.Repeat {
			smsResent++
			continue
		}
		add(smsTaken, id, d.MessageID)
	}
	mailTaken := map[int64]map[string]int{} // outbox id: Message-ID: copies
	mailStray := 0
	for _, m := range mails {
		id, ok := outboxID(m.OutboxID)
		if !ok {
			mailStray++
			continue
		}
		add(mailTaken, id, m.MessageID)
	}
	for _, c := range []struct {
		channel, name string
		taken         map[int64]map[string]int
		stray         int
	}{{"sms", "SMS gateway", smsTaken, smsStray}, {"email", "mailbox", mailTaken, mailStray}} {
		g := gatewayTally(c.channel, outbox, c.taken)
		t.line(g.once != g.sent || g.sent == 0 || c.stray+g.unknown+g.wrongID > 0,
			"%-13s %6d messages for %d sent rows: %d once, %d never, %d as more than one message; %d for no sent row, %d without an outbox id, %d under another id than the row's",
			c.name, g.messages, g.sent, g.once, g.never, g.more, g.unknown, c.stray, g.wrongID)
		if c.channel == "sms" {
			t.info("%-13s %6d resends answered from the gateway's idempotency record, not delivered again", "", smsResent)
		} else {
			t.info("%-13s %6d copies sent again by SMTP with the Message-ID of a mail already taken (%d rows)", "", g.copies, g.copied)
		}
	}
	return nil
}

// add counts one message id taken for outbox row id.
func add(taken map[int64]map[string]int, id int64, messageID string) {
	if taken[id] == nil {
		taken[id] = map[string]int{}
	}
	taken[id][messageID]++
}

// gatewayFigures is what one gateway took, against the outbox's sent rows.
type gatewayFigures struct {
	sent, once, never, more int // sent rows, and how many messages each became
	messages                int // distinct messages taken
	unknown, wrongID        int // messages for no sent row; rows whose message has another id
	copies, copied          int // extra copies of one message, and the rows they were of
}

func gatewayTally(channel string, outbox map[int64]outboxRow, taken map[int64]map[string]int) gatewayFigures {
	var g gatewayFigures
	for id, r := range outbox {
		if r.channel != channel || r.status != "sent" {
			continue
		}
		g.sent++
		switch ids := taken[id]; len(ids) {
		case 0:
			g.never++
		case 1:
			g.once++
			if _, ok := ids[r.providerID]; !ok {
				g.wrongID++
			}
		default:
			g.more++
		}
	}
	for id, ids := range taken {
		g.messages += len(ids)
		if r, ok := outbox[id]; !ok || r.channel != channel || r.status != "sent" {
			g.unknown++
		}
		for _, n := range ids {
			if n > 1 {
				g.copies += n - 1
				g.copied++
			}
		}
	}
	return g
}

// outboxID reads an outbox id.
func outboxID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// integrity checks the database: SQLite's own integrity and foreign-key
// checks, kindred's schema check, and rows that point nowhere.
func (t *tally) integrity(ctx context.Context, db *sql.DB, dsn string) error {
	fmt.Fprintln(t.out, "integrity:")
	if !t.postgres {
		var results []string
		rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			results = append(results, s)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		got := strings.Join(results, "; ")
		t.line(got != "ok", "PRAGMA integrity_check: %s", got)
	}
	orphans := map[string]string{
		"messages without their conversation":  `SELECT count(*) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id WHERE c.id IS NULL`,
		"conversations without their customer": `SELECT count(*) FROM conversations c LEFT JOIN customers u ON u.id = c.customer_id WHERE u.id IS NULL`,
		"outbox rows without their reply":      `SELECT count(*) FROM outbox o LEFT JOIN messages m ON m.id = o.message_id WHERE o.message_id IS NOT NULL AND m.id IS NULL`,
		"replies queued twice":                 `SELECT count(*) FROM (SELECT message_id FROM outbox WHERE message_id IS NOT NULL GROUP BY message_id HAVING count(*) > 1) d`,
		"replies sent but not marked so":       `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.status = 'sent' AND m.delivery_status NOT IN ('sent', 'delivered', 'failed')`,
		"replies pending but marked sent":      `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.status = 'pending' AND m.delivery_status <> 'queued'`,
	}
	for _, name := range slices.Sorted(maps.Keys(orphans)) {
		var n int
		if err := db.QueryRowContext(ctx, orphans[name]).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", name, err)
		}
		t.line(n > 0, "%-37s %d", name, n)
	}
	var status []string
	rows, err := db.QueryContext(ctx, `SELECT m.delivery_status, count(*) FROM messages m JOIN outbox o ON o.message_id = m.id GROUP BY m.delivery_status ORDER BY m.delivery_status`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return err
		}
		status = append(status, fmt.Sprintf("%s %d", s, n))
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	t.info("replies' delivery status: %s", strings.Join(status, ", "))

	// kindred's own check, as kindred backup runs it: on SQLite integrity
	// and foreign keys again, on both the schema version.
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.line(true, "kindred's check: open: %v", err)
		return nil
	}
	defer s.Close()
	err = s.Check(ctx)
	t.line(err != nil, "kindred's check (integrity, foreign keys, schema): %v", errOrOK(err))
	return nil
}

func errOrOK(err error) any {
	if err == nil {
		return "ok"
	}
	return err
}

// q rewrites ? placeholders as $1, $2… on PostgreSQL.
func (t *tally) q(query string) string {
	if !t.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
