package kindred

// Care keeps heads-ups, follow-ups, gestures and surveys. (Filled in by the
// proactive-care feature.)
type Care interface{}
