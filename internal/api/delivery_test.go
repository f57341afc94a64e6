package api

import (
	"encoding/json"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		cust := d.newCustomer("Joseph Otieno")
		conv := d.newConversation(cust)
		return []authzCase{
			{"POST /api/v1/sms/delivery", "public", "/api/v1/sms/delivery", func() string { return `{"id": "ATPid_unknown", "status": "Success"}` }},
			{"POST /api/v1/conversations/{id}/calls", "admin lead agent", "/api/v1/conversations/" + conv + "/calls", func() string {
				return `{"summary": "Called about the card.", "next_step": "Post it today"}`
			}},
			{"GET /api/v1/customers/{id}/duplicates", "admin lead agent", "/api/v1/customers/" + cust + "/duplicates", nil},
			{"GET /api/v1/customers/{id}/merges", "admin lead agent", "/api/v1/customers/" + cust + "/merges", nil},
			// Each allowed call merges a fresh record of its own.
			{"POST /api/v1/customers/{id}/merge", "admin lead agent", "/api/v1/customers/" + cust + "/merge", func() string {
				return `{"merged_id": ` + d.newCustomer("J. Otieno") + `}`
			}},
			{"POST /api/v1/merges/{id}/undo", "admin lead agent", "", nil}, // path minted per request
		}
	})
}

// freshMerge merges a new record into a new customer and returns the merge's id.
func freshMerge(t *testing.T, d *desk) string {
	t.Helper()
	kept, merged := d.newCustomer("Kept"), d.newCustomer("Merged")
	return id(d.must(kindred.RoleAgent, 201, "POST", "/api/v1/customers/"+kept+"/merge", map[string]any{"merged_id": json.Number(merged)}))
}
