package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestAcknowledgedMessagesSurviveKill is the durability promise: a message
// the API answered 201 for is in the database after the server is killed
// with SIGKILL (no chance to flush or close anything), and the database is
// intact. Writers post messages continuously while the server is killed at
// random moments and restarted.
func TestAcknowledgedMessagesSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly; skipped with -short")
	}
	const (
		rounds  = 5
		writers = 4
	)
	bin := buildKindred(t)
	db := filepath.Join(t.TempDir(), "kindred.db")
	token := lastLine(t, runBinary(t, bin, "token", "create", "--db", db, "--role", "agent", "--name", "crash test"))

	srv := startServer(t, bin, db)
	c := &apiClient{t: t, token: token, client: &http.Client{Timeout: 10 * time.Second}}
	c.base.Store(&srv.url)
	var customer, conv struct{ ID int64 }
	c.mustDo("POST", "/api/v1/customers", `{"name":"Amina Wanjiru"}`, http.StatusCreated, &customer)
	c.mustDo("POST", "/api/v1/conversations", fmt.Sprintf(`{"customer_id":%d,"channel":"chat","subject":"meter reading"}`, customer.ID), http.StatusCreated, &conv)
	messages := fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID)

	var (
		mu        sync.Mutex
		attempted = map[string]bool{}
		acked     = map[string]bool{}
		failures  atomic.Int64 // requests with no answer: the server was killed or down
		unwanted  []string     // answers other than 201: never expected
	)
	ctx, stopWriters := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("writer %d message %d", w, i) // each attempt is new: never retried
				mu.Lock()
				attempted[body] = true
				mu.Unlock()
				status, err := c.do("POST", messages, fmt.Sprintf(`{"direction":"in","body":%q}`, body), nil)
				switch {
				case err != nil:
					failures.Add(1)
					time.Sleep(5 * time.Millisecond) // the server is down: wait for the restart
				case status == http.StatusCreated:
					mu.Lock()
					acked[body] = true
					mu.Unlock()
				default:
					mu.Lock()
					unwanted = append(unwanted, fmt.Sprintf("%s: %d", body, status))
					mu.Unlock()
				}
			}
		})
	}

	for round := range rounds {
		time.Sleep(300*time.Millisecond + rand.N(700*time.Millisecond))
		mu.Lock()
		before := len(acked)
		mu.Unlock()
		srv.kill(t)
		t.Logf("round %d: killed with %d messages acknowledged so far", round+1, before)
		srv = startServer(t, bin, db)
		c.base.Store(&srv.url)
	}
	time.Sleep(200 * time.Millisecond) // let the writers see the last server
	stopWriters()
	wg.Wait()

	var got struct {
		Messages []struct{ Body string }
	}
	c.mustDo("GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), "", http.StatusOK, &got)
	srv.stop(t)

	stored := map[string]int{}
	for _, m := range got.Messages {
		stored[m.Body]++
	}
	for body := range acked {
		if stored[body] != 1 {
			t.Errorf("acknowledged %q is stored %d times, want exactly once", body, stored[body])
		}
	}
	lostUnacked := 0
	for body, n := range stored {
		if !attempted[body] {
			t.Errorf("stored %q was never sent", body)
		}
		if n > 1 {
			t.Errorf("%q is stored %d times", body, n)
		}
		if !acked[body] {
			lostUnacked++ // in flight when killed: committed, but the answer was lost
		}
	}
	if len(unwanted) > 0 {
		t.Errorf("%d answers other than 201, e.g. %v", len(unwanted), unwanted[:min(3, len(unwanted))])
	}
	if len(acked) < rounds {
		t.Errorf("only %d messages acknowledged over %d rounds: the writers hardly ran", len(acked), rounds)
	}
	t.Logf("%d kills; %d messages sent, %d acknowledged, %d stored (%d committed without an answer), %d requests unanswered",
		rounds, len(attempted), len(acked), len(stored), lostUnacked, failures.Load())

	checkIntegrity(t, db)
}

// buildKindred builds the kindred binary into a temporary directory.
func buildKindred(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "kindred")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the kindred binary to completion and returns its stdout.
func runBinary(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kindred %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

func lastLine(t *testing.T, s string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		t.Fatalf("no last line in %q", s)
	}
	return last
}

// server is a running `kindred serve` process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	exited chan error
}

// startServer starts `kindred serve` on a free port (unless extra gives
// --addr) and returns once it has printed the address it listens on.
func startServer(t *testing.T, bin, db string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "kindred listening on "); ok {
				urls <- u
			}
		}
		io.Copy(io.Discard, stdout)
		s.exited <- cmd.Wait()
	}()
	select {
	case s.url = <-urls:
	case err := <-s.exited:
		t.Fatalf("kindred serve exited before listening: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("kindred serve did not print its address\n%s", s.stderr)
	}
	return s
}

// kill ends the server with SIGKILL, as a crash or the OOM killer would.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
}

// stop ends the server with SIGTERM and expects a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-s.exited; err != nil {
		t.Errorf("kindred serve after SIGTERM: %v\n%s", err, s.stderr)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
