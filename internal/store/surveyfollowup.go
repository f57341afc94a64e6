package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kindred-desk/kindred"
)

// NotHeardFollowUpWithin is when the follow-up opened by a "partly" or "not
// heard" survey answer is due: soon, while the customer still remembers.
const NotHeardFollowUpWithin = 24 * time.Hour

// followUpNotHeard opens a follow-up for a lead when a customer answers
// that they felt only partly heard, or not heard: an answer nobody acts on
// teaches customers that answering is pointless. The lead chosen is the
// one in the team of the agent who served them, else the first lead, else
// the first administrator; a desk with none of them gets no follow-up.
func (tx *Tx) followUpNotHeard(ctx context.Context, surveyID int64, felt *kindred.FeltHeard, now time.Time) error {
	if felt == nil || *felt == kindred.HeardYes {
		return nil
	}
	var convID, custID int64
	var agentID sql.NullInt64
	var comment string
	if err := tx.QueryRow(ctx, "SELECT conversation_id, customer_id, agent_id, comment FROM surveys WHERE id = ?", surveyID).
		Scan(&convID, &custID, &agentID, &comment); err != nil {
		return fmt.Errorf("read survey %d: %w", surveyID, err)
	}
	var team string
	if agentID.Valid {
		if err := tx.QueryRow(ctx, "SELECT team FROM agents WHERE id = ?", agentID.Int64).Scan(&team); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	// Leads of the agent's team first, then any lead, then any admin; people
	// only (an email), enabled.
	var leadID int64
	err := tx.QueryRow(ctx, `SELECT id FROM agents WHERE disabled = ? AND email IS NOT NULL AND role IN (?, ?)
		ORDER BY CASE WHEN role = ? AND team = ? AND team <> '' THEN 0 WHEN role = ? THEN 1 ELSE 2 END, id LIMIT 1`,
		false, string(kindred.RoleLead), string(kindred.RoleAdmin), string(kindred.RoleLead), team, string(kindred.RoleLead)).Scan(&leadID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var name string
	if err := tx.QueryRow(ctx, "SELECT CASE WHEN preferred_name <> '' THEN preferred_name ELSE name END FROM customers WHERE id = ?", custID).Scan(&name); err != nil {
		return err
	}
	how := "not heard"
	if *felt == kindred.HeardPartly {
		how = "only partly heard"
	}
	what := fmt.Sprintf("Call %s: the survey says they felt %s.", name, how)
	if comment != "" {
		what += fmt.Sprintf(" They wrote: %q", comment)
	}
	due := roundMS(now.Add(NotHeardFollowUpWithin))
	id, err := tx.Insert(ctx, `INSERT INTO follow_ups (conversation_id, agent_id, what, due_at, status, created_at)
		VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id`, convID, leadID, what, ms(due), ms(roundMS(now)))
	if err != nil {
		return err
	}
	return tx.Audit(ctx, "follow_up.create", "conversation", convID,
		fmt.Sprintf("follow-up %d for lead %d: survey %d felt %s", id, leadID, surveyID, *felt))
}
