package sentiment_test

import (
	"fmt"

	"github.com/kindred-desk/kindred/compassion/sentiment"
)

func ExampleAnalyze() {
	s := sentiment.Analyze("I was not happy with the delay, but your agent was VERY helpful!")
	fmt.Printf("compound %.4f  neg %.3f  neu %.3f  pos %.3f\n", s.Compound, s.Negative, s.Neutral, s.Positive)
	for _, e := range s.Evidence {
		fmt.Printf("%q at %d:%d valence %.3f\n", e.Text, e.Start, e.End, e.Valence)
	}
	// Output:
	// compound 0.5970  neg 0.190  neu 0.521  pos 0.288
	// "happy" at 10:15 valence -0.999
	// "delay" at 25:30 valence -0.650
	// "helpful" at 56:63 valence 4.239
}
