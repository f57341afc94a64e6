package mail

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

var (
	stripHTML = bluemonday.StrictPolicy()
	// HTML whitespace is not significant: runs of it are one space.
	htmlSpace = regexp.MustCompile(`\s+`)
	// Line breaks and the ends of blocks become newlines before tags go.
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlBlock = regexp.MustCompile(`(?i)</?(p|div|h[1-6]|blockquote|pre|table|ul|ol|section|article|header|footer)(\s[^>]*)?>`)
	htmlLine  = regexp.MustCompile(`(?i)</(li|tr|dt|dd)\s*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// HTMLToText turns an email's HTML into plain text: tags stripped (scripts
// and styles with their content), entities decoded, paragraphs kept as
// blank-line-separated blocks and <br> as line breaks. The API's body_html
// and inbound mail's HTML parts both go through it, so a message body is
// always plain text.
func HTMLToText(s string) string {
	s = htmlSpace.ReplaceAllString(s, " ")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlBlock.ReplaceAllString(s, "\n\n")
	s = htmlLine.ReplaceAllString(s, "\n")
	s = html.UnescapeString(stripHTML.Sanitize(s))
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}
