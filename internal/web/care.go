package web

// careRoutes lists the care pages.
func (c *Console) careRoutes() []route { return nil }
