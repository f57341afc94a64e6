package web

// Swahili for the lobby's day report.
func init() {
	swahiliByFeature = append(swahiliByFeature, map[string]string{
		"How the lobby's day went":                                   "Siku ya foleni ilivyokwenda",
		"How the day went: waits, visits, and the waits we told":     "Siku ilivyokwenda: kusubiri, muda dawatini, na muda wa kusubiri tuliowaambia",
		"Choose a date from the calendar, or type it as 2026-03-02.": "Chagua tarehe kwenye kalenda, au iandike hivi: 2026-03-02.",
		"Day":            "Siku",
		"Other days":     "Siku nyingine",
		"The day before": "Siku iliyotangulia",
		"The day after":  "Siku inayofuata",
		"today, so far":  "leo, hadi sasa",
		"Tickets: %d. Served: %d. Not there when called: %d. Still waiting or at a desk: %d.": "Tiketi: %d. Wamehudumiwa: %d. Hawakuwepo walipoitwa: %d. Bado wanasubiri au wako dawatini: %d.",
		"Called sooner or to a chair: %d.":                             "Waliitwa mapema au kwenye kiti: %d.",
		"Called within the wait the kiosk told them: %d of %d (%d%%).": "Waliitwa ndani ya muda wa kusubiri ambao kioski kiliwaambia: %d kati ya %d (%d%%).",
		"The others were called %s later than told, at the median.":    "Wengine waliitwa %s baadaye kuliko walivyoambiwa, kwa wastani wa kati.",
		"Each service": "Kila huduma",
		"Tickets":      "Tiketi",
		"Not there":    "Hawakuwepo",
		"Wait to be called (median; 9 in 10 within)": "Kusubiri kuitwa (wastani wa kati; 9 kati ya 10 ndani ya)",
		"At the desk (median)":                       "Dawatini (wastani wa kati)",
		"Called within the wait told":                "Waliitwa ndani ya muda walioambiwa",
		"%d of %d":                                   "%d kati ya %d",
		"Tickets taken, hour by hour":                "Tiketi zilizochukuliwa, saa kwa saa",
		"Hour":                                       "Saa",
		"A wait runs from taking the ticket to the first call. Calling again does not make it longer. The kiosk works out each wait as if the open desks stay open and serve one service each. A desk that serves two, or that closes, makes people wait longer than they were told.": "Kusubiri huanzia kuchukua tiketi hadi mwito wa kwanza. Kuitwa tena hakuongezi muda huo. Kioski hukadiria kila muda wa kusubiri kana kwamba madawati yaliyo wazi yatabaki wazi na kila moja kuhudumia huduma moja. Dawati linalohudumia huduma mbili, au linalofungwa, huwafanya watu wasubiri zaidi ya walivyoambiwa.",
		"Nobody took a ticket this day.": "Hakuna aliyechukua tiketi siku hii.",
	})
}
