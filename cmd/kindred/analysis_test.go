package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
)

// The desk as serve builds it analyses every message with the compassion
// engine and keeps the report with the message.
func TestServedDeskStoresTheEngineReportWithEachMessage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kindred.db")
	code, stdout, stderr := runKindred("token", "create", "--db", db, "--role", "agent", "--name", "desk 3")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	ts := apiOver(t, db)
	c := &apiClient{t: t, token: lastLine(t, stdout), client: ts.Client()}
	c.base.Store(&ts.URL)

	var cust, conv struct{ ID int64 }
	c.mustDo("POST", "/api/v1/customers", `{"name": "Joseph Otieno", "preferred_name": "Baba Otieno", "accommodations": ["plain language"]}`, http.StatusCreated, &cust)
	c.mustDo("POST", "/api/v1/conversations", fmt.Sprintf(`{"customer_id": %d, "channel": "sms", "subject": "Card"}`, cust.ID), http.StatusCreated, &conv)
	path := fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID)
	c.mustDo("POST", path, `{"direction": "in", "body": "My husband passed away last month and now my card is lost. I am so worried."}`, http.StatusCreated, nil)
	c.mustDo("POST", path, `{"direction": "out", "body": "Baba Otieno, I am so sorry for your loss. I will post a new card today; it reaches you by Friday."}`, http.StatusCreated, nil)
	c.mustDo("POST", path, `{"direction": "note", "body": "Called the post office."}`, http.StatusCreated, nil)

	var got struct {
		Messages []struct {
			Direction string
			Analysis  *struct {
				Compassion *float64
				Distress   *float64
				Report     map[string]any
			}
		}
	}
	c.mustDo("GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), "", http.StatusOK, &got)
	if len(got.Messages) != 3 {
		t.Fatalf("%d messages, want 3", len(got.Messages))
	}
	in, out, note := got.Messages[0], got.Messages[1], got.Messages[2]
	if in.Analysis == nil || in.Analysis.Distress == nil || *in.Analysis.Distress < 0.3 {
		t.Errorf("customer message analysis = %+v, want a distress reading for a bereaved, worried customer", in.Analysis)
	}
	if out.Analysis == nil || out.Analysis.Compassion == nil || *out.Analysis.Compassion < 60 {
		t.Errorf("reply analysis = %+v, want a compassion score for a warm reply", out.Analysis)
	}
	if out.Analysis != nil && out.Analysis.Report["customer"] == nil {
		t.Error("the reply was not judged against the customer message before it")
	}
	if note.Analysis != nil {
		t.Errorf("internal note analysed: %+v", note.Analysis)
	}
}
