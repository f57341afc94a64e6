package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// burstBoundMiB is the peak resident memory a `kindred serve` may reach
// under TestBurstOfSignInsAndSetupsKeepsMemoryBounded: at most four argon2id
// hashes (64 MiB each) run at once, and the garbage collector may let the
// heap reach twice what is live, so 4 × 64 × 2 = 512 MiB for hashing, plus
// the process's own ~60 MiB, rounded up. Before the bound, 40 parallel posts
// took the server to 2.6 GB.
const burstBoundMiB = 640

// TestBurstOfSignInsAndSetupsKeepsMemoryBounded fires 200 requests at once
// at a real `kindred serve`: 100 setup posts with the live link (each passes
// the cheap checks and needs a hash) and 100 sign-ins with wrong passwords,
// each from its own client behind a trusted proxy and for its own email (so
// no limit stops them before the hash). Every request is answered, none
// with a server error, and the process's peak RSS stays under burstBoundMiB.
// It takes a minute of both cores, so it runs only with KINDRED_BURST_TEST=1:
//
//	KINDRED_BURST_TEST=1 go test -run TestBurstOfSignIns -v ./cmd/kindred/
func TestBurstOfSignInsAndSetupsKeepsMemoryBounded(t *testing.T) {
	if os.Getenv("KINDRED_BURST_TEST") == "" {
		t.Skip("set KINDRED_BURST_TEST=1 to run the 200-request burst against a real server")
	}
	bin := buildKindred(t)
	db := filepath.Join(t.TempDir(), "kindred.db")
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "error",
		"--trusted-proxies", "127.0.0.1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var base, link string
	sc := bufio.NewScanner(stdout)
	for base == "" && sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if u, ok := strings.CutPrefix(line, "setup link"); ok {
			link = strings.TrimSpace(u)
		}
		if u, ok := strings.CutPrefix(line, "kindred listening on "); ok {
			base = u
		}
	}
	go io.Copy(io.Discard, stdout)
	if base == "" || link == "" {
		t.Fatalf("no address or setup link (%q, %q)\n%s", base, link, stderr)
	}
	_, token, _ := strings.Cut(link, "token=")
	rssBefore := peakRSS(t, cmd.Process.Pid)

	const burst = 200
	client := &http.Client{Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range burst {
		wg.Go(func() {
			path, form := "/login", url.Values{"email": {fmt.Sprintf("guess%d@example.org", i)}, "password": {"not the password"}}
			if i%2 == 0 {
				path, form = "/setup", url.Values{"token": {token}, "name": {"Admin " + strconv.Itoa(i)},
					"email": {fmt.Sprintf("admin%d@example.org", i)}, "password": {"a long enough password"}, "password2": {"a long enough password"}}
			}
			req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.%d.%d", i/250, i%250+1))
			resp, err := client.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[-1]++
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[resp.StatusCode]++
		})
	}
	wg.Wait()
	took := time.Since(start)
	peak := peakRSS(t, cmd.Process.Pid)
	t.Logf("%d requests in %v: statuses %v; peak RSS %d MiB (%d MiB before the burst; bound %d MiB)",
		burst, took.Round(time.Millisecond), statuses, peak, rssBefore, burstBoundMiB)
	if statuses[-1] > 0 || statuses[http.StatusInternalServerError] > 0 {
		t.Errorf("requests without an answer or with a server error: %v\n%s", statuses, stderr)
	}
	if statuses[http.StatusSeeOther] != 1 {
		t.Errorf("%d setups succeeded, want exactly 1 (the link works once)", statuses[http.StatusSeeOther])
	}
	if peak > burstBoundMiB {
		t.Errorf("peak RSS %d MiB, over the bound of %d MiB", peak, burstBoundMiB)
	}
}

// peakRSS is a process's peak resident memory so far (VmHWM), in MiB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc to read memory from: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
