package web

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// Messages whose words change with a number, chosen by the language's
// plural rules (CLDR, through golang.org/x/text): "1 reply" but "2
// replies"; in Kiswahili "jibu 1" but "majibu 2", "1 anasubiri" but "2
// wanasubiri". Arg is the position of the number among the message's
// arguments; each form is the message's whole text for that form.
var plurals = []struct {
	key    string
	arg    int
	en, sw [2]string // one, other
}{
	{key: "%d waiting", arg: 1,
		en: [2]string{"%d waiting", "%d waiting"},
		sw: [2]string{"%d anasubiri", "%d wanasubiri"}},
	{key: "%d heads-ups in batch %s", arg: 1,
		en: [2]string{"%d heads-up in batch %s", "%d heads-ups in batch %s"},
		sw: [2]string{"Taarifa %d katika kundi %s", "Taarifa %d katika kundi %s"}},
	{key: "%d conversations changed.", arg: 1,
		en: [2]string{"%d conversation changed.", "%d conversations changed."},
		sw: [2]string{"Mazungumzo %d yamebadilishwa.", "Mazungumzo %d yamebadilishwa."}},
	{key: "%d messages are back in the queue.", arg: 1,
		en: [2]string{"%d message is back in the queue.", "%d messages are back in the queue."},
		sw: [2]string{"Ujumbe %d umerudi foleni.", "Jumbe %d zimerudi foleni."}},
	{key: "Send %d messages again", arg: 1,
		en: [2]string{"Send %d message again", "Send %d messages again"},
		sw: [2]string{"Tuma ujumbe %d tena", "Tuma jumbe %d tena"}},
	{key: "%d days", arg: 1,
		en: [2]string{"%d day", "%d days"},
		sw: [2]string{"siku %d", "siku %d"}},
	{key: "%d replies scored from %s to %s. Mean compassion: %s out of 100.", arg: 1,
		en: [2]string{"%d reply scored from %s to %s. Mean compassion: %s out of 100.", "%d replies scored from %s to %s. Mean compassion: %s out of 100."},
		sw: [2]string{"Jibu %d lilipewa alama kuanzia %s hadi %s. Wastani wa huruma: %s kati ya 100.", "Majibu %d yalipewa alama kuanzia %s hadi %s. Wastani wa huruma: %s kati ya 100."}},
	{key: "Seen in %d replies, adding %s points each time.", arg: 1,
		en: [2]string{"Seen in %d reply, adding %s points each time.", "Seen in %d replies, adding %s points each time."},
		sw: [2]string{"Ilionekana katika jibu %d, ikiongeza alama %s kila mara.", "Ilionekana katika majibu %d, ikiongeza alama %s kila mara."}},
	{key: "Seen in %d replies, costing %s points each time.", arg: 1,
		en: [2]string{"Seen in %d reply, costing %s points each time.", "Seen in %d replies, costing %s points each time."},
		sw: [2]string{"Ilionekana katika jibu %d, ikipunguza alama %s kila mara.", "Ilionekana katika majibu %d, ikipunguza alama %s kila mara."}},
	{key: "Only %d answered surveys so far. That is too few to say anything yet.", arg: 1,
		en: [2]string{"Only %d answered survey so far. That is too few to say anything yet.", "Only %d answered surveys so far. That is too few to say anything yet."},
		sw: [2]string{"Hadi sasa kuna utafiti %d tu uliojibiwa. Ni chache mno kusema lolote bado.", "Hadi sasa kuna tafiti %d tu zilizojibiwa. Ni chache mno kusema lolote bado."}},
	{key: "Only %d answered surveys. That is too few to lean on: the true link could be anywhere in the range shown.", arg: 1,
		en: [2]string{"Only %d answered survey. That is too few to lean on: the true link could be anywhere in the range shown.", "Only %d answered surveys. That is too few to lean on: the true link could be anywhere in the range shown."},
		sw: [2]string{"Kuna utafiti %d tu uliojibiwa. Ni mchache mno kutegemea: uhusiano halisi unaweza kuwa popote katika kiwango kilichoonyeshwa.", "Kuna tafiti %d tu zilizojibiwa. Ni chache mno kutegemea: uhusiano halisi unaweza kuwa popote katika kiwango kilichoonyeshwa."}},
	{key: "Mean %s out of 5, from %d answers", arg: 2,
		en: [2]string{"Mean %s out of 5, from %d answer", "Mean %s out of 5, from %d answers"},
		sw: [2]string{"Wastani %s kati ya 5, kutoka jibu %d", "Wastani %s kati ya 5, kutoka majibu %d"}},
	{key: "That is not the code. You can try %d more times.", arg: 1,
		en: [2]string{"That is not the code. You can try %d more time.", "That is not the code. You can try %d more times."},
		sw: [2]string{"Hiyo si nambari sahihi. Unaweza kujaribu mara %d zaidi.", "Hiyo si nambari sahihi. Unaweza kujaribu mara %d zaidi."}},
	{key: "Too many sign-in attempts. For your safety, please wait %d seconds, then try again.", arg: 1,
		en: [2]string{"Too many sign-in attempts. For your safety, please wait %d second, then try again.", "Too many sign-in attempts. For your safety, please wait %d seconds, then try again."},
		sw: [2]string{"Majaribio mengi mno ya kuingia. Kwa usalama wako, tafadhali subiri sekunde %d, kisha ujaribu tena.", "Majaribio mengi mno ya kuingia. Kwa usalama wako, tafadhali subiri sekunde %d, kisha ujaribu tena."}},
}

// isPlural reports whether key is translated in plurals.
func isPlural(key string) bool {
	for _, p := range plurals {
		if p.key == key {
			return true
		}
	}
	return false
}

// setPlurals adds the plural messages to the catalog.
func setPlurals(b *catalog.Builder) {
	for _, p := range plurals {
		for _, l := range []struct {
			tag   language.Tag
			forms [2]string
		}{{english, p.en}, {swahili, p.sw}} {
			if err := b.Set(l.tag, p.key, plural.Selectf(p.arg, "%d", "one", l.forms[0], "other", l.forms[1])); err != nil {
				panic("web: plural message " + p.key + ": " + err.Error())
			}
		}
	}
}
