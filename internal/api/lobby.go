package api

// lobbyRoutes lists the lobby endpoints.
func (s *server) lobbyRoutes() []route { return nil }
