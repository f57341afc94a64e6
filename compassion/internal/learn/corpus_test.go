package learn

import (
	"strings"
	"testing"
)

func TestCorpusFindsColumnsByNameInRaggedData(t *testing.T) {
	in := "\ufeffLevel , Text,Extra\r\n2,\"She said \"\"hi\"\"\r\nthen left\",x\r\n1\r\n"
	c, err := NewCorpus(strings.NewReader(in), "text", "level")
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	for {
		ok, err := c.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, [2]string{c.Field("level"), c.Field("text")})
	}
	want := [][2]string{{"2", "She said \"hi\"\nthen left"}, {"1", ""}} // encoding/csv turns CRLF inside quotes into LF
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("rows = %q, want %q", got, want)
	}
	if c.Field("absent") != "" {
		t.Error("an absent column has a value")
	}
}

func TestCorpusRefusesDataWithoutARequiredColumn(t *testing.T) {
	_, err := NewCorpus(strings.NewReader("level,words\n1,hello\n"), "text")
	if err == nil || !strings.Contains(err.Error(), `no "text" column`) {
		t.Fatalf("err = %v, want a missing-column error", err)
	}
}
