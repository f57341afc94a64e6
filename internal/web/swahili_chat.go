package web

// Swahili for the web chat in the console. The widget's own words, which
// visitors read, are in static/chat/widget.js, in both languages.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Send reply to the web chat":                                   "Tuma jibu kwenye gumzo la tovuti",
		"Send reply to the web chat (it waits for them)":               "Tuma jibu kwenye gumzo la tovuti (litamsubiri)",
		"%s is in the web chat now: your reply shows there at once.":   "%s yuko kwenye gumzo la tovuti sasa: jibu lako litaonekana hapo mara moja.",
		"%s has left the web chat, and asked to be answered this way.": "%s ameondoka kwenye gumzo la tovuti, na ameomba ajibiwe kwa njia hii.",

		"%s has left the web chat and left no phone or email: your reply waits in the chat until they open it again.": "%s ameondoka kwenye gumzo la tovuti bila kuacha simu wala barua pepe: jibu lako litasubiri kwenye gumzo hadi alifungue tena.",

		"the web chat":  "gumzo la tovuti",
		"%s is typing…": "%s anaandika…",
	})
}
