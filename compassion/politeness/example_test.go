package politeness_test

import (
	"fmt"

	"github.com/kindred-desk/kindred/compassion/politeness"
)

func ExampleAnalyze() {
	r := politeness.Analyze("Hi, could you please take a look at my order? Thanks so much!")
	fmt.Printf("polite: %v\n", r.Probability >= 0.5)
	for _, s := range r.Strategies {
		fmt.Printf("%s %q polite=%v\n", s.Name, s.Text, s.Polite)
	}
	// Output:
	// polite: true
	// greeting "Hi" polite=true
	// subjunctive "could you" polite=true
	// second_person "you" polite=true
	// please "please" polite=true
	// first_person "my" polite=true
	// gratitude "Thanks" polite=true
}
