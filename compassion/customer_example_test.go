package compassion_test

import (
	"fmt"

	"github.com/kindred-desk/kindred/compassion"
)

func ExampleAnalyzeCustomer() {
	r := compassion.AnalyzeCustomer("I'm writing for my mother, she is 84 and can't read the code on her old phone. " +
		"Her hands shake since the chemo. Her appointment is at 2 today and we are so worried!")
	for _, e := range r.Emotions {
		fmt.Printf("emotion %s %.2f %q\n", e.Name, e.Score, e.Evidence[0].Text)
	}
	for _, c := range r.Cues {
		fmt.Printf("cue %s %q\n", c.Kind, c.Text)
	}
	fmt.Println("urgency", r.Urgency, "because of", r.UrgencyEvidence[0].Text)
	fmt.Println("distress above 0.5:", r.Distress > 0.5)
	fmt.Println("care:", r.Cues[4].Care)
	// Output:
	// emotion anxiety 0.85 "worried"
	// cue helper "I'm writing for my mother"
	// cue age "she is 84"
	// cue phone_difficulty "can't read the code"
	// cue phone_difficulty "old phone"
	// cue illness "hands shake"
	// cue illness "chemo"
	// urgency high because of chemo
	// distress above 0.5: true
	// care: Their hands may make writing or typing hard: acknowledge it, and offer to fill in the form or enter the code with them.
}
