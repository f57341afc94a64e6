package empathy_test

import (
	"fmt"

	"github.com/kindred-desk/kindred/compassion/empathy"
)

func ExamplePredict() {
	r := empathy.Predict(
		"I failed my exam again and I feel like such a failure.",
		"I'm so sorry, that sounds really hard. What subject was it?")
	fmt.Printf("emotional reactions %d, interpretations %d, explorations %d\n",
		r.Levels.EmotionalReactions, r.Levels.Interpretations, r.Levels.Explorations)
	for _, e := range r.Evidence {
		fmt.Printf("%s: %q\n", e.Dimension, e.Text)
	}
	// Output:
	// emotional reactions 2, interpretations 0, explorations 1
	// emotional_reactions: "I'm so sorry"
	// explorations: "What subject was"
}
