package kindred

import "time"

// AuditEntry records who did what to which record. The log is append-only.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id"` // 0 for the system itself
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`  // "customer.create", "note.read_sensitive", "helper.revoke"
	Subject   string    `json:"subject"` // "customer", "conversation", "helper"
	SubjectID int64     `json:"subject_id"`
	Detail    string    `json:"detail,omitempty"` // never secrets, codes or note bodies
}
