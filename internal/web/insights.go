package web

// insightRoutes lists the insights pages.
func (c *Console) insightRoutes() []route { return nil }
