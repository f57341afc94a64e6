package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeEpitome writes three tiny EPITOME files into a temp dir.
func writeEpitome(t *testing.T, rows map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range rows {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEvalEmpathyJSONHasExactlyTheAgreedShape(t *testing.T) {
	h := "\ufeffsp_id,rp_id,seeker_post,response_post,level,rationales\r\n"
	body := func(l1, l2 string) string {
		return h + "s1,r1,I lost my job,\"I'm so sorry, that sounds awful.\"," + l1 + ",\r\n" +
			"s2,r2,My cat died,\"What was &quot;her&quot; name?\nTell me.\"," + l2 + ",\r\n"
	}
	dir := writeEpitome(t, map[string]string{
		"emotional-reactions-reddit.csv": body("2", "0"),
		"interpretations-reddit.csv":     body("0", "0"),
		"explorations-reddit.csv":        body("0", "2"),
	})
	var out, errOut bytes.Buffer
	if err := evalEmpathy(context.Background(), []string{dir, "--json"}, &out, &errOut); err != nil {
		t.Fatalf("%v (stderr %s)", err, errOut.String())
	}
	var got map[string]map[string]float64
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out.String())
	}
	var keys []string
	for k, v := range got {
		keys = append(keys, k)
		if len(v) != 3 || v["n"] != 2 {
			t.Errorf("%s = %v, want accuracy, macro_f1 and n = 2", k, v)
		}
		for _, f := range []string{"accuracy", "macro_f1", "n"} {
			if _, ok := v[f]; !ok {
				t.Errorf("%s lacks %s", k, f)
			}
		}
	}
	if len(keys) != 3 || got["emotional_reactions"] == nil || got["interpretations"] == nil || got["explorations"] == nil {
		t.Errorf("keys %v", keys)
	}
}

func TestEvalEmpathyTextShowsConfusionMatrices(t *testing.T) {
	h := "sp_id,rp_id,seeker_post,response_post,level,rationales\n"
	dir := writeEpitome(t, map[string]string{
		"emotional-reactions-reddit.csv": h + "s1,r1,a,I am so sorry,2,\n",
		"interpretations-reddit.csv":     h + "s1,r1,a,I am so sorry,0,\n",
		// Different ids: the files cannot be joined, so each is scored alone.
		"explorations-reddit.csv": h + "s9,r9,a,Why?,2,\n",
	})
	var out bytes.Buffer
	if err := evalEmpathy(context.Background(), []string{dir}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "true\\pred"); n != 3 {
		t.Errorf("want 3 confusion matrices, got %d:\n%s", n, out.String())
	}
}

func TestEvalEmpathyNeedsADirectory(t *testing.T) {
	var out bytes.Buffer
	if err := evalEmpathy(context.Background(), nil, &out, &out); err == nil {
		t.Error("want an error without DIR")
	}
	if err := evalEmpathy(context.Background(), []string{t.TempDir()}, &out, &out); err == nil {
		t.Error("want an error for a directory without the files")
	}
}
