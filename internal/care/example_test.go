package care_test

import (
	"fmt"
	"time"

	"github.com/kindred-desk/kindred/internal/care"
)

// A heads-up for everyone whose replacement card is late, in the words
// Mrs. Wanjiru will read on her phone.
func ExampleDraftHeadsUp() {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	promised := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	subject, body := care.DraftHeadsUp(care.HeadsUp{
		Name:       "Mrs. Wanjiru",
		Subject:    "Replacement card",
		Reason:     "The card printer broke down",
		Plan:       "we are printing the cards at the Nakuru office",
		PromisedAt: &promised,
		NewDate:    time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC),
	}, care.English, now, time.UTC)
	fmt.Println(subject)
	fmt.Println(body)
	// Output:
	// A delay: Replacement card
	// Hello Mrs. Wanjiru,
	//
	// I am sorry: your request (Replacement card) will not be ready on Tuesday 24 November as we promised. This is because the card printer broke down.
	//
	// The new date is Friday 27 November. We are printing the cards at the Nakuru office. We will tell you at once if anything changes.
	//
	// If you have a question, reply to this message or call us.
}
