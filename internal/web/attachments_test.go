package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/api"
	"github.com/kindred-desk/kindred/internal/store"
)

func init() {
	featureWiring = append(featureWiring, func(cfg *Config, apiCfg *api.Config, db *store.DB) {
		cfg.Attachments, apiCfg.Attachments = db, db
	})
}

func TestConsoleListsEmailFilesAndServesThemOnlyAsDownloads(t *testing.T) {
	d := newTestDesk(t)
	r, err := d.db.ReceiveEmail(context.Background(), &kindred.InboundEmail{MessageID: "page@example.org", From: "grace@example.org",
		FromName: "Grace", Subject: "Statement", Body: "The page they sent me.",
		Attachments: []kindred.Attachment{{Filename: "page.html", ContentType: "text/html; charset=utf-8", Data: []byte("<script>alert(1)</script>")}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	agent := d.browser()
	agent.signIn(d.seed.agent.Email)
	page := agent.get(fmt.Sprintf("/conversations/%d", r.Message.ConversationID))
	wantStatus(t, page, 200)
	file := fmt.Sprintf("/attachments/%d", r.Message.Attachments[0].ID)
	wantContains(t, page, `href="`+file+`" download>page.html</a>`, "25 bytes")

	got := agent.get(file)
	wantStatus(t, got, 200)
	if got.Header.Get("Content-Disposition") != "attachment; filename=page.html" || got.Header.Get("Content-Type") != "application/octet-stream" ||
		got.Header.Get("X-Content-Type-Options") != "nosniff" || got.body != "<script>alert(1)</script>" {
		t.Fatalf("download: %v %q", got.Header, got.body)
	}
	kiosk := d.browser()
	kiosk.signIn(d.seed.kiosk.Email)
	if r := kiosk.get(file); r.StatusCode == 200 {
		t.Fatalf("a kiosk downloaded a customer's file: %d", r.StatusCode)
	}
}
