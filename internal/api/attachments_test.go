package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, db *store.DB) { cfg.Attachments = db })
	featureAuthz = append(featureAuthz, func(t *testing.T, d *desk) []authzCase {
		r, err := d.db.ReceiveEmail(context.Background(), &kindred.InboundEmail{MessageID: "authz@example.org", From: "grace@example.org",
			Subject: "Letter", Body: "A file.", Attachments: []kindred.Attachment{{Filename: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return []authzCase{
			{"GET /api/v1/attachments/{id}", "admin lead agent", fmt.Sprintf("/api/v1/attachments/%d", r.Message.Attachments[0].ID), nil},
		}
	})
}

func TestAttachmentsAreListedAndServedOnlyAsDownloadsToStaff(t *testing.T) {
	d := newDesk(t)
	r, err := d.db.ReceiveEmail(context.Background(), &kindred.InboundEmail{MessageID: "files@example.org", From: "grace@example.org",
		FromName: "Grace", Subject: "Letter", Body: "Two files.", Attachments: []kindred.Attachment{
			{Filename: "letter.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 hello")},
			{Filename: "page.html", ContentType: "text/html; charset=utf-8", Data: []byte("<html><script>alert(1)</script>")},
		}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	conv := d.mustToken(d.tokens[kindred.RoleAgent], 200, "GET", fmt.Sprintf("/api/v1/conversations/%d", r.Message.ConversationID))
	msgs := conv["messages"].([]any)
	files, _ := msgs[0].(map[string]any)["attachments"].([]any)
	if len(files) != 2 || files[0].(map[string]any)["filename"] != "letter.pdf" || files[0].(map[string]any)["size"] != float64(14) {
		t.Fatalf("listed files %v", files)
	}
	if msgs[0].(map[string]any)["channel"] != "email" {
		t.Errorf("message channel %v", msgs[0].(map[string]any)["channel"])
	}
	ids := []int64{r.Message.Attachments[0].ID, r.Message.Attachments[1].ID}
	tests := []struct {
		name, wantType, wantDisposition, wantBody string
		id                                        int64
	}{
		{"a PDF keeps its sniffed type", "application/pdf", `attachment; filename=letter.pdf`, "%PDF-1.4 hello", ids[0]},
		{"HTML is never served as a page", "application/octet-stream", `attachment; filename=page.html`, "<html><script>alert(1)</script>", ids[1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.do(d.tokens[kindred.RoleAgent], "GET", fmt.Sprintf("/api/v1/attachments/%d", tt.id), nil)
			h := rec.Header()
			if rec.Code != 200 || h.Get("Content-Type") != tt.wantType || h.Get("Content-Disposition") != tt.wantDisposition ||
				h.Get("X-Content-Type-Options") != "nosniff" || rec.Body.String() != tt.wantBody {
				t.Fatalf("%d %v %q", rec.Code, h, rec.Body)
			}
		})
	}
	if rec := d.do(d.tokens[kindred.RoleKiosk], "GET", fmt.Sprintf("/api/v1/attachments/%d", ids[0]), nil); rec.Code != 403 {
		t.Errorf("kiosk: %d, want 403", rec.Code)
	}
	if rec := d.do("", "GET", fmt.Sprintf("/api/v1/attachments/%d", ids[0]), nil); rec.Code != 401 {
		t.Errorf("no token: %d, want 401", rec.Code)
	}
	if rec := d.do(d.tokens[kindred.RoleAgent], "GET", "/api/v1/attachments/99999", nil); rec.Code != 404 {
		t.Errorf("missing: %d, want 404", rec.Code)
	}
}
