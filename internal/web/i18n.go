package web

import (
	"net/http"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The console speaks English and Swahili. Messages are keyed by their
// English text, the way gettext does it, so templates stay readable and a
// missing translation shows English rather than a key. The Swahili
// translations are in swahili.go; TestEveryStringHasSwahili fails when a
// string used in a template or handler has none.
//
// We use golang.org/x/text/message (already a dependency of the API) rather
// than a bigger i18n library: its catalog holds plain strings and
// Printf-style arguments, which is all the console needs, and its printer
// formats numbers for the language.
var (
	english = language.English
	swahili = language.Swahili
	matcher = language.NewMatcher([]language.Tag{english, swahili})
)

// catalogOnce builds the catalog on first use, after every feature's init
// has added its translations: a package-level variable would be built before
// them.
var catalogOnce = sync.OnceValue(buildCatalog)

// swahiliByFeature holds the translations of features kept in their own
// files (swahili_lobby.go, swahili_care.go, ...), which add their map in an
// init function.
var swahiliByFeature []map[string]string

// swahiliAll merges the console's translations with every feature's. A
// string translated twice is a programming error.
func swahiliAll() map[string]string {
	all := make(map[string]string, len(swahiliMessages))
	for _, m := range append([]map[string]string{swahiliMessages}, swahiliByFeature...) {
		for en, sw := range m {
			if prev, dup := all[en]; dup && prev != sw {
				panic("web: two Swahili translations of " + en)
			}
			all[en] = sw
		}
	}
	return all
}

func buildCatalog() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(english))
	for en, sw := range swahiliAll() {
		if err := b.SetString(swahili, en, sw); err != nil {
			panic("web: Swahili message " + en + ": " + err.Error())
		}
	}
	setPlurals(b)
	return b
}

// printer returns the message printer for tag.
func printer(tag language.Tag) *message.Printer {
	return message.NewPrinter(tag, message.Catalog(catalogOnce()))
}

// supported returns the console language named by s ("en", "sw"), if any.
func supported(s string) (language.Tag, bool) {
	switch s {
	case "en":
		return english, true
	case "sw":
		return swahili, true
	}
	return language.Und, false
}

// chooseLanguage picks the language to answer in: ?lang= for this request,
// else the agent's saved choice (or a signed-out visitor's cookie), else the
// browser's Accept-Language, else English.
func chooseLanguage(r *http.Request, saved string) language.Tag {
	if t, ok := supported(r.URL.Query().Get("lang")); ok {
		return t
	}
	if t, ok := supported(saved); ok {
		return t
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return english
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return english
	}
	if i == 1 {
		return swahili
	}
	return english
}

// langCode is the short code of a console language, for <html lang> and forms.
func langCode(t language.Tag) string {
	if t == swahili {
		return "sw"
	}
	return "en"
}
