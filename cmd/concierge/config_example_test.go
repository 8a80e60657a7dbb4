package main

import (
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/configs"
)

// The commented wecom, feishu and dingtalk sections of the example config
// are valid once uncommented.
func TestExampleChatSectionsParse(t *testing.T) {
	var out []string
	on := false
	for _, l := range strings.Split(string(configs.Example()), "\n") {
		switch {
		case l == "# wecom:" || l == "# feishu:" || l == "# dingtalk:":
			on = true
			l = strings.TrimPrefix(l, "# ")
		case on && strings.HasPrefix(l, "#   "):
			l = strings.TrimPrefix(l, "# ")
		default:
			on = false
		}
		out = append(out, l)
	}
	cfg, err := ParseConfig(strings.NewReader(strings.Join(out, "\n")), envOf(map[string]string{
		"CONCIERGE_API_KEY": "0123456789abcdef0123", "WECOM_SECRET": "s", "WECOM_TOKEN": "t",
		"WECOM_AES_KEY": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "WECOM_KF_SECRET": "k",
		"FEISHU_APP_SECRET": "s", "FEISHU_VERIFICATION_TOKEN": "v", "FEISHU_ENCRYPT_KEY": "e", "DINGTALK_APP_SECRET": "s"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.WeCom.on() || cfg.Feishu.AppID == "" || cfg.Feishu.EncryptKey != "e" || !cfg.DingTalk.Stream {
		t.Errorf("sections not read: %+v %+v %+v", cfg.WeCom, cfg.Feishu, cfg.DingTalk)
	}
}
