package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address a request came from, for limits and logs. The
// connecting address, unless it is a trusted proxy: then X-Forwarded-For is
// read from the right (each proxy appends the address it heard from), and
// the first address that is not a trusted proxy is the client. Addresses to
// its left were written by the client itself and are not believed.
func (c *Console) clientAddr(r *http.Request) string {
	return ClientAddr(r, c.cfg.TrustedProxies)
}

// ClientAddr is the client's address for r given the trusted proxies (see
// Config.TrustedProxies).
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || host == "" {
		// Not host:port, or "[]:": the address as given still tells
		// clients apart better than nothing.
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr, trusted) {
		return host
	}
	// client is the nearest address known, as written: the connecting one
	// until a hop a trusted proxy wrote names another.
	client := host
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A hop a trusted proxy did not write: stop at what we know.
				return client
			}
			hop = hop.Unmap()
			client = hop.String()
			if !isTrusted(hop, trusted) {
				return client
			}
		}
	}
	return client
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
