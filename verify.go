package kindred

// Verification issues and checks one-time codes. (Filled in by the lobby's
// verification feature.)
type Verification interface{}
