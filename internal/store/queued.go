package store

import "sync"

// Queue names work, or news, a transaction leaves for others in this
// process: a background worker, or the pages that follow it.
type Queue uint8

// Queues.
const (
	QueueOutbox   Queue = 1 << iota // messages to send (see Enqueue)
	QueueWebhooks                   // webhook deliveries to post
	// QueueLobby: tickets were issued, called, recalled, moved or closed,
	// or a desk opened or closed: the desks' pages look again. (On
	// PostgreSQL, Listen hears it from every process as ChangeLobby.)
	QueueLobby
)

// queuedHooks are told, after commit, of work left for the workers.
type queuedHooks struct {
	mu  sync.RWMutex
	fns []queuedHook
}

type queuedHook struct {
	q  Queue
	fn func()
}

// OnQueued calls fn each time a transaction of this process that left work
// on queue q commits, so that the worker for q starts on it now rather
// than at its next poll: a reply leaves within moments of the agent
// pressing Send. fn must not block. Workers still poll, which is how work
// queued by other processes, or retried later, is found.
func (db *DB) OnQueued(q Queue, fn func()) {
	db.queued.mu.Lock()
	db.queued.fns = append(db.queued.fns, queuedHook{q, fn})
	db.queued.mu.Unlock()
}

func (db *DB) announceQueued(q Queue) {
	db.queued.mu.RLock()
	defer db.queued.mu.RUnlock()
	for _, h := range db.queued.fns {
		if h.q&q != 0 {
			h.fn()
		}
	}
}
