// Package importer brings a desk's history into kindred from another desk's
// export: a Zendesk ticket export (tickets with their comments, JSON), a
// Chatwoot export (conversations with their messages, JSON as its API
// returns them), or a plain CSV or JSON Lines file of messages.
//
// Run is the whole import. It streams: one reader per format turns the
// input into messages, each carrying its conversation and customer (see
// zendesk.go, chatwoot.go, flat.go); runtime.GOMAXPROCS workers check each
// message by the API's rules and analyse it with the compassion engine, as
// a message posted live is analysed; one writer stores them in order, a few
// thousand to a transaction (store.Import). Memory stays bounded whatever
// the size of the input.
//
// An import is idempotent and resumable by the source's own ids: each
// customer, conversation and message is remembered by its id in the source,
// and one imported before is left alone. Running the same file again adds
// nothing; a run stopped halfway, run again, completes without duplicates.
//
// Imported messages are history: recorded as they were, never sent (no
// outbox, no delivery status, no webhook event). A record that cannot be
// imported (a message without text, a phone number that is not one) is
// rejected with its place in the input, the field and the reason, changes
// nothing, and does not stop the import.
package importer
