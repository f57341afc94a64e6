package inbox

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion"
)

// BenchmarkInboundEmail measures inbound mail end to end on SQLite: parsed
// (a multipart mail with text and HTML), threaded (every other mail answers
// the sender's previous one by In-Reply-To) and stored, with and without the
// compassion engine's reading. Fifty senders write in turn.
func BenchmarkInboundEmail(b *testing.B) {
	for _, tt := range []struct {
		name    string
		analyse bool
	}{{"stored", false}, {"analysed+stored", true}} {
		b.Run(tt.name, func(b *testing.B) {
			d := startDesk(b)
			desk := &Desk{Store: d.db}
			if tt.analyse {
				desk.Analyzer = compassion.DeskAnalyzer{}
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sender := i % 50
				reply := ""
				if i >= 50 && i%2 == 1 {
					reply = fmt.Sprintf("In-Reply-To: <m%d@example.org>\r\n", i-50)
				}
				raw := fmt.Sprintf("From: Customer %d <c%d@example.org>\r\nTo: help@example.org\r\nSubject: My card %d\r\nMessage-ID: <m%d@example.org>\r\n%s"+
					"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
					"Hello, my card has not come and I am worried (%d). Can you help me please?\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"+
					"<p>Hello, my card has not come and I am worried (%d).</p><p>Can you help me please?</p>\r\n--b--\r\n",
					sender, sender, sender, i, reply, i, i)
				out, err := desk.Deliver(ctx, strings.NewReader(raw))
				if err != nil || out.Receipt == nil || !out.Receipt.Stored {
					b.Fatalf("mail %d: %+v %v", i, out, err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}
