package compassion

import "testing"

func TestRephrase(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"jargon", "Prior to your biometric enrolment we must ascertain your address.", "Before your fingerprint and photo appointment we must find out your address."},
		{"vague", "It will arrive soon.", "It will arrive [a day and date]."},
		{"capital kept", "Subsequently the form goes to print.", "Later the form goes to print."},
		{"long sentence split at and", "I have checked your file with the records office this morning, and the card was printed on Monday and is now waiting at the post office for you.",
			"I have checked your file with the records office this morning. The card was printed on Monday and is now waiting at the post office for you."},
		{"short sentence kept", "I'll call you today, and we'll fix it.", "I'll call you today, and we'll fix it."},
		{"nothing to do", "I'll post it today.", "I'll post it today."},
		{"officialese", "Your application has been received and is being processed in accordance with the applicable procedures. Kindly await delivery, which may take up to thirty working days from the date of approval.",
			"Your application has been received and [what we are doing and when it will be done]. Please wait for delivery, which may take up to thirty working days after we approve it."},
		{"left out at the start", "Please be advised that the office is closed on Monday.", "The office is closed on Monday."},
		{"left out before a full stop", "I confirm the change hereby.", "I confirm the change."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rephrase(tt.in); got != tt.want {
				t.Errorf("Rephrase(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRephrase(f *testing.F) {
	f.Add("Prior to this, soon, and then, because, which, ok; and more words here to make it long enough to split it up now.")
	f.Fuzz(func(t *testing.T, s string) {
		Rephrase(s) // must not panic
	})
}
