package web

import (
	"testing"

	"golang.org/x/text/message"
)

// TestPluralsFollowEachLanguagesRules: one and many read as people say
// them, in English and Kiswahili, through the catalog the pages use.
func TestPluralsFollowEachLanguagesRules(t *testing.T) {
	en, sw := printer(english), printer(swahili)
	cases := []struct {
		p    *message.Printer
		key  string
		args []any
		want string
	}{
		{en, "%d days", []any{1}, "1 day"},
		{en, "%d days", []any{3}, "3 days"},
		{sw, "%s new messages", []any{"%d"}, "Jumbe %d mpya"},
		{en, "%s new messages", []any{"%d"}, "%d new messages"},
		{sw, "%d waiting", []any{1}, "1 anasubiri"},
		{sw, "%d waiting", []any{0}, "0 wanasubiri"},
		{en, "Mean %s out of 5, from %d answers", []any{"4.0", 1}, "Mean 4.0 out of 5, from 1 answer"},
		{sw, "Mean %s out of 5, from %d answers", []any{"4.0", 12}, "Wastani 4.0 kati ya 5, kutoka majibu 12"},
		{en, "%d heads-ups in batch %s", []any{1, "b7"}, "1 heads-up in batch b7"},
		{en, "Seen in %d replies, adding %s points each time.", []any{1, "3.5"}, "Seen in 1 reply, adding 3.5 points each time."},
		{sw, "%d replies scored from %s to %s. Mean compassion: %s out of 100.", []any{1, "a", "b", "70"}, "Jibu 1 lilipewa alama kuanzia a hadi b. Wastani wa huruma: 70 kati ya 100."},
	}
	for _, c := range cases {
		if got := c.p.Sprintf(c.key, c.args...); got != c.want {
			t.Errorf("%q %v: got %q, want %q", c.key, c.args, got, c.want)
		}
	}
}
