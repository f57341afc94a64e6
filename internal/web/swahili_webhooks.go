package web

// Swahili for the webhooks page.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"Webhooks": "Webhooks",
		"Webhooks: tell other systems what happens at the desk": "Webhooks: iambie mifumo mingine yanayotokea dawatini",
		"A webhook tells another system what happens at the desk. Each event is posted as JSON, signed with the webhook's secret in the X-Kindred-Signature header, and tried again until the system answers.": "Webhook huuambia mfumo mwingine yanayotokea dawatini. Kila tukio hutumwa kama JSON, likiwa limesainiwa kwa siri ya webhook kwenye kichwa X-Kindred-Signature, na hujaribiwa tena hadi mfumo ujibu.",
		"The webhook's secret is below. Give it to the system that receives the events, to check each signature. Copy it now: it will not be shown again.":                                                     "Siri ya webhook iko hapa chini. Ipe mfumo unaopokea matukio, ili ukague kila sahihi. Inakili sasa: haitaonyeshwa tena.",
		"Subscriptions":            "Usajili",
		"Address":                  "Anwani",
		"Events":                   "Matukio",
		"Remove the webhook to %s": "Ondoa webhook ya %s",
		"No webhooks yet.":         "Bado hakuna webhook.",
		"Add a webhook":            "Ongeza webhook",
		"An https:// address on another system. Addresses inside this network are refused.": "Anwani ya https:// ya mfumo mwingine. Anwani za ndani ya mtandao huu zinakataliwa.",
		"Add webhook":            "Ongeza webhook",
		"Latest deliveries":      "Matumizi ya karibuni",
		"Event":                  "Tukio",
		"Tries":                  "Majaribio",
		"Last answer":            "Jibu la mwisho",
		"Delivered":              "Imefika",
		"Given up":               "Imeachwa",
		"Still trying":           "Bado inajaribiwa",
		"Send delivery %d again": "Tuma tukio %d tena",
		"Nothing sent yet.":      "Bado hakuna kilichotumwa.",
	})
}
