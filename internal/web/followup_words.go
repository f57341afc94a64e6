package web

import (
	"regexp"
	"strconv"
)

// The follow-ups kindred opens by itself (a survey answered "not heard")
// are stored in English, the desk's record; a reader of another language
// sees them in their own words.
var notHeardWhat = regexp.MustCompile(`^Call (.+): the survey says they felt (not heard|only partly heard)\.(?: They wrote: ("(?:[^"\\]|\\.)*"))?$`)

// FollowUpWhat is a follow-up's text in the reader's language.
func (v *view) FollowUpWhat(what string) string {
	m := notHeardWhat.FindStringSubmatch(what)
	if m == nil || v.Lang == "en" {
		return what
	}
	s := v.T("Call %s: the survey says they felt not heard.", m[1])
	if m[2] == "only partly heard" {
		s = v.T("Call %s: the survey says they felt only partly heard.", m[1])
	}
	if m[3] != "" {
		comment, err := strconv.Unquote(m[3])
		if err != nil {
			return what
		}
		s += " " + v.T("They wrote: “%s”", comment)
	}
	return s
}
