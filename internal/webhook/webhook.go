// Package webhook tells other systems what happened at the desk: it posts
// each event a subscriber asked for to the subscriber's URL, signed, with
// retries, in order.
//
// The store writes events into a durable delivery table in the same
// transaction as the change they tell of (see store's emit); Worker claims
// the due ones (one per subscriber at a time, the oldest, so that events
// arrive in order), posts them and logs each attempt. A receiver checks
// X-Kindred-Signature with Verify. The Client it posts with refuses to dial
// loopback, private, link-local and unspecified addresses, checked on the
// address actually dialled, so that a name that resolves (or re-resolves)
// to one cannot slip past; AllowPrivate lifts that for tests and on-premises
// receivers.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/outbox"
)

// Headers on every delivery.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of
	// "<t>.<body>" with the webhook's secret>".
	SignatureHeader = "X-Kindred-Signature"
	EventHeader     = "X-Kindred-Event"
	// DeliveryHeader is the delivery's id: a receiver that has seen it
	// already (we retried after it answered too slowly) may ignore it.
	DeliveryHeader = "X-Kindred-Delivery"
)

// Sign returns the X-Kindred-Signature value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a delivery's X-Kindred-Signature header against body, and
// that it was signed within tolerance of now (a replayed old request fails).
// It is what a receiver written in Go would call.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("webhook signature: want t=<unix>,v1=<hex>")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook signature: signed %s from now, outside %s", d.Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return errors.New("webhook signature: does not match")
}

// NewSecret returns a random secret for a new webhook.
func NewSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// ErrPrivateAddress is why a delivery to a private address was refused.
var ErrPrivateAddress = errors.New("refused: the address is loopback, private, link-local or unspecified (start kindred with --webhook-allow-private to allow it)")

// blocked reports whether ip is one that a webhook must not reach unless
// private addresses are allowed: a request from the desk to its own network
// is how an SSRF reads what it should not.
func blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || sharedSpace.Contains(ip) || thisNetwork.Contains(ip)
}

var (
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, RFC 6598
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
)

// CheckURL tells whether raw may be a webhook's URL: http or https, no
// user:password, and, unless allowPrivate, not a private address written
// as an IP or "localhost". (A name that resolves to one is caught when
// dialled.) The error names the reason.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http:// or https:// address")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password: the signature proves who sent it")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return ErrPrivateAddress
	}
	if ip, err := netip.ParseAddr(host); err == nil && blocked(ip) {
		return ErrPrivateAddress
	}
	return nil
}

// NewClient returns the HTTP client deliveries are posted with: no proxy
// (the guard must see the real address), no redirects followed (a 3xx is an
// answer, not a delivery), and, unless allowPrivate, a dialer that refuses
// private addresses after the name is resolved.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || blocked(ap.Addr()) {
				return fmt.Errorf("dial %s: %w", address, ErrPrivateAddress)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Config sets up a Worker. Zero durations and counts take the defaults.
type Config struct {
	Store        kindred.WebhookService
	Client       *http.Client // nil: NewClient(AllowPrivate, Timeout)
	AllowPrivate bool

	Lease       time.Duration // how long a claimed delivery is held; default 2 minutes
	Timeout     time.Duration // per post; default 15 seconds
	Batch       int           // deliveries claimed at once; default 20
	Poll        time.Duration // how often to look for due deliveries; default 2 seconds
	MinBackoff  time.Duration // default 15 seconds
	MaxBackoff  time.Duration // default 1 hour
	MaxAttempts int           // tries before a delivery is dead; default 12 (about 8 hours)

	Logger *slog.Logger     // nil: slog.Default()
	Now    func() time.Time // nil: time.Now
}

// Worker posts due deliveries. Several may run, in one process or many:
// claims with leases keep them from posting the same delivery at once.
type Worker struct {
	cfg  Config
	wake chan struct{}
}

