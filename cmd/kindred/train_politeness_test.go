package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/politeness"
)

func TestTrainPolitenessWritesALoadableModel(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.csv")
	var b strings.Builder
	b.WriteString("Community,Id,Request,Normalized Score\n")
	for i := 0; i < 40; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "W,%d,Could you please help? Thanks!,1\n", i)
		} else {
			fmt.Fprintf(&b, "W,%d,Why did you do that?,-1\n", i)
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "model.bin")
	var stdout bytes.Buffer
	if err := trainPoliteness(context.Background(), []string{file, "--out", out}, &stdout, &stdout); err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := politeness.NewModel(m); err != nil {
		t.Fatal(err)
	}
}
