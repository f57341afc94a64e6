package learn

import (
	"strings"
	"testing"
)

func TestModelFileRoundTripAndRefusals(t *testing.T) {
	table, err := EncodeTable([]uint32{7}, []float64{0.5, -0.5}, []float64{0.1, -0.1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	b := ModelFile("KTST", 1, 3, table)
	if string(b[:6]) != "KTST\x01\x03" {
		t.Fatalf("header = %q", b[:6])
	}
	flags, tab, err := ReadModelFile(b, "KTST", 1, 2)
	if err != nil || flags != 3 || tab.Width != 2 {
		t.Fatalf("ReadModelFile = %d, %+v, %v", flags, tab, err)
	}
	for name, tc := range map[string]struct {
		b       []byte
		magic   string
		version byte
		width   int
		want    string
	}{
		"other magic":   {b, "KOTH", 1, 2, "not a KOTH model file"},
		"newer version": {b, "KTST", 2, 2, "not a KTST model file"},
		"other width":   {b, "KTST", 1, 9, "has 2 outputs, want 9"},
		"truncated":     {b[:5], "KTST", 1, 2, "not a KTST model file"},
	} {
		if _, _, err := ReadModelFile(tc.b, tc.magic, tc.version, tc.width); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}