// New returns a worker for cfg.
func New(cfg Config) *Worker {
	if cfg.Store == nil {
		panic("webhook: Config needs a Store")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Lease <= cfg.Timeout {
		cfg.Lease = 2 * cfg.Timeout
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 15 * time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(time.Hour, cfg.MinBackoff)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.AllowPrivate, cfg.Timeout)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look for due deliveries now. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run posts due deliveries until ctx ends, then returns nil.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.cfg.Logger.ErrorContext(ctx, "webhook: claim failed", slog.String("err", err.Error()))
				}
				break
			}
			if n == 0 || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce claims one batch of due deliveries and tries each once; it
// returns how many it claimed. When an attempt cannot be recorded it posts
// no more of the batch: each would be posted again when its lease ran out.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	leaseEnds := time.Now().Add(w.cfg.Lease)
	ds, err := w.cfg.Store.ClaimWebhookDeliveries(ctx, w.cfg.Now(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		if err := w.deliver(ctx, d, leaseEnds); err != nil {
			return len(ds), err
		}
	}
	return len(ds), nil
}

// Body is what a delivery posts: the event and its data, with the
// delivery's id for receivers that keep track.
func Body(d kindred.WebhookDelivery) ([]byte, error) {
	return json.Marshal(struct {
		ID        int64                `json:"id"`
		Event     kindred.WebhookEvent `json:"event"`
		CreatedAt time.Time            `json:"created_at"`
		Data      json.RawMessage      `json:"data"`
	}{d.ID, d.Event, d.CreatedAt, d.Payload})
}

func (w *Worker) deliver(ctx context.Context, d kindred.WebhookDelivery, leaseEnds time.Time) error {
	attrs := []any{slog.Int64("delivery", d.ID), slog.Int64("webhook", d.WebhookID), slog.String("event", string(d.Event)),
		slog.Int("attempt", d.Attempts)}
	start := w.cfg.Now()
	code, err := w.post(ctx, d)
	a := kindred.WebhookAttempt{Attempt: d.Attempts, At: start, StatusCode: code, Duration: w.cfg.Now().Sub(start)}
	delivered := err == nil
	if err != nil {
		a.Error = err.Error()
	}
	dead := !delivered && d.Attempts >= w.cfg.MaxAttempts
	retryAt := start.Add(outbox.Backoff(d.Attempts, w.cfg.MinBackoff, w.cfg.MaxBackoff))
	if rerr := outbox.RecordUntil(ctx, w.cfg.Logger, "webhook", leaseEnds, func(rctx context.Context) error {
		return w.cfg.Store.RecordWebhookAttempt(rctx, d.ID, a, delivered, retryAt, dead)
	}); rerr != nil {
		w.cfg.Logger.ErrorContext(ctx, "webhook: could not record the attempt; it will be posted again when its lease runs out", append(attrs, slog.String("err", rerr.Error()))...)
		return fmt.Errorf("record webhook delivery %d: %w", d.ID, rerr)
	}
	switch {
	case delivered:
		w.cfg.Logger.InfoContext(ctx, "webhook: delivered", append(attrs, slog.Int("status", code))...)
	case dead:
		w.cfg.Logger.WarnContext(ctx, "webhook: dead", append(attrs, slog.String("err", a.Error))...)
	default:
		w.cfg.Logger.WarnContext(ctx, "webhook: will retry", append(attrs, slog.String("err", a.Error), slog.Time("retry_at", retryAt))...)
	}
	return nil
}

// post sends d once; a 2xx answer is delivery.
func (w *Worker) post(ctx context.Context, d kindred.WebhookDelivery) (int, error) {
	if err := CheckURL(d.URL, w.cfg.AllowPrivate); err != nil {
		return 0, err
	}
	body, err := Body(d)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kindred-webhook/1")
	req.Header.Set(EventHeader, string(d.Event))
	req.Header.Set(DeliveryHeader, strconv.FormatInt(d.ID, 10))
	req.Header.Set(SignatureHeader, Sign(d.Secret, w.cfg.Now(), body))
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may hold a token: don't log it
		}
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
