package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// blockingServer serves a handler that signals when a request arrives and
// answers only when release is closed.
func blockingServer(t *testing.T) (srv *http.Server, ln net.Listener, entered chan struct{}, release chan struct{}) {
	t.Helper()
	entered = make(chan struct{}, 1)
	release = make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return newServer(h, slog.New(slog.DiscardHandler)), ln, entered, release
}

func TestShutdownLetsInFlightRequestFinishButRefusesNewConnections(t *testing.T) {
	srv, ln, entered, release := blockingServer(t)
	listening := make(chan struct{})
	srv.RegisterOnShutdown(func() { close(listening) }) // runs after the listener is closed
	addr := ln.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- serveUntil(ctx, srv, ln, time.Minute, slog.New(slog.DiscardHandler)) }()

	type result struct {
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{string(b), err}
	}()

	<-entered
	cancel() // as SIGTERM does
	<-listening

	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("a new connection was accepted after shutdown began")
	}
	select {
	case err := <-stopped:
		t.Fatalf("serveUntil returned %v while a request was in flight", err)
	default:
	}

	close(release)
	if r := <-answered; r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: body %q, err %v", r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serveUntil: %v", err)
	}
}

func TestShutdownGivesUpOnRequestsThatOutlastTheTimeout(t *testing.T) {
	srv, ln, entered, release := blockingServer(t)
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- serveUntil(ctx, srv, ln, time.Millisecond, slog.New(slog.DiscardHandler)) }()
	go http.Get("http://" + ln.Addr().String() + "/stuck")

	<-entered
	cancel()
	// The handler never returns before the test ends, so the timeout always expires.
	if err := <-stopped; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("serveUntil = %v, want a deadline error", err)
	}
}
