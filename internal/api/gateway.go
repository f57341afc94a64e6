package api

import (
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/kindred-desk/kindred"
)

// GatewayGuard decides whether a request may use a gateway callback: the
// SMS and USSD gateways' posts (/ussd, /api/v1/sms/inbound, and any
// delivery-report callback), which carry no token and name the caller's
// phone themselves. A route is put behind it with route.gateway; a handler
// outside this package can use Handler.
//
// It refuses, in order: a browser's cross-site request (a form any web page
// could auto-submit: gateways are servers and send no Sec-Fetch-Site or
// foreign Origin); every request when no key is set, unless Insecure says
// the operator chose to try kindred without one; and a request without the
// key, compared in constant time.
type GatewayGuard struct {
	Key      string // sent as the X-Gateway-Key header or ?key= in the callback URL
	Insecure bool   // with no Key: accept callbacks from anyone (trying kindred out)
}

// Check returns nil when r may use a gateway callback, else an error saying
// why in words for the gateway's operator.
func (g GatewayGuard) Check(r *http.Request) error {
	if crossSite(r) {
		return kindred.Errorf(kindred.Forbidden, "this address is for the SMS and USSD gateway; a browser form from another site is not accepted")
	}
	if g.Key == "" {
		if g.Insecure {
			return nil
		}
		return kindred.Errorf(kindred.Forbidden, "the gateway callbacks are off: start kindred with --gateway-key (or, only to try it out, --insecure-gateway)")
	}
	key := r.Header.Get("X-Gateway-Key")
	if key == "" {
		key = r.URL.Query().Get("key")
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(g.Key)) != 1 {
		return kindred.Errorf(kindred.Unauthorized, "this address is for the SMS and USSD gateway, and the gateway key is missing or wrong")
	}
	return nil
}

// Handler puts next behind the guard, answering a refused request with a
// problem document.
func (g GatewayGuard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.Check(r); err != nil {
			writeProblem(w, problemFor(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// crossSite reports whether r was sent by a browser on behalf of another
// site: by Fetch metadata where the browser sends it, else by an Origin that
// is not this host.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != r.Host
}
