package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func TestDayNamedByAReply(t *testing.T) {
	// Wednesday 9 December 2026, in the afternoon.
	now := time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC)
	cases := []struct{ words, want string }{
		{"on Friday", "2026-12-11"},
		{"by Wednesday", "2026-12-16"}, // today's weekday is next week's
		{"tomorrow at 10", "2026-12-10"},
		{"kesho saa nne asubuhi", "2026-12-10"},
		{"keshokutwa", "2026-12-11"},
		{"Ijumaa", "2026-12-11"},
		{"by 28 November", "2027-11-28"}, // past this year: next year's
		{"on December 18th", "2026-12-18"},
		{"tarehe 15 Januari", "2027-01-15"},
		{"today", "2026-12-09"},
	}
	for _, c := range cases {
		d, ok := dayNamed(c.words, now)
		if !ok || d.Format(time.DateOnly) != c.want {
			t.Errorf("%q: got %s %v, want %s", c.words, d.Format(time.DateOnly), ok, c.want)
		}
	}
	for _, words := range []string{"soon", "in a while", "at 2 pm"} {
		if d, ok := dayNamed(words, now); ok {
			t.Errorf("%q names no day, got %s", words, d.Format(time.DateOnly))
		}
	}
}

func TestSentenceAround(t *testing.T) {
	body := "Thank you for waiting. I will call you on Friday at 10 am to confirm! Take care."
	if got := sentenceAround(body, strings.Index(body, "on Friday")); got != "I will call you on Friday at 10 am to confirm!" {
		t.Errorf("got %q", got)
	}
}

// TestAReplyThatGivesADayIsOfferedAsAFollowUp: the agent promises a call
// on a day; the conversation page offers the follow-up with the day filled
// in; once made, it is on the agent's list and the offer is gone.
func TestAReplyThatGivesADayIsOfferedAsAFollowUp(t *testing.T) {
	d := newTestDesk(t)
	b := d.browser()
	b.signIn("amina@example.org")
	path := fmt.Sprintf("/conversations/%d", d.seed.conv.ID)
	if strings.Contains(b.get(path).body, `id="promise-offer"`) {
		t.Fatal("an offer before any promise")
	}
	reply := "I am so sorry for the wait, Baba Otieno. I will call you tomorrow at 10 am with the new card's date."
	wantStatus(t, b.post(path+"/reply", url.Values{"body": {reply}}), http.StatusSeeOther)
	page := b.get(path)
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	wantContains(t, page, `id="promise-offer"`, "You wrote “tomorrow at 10 am”", `value="`+tomorrow+`"`,
		`value="Keep our word: “I will call you tomorrow at 10 am with the new card&#39;s date.”"`)

	r := b.post(path+"/follow-ups", url.Values{"what": {"Call Baba Otieno with the card's date"}, "due": {tomorrow}, "back": {path}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, path+"?") {
		t.Errorf("after the follow-up: back to %q, want the conversation", loc)
	}
	fs, err := d.db.FollowUps(context.Background(), kindred.FollowUpFilter{ConversationID: d.seed.conv.ID, Status: kindred.FollowUpPending})
	if err != nil || len(fs) != 1 || fs[0].AgentID != d.seed.agent.ID || fs[0].DueAt.Format(time.DateOnly) != tomorrow {
		t.Fatalf("follow-ups: %+v %v", fs, err)
	}
	if strings.Contains(b.get(path).body, `id="promise-offer"`) {
		t.Error("the offer stays after the follow-up was made")
	}

	// Of two days, the later is the promise: "leo" is when it was done,
	// Friday when it arrives.
	wantStatus(t, b.post(path+"/reply", url.Values{"body": {"Pole sana kwa kusubiri. Nimeituma fomu leo, itafika Ijumaa."}}), http.StatusSeeOther)
	friday, _ := dayNamed("Ijumaa", time.Now())
	wantContains(t, b.get(path), `id="promise-offer"`, "You wrote “Ijumaa”", `value="`+friday.Format(time.DateOnly)+`"`)

	// A reply with no time offers nothing.
	wantStatus(t, b.post(path+"/reply", url.Values{"body": {"Thank you for your patience, Baba Otieno."}}), http.StatusSeeOther)
	if strings.Contains(b.get(path).body, `id="promise-offer"`) {
		t.Error("an offer for a reply that gives no time")
	}
}
