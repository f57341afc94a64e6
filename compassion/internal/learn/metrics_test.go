package learn

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestConfusionScoresHandCheckedCases(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred []int
		k           int
		acc, macro  float64
	}{
		// Class 0: tp 2, support 3, predicted 2 → F1 4/5. Class 1: tp 1,
		// support 1, predicted 3 → 2/4. Class 2: tp 0, support 1,
		// predicted 0 → 0, still counted because it occurs.
		{"three classes", []int{0, 0, 0, 1, 2}, []int{0, 0, 1, 1, 1}, 3, 3.0 / 5, (0.8 + 0.5 + 0) / 3},
		{"perfect", []int{0, 1, 2}, []int{0, 1, 2}, 3, 1, 1},
		// Majority baseline: predicts 0 always; class 0 F1 = 2·2/(2+3) = 0.8,
		// class 1 F1 = 0; class 2 never occurs and is left out.
		{"majority baseline", []int{0, 0, 1}, []int{0, 0, 0}, 3, 2.0 / 3, 0.8 / 2},
		{"empty", nil, nil, 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfusion(tt.k)
			for i := range tt.truth {
				c.Add(tt.truth[i], tt.pred[i])
			}
			if got := c.Accuracy(); !near(got, tt.acc) {
				t.Errorf("accuracy = %v, want %v", got, tt.acc)
			}
			if got := c.MacroF1(); !near(got, tt.macro) {
				t.Errorf("macro-F1 = %v, want %v", got, tt.macro)
			}
			if c.N() != len(tt.truth) {
				t.Errorf("N = %d, want %d", c.N(), len(tt.truth))
			}
		})
	}
}

func TestConfusionIgnoresOutOfRangeLabels(t *testing.T) {
	c := NewConfusion(2)
	c.Add(-1, 0)
	c.Add(0, 5)
	if c.N() != 0 {
		t.Fatalf("N = %d, want 0", c.N())
	}
}

func TestGroupFoldsKeepsGroupsTogetherAndIsReproducible(t *testing.T) {
	groups := []string{"a", "b", "a", "c", "d", "b", "e", "f", "g", "a"}
	f1 := GroupFolds(groups, 3, 7)
	f2 := GroupFolds(groups, 3, 7)
	fold := map[string]int{}
	used := map[int]bool{}
	for i, g := range groups {
		if f1[i] != f2[i] {
			t.Fatal("folds differ between runs with the same seed")
		}
		if f, ok := fold[g]; ok && f != f1[i] {
			t.Fatalf("group %q split across folds %d and %d", g, f, f1[i])
		}
		fold[g] = f1[i]
		used[f1[i]] = true
	}
	if len(used) != 3 {
		t.Errorf("used %d folds, want 3", len(used))
	}
}
