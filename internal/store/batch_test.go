package store

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kindred-desk/kindred"
)

func init() {
	featureSuites = append(featureSuites,
		suiteTest{"CustomersByIDReadsWhatCustomerReads", testCustomersByID},
		suiteTest{"LatestInboundsReadWhatLatestInboundReads", testLatestInbounds},
	)
}

// unknownIDs are ids no row has. Being negative, they sort before every real
// id, so that asking for them with real ids pushes the real ones past the
// first IN list.
func unknownIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = -int64(i + 1)
	}
	return ids
}

func testCustomersByID(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	var ids []int64
	for _, c := range []kindred.Customer{
		{Name: "Amina Njeri"},
		{Name: "Joseph Otieno", PreferredName: "Baba Otieno", Pronunciation: "BAH-bah oh-TYEH-no", Language: "sw",
			Phone: "+254712345678", Email: "otieno@example.org", AccommodationNotes: "hands go numb in the cold",
			Accommodations: []kindred.Accommodation{kindred.ExtraTime, kindred.Seating}},
		{Name: "Zawadi Mwangi", Accommodations: []kindred.Accommodation{kindred.LargeText}},
	} {
		ids = append(ids, mustCustomer(t, db, c).ID)
	}
	// A customer changed since created reads back as changed.
	if _, err := db.UpdateCustomer(ctx, ids[2], kindred.CustomerUpdate{PreferredName: ptr("Zawadi")}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		ask  []int64
		want []int64 // the ids found
	}{
		{"nil", nil, nil},
		{"none", []int64{}, nil},
		{"one", ids[1:2], ids[1:2]},
		{"all", ids, ids},
		{"unknown ids left out", []int64{999, ids[0], 0, -5}, ids[:1]},
		{"repeated ids read once", []int64{ids[2], ids[2], ids[0], ids[2]}, []int64{ids[0], ids[2]}},
		{"more than one IN list", append(unknownIDs(2*maxInList), ids...), ids},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CustomersByID(ctx, tt.ask)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || len(got) != len(tt.want) {
				t.Fatalf("got %d customers (%v), want %d", len(got), got, len(tt.want))
			}
			for _, id := range tt.want {
				one, err := db.Customer(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got[id], one) {
					t.Errorf("customer %d:\n by id  %+v\n alone  %+v", id, got[id], one)
				}
			}
		})
	}
}

