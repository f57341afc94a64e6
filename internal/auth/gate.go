package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when every password-hashing slot stayed taken for
// longer than the caller may wait: the caller should answer "try again
// shortly" (503 with Retry-After), not hash anyway.
var ErrBusy = errors.New("too many passwords are being checked at once")

// hashSlots bounds the argon2id hashes running at once in this process. Each
// takes argonMemory (64 MiB) for about a second, so an unbounded burst of
// sign-ins or setup posts would take gigabytes; with the slots full, a burst
// waits instead, and memory stays near slots × 64 MiB.
var hashSlots = make(chan struct{}, slotsFor(memTotal()))

// HashWait is how long HashPasswordContext and CheckPasswordContext wait for
// a free slot before they give up with ErrBusy. A person signing in waits a
// few seconds at most; a flood gets quick refusals instead of a queue that
// outlives every request timeout.
const HashWait = 5 * time.Second

// HashSlots is the number of argon2id hashes this process runs at once.
func HashSlots() int { return cap(hashSlots) }

// slotsFor sizes the slots from the machine's memory: an eighth of it for
// hashing, between 2 and 4 slots. Unknown memory gets 2.
func slotsFor(mem uint64) int {
	if mem == 0 {
		return 2
	}
	n := int(mem / 8 / (argonMemory * 1024))
	return min(max(n, 2), 4)
}

// memTotal is the machine's memory in bytes (Linux; 0 elsewhere), or the
// cgroup's limit when it is lower.
func memTotal() uint64 {
	var total uint64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if kb, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
				n, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
				total = n * 1024
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}

// acquire takes a hashing slot, waiting at most HashWait or until ctx ends.
func acquire(ctx context.Context) error {
	select {
	case hashSlots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(HashWait)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return fmt.Errorf("wait to hash a password: %w", ctx.Err())
	}
}

func release() { <-hashSlots }

// hashes counts the argon2id hashes run by this process.
var hashes atomic.Int64

// Hashes is the number of argon2id hashes this process has run: what a
// burst of sign-ins cost, and a way for tests to see that a refusal was
// decided before any hashing.
func Hashes() int64 { return hashes.Load() }

// HashPasswordContext is HashPassword within the process's bound on hashes
// running at once: it waits for a slot (at most HashWait, or until ctx
// ends) and returns ErrBusy when none came free.
func HashPasswordContext(ctx context.Context, password string) (string, error) {
	if err := acquire(ctx); err != nil {
		return "", err
	}
	defer release()
	return hashPassword(password)
}

// CheckPasswordContext is CheckPassword within the process's bound on
// hashes running at once; its error is ErrBusy or ctx's, never a mismatch.
func CheckPasswordContext(ctx context.Context, hash, password string) (bool, error) {
	if err := acquire(ctx); err != nil {
		return false, err
	}
	defer release()
	return checkPassword(hash, password), nil
}
