package web

// Swahili for sending a reply and going on to the next person waiting.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Record, then open the next person waiting":                          "Hifadhi, kisha fungua anayefuata anayesubiri",
		"Send, then open the next person waiting":                            "Tuma, kisha fungua anayefuata anayesubiri",
		"Your reply is sent. This is the next person waiting for an answer.": "Jibu lako limetumwa. Huyu ndiye anayefuata anayesubiri jibu.",
		"Back to the conversation you answered":                              "Rudi kwenye mazungumzo uliyojibu",
		"Your reply is sent. Nobody else is waiting for an answer from you.": "Jibu lako limetumwa. Hakuna mwingine anayesubiri jibu kutoka kwako.",
		"Send the reply, then open the next person waiting":                  "Tuma jibu, kisha fungua anayefuata anayesubiri",
	})
}
