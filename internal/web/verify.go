package web

// verifyRoutes lists the verify pages.
func (c *Console) verifyRoutes() []route { return nil }
