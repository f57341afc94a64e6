package web

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/kindred-desk/kindred"
)

// Every reason kindred.RouteReply stores (in English) is said in the
// console's language: a Kiswahili console said "Umehifadhiwa, haukutumwa:
// recorded only: a desk conversation is not sent anywhere".
func TestDeliveryReasonsInTheConsolesLanguage(t *testing.T) {
	sw := &view{Lang: "sw", p: printer(language.Swahili)}
	en := &view{Lang: "en", p: printer(language.English)}
	name := "Mzee Kamau"
	cases := []struct {
		reason       string
		status       kindred.DeliveryStatus
		channel      kindred.Channel
		wantEN       string
		wantSW       string
		wantSWDetail string // a word of the Swahili that must be there: the argument, said in Swahili
	}{
		{fmt.Sprintf(kindred.ReasonNoPhone, name), kindred.DeliveryFailed, kindred.ChannelSMS,
			"Not sent: Mzee Kamau has no phone number on file", "Haukutumwa: Mzee Kamau hana nambari ya simu kwenye kumbukumbu", ""},
		{fmt.Sprintf(kindred.ReasonNoEmail, name), kindred.DeliveryFailed, kindred.ChannelEmail,
			"Not sent: Mzee Kamau has no email address on file", "Haukutumwa: Mzee Kamau hana barua pepe kwenye kumbukumbu", ""},
		{fmt.Sprintf(kindred.ReasonCallInstead, name, "read aloud"), kindred.DeliveryRecorded, kindred.ChannelSMS,
			"Not sent by text: Mzee Kamau has “Read things aloud” on file, so call them instead", "", "Haukutumwa kwa SMS: Mzee Kamau"},
		{kindred.ReasonNobodyInChat, kindred.DeliveryRecorded, kindred.ChannelChat,
			"Recorded, not sent: nobody is in this chat through the web chat widget", "", "gumzo la tovuti"},
		{fmt.Sprintf(kindred.ReasonChatWaits, name), kindred.DeliveryQueued, kindred.ChannelChat,
			"Waiting: Mzee Kamau is not in the chat now and left no phone or email; they see the reply when they open the chat again", "", "Unasubiri: Mzee Kamau"},
		{fmt.Sprintf(kindred.ReasonWhatsAppWindow, name), kindred.DeliveryFailed, kindred.ChannelWhatsApp,
			"", "", "saa 24"},
		{fmt.Sprintf(kindred.ReasonRecordedOnly, kindred.ChannelDesk), kindred.DeliveryRecorded, kindred.ChannelDesk,
			"Recorded, not sent (At the desk)", "", "Umehifadhiwa, haukutumwa ("},
	}
	for _, tc := range cases {
		m := kindred.Message{DeliveryStatus: tc.status, DeliveryError: tc.reason, Channel: tc.channel}
		gotEN := messageView{en, m}.DeliveryText()
		gotSW := messageView{sw, m}.DeliveryText()
		if tc.wantEN != "" && gotEN != tc.wantEN {
			t.Errorf("%q in English: got %q, want %q", tc.reason, gotEN, tc.wantEN)
		}
		if tc.wantSW != "" && gotSW != tc.wantSW {
			t.Errorf("%q in Kiswahili: got %q, want %q", tc.reason, gotSW, tc.wantSW)
		}
		if !strings.Contains(gotSW, tc.wantSWDetail) {
			t.Errorf("%q in Kiswahili: got %q, want it to say %q", tc.reason, gotSW, tc.wantSWDetail)
		}
		// Nothing of the stored English is left in the Kiswahili.
		for _, w := range []string{"not sent", "recorded", "waiting", "on file", "chat", "desk", "Read things"} {
			if strings.Contains(strings.ToLower(gotSW), strings.ToLower(w)) {
				t.Errorf("%q in Kiswahili: %q still has the English %q", tc.reason, gotSW, w)
			}
		}
	}
	// A gateway's own error is shown as it came, after the status.
	m := kindred.Message{DeliveryStatus: kindred.DeliveryFailed, DeliveryError: "gateway said 400: bad number", Channel: kindred.ChannelSMS}
	if got := (messageView{sw, m}).DeliveryText(); got != "Haukufika: gateway said 400: bad number" {
		t.Errorf("a gateway error in Kiswahili: %q", got)
	}
}
