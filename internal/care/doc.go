// Package care is how kindred reaches out first: it drafts the heads-up a
// customer reads before a promised date passes (in English or Swahili, in
// plain words, checked by the compassion engine), suggests small gestures
// when a customer is going through hardship or has waited long, and sends
// the short "did you feel heard?" survey after a conversation is resolved.
//
// Start with Service, which implements kindred.Care on top of the store,
// adding the drafting and the engine's check; then Worker, the loop that,
// every minute, creates surveys for newly resolved conversations, reminds
// agents of dates at risk and suggests gestures. Everything the worker does
// is kept in the database, so a restart carries on where it stopped.
package care
