package api

// verifyRoutes lists the verify endpoints.
func (s *server) verifyRoutes() []route { return nil }
