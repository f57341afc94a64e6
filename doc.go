// Package kindred holds the vocabulary of a compassionate customer-care desk:
// agents, customers and the helpers they authorise, conversations and their
// messages, and the audit trail. It has no storage or HTTP code; the store
// package implements the service interfaces declared here, and the api
// package serves them over HTTP.
//
// Start with Customer and Conversation, then the Service interfaces in
// service.go.
package kindred
