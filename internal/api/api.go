// Package api serves kindred's JSON API under /api/v1, with health, readiness
// and metrics endpoints. Handlers call the kindred service interfaces; the
// rules live there and in the store, not here.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kindred-desk/kindred"
)

// Config wires the API to its services.
type Config struct {
	Agents        kindred.AgentService
	Customers     kindred.CustomerService
	Conversations kindred.ConversationService
	Audit         kindred.AuditService
	Analyzer      kindred.Analyzer // nil: messages are stored without analysis

	Ready         func(context.Context) error // checked by /readyz
	Logger        *slog.Logger                // nil: slog.Default()
	Registry      *prometheus.Registry        // nil: a new registry
	MaxBodyBytes  int64                       // 0: 1 MiB
	DefaultRegion string                      // for phone numbers given without +country code; "" means "KE"
}

// New returns the API's handler.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return mux
}
