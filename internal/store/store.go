package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kindred-desk/kindred"
)

// Dialects Open can speak.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// busyTimeout is how long an SQLite connection waits for a lock held by
// another process (a backup, a second kindred by mistake) before failing.
const busyTimeout = 10 * time.Second

// DB is kindred's store. It is safe for concurrent use.
type DB struct {
	dialect string
	w       *sql.DB // writes; on SQLite exactly one connection
	r       *sql.DB // reads; on PostgreSQL the same pool as w
	rebound sync.Map
	now     func() time.Time
	// group runs SQLite's write transactions, many to a commit; nil on
	// PostgreSQL, whose server does its own group commit.
	group *committer

	// backupDSN opens a connection for Backup: the readers are query_only,
	// which VACUUM INTO counts as writing.
	backupDSN string
	// dsn opens PostgreSQL's listening connection (see Listen).
	dsn string
	// announcer sends the changes a post announces after its commit, on
	// PostgreSQL (see announce.go); nil on SQLite.
	announcer *announcer
	// delivery is told of changes to replies' delivery (see OnDelivery).
	delivery deliveryHooks
	// queued is told of work committed for the workers (see OnQueued).
	queued queuedHooks
	// loc is the desk's time zone (see SetLocation); nil: time.Local.
	loc *time.Location
	// codeKey derives the digits of codes read out (see codeSecret).
	codeKey codeKey
	// tokens keeps the API tokens read lately (see tokenTTL).
	tokens tokenCache
	// traceQuery, when a test sets it, sees each statement a transaction
	// sends, reads and writes, as written and with its arguments, before it
	// runs: the dashboards' plans, and the posts', are taken from what the
	// code really asks.
	traceQuery func(query string, args []any)
	// traceTrips, when a test sets it, sees each round trip to the
	// database, with the statements it carries: BEGIN and COMMIT of a write
	// transaction on PostgreSQL included (see pipeline.go).
	traceTrips func(queries []string)
}

// SetLocation sets the desk's time zone, which decides the lobby's day
// (ticket numbers restart at its midnight), the clock times in code SMS,
// and the insights' weeks (from Monday midnight there). Call it before the
// store serves; nil means the machine's zone.
func (db *DB) SetLocation(loc *time.Location) { db.loc = loc }

func (db *DB) location() *time.Location {
	if db.loc != nil {
		return db.loc
	}
	return time.Local
}

// Open opens the store named by dsn and brings its schema up to date.
//
// A dsn starting with postgres:// or postgresql:// opens PostgreSQL; anything
// else is the path of an SQLite database file (plain, or a file: URI), created
// when missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLiteWaiting(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openSQLiteWaiting opens dsn as openSQLite does, trying again for up to
// busyTimeout while the file answers SQLITE_BUSY: when several processes
// open a new database at once, one of them switching it to WAL makes the
// others' first statements fail at once, without SQLite's busy handler.
func openSQLiteWaiting(ctx context.Context, dsn string) (*DB, error) {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		db, err := openSQLite(ctx, dsn)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return db, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if dsn == ":memory:" || strings.Contains(dsn, "mode=memory") {
		// The reader pool would see a different, empty database.
		return nil, errors.New("open sqlite: in-memory databases are not supported, give a file path")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	timeout := strconv.FormatInt(busyTimeout.Milliseconds(), 10)
	// The writer sets the persistent WAL mode before any reader connects.
	wdsn := dsn + sep + "_txlock=immediate" +
		"&_pragma=busy_timeout(" + timeout + ")" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)" +
		// Deleted and overwritten content (a wiped code or survey link) is
		// zeroed in its page, not left in free space for a copy of the
		// file to show.
		"&_pragma=secure_delete(1)" +
		// Each request's savepoint copies the pages it first changes to a
		// sub-journal, by default a temporary file: one write syscall per
		// page, 30% of the writer's time in a profile. In WAL mode the
		// sub-journal only undoes a savepoint and plays no part in recovery,
		// so memory does as well.
		"&_pragma=temp_store(MEMORY)"
	w, err := openSQLitePool(wdsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}

	rdsn := dsn + sep + "_pragma=busy_timeout(" + timeout + ")" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=query_only(1)"
	r, err := openSQLitePool(rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	bdsn := dsn + sep + "_pragma=busy_timeout(" + timeout + ")"
	db := &DB{dialect: SQLite, w: w, r: r, now: time.Now, backupDSN: bdsn}
	db.group = startCommitter(db)
	return db, nil
}

// openSQLitePool opens a pool of connections to dsn that keep their
// statements prepared (see cachingConn).
func openSQLitePool(dsn string) (*sql.DB, error) {
	c, err := sqliteConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(25)
	// As many kept idle as may be open: under load, a connection closed for
	// being the eleventh idle one was opened again moments later, and each
	// costs the server a new process (36 in a 6 s bench run with 10).
	p.SetMaxIdleConns(25)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{dialect: Postgres, w: p, r: p, now: time.Now, dsn: dsn}
	db.announcer = newAnnouncer(db)
	return db, nil
}

// Close closes the store's connections.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	if db.announcer != nil {
		db.announcer.close()
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// scrubWAL empties SQLite's write-ahead log after a secret was wiped: the
// log still holds the pages as they were when the secret was written, and
// secure_delete zeroes only the database's own copy. A TRUNCATE checkpoint
// copies the wiped pages into the database and cuts the log to nothing. It
// must wait for no reader for long: when one holds the log, it gives up, and
// the next wipe (or the next scrub) tries again. PostgreSQL keeps old row
// versions until VACUUM; SECURITY.md says so.
func (db *DB) scrubWAL(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("scrub wal: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 200"); err != nil {
		return fmt.Errorf("scrub wal: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = "+strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	var busy, logged, moved int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		return fmt.Errorf("scrub wal: %w", err)
	}
	if busy != 0 {
		return errWALBusy
	}
	return nil
}

// errWALBusy is scrubWAL's answer when a reader kept the log from being cut.
var errWALBusy = errors.New("scrub wal: a reader holds the log; it is cut at the next wipe")

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Ping reports whether the database answers, for readiness checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect, err)
	}
	if db.r != db.w {
		if err := db.r.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s readers: %w", db.dialect, err)
		}
	}
	return nil
}