func testLatestInbounds(t *testing.T, s suite) {
	db, _ := s.open(t)
	ctx := context.Background()
	// A clock the test moves by hand, so that messages can share a
	// millisecond, or be dated before an earlier one.
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.now = func() time.Time { return now }
	tick := func() { now = now.Add(time.Minute) }

	amina := mustCustomer(t, db, kindred.Customer{Name: "Amina"})
	otieno := mustCustomer(t, db, kindred.Customer{Name: "Joseph Otieno"})
	h := &kindred.Helper{CustomerID: otieno.ID, Name: "Achieng", Consent: "signed",
		Scopes: []kindred.HelperScope{kindred.ScopeActOnConversations}}
	if err := db.AddHelper(ctx, h); err != nil {
		t.Fatal(err)
	}
	conv := func(c *kindred.Customer) int64 {
		tick()
		return mustConversation(t, db, kindred.Conversation{CustomerID: c.ID, Channel: kindred.ChannelChat}).ID
	}
	say := func(conv int64, dir kindred.Direction, body string, more ...func(*kindred.Message)) int64 {
		m := kindred.Message{ConversationID: conv, Direction: dir, Body: body}
		for _, f := range more {
			f(&m)
		}
		return mustMessage(t, db, ctx, m).ID
	}
	analysed := func(m *kindred.Message) {
		m.Analysis = &kindred.Analysis{Sentiment: -0.5, Distress: ptr(0.7), Report: json.RawMessage(`{"customer":{"distress":0.7}}`)}
	}
	byHelper := func(m *kindred.Message) { m.HelperID, m.AuthorName = &h.ID, h.Name }

	// want is the message each conversation's latest inbound must be, 0 for none.
	want := map[int64]int64{}

	back := conv(amina) // a reply after the customer's words
	tick()
	say(back, kindred.Inbound, "my card is lost")
	tick()
	say(back, kindred.Outbound, "sorry, let's fix it")
	tick()
	want[back] = say(back, kindred.Inbound, "it is still lost", analysed)
	tick()
	say(back, kindred.Outbound, "a new one is on its way")
	tick()
	say(back, kindred.InternalNote, "courier booked")

	want[conv(amina)] = 0 // no message at all

	ours := conv(otieno) // we wrote first and they have not answered
	tick()
	say(ours, kindred.Outbound, "your pension letter is ready")
	want[ours] = 0

	helped := conv(otieno) // a helper's words are the customer's side
	tick()
	say(helped, kindred.Inbound, "hello")
	tick()
	want[helped] = say(helped, kindred.Inbound, "writing for my father", byHelper)
	tick()
	say(helped, kindred.InternalNote, "daughter on file")

	tied := conv(amina) // three messages in one millisecond: the last written
	tick()
	say(tied, kindred.Inbound, "are you there?")
	say(tied, kindred.Inbound, "hello?")
	want[tied] = say(tied, kindred.Inbound, "anyone?")

	skewed := conv(otieno) // a clock set back: the last written, not the latest dated
	tick()
	say(skewed, kindred.Inbound, "first")
	now = now.Add(-time.Hour)
	want[skewed] = say(skewed, kindred.Inbound, "second, dated an hour before")

	var convIDs []int64
	for id := range want {
		convIDs = append(convIDs, id)
	}
	slices.Sort(convIDs)
	// What LatestInbound reads, to check the fixture before the batch.
	for _, id := range convIDs {
		m, err := db.LatestInbound(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := messageID(m); got != want[id] {
			t.Fatalf("fixture: LatestInbound of conversation %d is message %d, want %d", id, got, want[id])
		}
	}

	tests := []struct {
		name string
		ask  []int64
	}{
		{"nil", nil},
		{"none", []int64{}},
		{"one with words", []int64{back}},
		{"one without", []int64{ours}},
		{"all", convIDs},
		{"unknown ids left out", append([]int64{999, 0, -3}, convIDs...)},
		{"repeated ids read once", []int64{tied, back, tied, tied}},
		{"more than one IN list", append(unknownIDs(2*maxInList), convIDs...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.LatestInbounds(ctx, tt.ask)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("got a nil map")
			}
			for _, id := range tt.ask {
				one, err := db.LatestInbound(ctx, id, 0)
				if kindred.ErrorKind(err) == kindred.NotFound {
					one = nil
				} else if err != nil {
					t.Fatal(err)
				}
				if m, ok := got[id]; ok != (one != nil) || !reflect.DeepEqual(m, one) {
					t.Errorf("conversation %d:\n batch  %+v (present %v)\n alone  %+v", id, m, ok, one)
				}
			}
			withWords := 0
			for _, id := range slices.Compact(slices.Sorted(slices.Values(tt.ask))) {
				if want[id] != 0 {
					withWords++
				}
			}
			if len(got) != withWords {
				t.Errorf("got %d messages, want %d: one per conversation asked about with words from the customer", len(got), withWords)
			}
		})
	}
}

func messageID(m *kindred.Message) int64 {
	if m == nil {
		return 0
	}
	return m.ID
}

func TestInListsAreFewDistinctAndPadded(t *testing.T) {
	seq := func(from, n int64) []int64 {
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = from + int64(i)
		}
		return ids
	}
	tests := []struct {
		name  string
		ids   []int64
		sizes []int // the placeholders of each list
	}{
		{"none", nil, nil},
		{"one", []int64{7}, []int{1}},
		{"three pad to four", []int64{3, 1, 2}, []int{4}},
		{"repeats count once", []int64{5, 5, 5, 6}, []int{2}},
		{"a full list", seq(1, maxInList), []int{maxInList}},
		{"one more starts another", seq(1, maxInList+1), []int{maxInList, 1}},
		{"an inbox page", seq(1, 500), []int{maxInList, maxInList}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			seen := map[int64]bool{}
			err := inLists(tt.ids, func(list string, args []any) error {
				if list != placeholders(len(args)) {
					t.Errorf("placeholders %q for %d arguments", list, len(args))
				}
				sizes = append(sizes, len(args))
				for _, a := range args {
					seen[a.(int64)] = true
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sizes, tt.sizes) {
				t.Errorf("lists of %v, want %v", sizes, tt.sizes)
			}
			for _, id := range tt.ids {
				if !seen[id] {
					t.Errorf("id %d in no list", id)
				}
			}
			if distinct := len(slices.Compact(slices.Sorted(slices.Values(tt.ids)))); len(seen) != distinct {
				t.Errorf("lists hold %d ids, want the %d asked for", len(seen), distinct)
			}
		})
	}
}
