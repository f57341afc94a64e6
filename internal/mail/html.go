package mail

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an email's HTML into plain text: tags stripped (scripts
// and styles with their content), entities decoded, paragraphs kept as
// blank-line-separated blocks and <br> as line breaks. The API's body_html
// and inbound mail's HTML parts both go through it, so a message body is
// always plain text.
//
// It reads the HTML with x/net/html's tokenizer. A sanitiser library did the
// stripping before, but it compiled dozens of regular expressions when any
// kindred command started (a quarter of `kindred analyze`'s start-up), for
// the one thing asked of it here: drop every tag.
func HTMLToText(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	hidden := 0 // depth inside elements whose content is not text
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		switch tt {
		case xhtml.TextToken:
			if hidden == 0 {
				// HTML whitespace is not significant: runs of it are one
				// space, before entities are decoded (&nbsp; stays).
				b.WriteString(html.UnescapeString(collapseSpace(string(z.Raw()))))
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if hiddenContent[a] {
				switch tt {
				case xhtml.StartTagToken:
					hidden++
				case xhtml.EndTagToken:
					hidden = max(hidden-1, 0)
				}
				continue
			}
			// Line breaks and the ends of blocks become newlines.
			switch {
			case a == atom.Br:
				b.WriteByte('\n')
			case blockElement[a]:
				b.WriteString("\n\n")
			case lineElement[a] && tt == xhtml.EndTagToken:
				b.WriteByte('\n')
			}
		}
	}
	lines := strings.Split(strings.ReplaceAll(b.String(), "\u00a0", " "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	out := strings.Join(lines, "\n")
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(out)
}

// collapseSpace makes each run of HTML whitespace one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\f', '\r':
			if !space {
				b.WriteByte(' ')
			}
			space = true
		default:
			b.WriteByte(c)
			space = false
		}
	}
	return b.String()
}

var (
	// Elements whose content is not the message's text.
	hiddenContent = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Title: true, atom.Noscript: true,
		atom.Iframe: true, atom.Object: true, atom.Noembed: true, atom.Noframes: true, atom.Frameset: true}
	blockElement = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true,
		atom.H4: true, atom.H5: true, atom.H6: true, atom.Blockquote: true, atom.Pre: true, atom.Table: true,
		atom.Ul: true, atom.Ol: true, atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true}
	lineElement = map[atom.Atom]bool{atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true}
)
