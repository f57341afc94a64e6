package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion/empathy"
)

func TestTrainEmpathyWritesALoadableModel(t *testing.T) {
	h := "sp_id,rp_id,seeker_post,response_post,level,rationales\n"
	var b strings.Builder
	b.WriteString(h)
	replies := []string{"I'm so sorry to hear that", "What happened next?", "Go to the doctor", "I have been there too, it gets better"}
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "s%d,r%d,help,%s,%d,\n", i, i, replies[i%4], []int{2, 0, 0, 1}[i%4])
	}
	dir := writeEpitome(t, map[string]string{
		"emotional-reactions-reddit.csv": b.String(),
		"interpretations-reddit.csv":     b.String(),
		"explorations-reddit.csv":        b.String(),
	})
	out := filepath.Join(t.TempDir(), "model.bin")
	var stdout bytes.Buffer
	if err := trainEmpathy(context.Background(), []string{dir, "--out", out, "--folds", "2"}, &stdout, &stdout); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "2-fold cross-validation") {
		t.Errorf("no CV report in %q", stdout.String())
	}
	m, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empathy.NewModel(m); err != nil {
		t.Fatal(err)
	}
}
