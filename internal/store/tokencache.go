package store

import (
	"sync"
	"time"

	"github.com/kindred-desk/kindred"
)

// tokenTTL is how long TokenByHash keeps a token it read. Every API request
// reads its token, and on PostgreSQL that read is one of a post's three
// round trips; a token read again within tokenTTL costs none. A change this
// process makes to tokens or agents (RevokeToken, UpdateAgent, SetTeam)
// takes effect here at once; one made by another kindred on the same
// database, within tokenTTL (SECURITY.md).
const tokenTTL = time.Second

// maxCachedTokens bounds the cache; past it, the cache starts again empty.
// Only live tokens are kept, and a desk has few.
const maxCachedTokens = 1024

// tokenCache holds tokens read by TokenByHash, by hash.
type tokenCache struct {
	mu  sync.Mutex
	gen uint64 // bumped by forget: a read begun before must not be kept
	m   map[string]cachedToken
}

type cachedToken struct {
	token kindred.Token
	agent kindred.Agent
	until time.Time
}

// get returns copies of the token with this hash and its agent, when one
// was read less than tokenTTL before now, and the generation to hand put.
func (c *tokenCache) get(hash []byte, now time.Time) (*kindred.Token, *kindred.Agent, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[string(hash)]
	if !ok || !now.Before(e.until) {
		return nil, nil, c.gen
	}
	t, a := e.token, e.agent
	return &t, &a, c.gen
}

// put keeps what was read at now, unless forget ran since the generation
// gen was handed out.
func (c *tokenCache) put(hash []byte, t *kindred.Token, a *kindred.Agent, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[string]cachedToken)
	}
	c.m[string(hash)] = cachedToken{token: *t, agent: *a, until: now.Add(tokenTTL)}
}

// forget drops every kept token, after a change to tokens or agents has
// committed.
func (c *tokenCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}
