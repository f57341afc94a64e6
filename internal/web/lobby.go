package web

// lobbyRoutes lists the lobby pages.
func (c *Console) lobbyRoutes() []route { return nil }
