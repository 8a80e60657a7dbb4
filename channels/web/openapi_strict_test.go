package web

import (
	"strings"
	"testing"
)

// TestOpenAPIRequestBodiesAreStrict: every JSON request body the API
// documents says additionalProperties: false, as decodeJSON refuses unknown
// fields, and the 400 answer says that an unknown field is named.
func TestOpenAPIRequestBodiesAreStrict(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	n := 0
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			body, ok := op.(map[string]any)["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			schema := body["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			if ref, ok := schema["$ref"].(string); ok {
				schema = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			}
			n++
			if ap, ok := schema["additionalProperties"].(bool); !ok || ap {
				t.Errorf("%s %s: the request body schema does not say additionalProperties: false", method, path)
			}
		}
	}
	if n < 4 {
		t.Errorf("found %d request bodies, want at least 4 (messages, widget session, widget messages, merge)", n)
	}
	invalid := doc["components"].(map[string]any)["responses"].(map[string]any)["Invalid"].(map[string]any)
	if d, _ := invalid["description"].(string); !strings.Contains(d, "unknown field") && !strings.Contains(d, "does not have") {
		t.Errorf("the 400 answer does not say what happens to an unknown field: %q", d)
	}
}
