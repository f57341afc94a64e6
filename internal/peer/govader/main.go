// Command govader is the peer that `kindred analyze --jsonl` is timed
// against: it reads the same JSONL (one {"id", "customer_message", "reply"}
// object a line) and runs govader's VADER on the same texts the engine
// reads, the customer message (when there is one) and the reply, printing
// {"id": ..., "customer_compound": ..., "compound": ...} for each line.
// govader is the Go VADER most Go projects would reach for, and sentiment
// alone is the least a care desk would compute per message; the compassion
// engine does that and much more (customer emotions, empathy, politeness,
// acknowledgement, next step…), so it should take no longer per line than
// this program does. Both decode the same JSON and write one line per input
// line, so the comparison is of whole processes doing the same I/O.
//
// With -reply-only it scores the reply alone (and prints only "compound"):
// the stricter figure, govader doing less than half the reading.
//
// It exists for that comparison only and is not part of kindred.
//
// With -make it instead writes the comparison's input from the shared data:
// the EPITOME pairs (seeker post as the customer message, response as the
// reply) followed by the VADER tweets as replies:
//
//	go run ./internal/peer/govader -make -epitome ../shared/data/epitome/emotional-reactions-reddit.csv \
//	    -tweets ../shared/data/vader/tweets_GroundTruth.txt > /tmp/pairs.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/jonreiter/govader"
	"github.com/kindred-desk/kindred/compassion/empathy"
)

func main() {
	mk := flag.Bool("make", false, "write the comparison JSONL from -epitome and -tweets instead")
	epitome := flag.String("epitome", "", "an EPITOME CSV file, for -make")
	tweets := flag.String("tweets", "", "the VADER tweets ground truth, for -make")
	repeat := flag.Int("repeat", 1, "with -make, write the data this many times")
	replyOnly := flag.Bool("reply-only", false, "score the reply alone, not the customer message")
	flag.Parse()
	var err error
	if *mk {
		err = makeJSONL(*epitome, *tweets, *repeat)
	} else {
		err = score(*replyOnly)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "govader:", err)
		os.Exit(1)
	}
}

type line struct {
	ID              json.RawMessage `json:"id"`
	CustomerMessage string          `json:"customer_message,omitempty"`
	Reply           string          `json:"reply"`
}

// scores is one output line; CustomerCompound is nil without a customer
// message (or with -reply-only).
type scores struct {
	ID               json.RawMessage `json:"id"`
	CustomerCompound *float64        `json:"customer_compound,omitempty"`
	Compound         float64         `json:"compound"`
}

func score(replyOnly bool) error {
	an := govader.NewSentimentIntensityAnalyzer()
	in := bufio.NewReaderSize(os.Stdin, 64<<10)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for {
		b, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(b))) > 0 {
			var l line
			if jerr := json.Unmarshal(b, &l); jerr != nil {
				fmt.Fprintf(out, "{\"id\":null,\"error\":%q}\n", jerr.Error())
			} else {
				out := scores{ID: l.ID}
				if !replyOnly && strings.TrimSpace(l.CustomerMessage) != "" {
					c := an.PolarityScores(l.CustomerMessage).Compound
					out.CustomerCompound = &c
				}
				out.Compound = an.PolarityScores(l.Reply).Compound
				enc.Encode(out)
			}
		}
		if err != nil {
			return nil
		}
	}
}

func makeJSONL(epitome, tweets string, repeat int) error {
	f, err := os.Open(epitome)
	if err != nil {
		return err
	}
	pairs, err := empathy.ReadCSV(f)
	f.Close()
	if err != nil {
		return err
	}
	t, err := os.ReadFile(tweets)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	n := 0
	for range repeat {
		for _, p := range pairs {
			n++
			enc.Encode(line{ID: json.RawMessage(fmt.Sprint(n)), CustomerMessage: p.Seeker, Reply: p.Response})
		}
		for _, row := range strings.Split(string(t), "\n") {
			// id TAB mean rating TAB text
			if cols := strings.SplitN(row, "\t", 3); len(cols) == 3 {
				n++
				enc.Encode(line{ID: json.RawMessage(fmt.Sprint(n)), Reply: cols[2]})
			}
		}
	}
	return nil
}
