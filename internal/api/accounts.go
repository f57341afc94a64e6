package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/auth"
)

// passwordLink is a new invitation or reset link: the only time its
// address is shown. kindred sends it nowhere; the administrator does.
type passwordLink struct {
	AgentID   int64               `json:"agent_id"`
	Purpose   kindred.LinkPurpose `json:"purpose"`
	URL       string              `json:"url"`
	ExpiresAt time.Time           `json:"expires_at"`
}

// createPasswordLink makes an agent a one-time link to set their password:
// an invitation when they have none, a reset otherwise. Earlier unused
// links for the agent stop working.
func (s *server) createPasswordLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	l, err := s.cfg.Accounts.CreatePasswordLink(r.Context(), id, hash, s.cfg.Now().Add(kindred.PasswordLinkLifetime))
	if err != nil {
		return s.storeFailed("CreatePasswordLink", err)
	}
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	// The address carries a secret: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, passwordLink{AgentID: id, Purpose: l.Purpose,
		URL: base + kindred.PasswordLinkPath + secret, ExpiresAt: l.ExpiresAt})
}
