package api

// insightRoutes lists the insights endpoints.
func (s *server) insightRoutes() []route { return nil }
