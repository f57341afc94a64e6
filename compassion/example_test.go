package compassion_test

import (
	"fmt"

	"github.com/kindred-desk/kindred/compassion"
)

func ExampleAnalyze() {
	r := compassion.Analyze(compassion.Input{
		CustomerMessage: "I'm 81 and my hands go numb in the cold, so I can't queue outside again. My pension card is three weeks late and I'm really worried.",
		Reply:           "We apologise for any inconvenience. Your card will be sent soon.",
		CustomerName:    "Mr. Kamau",
	})
	fmt.Println("score between 0 and 100:", *r.Compassion >= 0 && *r.Compassion <= 100)
	ns := r.Reply.NextStep
	fmt.Printf("next step: what %v, who %v, when %v\n", ns.What, ns.Who, ns.When)
	for _, s := range r.Reply.Suggestions {
		fmt.Println("-", s.Text)
	}
	// Output:
	// score between 0 and 100: true
	// next step: what true, who false, when false
	// - Mr. Kamau mentioned “my hands go numb”: acknowledge it before the solution.
	// - Acknowledge how Mr. Kamau feels before the solution, e.g. “I can hear how worrying this has been.”
	// - Replace “We apologise for any inconvenience” with your own words: a sorry that names what went wrong.
}
