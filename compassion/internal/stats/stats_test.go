package stats

import (
	"errors"
	"math"
	"testing"
)

func TestPearson(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"perfect", []float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}, 1},
		{"inverse", []float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		// Centred: x = -1 0 1, y = -1 1 0, so r = 1 / sqrt(2*2) = 0.5.
		{"partial", []float64{1, 2, 3}, []float64{1, 3, 2}, 0.5},
		{"large offset", []float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, []float64{1, 3, 2}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Pearson(tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Pearson = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPearsonRejectsUndefinedInput(t *testing.T) {
	for name, in := range map[string][2][]float64{
		"one point": {{1}, {2}},
		"constant":  {{1, 1, 1}, {1, 2, 3}},
		"nan":       {{1, math.NaN(), 3}, {1, 2, 3}},
	} {
		if _, err := Pearson(in[0], in[1]); !errors.Is(err, ErrUndefined) {
			t.Errorf("%s: err = %v, want ErrUndefined", name, err)
		}
	}
	if _, err := Pearson([]float64{1, 2}, []float64{1}); err == nil {
		t.Error("lengths differ: no error")
	}
}
