package golden

import (
	"path/filepath"
	"testing"
)

func TestCheckFindsTheChangedResult(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.gz")
	names := []string{"a", "b"}
	Check(t, path, names, []string{"one", "two"}, true)
	Check(t, path, names, []string{"one", "two"}, false)

	var rec recorder
	Check(&rec, path, names, []string{"one", "three"}, false)
	if rec.errors != 2 { // the changed result, then the count
		t.Errorf("a changed result gave %d errors, want 2", rec.errors)
	}
}

// recorder is a testing.TB that counts errors instead of failing.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }
