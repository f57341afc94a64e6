package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/store"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "kindred")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "kindred.db")) // or postgres://…
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	desk := kindred.WithActor(ctx, kindred.Actor{AgentID: 1, Name: "Wanjiru"})
	c := &kindred.Customer{Name: "Baraka Otieno", PreferredName: "Baba Otieno"}
	if err := db.CreateCustomer(desk, c); err != nil {
		log.Fatal(err)
	}
	entries, err := db.Audit(ctx, kindred.AuditFilter{Subject: "customer", SubjectID: c.ID})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Dialect(), c.AddressAs(), entries[0].Action, "by", entries[0].ActorName)
	// Output: sqlite Baba Otieno customer.create by Wanjiru
}
