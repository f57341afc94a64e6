package web

// Swahili for adding and editing customers and starting conversations.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Add a customer":              "Ongeza mteja",
		"Add customer":                "Ongeza mteja",
		"Edit details":                "Hariri taarifa",
		"Edit the details of %s":      "Hariri taarifa za %s",
		"Not known":                   "Haijulikani",
		"Start a conversation":        "Anzisha mazungumzo",
		"Start conversation":          "Anzisha mazungumzo",
		"How it starts":               "Yanavyoanza",
		"What it is about":            "Yanahusu nini",
		"What they told you":          "Alichokuambia",
		"They are here at the desk":   "Yuko hapa mezani",
		"They phoned us":              "Alitupigia simu",
		"We send them an SMS first":   "Tunamtumia SMS kwanza",
		"We send them an email first": "Tunamtumia barua pepe kwanza",
		"For someone at the desk or on the phone who is not in kindred yet. Only the name is needed; ask for the rest only if they are happy to give it.": "Kwa mtu aliye mezani au kwenye simu ambaye bado hayumo kwenye kindred. Jina pekee linahitajika; uliza mengine tu kama yuko radhi kuyatoa.",
		"Optional. For example Mama Wanjiru, or Mzee.":                       "Si lazima. Kwa mfano Mama Wanjiru, au Mzee.",
		"Optional. How to say their name, for example wan-JEE-roo.":          "Si lazima. Jinsi ya kutamka jina lake, kwa mfano wan-JEE-roo.",
		"Optional. For example 0712 345 678.":                                "Si lazima. Kwa mfano 0712 345 678.",
		"A few words, for example Pension payment missing.":                  "Maneno machache, kwa mfano Malipo ya pensheni hayajafika.",
		"%s is added. Start a conversation below, or come back to it later.": "%s ameongezwa. Anzisha mazungumzo hapa chini, au urudi baadaye.",
		"Optional, for a visit or a call: in their words where you can. For a message we send first, leave it empty and write the message on the next page.": "Si lazima, kwa ziara au simu: kwa maneno yake inapowezekana. Kwa ujumbe tunaotuma kwanza, acha tupu na uandike ujumbe kwenye ukurasa unaofuata.",
		"this customer has no phone number: add one with Edit details":                                                                                       "mteja huyu hana namba ya simu: iongeze kwa Hariri taarifa",
		"this customer has no email: add one with Edit details":                                                                                              "mteja huyu hana barua pepe: iongeze kwa Hariri taarifa",
		"choose how the conversation starts":                                                                                                                 "chagua jinsi mazungumzo yanavyoanza",
	})
}
