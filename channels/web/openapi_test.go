package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

type nopEngine struct{}

func (nopEngine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{ConversationID: 1, MessageID: 2, Text: "ok", Language: "en"}, nil
}

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := static.ReadFile("static/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestOpenAPIMatchesRoutes checks that every route registered under
// /api/v1 is documented, that every documented operation is a registered
// route, and that each documented operation reaches its handler.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi version %q, want 3.x", v)
	}
	var documented []string
	for path, item := range doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			if slices.Contains(httpMethods, m) {
				documented = append(documented, strings.ToUpper(m)+" "+path)
			}
		}
	}
	s, err := New(Options{Engine: nopEngine{}, APIKeys: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	registered := []string{}
	for _, r := range s.routes {
		if strings.HasPrefix(r.path, "/api/v1/") {
			registered = append(registered, r.method+" "+r.path)
		}
	}
	own := slices.Clone(documented)
	if !slices.Contains(own, "GET /api/v1/customers/{id}") {
		t.Errorf("the customers API is not documented")
	}
	slices.Sort(own)
	slices.Sort(registered)
	if diff := cmp.Diff(registered, own); diff != "" {
		t.Errorf("routes (-registered +documented):\n%s", diff)
	}
	if len(registered) < 6 {
		t.Errorf("only %d routes under /api/v1", len(registered))
	}
	// Each documented operation is served by a handler, not by the
	// catch-all that answers unknown endpoints.
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		req := httptest.NewRequest(method, strings.ReplaceAll(path, "{id}", "1"), nil)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s answers %d: %s", op, rec.Code, rec.Body)
		}
	}
	// And an undocumented one is not.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("DELETE", "/api/v1/messages", nil))
	if rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusNotFound {
		t.Errorf("DELETE /api/v1/messages answers %d", rec.Code)
	}
}

// TestOpenAPISchemas checks that every $ref resolves and that the documented
// JSON bodies have exactly the fields of the Go types the handlers use.
func TestOpenAPISchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				node := any(doc)
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := node.(map[string]any)
					node = m[part]
				}
				if node == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)

	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	types := map[string]any{
		"MessageRequest": MessageRequest{}, "MessageResponse": MessageResponse{}, "Source": bot.Source{},
		"SessionRequest": SessionRequest{}, "SessionResponse": SessionResponse{},
		"WidgetPostRequest": WidgetPostRequest{}, "WidgetPostResponse": WidgetPostResponse{},
		"WidgetMessage": WidgetMessage{}, "WidgetMessagesResponse": WidgetMessagesResponse{},
		"Error": errorBody{}, "Node": markdown.Node{},
	}
	// The merge request's body is documented inline.
	merge := doc["paths"].(map[string]any)["/api/v1/customers/{id}/merge"].(map[string]any)["post"].(map[string]any)
	schemas["(merge request body)"] = merge["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
	types["(merge request body)"] = MergeRequest{}
	for name, v := range types {
		schema, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("schema %s is not documented", name)
			continue
		}
		var props []string
		for p := range schema["properties"].(map[string]any) {
			props = append(props, p)
		}
		var fields []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if tag != "" && tag != "-" {
				fields = append(fields, tag)
			}
		}
		slices.Sort(props)
		slices.Sort(fields)
		if diff := cmp.Diff(fields, props); diff != "" {
			t.Errorf("schema %s (-Go fields +documented):\n%s", name, diff)
		}
	}
}

// TestOpenAPIChoicesAndContent checks the documented decisions about the
// "did you mean" choices and the widget's message tree against the code:
// choices is a required array of the reply (empty, never null, when none),
// and the tags of a Node are exactly package markdown's kinds.
func TestOpenAPIChoicesAndContent(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	resp := schemas["MessageResponse"].(map[string]any)
	if !slices.Contains(resp["required"].([]any), any("choices")) {
		t.Error("MessageResponse.choices is not documented as always present")
	}
	b, err := json.Marshal(ToMessageResponse(bot.Reply{Text: "hi"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"choices":[]`) {
		t.Errorf("a reply without choices encodes as %s, want \"choices\":[]", b)
	}
	var kinds []string
	for _, k := range markdown.Kinds() {
		kinds = append(kinds, string(k))
	}
	var documented []string
	for _, k := range schemas["Node"].(map[string]any)["properties"].(map[string]any)["tag"].(map[string]any)["enum"].([]any) {
		documented = append(documented, k.(string))
	}
	slices.Sort(kinds)
	slices.Sort(documented)
	if diff := cmp.Diff(kinds, documented); diff != "" {
		t.Errorf("Node tags (-markdown.Kinds +documented):\n%s", diff)
	}
}

// TestOpenAPIScopes checks the scope each operation documents (x-scope)
// against the server: a key with only that scope gets past the scope check,
// a key with every other scope gets 403 naming it; and every operation an
// API key may call documents its scope.
func TestOpenAPIScopes(t *testing.T) {
	doc := loadOpenAPI(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var keys []APIKey
	for _, sc := range Scopes() {
		var others []string
		for _, o := range Scopes() {
			if o != sc {
				others = append(others, o)
			}
		}
		keys = append(keys, APIKey{Name: "only-" + strings.ReplaceAll(sc, ":", "-"), Key: "only-" + sc + "-0123456789", Scopes: []string{sc}},
			APIKey{Name: "not-" + strings.ReplaceAll(sc, ":", "-"), Key: "not-" + sc + "-0123456789", Scopes: others})
	}
	s, err := New(Options{Engine: nopEngine{}, Keys: keys, Customers: db})
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			if !slices.Contains(httpMethods, m) {
				continue
			}
			op := op.(map[string]any)
			keyed := false
			for _, req := range op["security"].([]any) {
				_, k := req.(map[string]any)["apiKey"]
				keyed = keyed || k
			}
			scope, _ := op["x-scope"].(string)
			if !keyed {
				continue
			}
			if !slices.Contains(Scopes(), scope) {
				t.Errorf("%s %s takes an API key but documents no x-scope (%q)", m, path, scope)
				continue
			}
			for _, who := range []string{"only-", "not-"} {
				req := httptest.NewRequest(strings.ToUpper(m), strings.ReplaceAll(path, "{id}", "1"), strings.NewReader("{}"))
				req.Header.Set("Authorization", "Bearer "+who+scope+"-0123456789")
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				refused := rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), `\"`+scope+`\"`)
				if refused != (who == "not-") {
					t.Errorf("%s %s with a key %sscoped %s: %d %s", m, path, who, scope, rec.Code, rec.Body)
				}
			}
		}
	}
}
