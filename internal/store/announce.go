package store

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// PostgreSQL's NOTIFY serialises the commits of the transactions that send
// one: a committing notifier holds a lock on the whole database's queue
// until its commit is on disk, so the desk's posts, whose triggers
// announced each message (migration 0009), took turns at the disk's flush
// (kindred bench --mode replies spent most of its waits on that lock once
// reply_weeks no longer held it up). A post therefore announces its message
// and its conversation itself, after its commit, through the announcer;
// it tells the triggers so in the transaction (migration 0021), and they
// stay quiet for those two rows. Every other change is still announced by
// the triggers, in its transaction.
//
// The announcer sends what has gathered since its last send in one
// statement, on an implicit transaction that does not wait for its own
// commit to reach the disk: an announcement is news for the live views,
// never the record (which is committed before it is sent). What a process
// could not send, because it stopped first or the database was away for
// longer than the announcer tries, a console learns when it next reads.
type announcer struct {
	mu      sync.Mutex
	pending []string // payloads, oldest first
	running bool     // run started (under mu)
	closed  bool     // close called (under mu): nothing more is sent
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	// exec sends a batch of payloads; a test may make it fail.
	exec func(ctx context.Context, payloads []string) error
}

// maxPendingAnnouncements bounds what the announcer keeps while the
// database is away; the oldest news goes first.
const maxPendingAnnouncements = 10000

// announceChanges queues changes committed by this process, to be sent soon.
func (db *DB) announceChanges(changes []Change) {
	a := db.announcer
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	if !a.running {
		a.running = true
		go a.run()
	}
	for _, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			continue // a Change always marshals
		}
		a.pending = append(a.pending, string(b))
	}
	if over := len(a.pending) - maxPendingAnnouncements; over > 0 {
		a.pending = a.pending[over:]
	}
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func newAnnouncer(db *DB) *announcer {
	a := &announcer{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	a.exec = func(ctx context.Context, payloads []string) error {
		_, err := db.w.ExecContext(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_notify('kindred:' || current_schema(), p)
			FROM unnest($1::text[]) AS p`, payloads)
		return err
	}
	return a
}

// run sends until close, then sends what is left once.
func (a *announcer) run() {
	defer close(a.done)
	wait := 50 * time.Millisecond
	for {
		select {
		case <-a.wake:
		case <-a.stop:
			a.sendWithin(2 * time.Second)
			return
		}
		for a.sendWithin(10*time.Second) != nil {
			// The database is away: try again, less often, keeping the news.
			select {
			case <-a.stop:
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		}
		wait = 50 * time.Millisecond
	}
}

func (a *announcer) sendWithin(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return a.send(ctx)
}

// send sends everything pending in one statement; on failure it keeps it.
func (a *announcer) send(ctx context.Context) error {
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := a.exec(ctx, batch)
	if err != nil {
		a.mu.Lock()
		a.pending = append(batch, a.pending...)
		a.mu.Unlock()
	}
	return err
}

// close stops the announcer once it has tried to send what it holds.
func (a *announcer) close() {
	a.mu.Lock()
	running := a.running && !a.closed
	a.closed = true
	a.mu.Unlock()
	if running {
		close(a.stop)
		<-a.done
	}
}
