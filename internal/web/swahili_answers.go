package web

// Swahili for survey answers and a lead's overdue follow-ups on the care pages.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"%d of 5":                                   "%d kati ya 5",
		"No answers yet.":                           "Bado hakuna majibu.",
		"None: every follow-up is on time.":         "Hakuna: kila ufuatiliaji uko kwa wakati.",
		"What customers said in their surveys":      "Wateja walichosema katika tafiti zao",
		"What your customers said in their surveys": "Wateja wako walichosema katika tafiti zao",
		"What they said in the survey":              "Alichosema katika utafiti",
		"Your team's follow-ups past their date":    "Ufuatiliaji wa timu yako uliopita tarehe yake",
		"served by %s":                              "alihudumiwa na %s",
		"They felt heard":                           "Alihisi amesikilizwa",
		"They felt partly heard":                    "Alihisi amesikilizwa kiasi",
		"They did not feel heard":                   "Hakuhisi amesikilizwa",
	})
}
