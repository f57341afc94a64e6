package api

// careRoutes lists the care endpoints.
func (s *server) careRoutes() []route { return nil }
