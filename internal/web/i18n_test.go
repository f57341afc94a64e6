package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kindred-desk/kindred/compassion"
)

// consoleStrings finds every message the console translates: the
// arguments of .T in templates and of T(…) in Go, and the label tables.
func consoleStrings(t *testing.T) []string {
	t.Helper()
	var keys []string
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	tmplT := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	err := fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embedded, p)
		for _, m := range tmplT.FindAllStringSubmatch(string(b), -1) {
			add(strings.ReplaceAll(m[1], `\"`, `"`))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goT := regexp.MustCompile(`T\("((?:[^"\\]|\\.)*)"|"([A-Z][^"]* [^"]*\.)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "swahili") || f == "plural.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goT.FindAllStringSubmatch(string(b), -1) {
			add(m[1] + m[2])
		}
	}
	for _, l := range statusLabels {
		add(l)
	}
	for _, l := range priorityLabels {
		add(l)
	}
	for _, l := range channelLabels {
		add(l)
	}
	for _, l := range roleLabels {
		add(l)
	}
	for _, l := range scopeLabels {
		add(l)
	}
	for _, l := range directionLabels {
		add(l)
	}
	for _, l := range accommodationLabels {
		add(l.label)
	}
	for _, l := range cueBadges {
		add(l)
	}
	for _, l := range []string{"upset", "worried", "confused", "helper writing", "may need more time",
		"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
		"Name", "Email", "Password", "Message", "Role", "Relation", "Phone", "What they may do", "How the customer gave consent",
		"Tags", "Status", "Priority", "Assigned to", "Accommodations", "Other needs", "Sorry", "Customer", "Inbox", "Customers", "Admin", "Conversation"} {
		add(l)
	}
	slices.Sort(keys)
	return keys
}

func TestEveryStringHasSwahili(t *testing.T) {
	var missing []string
	sw := swahiliAll()
	for _, k := range consoleStrings(t) {
		if _, ok := sw[k]; !ok && !isPlural(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d console strings have no Swahili translation (add them to swahili.go):\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// TestConsoleWordingIsPlain reads the console's own sentences with the
// compassion engine's plain-language measure: each must be within the
// grade-8 target that the engine holds agents' replies to.
func TestConsoleWordingIsPlain(t *testing.T) {
	for _, k := range consoleStrings(t) {
		if strings.Count(k, " ") < 6 {
			continue // labels and short phrases
		}
		rep := compassion.Analyze(compassion.Input{Reply: k})
		if rep.Reply == nil {
			continue
		}
		pl := rep.Reply.PlainLanguage
		if pl.Grade > pl.TargetGrade+2 {
			t.Errorf("grade %.1f (target %.0f): %q", pl.Grade, pl.TargetGrade, k)
		}
	}
}
