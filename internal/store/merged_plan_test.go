package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatReplyReadsOnlyItsCustomer: the queries that look for a customer's
// chat widgets, theirs or a merged record's, search customers by index.
// Without the index on merged_into SQLite read every customer for each
// chat reply: a desk with 45,000 customers answered 163 chat replies a
// second instead of 2,672 (kindred bench --mode replies).
func TestChatReplyReadsOnlyItsCustomer(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	posting := postingSQL[posting{route: true}.index(false)]
	if !strings.Contains(posting, "merged_into = c.customer_id") {
		t.Fatalf("the posting statement no longer looks for merged records: %s", posting)
	}
	for name, q := range map[string]string{
		"a reply's route": posting,
		"the chat widgets of a customer": `SELECT id FROM chat_visitors WHERE customer_id IN
			(SELECT id FROM customers WHERE id = ? OR merged_into = ?) ORDER BY seen_at DESC, id`,
	} {
		var plan []string
		err := db.ReadTx(ctx, func(tx *Tx) error {
			args := make([]any, strings.Count(q, "?"))
			for i := range args {
				args[i] = int64(1)
			}
			rows, err := tx.Query(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN customers") {
				t.Errorf("%s reads every customer:\n%s", name, strings.Join(plan, "\n"))
			}
		}
	}
}
