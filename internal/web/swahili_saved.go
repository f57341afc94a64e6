package web

// Swahili for saved replies.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Saved replies": "Majibu yaliyohifadhiwa",
		"Replies the office gives often, written once. {name} becomes the customer's name and {agent} your first name. Each is read by the coach as if written to Mama Grace; read it again before it goes.": "Majibu ambayo ofisi hutoa mara nyingi, yameandikwa mara moja. {name} inakuwa jina la mteja na {agent} jina lako la kwanza. Mkufunzi anasoma kila moja kana kwamba limeandikiwa Mama Grace; lisome tena kabla halijatumwa.",
		"The list":              "Orodha",
		"Added":                 "Limeongezwa",
		"Remove %s":             "Ondoa %s",
		"No saved replies yet.": "Bado hakuna majibu yaliyohifadhiwa.",
		"Add a saved reply":     "Ongeza jibu la kuhifadhi",
		"Title":                 "Kichwa",
		"The reply":             "Jibu",
		"Start with {name}, say what will happen and when, in plain words.": "Anza na {name}, sema kitakachotokea na lini, kwa maneno rahisi.",
		"Add the reply": "Ongeza jibu",
		"A team lead adds and removes saved replies.":  "Kiongozi wa timu anaongeza na kuondoa majibu yaliyohifadhiwa.",
		"Start from a saved reply":                     "Anza na jibu lililohifadhiwa",
		"Put it in the reply box":                      "Liweke kwenye kisanduku cha jibu",
		"give it a short title agents will know it by": "lipe kichwa kifupi ambacho wahudumu watakitambua",
		"write the reply":                              "andika jibu",
		"another saved reply has this title":           "jibu jingine lililohifadhiwa lina kichwa hiki",
		"choose a saved reply from the list":           "chagua jibu lililohifadhiwa kutoka kwenye orodha",
	})
}

// Swahili for changing many conversations at once, from the inbox.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Change the ticked conversations":            "Badilisha mazungumzo yaliyowekwa alama",
		"With the ticked conversations":              "Kwa mazungumzo yaliyowekwa alama",
		"Assign to":                                  "Kabidhi kwa",
		"Leave as they are":                          "Yaache kama yalivyo",
		"Nobody":                                     "Hakuna mtu",
		"Change them":                                "Yabadilishe",
		"Tick":                                       "Weka alama",
		"Tick the conversation with %s":              "Weka alama kwenye mazungumzo na %s",
		"tick conversations from the list":           "weka alama kwenye mazungumzo kutoka kwenye orodha",
		"tick at least one conversation":             "weka alama kwenye angalau mazungumzo moja",
		"choose whom to assign them to, or a status": "chagua utakayempa, au hali",
	})
}

// Swahili for the keyboard shortcuts.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Keyboard shortcuts":                              "Njia za mkato za kibodi",
		"Next or previous conversation in the inbox":      "Mazungumzo yanayofuata au yaliyotangulia kwenye kikasha",
		"Open the conversation":                           "Fungua mazungumzo",
		"Go to the reply box":                             "Nenda kwenye kisanduku cha jibu",
		"Send the reply":                                  "Tuma jibu",
		"Show these shortcuts":                            "Onyesha njia hizi za mkato",
		"Single keys do nothing while you type in a box.": "Kitufe kimoja hakifanyi kitu unapoandika kwenye kisanduku.",
		"Single-key shortcuts are on.":                    "Njia za mkato za kitufe kimoja zimewashwa.",
		"Single-key shortcuts are off.":                   "Njia za mkato za kitufe kimoja zimezimwa.",
		"Single-key shortcuts off":                        "Zima njia za mkato za kitufe kimoja",
	})
}