// Check verifies the database: on SQLite its integrity and foreign keys, on
// PostgreSQL (which checks itself) that it answers queries; on both that the
// schema is the one this build expects.
func (db *DB) Check(ctx context.Context) error {
	if db.dialect == SQLite {
		rows, err := db.r.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return fmt.Errorf("check integrity: %w", err)
		}
		var problems []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return fmt.Errorf("check integrity: %w", err)
			}
			if s != "ok" {
				problems = append(problems, s)
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("check integrity: %w", err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("check integrity: %s", strings.Join(problems, "; "))
		}

		rows, err = db.r.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		for rows.Next() {
			var table, parent string
			var rowid sql.NullInt64
			var fk int
			if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
				rows.Close()
				return fmt.Errorf("check foreign keys: %w", err)
			}
			problems = append(problems, fmt.Sprintf("%s row %d points to a missing %s", table, rowid.Int64, parent))
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("check foreign keys: %s", strings.Join(problems, "; "))
		}
	} else {
		var one int
		if err := db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return fmt.Errorf("check postgres: %w", err)
		}
	}
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	if latest := latestVersion(db.dialect); v != latest {
		return fmt.Errorf("check schema: at version %d, this build expects %d", v, latest)
	}
	return nil
}

// Backup writes a consistent copy of a live SQLite database to outPath, which
// must not exist yet. Writers carry on while it runs. On PostgreSQL use
// pg_dump instead.
func (db *DB) Backup(ctx context.Context, outPath string) error {
	if db.dialect != SQLite {
		return errors.New("backup: the store is on PostgreSQL; back it up with pg_dump (e.g. pg_dump -Fc -f kindred.dump DBNAME)")
	}
	if outPath == "" {
		return errors.New("backup: no output path given")
	}
	if _, err := os.Stat(outPath); err == nil {
		return fmt.Errorf("backup: %s already exists; refusing to overwrite it", outPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO reads one snapshot in a read transaction, which WAL lets
	// run beside the writer, and itself refuses an existing non-empty file.
	b, err := sql.Open("sqlite", db.backupDSN)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = b.ExecContext(ctx, "VACUUM INTO ?", outPath)
	if err = errors.Join(err, b.Close()); err != nil {
		return fmt.Errorf("backup to %s: %w", outPath, err)
	}
	// VACUUM INTO does not sync what it wrote; a backup that a power cut can
	// lose is no backup.
	if err := syncFile(outPath); err != nil {
		return fmt.Errorf("backup to %s: %w", outPath, err)
	}
	if err := syncFile(filepath.Dir(outPath)); err != nil {
		return fmt.Errorf("backup to %s: %w", outPath, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// Tx is a transaction whose SQL is written once with ? placeholders, rebound
// for the dialect on the way out.
type Tx struct {
	db *DB
	tx querier
	// detached is set inside a group commit: a request's cancellation must
	// not interrupt a statement, which on SQLite can roll back the whole
	// transaction and with it the request's neighbours.
	detached bool
	// queued names the work this transaction gave the workers, announced
	// once it commits (see OnQueued).
	queued Queue
	// pending are the writes later queued on PostgreSQL, not yet sent.
	pending []laterWrite
	// flushErr is the first failure of a flush that a read ran into: the
	// read fails too (PostgreSQL refuses statements in an aborted
	// transaction), and the transaction's last flush returns it.
	flushErr error
	// weeks are the reply counts the transaction adds on PostgreSQL, sent
	// with its last flush (see countReplyWeek).
	weeks replyWeekCounts
	// announced are the changes the transaction announces itself once it
	// has committed, on PostgreSQL (see announce.go).
	announced []Change
	// pg is set for a write transaction on PostgreSQL (see pipeline.go).
	pg *pgTx
}

// laterWrite is a statement queued by Tx.later.
type laterWrite struct {
	what  string
	query string
	args  []any
	done  func(n int64) // rows it changed; nil when no one asks
}

// later runs a write whose result the rest of the transaction does not
// read (an INSERT into a log, an UPDATE of a row read already), reporting
// the number of rows it changed to done (which may be nil). On PostgreSQL it
// is queued, and the queued writes go to the server together, as one
// statement, before the transaction's next statement or its commit: each
// statement is a round trip, and a post made about a dozen. Its failure
// then fails the transaction all the same. Two queued writes must not change
// the same row (one statement changes a row once); what names the write in
// errors. On SQLite, and outside a write transaction, it runs at once.
func (tx *Tx) later(ctx context.Context, what, query string, done func(n int64), args ...any) error {
	if tx.pg == nil {
		// SQLite, or outside a write transaction on PostgreSQL: at once.
		res, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if done != nil {
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			done(n)
		}
		return nil
	}
	tx.pending = append(tx.pending, laterWrite{what: what, query: query, args: args, done: done})
	return nil
}

// flush sends the writes later queued, as one statement (see
// pendingStatement).
func (tx *Tx) flush(ctx context.Context) error {
	if tx.flushErr != nil {
		return tx.flushErr
	}
	if err := tx.send(ctx); err != nil && tx.flushErr == nil {
		tx.flushErr = err
	}
	return tx.flushErr
}

// pendingStatement is the one statement that sends the writes later
// queued: a single write as it is; several as data-modifying CTEs
// (PostgreSQL runs each of them once, to completion, whether or not the
// main query reads it) whose row counts the statement returns, in order.
// whats names them for an error.
func pendingStatement(pending []laterWrite) (query string, args []any, whats string) {
	if len(pending) == 1 {
		return pending[0].query, pending[0].args, pending[0].what
	}
	var q strings.Builder
	names := make([]string, len(pending))
	for i, w := range pending {
		if i == 0 {
			q.WriteString("WITH ")
		} else {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "w%d AS (%s RETURNING 1)", i, w.query)
		args = append(args, w.args...)
		names[i] = w.what
	}
	for i := range pending {
		if i == 0 {
			q.WriteString(" SELECT ")
		} else {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "(SELECT count(*) FROM w%d)", i)
	}
	return q.String(), args, strings.Join(names, ", ")
}

// trip tells traceTrips of a round trip about to be made with queries.
func (db *DB) trip(queries ...string) {
	if db.traceTrips != nil {
		db.traceTrips(queries)
	}
}

// apply runs fn in tx, then finish. When fn fails after a queued write
// aborted the transaction, that write's error is the one returned: what
// fn ran into was the aborted transaction.
func (tx *Tx) apply(ctx context.Context, fn func(*Tx) error) error {
	if err := fn(tx); err != nil {
		if tx.flushErr != nil {
			return tx.flushErr
		}
		return err
	}
	return tx.finish(ctx)
}

// finish sends what the transaction still holds before its commit: its
// reply counts, then every queued write, in one statement.
func (tx *Tx) finish(ctx context.Context) error {
	tx.queueReplyWeeks()
	if tx.pg != nil {
		// They go with the COMMIT (runPiped).
		return tx.flushErr
	}
	return tx.flush(ctx)
}

// flushFirst sends the queued writes before a statement that may read what
// they change; a failure is kept for the transaction's end (see flushErr).
func (tx *Tx) flushFirst(ctx context.Context) {
	if len(tx.pending) > 0 {
		tx.flush(ctx)
	}
}

func (tx *Tx) ctx(ctx context.Context) context.Context {
	if tx.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.db.traceQuery != nil {
		tx.db.traceQuery(query, args)
	}
	if tx.pg != nil && !tx.pg.begun && len(args) > 0 {
		// With BEGIN, and the writes queued before it. Without arguments
		// pgx sends a statement by the simple protocol, which takes several
		// in one string (a migration's); a batch would refuse them.
		var res tagResult
		err := tx.send(ctx, piped{query: query, args: args, read: func(br pgx.BatchResults) error {
			tag, err := br.Exec()
			res = tagResult(tag)
			return err
		}})
		if err != nil {
			return nil, err
		}
		return res, nil
	}
	tx.flushFirst(ctx)
	if err := tx.begin(ctx); err != nil {
		return nil, err
	}
	tx.db.trip(query)
	return tx.tx.ExecContext(tx.ctx(ctx), tx.db.bind(query), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.db.traceQuery != nil {
		tx.db.traceQuery(query, args)
	}
	tx.flushFirst(ctx)
	if err := tx.begin(ctx); err != nil {
		return nil, err
	}
	tx.db.trip(query)
	return tx.tx.QueryContext(tx.ctx(ctx), tx.db.bind(query), args...)
}

// ids reads a column of ids.
func (tx *Tx) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	return queryAll(ctx, tx, func(row scanner, id *int64) error { return row.Scan(id) }, query, args...)
}

// queryAll reads every row of query with scan, in order; never nil.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if tx.db.traceQuery != nil {
		tx.db.traceQuery(query, args)
	}
	tx.flushFirst(ctx)
	if err := tx.begin(ctx); err != nil {
		return &Row{err: err}
	}
	tx.db.trip(query)
	return &Row{row: tx.tx.QueryRowContext(tx.ctx(ctx), tx.db.bind(query), args...)}
}

// Insert runs an INSERT ending in RETURNING id and returns the new id.
func (tx *Tx) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.firstRow(ctx, query, args...).Scan(&id)
	return id, err
}

// Exists reports whether the query (a SELECT 1 …) returns a row.
func (tx *Tx) Exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := tx.firstRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ForUpdate is appended to a SELECT that reads a row the transaction will
// change: PostgreSQL locks the row against a concurrent writer; SQLite has a
// single writer already and no such clause.
func (tx *Tx) ForUpdate() string {
	if tx.db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Audit appends an entry to the audit log in this transaction, on behalf of
// the actor in ctx. detail must never hold secrets, codes or note bodies.
func (tx *Tx) Audit(ctx context.Context, action, subject string, subjectID int64, detail string) error {
	e := kindred.AuditEntry{Action: action, Subject: subject, SubjectID: subjectID, Detail: detail}
	tx.fillAudit(ctx, &e)
	// No one reads the entry's id: the write waits for the next statement.
	return tx.later(ctx, "audit "+action, `INSERT INTO audit (at, actor_id, actor_name, action, subject, subject_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, nil, ms(e.At), e.ActorID, e.ActorName, e.Action, e.Subject, e.SubjectID, e.Detail)
}

// Tx runs fn in a write transaction, committed when fn returns nil and rolled
// back otherwise; when Tx returns nil the writes are on disk. Keep fn short:
// on SQLite it holds the one writer.
//
// On SQLite, fn shares its transaction with other requests' (see committer):
// its writes are undone alone when it fails, but fn must not start a
// transaction of its own, and may run on another goroutine.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	var done *Tx
	watched := func(tx *Tx) error {
		err := fn(tx)
		if err == nil {
			err = tx.finish(ctx)
		}
		done = tx
		return err
	}
	var err error
	if db.group != nil {
		err = db.group.do(ctx, watched)
	} else {
		err = db.run(ctx, db.w, nil, watched)
	}
	if err != nil {
		return err
	}
	// Read once committed: on PostgreSQL the writes sent with the COMMIT
	// say what they queued.
	if done.queued != 0 {
		db.announceQueued(done.queued)
	}
	if len(done.announced) > 0 {
		db.announceChanges(done.announced)
	}
	return nil
}

// querier is what a Tx runs its statements on: a transaction, or for read
// the reader pool itself.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// read runs fn's statements outside a transaction, each seeing the
// database as it is when it runs: for a single read, or reads that need no
// common snapshot, it saves the BEGIN and COMMIT (two round trips on
// PostgreSQL).
func (db *DB) read(fn func(tx *Tx) error) error {
	return fn(&Tx{db: db, tx: db.r})
}

// ReadTx runs fn in a read-only transaction, which sees one snapshot of the
// database and, on SQLite, does not wait for the writer.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(tx *Tx) error) (err error) {
	if db.dialect == Postgres && opts == nil {
		return db.runPiped(ctx, pool, fn)
	}
	db.trip("BEGIN")
	t, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Rollback()
			panic(p)
		}
		if err != nil {
			t.Rollback()
		}
	}()
	tx := &Tx{db: db, tx: t}
	if err := tx.apply(ctx, fn); err != nil {
		return err
	}
	db.trip("COMMIT")
	if err := t.Commit(); err != nil {
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			// The request was cancelled and database/sql rolled the
			// transaction back before the commit: nothing was written.
			return fmt.Errorf("commit: %w", ctx.Err())
		}
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// bind rebinds ? placeholders to $n on PostgreSQL, remembering the result:
// the store runs a small, fixed set of statements.
func (db *DB) bind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if q, ok := db.rebound.Load(query); ok {
		return q.(string)
	}
	q := rebind(query)
	db.rebound.Store(query, q)
	return q
}

// rebind turns each ? outside a quoted string into $1, $2…
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Times are stored as unix milliseconds, UTC.

// ms is t as stored.
func ms(t time.Time) int64 { return t.UnixMilli() }

// msPtr is t as stored in a nullable column.
func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// fromMS is a stored time as a time.Time in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromNullMS is a nullable stored time.
func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// roundMS is t as it will read back: UTC, to the millisecond.
func roundMS(t time.Time) time.Time { return fromMS(t.UnixMilli()) }

func roundMSPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	r := roundMS(*t)
	return &r
}

// clock returns the store's current time, to the millisecond.
func (db *DB) clock() time.Time { return roundMS(db.now()) }

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

func fromNullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

// limits applies the store's paging rules: default 50, at most 500.
func limits(p kindred.Page) (limit, offset int) {
	limit, offset = p.Limit, p.Offset
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// actor is who ctx says is acting, or the system.
func actor(ctx context.Context) (id int64, name string) {
	a, ok := kindred.ActorFrom(ctx)
	if !ok || (a.AgentID == 0 && a.Name == "") {
		return 0, "system"
	}
	return a.AgentID, a.Name
}

func notFound(what string, id int64) error {
	return kindred.Errorf(kindred.NotFound, "%s %d not found", what, id)
}

func invalid(field, reason string) error {
	return &kindred.Error{
		Kind:    kindred.Invalid,
		Message: "some fields need attention",
		Fields:  []kindred.FieldError{{Field: field, Reason: reason}},
	}
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// likePattern is a LIKE pattern matching s anywhere, with LIKE's wildcards
// in s escaped (use with ESCAPE '\').
func likePattern(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
	return "%" + s + "%"
}

// The store implements kindred's services.
var (
	_ kindred.AgentService        = (*DB)(nil)
	_ kindred.CustomerService     = (*DB)(nil)
	_ kindred.ConversationService = (*DB)(nil)
	_ kindred.AuditService        = (*DB)(nil)
)

// scanner is one row to read: an *sql.Row or the current row of *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// scanTogether scans one row that holds the columns of several scan
// functions side by side, in their order: each runs as it would on a row
// of its own, the calls nested so that each one's conversions follow the
// single Scan of the whole row (the last one's first).
func scanTogether(row scanner, scans ...func(scanner) error) error {
	var dest []any
	var run func(i int) error
	run = func(i int) error {
		if i == len(scans) {
			return row.Scan(dest...)
		}
		return scans[i](scanFunc(func(d ...any) error {
			dest = append(dest, d...)
			return run(i + 1)
		}))
	}
	return run(0)
}

// qualify prefixes each of a list of columns with alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// where gathers the conditions of a listing, joined with AND, and their
// arguments.
type where struct {
	conds []string
	args  []any
}

// add adds a condition with its ? arguments.
func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql is the WHERE clause, or "" when there is no condition.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// listPage reads one page of a listing in a read transaction: query (a
// SELECT … FROM … without WHERE) with w's conditions, in the given order,
// each row read by scan. It returns an empty slice, never nil, for JSON.
func listPage[T any](ctx context.Context, db *DB, query string, w where, order string, p kindred.Page, scan func(scanner, *T) error) ([]T, error) {
	limit, offset := limits(p)
	query += w.sql() + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	args := append(w.args, limit, offset)
	out := []T{}
	err := db.ReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x T
			if err := scan(rows, &x); err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	return out, err
}

// byID reads the one row that query (ending "WHERE … id = ?") returns for
// id, locked until the transaction ends when lock is set; NotFound, naming
// what, when there is none.
func byID[T any](ctx context.Context, tx *Tx, query string, id int64, lock bool, what string, scan func(scanner, *T) error) (*T, error) {
	if lock {
		query += tx.ForUpdate()
	}
	var x T
	err := scan(tx.QueryRow(ctx, query, id), &x)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, id)
	}
	if err != nil {
		return nil, err
	}
	return &x, nil
}
