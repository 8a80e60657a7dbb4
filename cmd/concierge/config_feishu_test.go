package main

import (
	"strings"
	"testing"
)

func TestFeishuConfig(t *testing.T) {
	good := FeishuConfig{AppID: "cli_a1b2c3", AppSecret: "s", VerificationToken: "v", EncryptKey: "k"}
	tests := []struct {
		name  string
		edit  func(*FeishuConfig)
		field string
	}{
		{"app id", func(f *FeishuConfig) { f.AppID = " " }, "feishu.app_id"},
		{"app secret", func(f *FeishuConfig) { f.AppSecret = "" }, "feishu.app_secret"},
		{"encrypt key for HTTP events", func(f *FeishuConfig) { f.EncryptKey = "" }, "feishu.encrypt_key"},
		{"api url", func(f *FeishuConfig) { f.APIURL = "open.feishu.cn" }, "feishu.api_url"},
		{"empty chat", func(f *FeishuConfig) { f.CustomerChats = []string{"oc_1", ""} }, "feishu.customer_chats[1]"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.Feishu = good
		tt.edit(&cfg.Feishu)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v, want it to name %s", tt.name, err, tt.field)
		}
	}
	cfg := DefaultConfig()
	cfg.Feishu = good
	cfg.Feishu.EncryptKey = ""
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "long_connection") {
		t.Errorf("without an encrypt key: %v, want the long connection offered instead", err)
	}
	for name, f := range map[string]FeishuConfig{
		"http events": good,
		"long connection only": {AppID: "cli_x", AppSecret: "s", LongConnection: true, APIURL: "https://open.larksuite.com",
			CustomerChats: []string{"oc_shop"}},
		"none": {},
	} {
		cfg := DefaultConfig()
		cfg.Feishu = f
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFeishuConfigParsed(t *testing.T) {
	yaml := `feishu:
  app_id: cli_a1b2c3
  app_secret: ${FEISHU_APP_SECRET}
  verification_token: ${FEISHU_VERIFICATION_TOKEN}
  encrypt_key: ${FEISHU_ENCRYPT_KEY}
  long_connection: true
  customer_chats: [oc_shop]
  api_url: http://127.0.0.1:9
alerts:
  - kind: feishu
    to: oc_alerts
`
	cfg, err := ParseConfig(strings.NewReader(yaml), envOf(map[string]string{"FEISHU_APP_SECRET": "s",
		"FEISHU_VERIFICATION_TOKEN": "v", "FEISHU_ENCRYPT_KEY": "k"}))
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Feishu
	if f.AppID != "cli_a1b2c3" || f.AppSecret != "s" || f.VerificationToken != "v" || f.EncryptKey != "k" ||
		!f.LongConnection || len(f.CustomerChats) != 1 || f.APIURL != "http://127.0.0.1:9" {
		t.Errorf("parsed %+v", f)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := ParseConfig(strings.NewReader("feishu:\n  appid: x\n"), envOf(nil)); err == nil ||
		!strings.Contains(err.Error(), "app_id") {
		t.Errorf("a misspelt key: %v, want a hint at app_id", err)
	}
}
