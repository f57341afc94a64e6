package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIDescribesEveryRoute holds openapi.json to the route table in
// both directions, and checks that operations needing a token declare the
// 401 and 403 they can answer.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	d := newDesk(t)
	rec := d.do("", "GET", "/api/v1/openapi.json", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string                      `json:"operationId"`
			Security    *[]map[string][]string      `json:"security"`
			Parameters  []struct{ Name, In string } `json:"parameters"`
			Responses   map[string]json.RawMessage  `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas   map[string]json.RawMessage `json:"schemas"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("parse openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if _, ok := doc.Components.Schemas["Problem"]; !ok {
		t.Error("no Problem schema")
	}

	byPattern := map[string]route{}
	var registered, documented []string
	for _, rt := range d.srv.routes {
		byPattern[rt.pattern()] = rt
		registered = append(registered, rt.pattern())
	}
	opIDs := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			pattern := strings.ToUpper(method) + " " + path
			documented = append(documented, pattern)
			if opIDs[op.OperationID] || op.OperationID == "" {
				t.Errorf("%s: operationId %q missing or repeated", pattern, op.OperationID)
			}
			opIDs[op.OperationID] = true
			rt, ok := byPattern[pattern]
			if !ok {
				continue // reported below
			}
			if op.Security == nil {
				t.Errorf("%s: no security declared", pattern)
			} else if rt.public != (len(*op.Security) == 0) {
				t.Errorf("%s: public is %v in the router, security %v in the spec", pattern, rt.public, *op.Security)
			}
			if !rt.public {
				for _, code := range []string{"401", "403"} {
					if _, ok := op.Responses[code]; !ok {
						t.Errorf("%s needs a token but does not declare %s", pattern, code)
					}
				}
			}
			// Every {param} in the path is a declared path parameter.
			for _, seg := range strings.Split(path, "/") {
				if strings.HasPrefix(seg, "{") {
					name := strings.Trim(seg, "{}")
					if !slices.ContainsFunc(op.Parameters, func(p struct{ Name, In string }) bool { return p.Name == name && p.In == "path" }) {
						t.Errorf("%s: path parameter %s not declared", pattern, name)
					}
				}
			}
			for code, r := range op.Responses {
				var ref struct {
					Ref string `json:"$ref"`
				}
				json.Unmarshal(r, &ref)
				if name, ok := strings.CutPrefix(ref.Ref, "#/components/responses/"); ok {
					if _, ok := doc.Components.Responses[name]; !ok {
						t.Errorf("%s %s: dangling response %s", pattern, code, ref.Ref)
					}
				}
			}
		}
	}
	sort.Strings(registered)
	sort.Strings(documented)
	for _, p := range registered {
		if !slices.Contains(documented, p) {
			t.Errorf("route %s is not documented in openapi.json", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(registered, p) {
			t.Errorf("openapi.json documents %s, which is not a route", p)
		}
	}
	// Schema references resolve.
	for _, m := range schemaRefs.FindAllStringSubmatch(rec.Body.String(), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling schema reference %s", m[0])
		}
	}
}

var schemaRefs = regexp.MustCompile(`"#/components/schemas/([^"]+)"`)
