package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/compassion"
)

// BenchmarkPostMessage posts replies over real HTTP to a real SQLite store:
// authentication, decoding, validation, the store's transaction (message,
// conversation update, audit entry) and the response; "engine" adds what
// serve adds, the compassion engine's reading of each reply against the
// customer's message.
func BenchmarkPostMessage(b *testing.B) {
	b.Run("store", func(b *testing.B) { benchmarkPostMessage(b) })
	b.Run("engine", func(b *testing.B) {
		benchmarkPostMessage(b, func(c *Config) { c.Analyzer = compassion.DeskAnalyzer{} })
	})
}

func benchmarkPostMessage(b *testing.B, configure ...func(*Config)) {
	d := newDesk(b, configure...)
	srv := httptest.NewServer(d.srv)
	defer srv.Close()
	cust := d.newCustomer("Otieno Odhiambo")
	conv := d.newConversation(cust)
	url := srv.URL + "/api/v1/conversations/" + conv + "/messages"
	d.must(kindred.RoleAgent, http.StatusCreated, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{
		"direction": "in", "body": "My pension payment has not come this month and I am 81. I have no money for my medicine.",
	})
	body := []byte(`{"direction": "out", "body": "I'm sorry the payment is late, Otieno. I have asked the pensions office and will call you by noon."}`)
	token := "Bearer " + d.tokens[kindred.RoleAgent]
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()

	post := func(b *testing.B) {
		req, err := http.NewRequest("POST", url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(b)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"name": "Amina", "accommodations": ["plain language"]}`))
	f.Add([]byte(`{"name": "Am\xffina"}`))
	f.Add([]byte(`{"name": "Amina"} x`))
	f.Add([]byte(`{"email": null, "phone": "0712 345 678"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in customerPatch
		err := decodeJSON(body, &in)
		if err == nil {
			return
		}
		if status, _ := statusOf(err); status != http.StatusBadRequest {
			t.Errorf("decodeJSON(%q): status %d, want 400", body, status)
		}
	})
}
