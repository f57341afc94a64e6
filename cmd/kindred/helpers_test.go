package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kindred-desk/kindred/internal/store"
)

// apiClient calls the kindred API with a bearer token. base may change while
// it is in use (a restarted server listens on a new port).
type apiClient struct {
	t      *testing.T
	token  string
	client *http.Client
	base   atomic.Pointer[string]
}

// do sends a request and decodes a 2xx JSON answer into out (when not nil).
// It is safe to call from several goroutines.
func (c *apiClient) do(method, path, body string, out any) (int, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, *c.base.Load()+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode %s: %w", method, path, b, err)
		}
	}
	return resp.StatusCode, nil
}

// mustDo is do for the test's own goroutine: anything but status want fails the test.
func (c *apiClient) mustDo(method, path, body string, want int, out any) {
	c.t.Helper()
	status, err := c.do(method, path, body, out)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d", method, path, status, want)
	}
}

// checkIntegrity opens the database with the store and runs its check.
func checkIntegrity(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Errorf("check %s: %v", dsn, err)
	}
}
