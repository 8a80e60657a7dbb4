package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownFieldsNamed: a misspelt field in the body of the REST API or the
// widget API is refused with 400, naming the field, the field it most likely
// meant and the endpoint's fields, in the language Accept-Language prefers;
// the message is never "The message is empty." (which is what the body read
// as when the misspelt field was ignored).
func TestUnknownFieldsNamed(t *testing.T) {
	e := newWidgetEnv(t, nil)
	tok := e.session(t).Token
	tests := []struct {
		name, path, auth, body, accept string
		want                           []string
	}{
		{"REST, English", "/api/v1/messages", testKey, `{"txt":"hi"}`, "",
			[]string{`unknown field "txt"`, `did you mean "text"?`, `"channel", "user_id", "text", "choice", "client_id"`}},
		{"REST, Chinese", "/api/v1/messages", testKey, `{"user_id":"u","txt":"你好"}`, "zh-CN,zh;q=0.9",
			[]string{`未知字段 "txt"`, `您是不是想写 "text"`, `"channel"、"user_id"、"text"、"choice"、"client_id"`}},
		{"REST, nothing near", "/api/v1/messages", testKey, `{"user_id":"u","text":"hi","priority":1}`, "en",
			[]string{`unknown field "priority"; this endpoint takes "channel", "user_id", "text", "choice", "client_id".`}},
		{"REST, upper case", "/api/v1/messages", testKey, `{"user_id":"u","Texte":"hi"}`, "",
			[]string{`unknown field "Texte"`, `did you mean "text"?`}},
		{"widget, English", "/api/v1/widget/messages", tok, `{"client_id":"c-0123456789","txt":"hi"}`, "en-GB",
			[]string{`unknown field "txt"`, `did you mean "text"?`, `"client_id"`}},
		{"widget, Chinese", "/api/v1/widget/messages", tok, `{"client_id":"c-0123456789","tetx":"你好"}`, "zh",
			[]string{`未知字段 "tetx"`, `您是不是想写 "text"`}},
		{"widget session", "/api/v1/widget/session", "", `{"tokn":"x"}`, "",
			[]string{`unknown field "tokn"`, `did you mean "token"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.ts.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.auth != "" {
				req.Header.Set("Authorization", "Bearer "+tt.auth)
			}
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct {
				Error struct{ Code, Message string }
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusBadRequest || out.Error.Code != "invalid" {
				t.Fatalf("got %d %+v, want 400 invalid", resp.StatusCode, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.Error.Message, w) {
					t.Errorf("message %q does not say %q", out.Error.Message, w)
				}
			}
			if strings.Contains(out.Error.Message, "empty") {
				t.Errorf("message %q talks of an empty message", out.Error.Message)
			}
		})
	}
}
