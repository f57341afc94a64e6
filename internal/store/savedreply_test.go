package store

import (
	"context"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"SavedRepliesAreListedByTitleAndRemovedForTheRecord", testSavedReplies})
}

func testSavedReplies(t *testing.T, s suite) {
	db, _ := s.open(t)
	lead := mustAgent(t, db, "Halima Said", "halima@desk.example", kindred.RoleLead)
	ctx := ctxAs(lead.ID, lead.Name)

	wantField(t, db.CreateSavedReply(ctx, &kindred.SavedReply{Title: " ", Body: "Hello"}), "title")
	wantField(t, db.CreateSavedReply(ctx, &kindred.SavedReply{Title: "Card ready", Body: strings.Repeat("a", kindred.MaxSavedReplyBody+1)}), "body")
	if n := count(t, db, "SELECT COUNT(*) FROM saved_replies"); n != 0 {
		t.Fatalf("refused replies stored: %d", n)
	}
	card := &kindred.SavedReply{Title: " Card ready ", Body: "Hello {name}, your card is ready for collection at desk 3. {agent}"}
	if err := db.CreateSavedReply(ctx, card); err != nil {
		t.Fatal(err)
	}
	if card.Title != "Card ready" || card.CreatedBy == nil || *card.CreatedBy != lead.ID {
		t.Fatalf("stored as %+v", card)
	}
	wantField(t, db.CreateSavedReply(ctx, &kindred.SavedReply{Title: "card READY", Body: "Another"}), "title")
	if err := db.CreateSavedReply(ctx, &kindred.SavedReply{Title: "Address change", Body: "Hello {name}, we have your new address."}); err != nil {
		t.Fatal(err)
	}
	list, err := db.SavedReplies(context.Background())
	if err != nil || len(list) != 2 || list[0].Title != "Address change" || list[1].ID != card.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	got, err := db.SavedReply(context.Background(), card.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := &kindred.Customer{Name: "Joseph Otieno", PreferredName: "Baba Otieno"}
	if body := got.For(c, "Halima Said"); body != "Hello Baba Otieno, your card is ready for collection at desk 3. Halima" {
		t.Fatalf("filled in: %q", body)
	}

	if err := db.RemoveSavedReply(ctx, card.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, db.RemoveSavedReply(ctx, card.ID), kindred.NotFound)
	wantKind(t, func() error { _, err := db.SavedReply(context.Background(), card.ID); return err }(), kindred.NotFound)
	// Its title is free again; the removed one stays for the record.
	if err := db.CreateSavedReply(ctx, &kindred.SavedReply{Title: "Card ready", Body: "Hello {name}, your new card is here."}); err != nil {
		t.Fatalf("the title of a removed reply: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM saved_replies"); n != 3 {
		t.Fatalf("rows: %d, want 3 (one removed, kept)", n)
	}
}
