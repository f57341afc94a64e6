package compassion

import (
	"bufio"
	"cmp"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jonreiter/govader"
	"github.com/kindred-desk/kindred/compassion/empathy"
	"github.com/kindred-desk/kindred/compassion/politeness"
	"github.com/kindred-desk/kindred/compassion/sentiment"
)

// benchPair is one real exchange for the speed benchmarks: a Reddit seeker
// post and its response from EPITOME, or a VADER ground-truth tweet taken as
// a reply with no customer message.
type benchPair struct{ customer, reply string }

func (p benchPair) toInput() Input { return Input{CustomerMessage: p.customer, Reply: p.reply} }

var benchData = sync.OnceValues(func() (map[string][]benchPair, error) {
	out := map[string][]benchPair{}
	f, err := os.Open(epitomeDir + "/" + empathy.Files[0])
	if err != nil {
		return nil, err
	}
	pairs, err := empathy.ReadCSV(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		out["epitome"] = append(out["epitome"], benchPair{p.Seeker, p.Response})
	}
	t, err := os.Open("../../shared/data/vader/tweets_GroundTruth.txt")
	if err != nil {
		return nil, err
	}
	defer t.Close()
	sc := bufio.NewScanner(t)
	for sc.Scan() {
		// id TAB mean rating TAB text
		cols := strings.SplitN(sc.Text(), "\t", 3)
		if len(cols) == 3 {
			out["tweets"] = append(out["tweets"], benchPair{"", cols[2]})
		}
	}
	// The whole corpus the issue names, as `kindred analyze --jsonl` is
	// timed on it: the EPITOME pairs, then the tweets.
	out["all"] = append(append([]benchPair(nil), out["epitome"]...), out["tweets"]...)
	return out, sc.Err()
})

func loadBench(b *testing.B) map[string][]benchPair {
	d, err := benchData()
	if err != nil {
		b.Skipf("benchmark data not available: %v", err)
	}
	return d
}

// BenchmarkAnalyze runs the full analysis (customer message and reply) on
// real texts, one exchange per op: the EPITOME pairs, the tweets (replies
// alone) and both together ("all", the corpus `kindred analyze --jsonl` is
// timed on). Compare with govader on the same texts (BenchmarkGovader) and
// on the replies alone (BenchmarkGovaderReply), in the same run, with -cpu 1:
//
//	go test -run '^$' -bench 'Analyze$|Govader' -cpu 1 -benchtime 2s -count 3 ./compassion/
func BenchmarkAnalyze(b *testing.B) {
	for _, name := range []string{"epitome", "tweets", "all"} {
		data := loadBench(b)[name]
		b.Run(name, func(b *testing.B) {
			Analyze(data[0].toInput()) // load the lexicons and models outside the timing
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := data[i%len(data)]
				Analyze(Input{CustomerMessage: p.customer, Reply: p.reply})
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "replies/s")
		})
	}
}

// BenchmarkGovader runs govader's sentiment alone on the same texts that
// BenchmarkAnalyze reads: the customer message (when there is one) and the
// reply of each exchange. This is the peer that the full analysis must
// outrun, one core each.
func BenchmarkGovader(b *testing.B) {
	an := govader.NewSentimentIntensityAnalyzer()
	for _, name := range []string{"epitome", "tweets", "all"} {
		data := loadBench(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := data[i%len(data)]
				if strings.TrimSpace(p.customer) != "" {
					an.PolarityScores(p.customer)
				}
				an.PolarityScores(p.reply)
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "replies/s")
		})
	}
}

// BenchmarkGovaderReply is the stricter figure: govader on the reply only,
// though the full analysis reads the customer message too. It is what the
// outside peer (../shared/peers/govader-jsonl, timed by scripts/speed.sh)
// does; "all" is its corpus.
func BenchmarkGovaderReply(b *testing.B) {
	an := govader.NewSentimentIntensityAnalyzer()
	for _, name := range []string{"epitome", "tweets", "all"} {
		data := loadBench(b)[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				an.PolarityScores(data[i%len(data)].reply)
				i++
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "replies/s")
		})
	}
}

// BenchmarkParts times each stage of Analyze on the EPITOME pairs (PARTS=tweets:
// on the tweets), to show where the time goes.
func BenchmarkParts(b *testing.B) {
	data := loadBench(b)[cmp.Or(os.Getenv("PARTS"), "epitome")]
	lx := loadLexicons()
	parts := []struct {
		name string
		run  func(p benchPair)
	}{
		{"customer", func(p benchPair) { AnalyzeCustomer(p.customer) }},
		{"sentiment", func(p benchPair) { sentiment.Analyze(p.reply) }},
		{"empathy", func(p benchPair) { empathy.Predict(p.customer, p.reply) }},
		{"politeness", func(p benchPair) { politeness.Analyze(p.reply) }},
		{"reply", func(p benchPair) {
			sc := scratchPool.Get().(*scratch)
			readReply(sc, lx, p.reply, nil, nil, "", false)
			scratchPool.Put(sc)
		}},
	}
	for _, part := range parts {
		part.run(data[0])
		b.Run(part.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				part.run(data[i%len(data)])
				i++
			}
		})
	}
}
