package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"
)

// The API is described for clients in openapi.json, with each feature's
// paths and schemas in its own file under openapi/ (lobby.json, care.json,
// ...), merged into one document at start-up. A test holds the result to the
// route table.
//
//go:embed openapi.json openapi
var openAPIFiles embed.FS

// openAPISpec is merged when the first server is built, not at program
// start: every kindred command runs this package's initialisation, and the
// merge was a tenth of `kindred analyze`'s start-up.
var openAPISpec = sync.OnceValue(func() []byte { return mustMergeOpenAPI(openAPIFiles) })

// mustMergeOpenAPI merges the paths and components of every openapi/*.json
// into openapi.json. A path or component defined twice is a programming
// error.
func mustMergeOpenAPI(fsys fs.FS) []byte {
	base, err := fs.ReadFile(fsys, "openapi.json")
	if err != nil {
		panic(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		panic("api: openapi.json: " + err.Error())
	}
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			panic("api: " + name + ": " + err.Error())
		}
		mergeInto(doc, part, name, "paths")
		if comp, ok := part["components"].(map[string]any); ok {
			into := doc["components"].(map[string]any)
			for kind := range comp {
				if _, ok := into[kind]; !ok {
					into[kind] = map[string]any{}
				}
				mergeInto(into, comp, name, kind)
			}
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

// mergeInto adds the entries of src[key] to dst[key].
func mergeInto(dst, src map[string]any, file, key string) {
	from, ok := src[key].(map[string]any)
	if !ok {
		return
	}
	to, ok := dst[key].(map[string]any)
	if !ok {
		to = map[string]any{}
		dst[key] = to
	}
	for k, v := range from {
		if _, dup := to[k]; dup {
			panic(fmt.Sprintf("api: %s defines %s %q again", file, key, k))
		}
		to[k] = v
	}
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPISpec())
	return err
}
