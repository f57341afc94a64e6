package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// startSMSGateway runs kindred smsgw on a free port; what it prints (each
// SMS it takes) collects in the returned buffer.
func startSMSGateway(t *testing.T, bin string, extra ...string) (url string, printed *lockedBuffer) {
	t.Helper()
	gw := exec.Command(bin, append([]string{"smsgw", "--addr", "127.0.0.1:0"}, extra...)...)
	out, err := gw.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	gwErr := &lockedBuffer{}
	gw.Stderr = gwErr
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Process.Kill(); gw.Wait() })
	printed = &lockedBuffer{}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "SMS gateway simulator listening on "); ok {
				urls <- u
			}
			printed.Write([]byte(sc.Text() + "\n"))
		}
	}()
	select {
	case url = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatalf("kindred smsgw did not start\n%s", gwErr)
	}
	return url, printed
}

// TestThreeNodesOnOnePostgreSQL: three kindred serve processes share one
// PostgreSQL database. Replies posted through all three leave by SMS
// exactly once each (the outbox workers of the three claim side by side
// without sending anything twice); then, while customers' messages pour in
// through all three, one node is killed with SIGKILL twice and started
// again, and every message acknowledged is stored exactly once.
func TestThreeNodesOnOnePostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers; skipped with -short")
	}
	dsn := postgresSchema(t)
	bin := buildKindred(t)
	smsURL, printed := startSMSGateway(t, bin)
	token := lastLine(t, runBinary(t, bin, "token", "create", "--db", dsn, "--role", "agent", "--name", "three nodes"))
	flags := []string{"--sms-url", smsURL, "--sms-username", "sandbox", "--sms-key", "sim", "--gateway-key", "test-key"}
	nodes := make([]*server, 3)
	clients := make([]*apiClient, 3)
	for i := range nodes {
		nodes[i] = startServer(t, bin, dsn, flags...)
		clients[i] = &apiClient{t: t, token: token, client: &http.Client{Timeout: 10 * time.Second}}
		clients[i].base.Store(&nodes[i].url)
	}
	a := clients[0]
	var cust, conv struct{ ID int64 }
	a.mustDo("POST", "/api/v1/customers", `{"name":"Joseph Otieno","phone":"+254712345678"}`, http.StatusCreated, &cust)
	a.mustDo("POST", "/api/v1/conversations", fmt.Sprintf(`{"customer_id":%d,"channel":"sms","subject":"Card"}`, cust.ID), http.StatusCreated, &conv)
	messages := fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID)

	// Replies through all three nodes at once: each leaves exactly once.
	const replies = 45
	var wg sync.WaitGroup
	for i := range replies {
		wg.Go(func() {
			clients[i%3].mustDo("POST", messages, fmt.Sprintf(`{"direction":"out","body":"Reply %02d: your card is posted today."}`, i), http.StatusCreated, nil)
		})
	}
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got struct {
			Messages []struct {
				DeliveryStatus string `json:"delivery_status"`
			}
		}
		a.mustDo("GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), "", http.StatusOK, &got)
		sent := 0
		for _, m := range got.Messages {
			if m.DeliveryStatus == "sent" || m.DeliveryStatus == "delivered" {
				sent++
			}
		}
		if sent == replies {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replies sent after a minute\ngateway:\n%s", sent, replies, printed)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out := printed.String()
	for i := range replies {
		if n := strings.Count(out, fmt.Sprintf("Reply %02d: your card", i)); n != 1 {
			t.Errorf("reply %02d reached the gateway %d times, want exactly once", i, n)
		}
	}

	// Customers' messages through all three while the third is killed.
	ctx, stop := context.WithCancel(context.Background())
	var (
		mu    sync.Mutex
		acked []string
	)
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("writer %d message %d", w, i)
				status, err := clients[w%3].do("POST", messages, fmt.Sprintf(`{"direction":"in","body":%q}`, body), nil)
				if err != nil {
					time.Sleep(10 * time.Millisecond) // that node is down
					continue
				}
				if status == http.StatusCreated {
					mu.Lock()
					acked = append(acked, body)
					mu.Unlock()
				}
			}
		})
	}
	for round := range 2 {
		time.Sleep(700 * time.Millisecond)
		nodes[2].kill(t)
		t.Logf("round %d: node C killed", round+1)
		nodes[2] = startServer(t, bin, dsn, flags...)
		clients[2].base.Store(&nodes[2].url)
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()

	var got struct {
		Messages []struct{ Body string }
	}
	a.mustDo("GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), "", http.StatusOK, &got)
	stored := map[string]int{}
	for _, m := range got.Messages {
		stored[m.Body]++
	}
	for _, body := range acked {
		if stored[body] != 1 {
			t.Errorf("acknowledged %q is stored %d times, want exactly once", body, stored[body])
		}
	}
	if len(acked) < 20 {
		t.Errorf("only %d messages acknowledged: the writers hardly ran", len(acked))
	}
	t.Logf("3 nodes: %d replies sent once each; %d customer messages acknowledged through 2 kills of node C, all stored once", replies, len(acked))
}
