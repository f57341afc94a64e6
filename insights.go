package kindred

// Insights computes the team's measures of care. (Filled in by the insights
// feature.)
type Insights interface{}
