// Package store is kindred's durable store: it implements the kindred service
// interfaces (agents, customers, conversations, audit) on embedded SQLite or
// on PostgreSQL, chosen by the DSN given to Open.
//
// Start with Open and the DB type in store.go; each aggregate's SQL lives in
// its own file (agent.go, customer.go, conversation.go, audit.go), and the
// schema in numbered files under migrations/, one folder per dialect.
//
// Decisions a newcomer should know:
//
//   - SQL is written once, with ? placeholders; on PostgreSQL it is rebound to
//     $1, $2… Dialect differences are few and spelled out where they occur
//     (schema types in the migrations, row locks, the migration lock).
//   - Every time is stored as a BIGINT count of unix milliseconds, UTC, in
//     both databases. Arithmetic on it (response times, ages, buckets) is the
//     same plain integer SQL on SQLite and PostgreSQL, with no time zone or
//     date-function dialect to reconcile; millisecond precision is plenty for
//     a care desk.
//   - Every change writes its audit entry in the same transaction, with the
//     actor from kindred.ActorFrom, so the log cannot miss a change that
//     happened nor record one that did not. The log is append-only, enforced
//     by a trigger in both databases.
//   - On SQLite there is one writer connection (transactions begin
//     IMMEDIATE, so they never deadlock upgrading a read lock) and a pool of
//     read-only connections that WAL lets read while the writer writes.
//     synchronous=FULL makes a committed transaction survive power loss, not
//     just a killed process.
//
// To add a table, add the next numbered file to both migrations/sqlite and
// migrations/postgres; Open applies it. Shipped migrations are never edited.
package store
