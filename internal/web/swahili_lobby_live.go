package web

// Swahili for the desk page that follows the queue, calls a ticket again
// and links it to its customer, and for one-time codes read out. A code is
// "namba ya uthibitisho" (a confirmation number), never "nambari ya siri",
// M-Pesa's word for a PIN.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		// The desk page.
		"Call again":            "Ita tena",
		"Called again once":     "Imeitwa tena mara moja",
		"Called again %d times": "Imeitwa tena mara %d",
		"Ticket %s is called again: the board shows it again.": "Tiketi %s imeitwa tena: ubao unaionyesha tena.",
		"Whose ticket is it?":                          "Tiketi hii ni ya nani?",
		"Open the profile and history of %s":           "Fungua wasifu na historia ya %s",
		"Customers found for %s:":                      "Wateja waliopatikana kwa %s:",
		"Customers with this ticket's phone number:":   "Wateja wenye namba ya simu ya tiketi hii:",
		"This is them":                                 "Ndiye huyu",
		"Nobody found for %s.":                         "Hakuna aliyepatikana kwa %s.",
		"Find the customer":                            "Tafuta mteja",
		"Find the customer by name or phone":           "Tafuta mteja kwa jina au namba ya simu",
		"Register them as a new customer":              "Msajili kama mteja mpya",
		"Show the latest":                              "Onyesha ya sasa",
		"The queue has changed.":                       "Foleni imebadilika.",
		"New ticket: %s.":                              "Tiketi mpya: %s.",
		"For ticket %s: their record is linked to it.": "Kwa tiketi %s: rekodi yake inaunganishwa nayo.",

		// One-time codes read out on the phone.
		"%s has asked for things to be read aloud, so the code is read out on their phone. You can still choose SMS.": "%s ameomba asomewe kwa sauti, kwa hiyo namba ya uthibitisho inasomwa kwenye simu yake. Bado unaweza kuchagua SMS.",
		"%s has low vision, so the code is read out on their phone. You can still choose SMS.":                        "%s haoni vizuri, kwa hiyo namba ya uthibitisho inasomwa kwenye simu yake. Bado unaweza kuchagua SMS.",
		"Read out on their phone: they dial %s and choose 3":                                                          "Isomwe kwenye simu yake: apige %s na achague 3",
		"%s can hear the code on the phone ending %s: dial %s and choose 3.":                                          "%s anaweza kusikia namba ya uthibitisho kwenye simu inayoishia %s: apige %s na achague 3.",
		"To hear the code, dial %s on your phone and choose 3. It reads the same code each time.":                     "Ili kusikia namba ya uthibitisho, piga %s kwenye simu yako na uchague 3. Inasoma namba ileile kila mara.",
		"If they cannot read the SMS, they can hear the same code: dial %s and choose 3.":                             "Kama hawezi kusoma SMS, anaweza kusikia namba ileile: apige %s na achague 3.",
		"Cannot read the SMS? Dial %s on the phone the code was sent to and choose 3: it reads the code out.":         "Huwezi kusoma SMS? Piga %s kwenye simu iliyotumiwa namba ya uthibitisho na uchague 3: itakusomea namba.",
	})
}
