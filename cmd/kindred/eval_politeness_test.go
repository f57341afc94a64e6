package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestEvalPolitenessJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.csv")
	// No Community column: one community. Eight rows: two top, two bottom.
	csv := "Id,Request,Normalized Score\r\n" +
		"1,\"Could you please help me, thanks!\",2\r\n" +
		"2,Thank you so much for your help!,1.5\r\n" +
		"3,Why did you do that?,-2\r\n" +
		"4,\"Stop it, this is wrong.\",-1.5\r\n" +
		"5,ok,0\r\n6,ok,0.1\r\n7,ok,-0.1\r\n8,ok,0.2\r\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := evalPoliteness(context.Background(), []string{file, "--json"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var got map[string]float64
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %s", out.String())
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	if len(got) != 2 || got["n"] != 4 {
		t.Errorf("got %v (keys %v), want accuracy and n = 4", got, keys)
	}
	if a := got["accuracy"]; a < 0 || a > 1 {
		t.Errorf("accuracy %v", a)
	}
}
