// Package web is kindred's agent console: the server-rendered pages that
// officers, agents and leads use all day, mounted by `kindred serve` beside
// the JSON API.
//
// Start with web.go: New builds the console from a Config, and routes lists
// every page and form with the roles that may use it. What every request
// passes through (security headers, cross-origin protection, the session
// cookie, the role check, the language and text-size preferences, error
// pages) is in middleware.go. Each page has its own file (login.go,
// setup.go, inbox.go, conversation.go, coach.go, customer.go, admin.go) and
// its own template under templates/; static assets (one stylesheet, two
// small scripts) are under static/, embedded and served with cache headers.
//
// Decisions a newcomer should know:
//
//   - Pages work without JavaScript. coach.js and live.js only enhance: the
//     coach updates as the agent types, and new messages appear without a
//     reload. Every form posts and redirects back (303) when it succeeds.
//   - No inline script or style anywhere, so the Content-Security-Policy
//     allows only this origin's own files.
//   - Forms are protected from cross-site posts by net/http's
//     CrossOriginProtection (Sec-Fetch-Site and Origin checks) and by the
//     SameSite=Lax session cookie, so no hidden CSRF tokens are needed.
//   - Input is checked by the JSON API's rules (api.Check), so the console
//     and the API accept and refuse the same things.
//   - Words shown to people come from a message catalog (golang.org/x/text/
//     message) in English and Swahili: see i18n.go.
//   - Live updates are Server-Sent Events from an in-process Hub (hub.go).
//     On SQLite the API and the console publish to it directly; on
//     PostgreSQL, which several kindred processes may share, the hub follows
//     the database's announcements (store.Listen) instead, so that news
//     reaches every process's consoles.
package web
