package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// Keys with one scope each, and one with all three.
const (
	botKey   = "bot-key-0123456789abcdef"
	crmKey   = "crm-key-0123456789abcdef"
	adminKey = "admin-key-0123456789abcd"
	allKey   = "all-key-0123456789abcdef"
)

func scopedKeys() []web.APIKey {
	return []web.APIKey{
		{Name: "chatbot", Key: botKey, Scopes: []string{web.ScopeMessages}},
		{Name: "crm-sync", Key: crmKey, Scopes: []string{web.ScopeCustomersRead}},
		{Name: "gdpr", Key: adminKey, Scopes: []string{web.ScopeCustomersWrite}},
		{Name: "ops", Key: allKey, Scopes: web.Scopes()},
	}
}

// TestAPIKeyScopes: each API key may do what its scopes allow and nothing
// else (403 naming the key and the scope it lacks); what a key changes is
// recorded under its name, "api:<name>". Before, every key was a full
// customer administrator recorded by a hash of the key.
func TestAPIKeyScopes(t *testing.T) {
	e := newCustomersEnv(t, func(o *web.Options) {
		o.Engine = nopHandlerAPI{}
		o.APIKeys = nil
		o.Keys = scopedKeys()
	})
	ids := e.seed(4)
	id := func(i int) string { return strconv.FormatInt(ids[i], 10) }
	type op struct {
		name, method, path, body, scope string
	}
	ops := []op{
		{"message", "POST", "/api/v1/messages", `{"user_id":"u","text":"hi"}`, web.ScopeMessages},
		{"list", "GET", "/api/v1/customers", "", web.ScopeCustomersRead},
		{"show", "GET", "/api/v1/customers/" + id(0), "", web.ScopeCustomersRead},
		{"export", "GET", "/api/v1/customers/export", "", web.ScopeCustomersRead},
		{"export one", "GET", "/api/v1/customers/" + id(0) + "/export", "", web.ScopeCustomersRead},
		{"merge", "POST", "/api/v1/customers/" + id(1) + "/merge", `{"into":` + id(2) + `}`, web.ScopeCustomersWrite},
		{"erase", "POST", "/api/v1/customers/" + id(3) + "/erase", "", web.ScopeCustomersWrite},
	}
	for _, k := range scopedKeys() {
		for _, o := range ops {
			allowed := false
			for _, s := range k.Scopes {
				allowed = allowed || s == o.scope
			}
			if allowed && k.Name == "ops" {
				continue // the changes are made once, by the key with that one scope
			}
			var eb errorBody
			st, _, body := e.call(o.method, o.path, k.Key, o.body, nil)
			_ = decodeInto(body, &eb)
			switch {
			case allowed && st != http.StatusOK:
				t.Errorf("key %s, %s: %d %s; want 200", k.Name, o.name, st, body)
			case !allowed && (st != http.StatusForbidden || eb.Error.Code != bot.EFORBIDDEN ||
				!strings.Contains(eb.Error.Message, `"`+o.scope+`"`) || !strings.Contains(eb.Error.Message, k.Name)):
				t.Errorf("key %s, %s: %d %s; want 403 naming the key and the scope %s", k.Name, o.name, st, body, o.scope)
			}
		}
	}
	events, err := e.db.Events(context.Background(), ids[3])
	if err != nil || len(events) == 0 {
		t.Fatalf("events: %v", err)
	}
	if last := events[len(events)-1]; last.Kind != bot.EventErased || last.Actor != "api:gdpr" {
		t.Errorf("erase recorded as %+v, want erased by api:gdpr", last)
	}
}

// TestAPIKeyOptionsChecked: New names the key option at fault.
func TestAPIKeyOptionsChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []web.APIKey
		want string
	}{
		{"no name", []web.APIKey{{Key: botKey, Scopes: []string{web.ScopeMessages}}}, "Keys[0].Name"},
		{"bad name", []web.APIKey{{Name: "a b", Key: botKey, Scopes: []string{web.ScopeMessages}}}, "Keys[0].Name"},
		{"two names alike", []web.APIKey{{Name: "a", Key: botKey, Scopes: []string{web.ScopeMessages}},
			{Name: "a", Key: crmKey, Scopes: []string{web.ScopeMessages}}}, "Keys[1].Name"},
		{"no key", []web.APIKey{{Name: "a", Scopes: []string{web.ScopeMessages}}}, "Keys[0].Key"},
		{"one key twice", []web.APIKey{{Name: "a", Key: botKey, Scopes: []string{web.ScopeMessages}},
			{Name: "b", Key: botKey, Scopes: []string{web.ScopeMessages}}}, "Keys[1].Key"},
		{"unknown scope", []web.APIKey{{Name: "a", Key: botKey, Scopes: []string{"customers:delete"}}}, "Keys[0].Scopes"},
		{"no scope", []web.APIKey{{Name: "a", Key: botKey}}, "Keys[0].Scopes"},
	} {
		_, err := web.New(web.Options{Engine: nopHandlerAPI{}, Keys: tt.keys})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.want)
		}
	}
}

func decodeInto(s string, v any) error { return json.Unmarshal([]byte(s), v) }
