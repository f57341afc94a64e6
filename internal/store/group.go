package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// On SQLite every commit waits for an fsync, and there is one writer: a
// request that paid for its own fsync could not be answered faster than the
// disk syncs, whatever the number of cores. The group committer runs the
// write transactions of many concurrent requests, one after another, inside
// one SQLite transaction and commits them together, so that one fsync makes
// them all durable. Each request is answered only once that commit is on
// disk, as before.
//
// Each request's closure runs inside its own SAVEPOINT: when it fails (or
// panics), ROLLBACK TO undoes its writes alone and its neighbours commit.

// maxGroup bounds a group, and so the wait of its first member.
const maxGroup = 256

// errClosed answers a write that arrives after Close.
var errClosed = errors.New("store is closed")

// errGroupLost answers the members of a group whose commit could not be
// made: nothing of theirs was written.
var errGroupLost = errors.New("the group's transaction was lost")

// write is one request's transaction, queued for the committer.
type write struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan outcome // buffered: the committer never waits for the caller
}

// outcome is how a write ended: its error, or the value it panicked with.
type outcome struct {
	err      error
	panicked bool
	value    any
}

// committer is the one goroutine that writes to SQLite.
type committer struct {
	db     *DB
	queue  chan *write
	mu     sync.RWMutex // held for reading while queueing; Close takes it to close queue
	closed bool
	exited chan struct{}

	// Counted for tests and metrics.
	commits atomic.Int64 // groups committed
	writes  atomic.Int64 // writes committed
}

func startCommitter(db *DB) *committer {
	c := &committer{db: db, queue: make(chan *write, 4*maxGroup), exited: make(chan struct{})}
	go c.loop()
	return c
}

// do queues fn and waits for it to be committed or to fail.
func (c *committer) do(ctx context.Context, fn func(tx *Tx) error) error {
	w := &write{ctx: ctx, fn: fn, done: make(chan outcome, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errClosed
	}
	select {
	case c.queue <- w:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, fn may be running: returning before it ends would let
	// the caller race with what fn writes to its variables. A cancelled
	// write still waiting its turn is skipped by the committer.
	o := <-w.done
	if o.panicked {
		panic(o.value)
	}
	return o.err
}

// close stops taking writes, lets the queued ones finish, and waits for the
// committer to exit.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	<-c.exited
}

func (c *committer) loop() {
	defer close(c.exited)
	for first := range c.queue {
		c.group(first)
	}
}

// group runs first and whatever else is queued, up to maxGroup writes, in
// one transaction, then commits them together.
func (c *committer) group(first *write) {
	// The transaction outlives every request's context: a cancelled request
	// must not roll back its neighbours (database/sql rolls a transaction
	// back when its context ends).
	t, err := c.db.w.BeginTx(context.Background(), nil)
	if err != nil {
		first.done <- outcome{err: fmt.Errorf("begin: %w", err)}
		return
	}
	var (
		pending []*write // succeeded, waiting for the commit
		broken  error
		next    = first
	)
	for n := 1; next != nil; n++ {
		o, err := c.run(t, next)
		if err != nil {
			// The transaction itself failed (an I/O error, a full disk): SQLite
			// may have rolled all of it back.
			broken = err
			next.done <- outcome{err: fmt.Errorf("%w: %w", errGroupLost, err)}
			break
		}
		if o.err != nil || o.panicked {
			next.done <- o
		} else {
			pending = append(pending, next)
		}
		next = nil
		if n < maxGroup {
			select {
			case w, ok := <-c.queue:
				if ok {
					next = w
				}
			default:
			}
		}
	}

	if broken != nil || len(pending) == 0 {
		t.Rollback()
		for _, w := range pending {
			w.done <- outcome{err: fmt.Errorf("%w: %w", errGroupLost, broken)}
		}
		return
	}
	if err := t.Commit(); err != nil {
		for _, w := range pending {
			w.done <- outcome{err: fmt.Errorf("commit: %w", err)}
		}
		return
	}
	c.commits.Add(1)
	c.writes.Add(int64(len(pending)))
	for _, w := range pending {
		w.done <- outcome{}
	}
}

// run runs one write inside its own savepoint. The outcome is the write's
// own; the error, that of the transaction around it.
func (c *committer) run(t *sql.Tx, w *write) (o outcome, err error) {
	if err := w.ctx.Err(); err != nil {
		return outcome{err: err}, nil
	}
	if _, err := t.Exec("SAVEPOINT request"); err != nil {
		return outcome{}, fmt.Errorf("savepoint: %w", err)
	}
	o = call(w.fn, &Tx{db: c.db, tx: t, detached: true})
	if o.err != nil || o.panicked {
		if _, err := t.Exec("ROLLBACK TO request"); err != nil {
			return o, fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := t.Exec("RELEASE request"); err != nil {
		return o, fmt.Errorf("release savepoint: %w", err)
	}
	return o, nil
}

// call runs fn, catching a panic to hand back to the caller's goroutine.
func call(fn func(tx *Tx) error, tx *Tx) (o outcome) {
	defer func() {
		if v := recover(); v != nil {
			o = outcome{panicked: true, value: v}
		}
	}()
	return outcome{err: fn(tx)}
}
