package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A write transaction on PostgreSQL runs on a connection of its own
// (pgTx), not a database/sql transaction: database/sql sends BEGIN and
// COMMIT each as a round trip of its own, and under load every round trip
// costs both processes a wake-up and a pair of system calls. Here BEGIN
// waits for the transaction's first statement, and goes with it when that
// is a write or forPosting's read; the writes later queued go with the
// COMMIT. A post is two round trips instead of four, and a transaction that
// only queues writes is one.

// pgTx is a write transaction's connection on PostgreSQL.
type pgTx struct {
	conn  *sql.Conn
	begun bool // BEGIN has been sent
}

// piped is one statement of a round trip (see Tx.pipe) with what reads its
// result.
type piped struct {
	query string
	args  []any
	read  func(pgx.BatchResults) error
}

// runPiped is DB.run for a write transaction on PostgreSQL.
func (db *DB) runPiped(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) (err error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{db: db, tx: conn, pg: &pgTx{conn: conn}}
	defer func() {
		p := recover()
		if (err != nil || p != nil) && tx.pg.begun {
			// A connection left inside a transaction is closed, not reused
			// (pgx's ResetSession), should this fail.
			db.trip("ROLLBACK")
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		conn.Close()
		if p != nil {
			panic(p)
		}
	}()
	if err := tx.apply(ctx, fn); err != nil {
		return err
	}
	if !tx.pg.begun && len(tx.pending) == 0 {
		// Nothing was sent: there is nothing to commit.
		return nil
	}
	rolledBack := false
	commit := piped{query: "COMMIT", read: func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		// An aborted transaction answers COMMIT with ROLLBACK.
		rolledBack = tag.String() == "ROLLBACK"
		return nil
	}}
	if err := tx.send(ctx, commit); err != nil {
		return err
	}
	if rolledBack {
		return fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)
	}
	return nil
}

// send sends the writes later queued and then stmts in one round trip (see
// pipe). When the queued writes fail, their error (flushErr) is the one
// returned.
func (tx *Tx) send(ctx context.Context, stmts ...piped) error {
	if s, ok := tx.takePending(); ok {
		stmts = append([]piped{s}, stmts...)
	}
	if len(stmts) == 0 {
		return nil
	}
	if err := tx.pipe(ctx, stmts...); err != nil {
		if tx.flushErr != nil {
			return tx.flushErr
		}
		return err
	}
	return nil
}

// pipe sends stmts on the transaction's connection in one round trip,
// after BEGIN when the transaction has not begun, and reads their results
// in order. PostgreSQL skips what follows a statement that failed, and the
// transaction is then aborted.
func (tx *Tx) pipe(ctx context.Context, stmts ...piped) error {
	begin := !tx.pg.begun
	tx.pg.begun = true
	if tx.db.traceTrips != nil {
		queries := make([]string, 0, len(stmts)+1)
		if begin {
			queries = append(queries, "BEGIN")
		}
		for _, s := range stmts {
			queries = append(queries, s.query)
		}
		tx.db.trip(queries...)
	}
	return tx.pg.conn.Raw(func(dc any) error {
		var b pgx.Batch
		if begin {
			b.Queue("BEGIN")
		}
		for _, s := range stmts {
			b.Queue(tx.db.bind(s.query), s.args...)
		}
		br := dc.(*stdlib.Conn).Conn().SendBatch(ctx, &b)
		err := func() error {
			if begin {
				if _, err := br.Exec(); err != nil {
					return fmt.Errorf("begin: %w", err)
				}
			}
			for _, s := range stmts {
				if err := s.read(br); err != nil {
					return err
				}
			}
			return nil
		}()
		if cerr := br.Close(); err == nil && cerr != nil {
			err = cerr
		}
		return err
	})
}

// begin sends BEGIN alone, before a statement that cannot go with it.
func (tx *Tx) begin(ctx context.Context) error {
	if tx.pg == nil || tx.pg.begun {
		return nil
	}
	tx.pg.begun = true
	tx.db.trip("BEGIN")
	if _, err := tx.pg.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return nil
}

// takePending takes the writes later queued, as one statement whose read
// hands each its row count (see flush); a failure is kept in flushErr.
func (tx *Tx) takePending() (piped, bool) {
	pending := tx.pending
	tx.pending = nil
	if len(pending) == 0 {
		return piped{}, false
	}
	query, args, whats := pendingStatement(pending)
	fail := func(err error) error {
		tx.flushErr = fmt.Errorf("%s: %w", whats, err)
		return tx.flushErr
	}
	if len(pending) == 1 {
		w := pending[0]
		return piped{query: query, args: args, read: func(br pgx.BatchResults) error {
			tag, err := br.Exec()
			if err != nil {
				return fail(err)
			}
			if w.done != nil {
				w.done(tag.RowsAffected())
			}
			return nil
		}}, true
	}
	return piped{query: query, args: args, read: func(br pgx.BatchResults) error {
		counts := make([]any, len(pending))
		for i := range counts {
			counts[i] = new(int64)
		}
		if err := br.QueryRow().Scan(counts...); err != nil {
			return fail(err)
		}
		for i, w := range pending {
			if w.done != nil {
				w.done(*counts[i].(*int64))
			}
		}
		return nil
	}}, true
}

// firstRow is QueryRow for a read that may open its transaction: on a
// write transaction on PostgreSQL that has not begun, the read goes with
// BEGIN (and the writes queued before it) when its row is scanned. Its
// columns are scanned by pgx itself, not database/sql, which converts more
// freely: keep to the types the other reads of the same row use.
func (tx *Tx) firstRow(ctx context.Context, query string, args ...any) *Row {
	if tx.pg == nil || tx.pg.begun {
		return tx.QueryRow(ctx, query, args...)
	}
	if tx.db.traceQuery != nil {
		tx.db.traceQuery(query, args)
	}
	return &Row{scan: func(dest ...any) error {
		var scanErr error
		err := tx.send(ctx, piped{query: query, args: args, read: func(br pgx.BatchResults) error {
			scanErr = br.QueryRow().Scan(dest...)
			if errors.Is(scanErr, pgx.ErrNoRows) {
				// Not the transaction's failure: the caller decides.
				return nil
			}
			return scanErr
		}})
		if err != nil {
			return err
		}
		return scanErr
	}}
}

// Row is QueryRow's result, read with Scan.
type Row struct {
	row  *sql.Row
	err  error                   // the statement could not be sent
	scan func(dest ...any) error // firstRow's
}

// Scan copies the row's columns into dest; sql.ErrNoRows when there is
// no row.
func (r *Row) Scan(dest ...any) error {
	switch {
	case r.err != nil:
		return r.err
	case r.scan != nil:
		return r.scan(dest...)
	}
	return r.row.Scan(dest...)
}

// tagResult is the sql.Result of a statement sent in a pipe.
type tagResult pgconn.CommandTag

func (r tagResult) LastInsertId() (int64, error) {
	return 0, errors.New("no LastInsertId on PostgreSQL: use RETURNING")
}

func (r tagResult) RowsAffected() (int64, error) { return pgconn.CommandTag(r).RowsAffected(), nil }
