package web

// Swahili for replies on their way (delivery), phone calls, and records of
// one person merged.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Send reply by SMS to %s":      "Tuma jibu kwa SMS kwa %s",
		"Send reply by email to %s":    "Tuma jibu kwa barua pepe kwa %s",
		"Send reply by WhatsApp to %s": "Tuma jibu kwa WhatsApp kwa %s",
		"WhatsApp":                     "WhatsApp",
		"%s has not written on WhatsApp in the last 24 hours. WhatsApp then takes only an approved template, not a free reply: this reply will not be sent. Call them, or wait for them to write.": "%s hajaandika kwenye WhatsApp katika saa 24 zilizopita. Hapo WhatsApp hupokea kiolezo kilichoidhinishwa tu, si jibu huru: jibu hili halitatumwa. Mpigie simu, au subiri aandike.",
		"Record reply (not sent)":       "Hifadhi jibu (halitumwi)",
		"Send it by text anyway, to %s": "Tuma kwa SMS hata hivyo, kwa %s",
		"Log a call instead":            "Andika simu badala yake",
		"%s has no phone number on file: this reply will be recorded, not sent.":                                 "%s hana nambari ya simu kwenye kumbukumbu: jibu hili litahifadhiwa, halitatumwa.",
		"%s has no email address on file: this reply will be recorded, not sent.":                                "%s hana barua pepe kwenye kumbukumbu: jibu hili litahifadhiwa, halitatumwa.",
		"This is a %s conversation: your reply is recorded here, not sent. Say it to the person, or log a call.": "Haya ni mazungumzo ya %s: jibu lako linahifadhiwa hapa, halitumwi. Mwambie mtu mwenyewe, au andika simu.",
		"%d characters: %d text messages.":                                                                       "Herufi %d: jumbe %d za SMS.",
		"%d characters: 1 text message.":                                                                         "Herufi %d: ujumbe 1 wa SMS.",
		"A long text costs more and may arrive in pieces on an older phone. Shorter is kinder.":                  "Ujumbe mrefu hugharimu zaidi na unaweza kufika vipande vipande kwenye simu ya zamani. Mfupi ni bora.",
		"Waiting to send to %s":                   "Unasubiri kutumwa kwa %s",
		"Waiting to send to %s: %s":               "Unasubiri kutumwa kwa %s: %s",
		"Sent to %s":                              "Umetumwa kwa %s",
		"Delivered to %s":                         "Umefika kwa %s",
		"Not delivered: %s":                       "Haukufika: %s",
		"Recorded, not sent":                      "Umehifadhiwa, haukutumwa",
		"Recorded, not sent: %s":                  "Umehifadhiwa, haukutumwa: %s",
		"Log a phone call":                        "Andika simu uliyopiga",
		"What you talked about":                   "Mlichozungumza",
		"What you promised to do next (optional)": "Uliloahidi kufanya baadaye (si lazima)",
		"Follow up on (optional)":                 "Fuatilia tarehe (si lazima)",
		"Save the call":                           "Hifadhi simu",
		"Check back after the call":               "Fuatilia baada ya simu",
		"The same person?":                        "Ni mtu yule yule?",
		"These records have the same phone number or email address. If they are the same person, merge them: everything moves here, and the merge can be undone.": "Kumbukumbu hizi zina nambari ya simu au barua pepe ile ile. Kama ni mtu yule yule, ziunganishe: kila kitu kinahamia hapa, na muunganiko unaweza kutenduliwa.",
		"Merge %s into this record":                                      "Unganisha %s na kumbukumbu hii",
		"This record was merged into another record of the same person.": "Kumbukumbu hii iliunganishwa na kumbukumbu nyingine ya mtu yule yule.",
		"Open the record kept":                                           "Fungua kumbukumbu iliyobaki",
		"Record %d was merged into this one on %s.":                      "Kumbukumbu %d iliunganishwa na hii tarehe %s.",
		"Undo the merge":                                                 "Tendua muunganiko",
	})
}
