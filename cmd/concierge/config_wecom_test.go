package main

import (
	"strings"
	"testing"
)

func TestWeComConfig(t *testing.T) {
	good := WeComConfig{CorpID: "ww1436e0e65a779aee", AgentID: 1000002, Secret: "s", Token: "t",
		EncodingAESKey: "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"}
	tests := []struct {
		name  string
		edit  func(*WeComConfig)
		field string
	}{
		{"corp id", func(w *WeComConfig) { w.CorpID = "" }, "wecom.corp_id"},
		{"token", func(w *WeComConfig) { w.Token = "" }, "wecom.token"},
		{"aes key missing", func(w *WeComConfig) { w.EncodingAESKey = "" }, "wecom.encoding_aes_key"},
		{"aes key short", func(w *WeComConfig) { w.EncodingAESKey = "abc" }, "wecom.encoding_aes_key"},
		{"aes key not base64", func(w *WeComConfig) { w.EncodingAESKey = strings.Repeat("!", 43) }, "wecom.encoding_aes_key"},
		{"no secret", func(w *WeComConfig) { w.Secret = "" }, "wecom.secret"},
		{"agent id", func(w *WeComConfig) { w.AgentID = 0 }, "wecom.agent_id"},
		{"negative agent id", func(w *WeComConfig) { w.AgentID = -1 }, "wecom.agent_id"},
		{"api url", func(w *WeComConfig) { w.APIURL = "qyapi.weixin.qq.com" }, "wecom.api_url"},
		{"empty chat", func(w *WeComConfig) { w.CustomerChats = []string{"wr1", " "} }, "wecom.customer_chats[1]"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.WeCom = good
		tt.edit(&cfg.WeCom)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v, want it to name %s", tt.name, err, tt.field)
		}
	}
	for name, w := range map[string]WeComConfig{
		"app only": good,
		"kf only": {CorpID: good.CorpID, Token: "t", EncodingAESKey: good.EncodingAESKey, KFSecret: "k",
			APIURL: "http://127.0.0.1:9999", CustomerChats: []string{"wr1"}},
		"none": {},
	} {
		cfg := DefaultConfig()
		cfg.WeCom = w
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestWeComConfigParsed(t *testing.T) {
	yaml := `wecom:
  corp_id: ww1436e0e65a779aee
  agent_id: 1000002
  secret: ${WECOM_SECRET}
  token: ${WECOM_TOKEN}
  encoding_aes_key: ${WECOM_AES_KEY}
  kf_secret: ${WECOM_KF_SECRET}
  customer_chats: [wrOutside]
  api_url: http://127.0.0.1:9
`
	cfg, err := ParseConfig(strings.NewReader(yaml), envOf(map[string]string{"WECOM_SECRET": "s", "WECOM_TOKEN": "t",
		"WECOM_AES_KEY": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "WECOM_KF_SECRET": "k"}))
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.WeCom
	if w.CorpID != "ww1436e0e65a779aee" || w.AgentID != 1000002 || w.Secret != "s" || w.Token != "t" ||
		w.KFSecret != "k" || len(w.CustomerChats) != 1 || w.APIURL != "http://127.0.0.1:9" {
		t.Errorf("parsed %+v", w)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := ParseConfig(strings.NewReader("wecom:\n  corpid: x\n"), envOf(nil)); err == nil ||
		!strings.Contains(err.Error(), "corp_id") {
		t.Errorf("a misspelt key: %v, want a hint at corp_id", err)
	}
}
