package main

import (
	"strings"
	"testing"
)

func TestDingTalkConfig(t *testing.T) {
	good := DingTalkConfig{AppKey: "dingabc", AppSecret: "s"}
	tests := []struct {
		name  string
		edit  func(*DingTalkConfig)
		field string
	}{
		{"app key", func(d *DingTalkConfig) { d.AppKey = "" }, "dingtalk.app_key"},
		{"app secret", func(d *DingTalkConfig) { d.AppSecret = "" }, "dingtalk.app_secret"},
		{"robot code with spaces", func(d *DingTalkConfig) { d.RobotCode = " dingabc" }, "dingtalk.robot_code"},
		{"api url", func(d *DingTalkConfig) { d.APIURL = "api.dingtalk.com" }, "dingtalk.api_url"},
		{"empty chat", func(d *DingTalkConfig) { d.CustomerChats = []string{" "} }, "dingtalk.customer_chats[0]"},
		{"stream alone", func(d *DingTalkConfig) { *d = DingTalkConfig{Stream: true} }, "dingtalk.app_key"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.DingTalk = good
		tt.edit(&cfg.DingTalk)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v, want it to name %s", tt.name, err, tt.field)
		}
	}
	for name, d := range map[string]DingTalkConfig{
		"http callback": good,
		"stream": {AppKey: "dingabc", AppSecret: "s", RobotCode: "dingrobot", Stream: true,
			CustomerChats: []string{"cidShop"}, APIURL: "http://127.0.0.1:9"},
		"none": {},
	} {
		cfg := DefaultConfig()
		cfg.DingTalk = d
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDingTalkConfigParsed(t *testing.T) {
	yaml := `dingtalk:
  app_key: dingabc
  app_secret: ${DINGTALK_APP_SECRET}
  robot_code: dingrobot
  stream: true
  customer_chats: [cidShop]
  api_url: http://127.0.0.1:9
alerts:
  - kind: dingtalk
    to: cidAlerts
`
	cfg, err := ParseConfig(strings.NewReader(yaml), envOf(map[string]string{"DINGTALK_APP_SECRET": "s"}))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.DingTalk
	if d.AppKey != "dingabc" || d.AppSecret != "s" || d.RobotCode != "dingrobot" || !d.Stream ||
		len(d.CustomerChats) != 1 || d.APIURL != "http://127.0.0.1:9" {
		t.Errorf("parsed %+v", d)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	if _, err := ParseConfig(strings.NewReader("dingtalk:\n  appkey: x\n"), envOf(nil)); err == nil ||
		!strings.Contains(err.Error(), "app_key") {
		t.Errorf("a misspelt key: %v, want a hint at app_key", err)
	}
}
