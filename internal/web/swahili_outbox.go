package web

// Swahili for the outbox page.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Outbox": "Jumbe zinazotoka",
		"Every SMS, email and WhatsApp message the desk sends waits here until its gateway takes it, and is tried again when a try fails. After ten failed tries, or a failure that trying again cannot mend, it is given up and waits for a person.": "Kila SMS, barua pepe na ujumbe wa WhatsApp ambao dawati linatuma husubiri hapa hadi njia yake ya kutuma iupokee, na hujaribiwa tena jaribio likishindwa. Baada ya majaribio kumi yaliyoshindwa, au kosa ambalo kujaribu tena hakuwezi kurekebisha, huachwa na kusubiri mtu.",
		"Not sent": "Haikutumwa",
		"Set up the gateway first (the reason beside each message says what went wrong), then send them again. One-time codes are not sent again: they have run out.": "Kwanza weka njia ya kutuma (sababu iliyo kando ya kila ujumbe inasema kilichoharibika), kisha uzitume tena. Nambari za mara moja hazitumwi tena: muda wake umekwisha.",
		"An administrator can send them again.": "Msimamizi anaweza kuzituma tena.",
		"Only the newest %d are listed.":        "Ni %d za karibuni tu zilizoorodheshwa.",
		"Recipient":                             "Mpokeaji",
		"Why it was not sent":                   "Kwa nini haukutumwa",
		"Send a new code":                       "Tuma nambari mpya",
		"instead of message %d":                 "badala ya ujumbe %d",
		"Send message %d again":                 "Tuma ujumbe %d tena",
		"Nothing was given up: every message went, or is still being tried.": "Hakuna kilichoachwa: kila ujumbe ulitumwa, au bado unajaribiwa.",
		"Waiting to go":              "Zinasubiri kutumwa",
		"Next try":                   "Jaribio lijalo",
		"Last try: %s":               "Jaribio la mwisho: %s",
		"Nothing is waiting.":        "Hakuna kinachosubiri.",
		"Sent lately":                "Zilizotumwa karibuni",
		"A reply":                    "Jibu",
		"A heads-up about a delay":   "Taarifa ya kuchelewa",
		"A survey":                   "Utafiti",
		"The survey's next question": "Swali linalofuata la utafiti",
		"Your turn is near":          "Zamu yako inakaribia",
		"Your number is called":      "Nambari yako imeitwa",
		"A one-time code":            "Nambari ya mara moja",
		"See the outbox":             "Tazama jumbe zinazotoka",
		"Other":                      "Nyingine",
	})
}
