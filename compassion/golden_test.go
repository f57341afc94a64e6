package compassion

import (
	"encoding/json"
	"flag"
	"fmt"
	"testing"

	"github.com/kindred-desk/kindred/compassion/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata/reports.gz from the current code")

// TestReportsMatchGolden pins the whole report (every score, signal,
// suggestion and piece of evidence, as JSON) on the shared EPITOME pairs
// and VADER tweets, in several arrangements, so that speed work cannot
// change a result unnoticed.
func TestReportsMatchGolden(t *testing.T) {
	d, err := benchData()
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	var names, lines []string
	add := func(name string, in Input) {
		b, err := json.Marshal(Analyze(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		names = append(names, name)
		lines = append(lines, string(b))
	}
	for i, p := range d["epitome"] {
		add(fmt.Sprintf("epitome %d", i), Input{CustomerMessage: p.customer, Reply: p.reply})
		add(fmt.Sprintf("epitome %d, reply alone", i), Input{Reply: p.reply})
	}
	tw := d["tweets"]
	for i, p := range tw {
		add(fmt.Sprintf("tweet %d as a reply", i), Input{Reply: p.reply})
		add(fmt.Sprintf("tweet %d as a message", i), Input{CustomerMessage: p.reply})
		in := Input{CustomerMessage: p.reply, Reply: tw[(i+1)%len(tw)].reply, CustomerName: "Mrs. Wanjiru"}
		if i%3 == 0 {
			in.Accommodations = []string{"plain_language"}
		}
		add(fmt.Sprintf("tweet %d answered by the next", i), in)
	}
	golden.Check(t, "testdata/reports.gz", names, lines, *update)
}
