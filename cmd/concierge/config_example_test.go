package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/configs"
)

// The commented wecom, feishu, dingtalk, slack and alerts sections of the
// example config are valid once uncommented, their api_url lines included.
func TestExampleChatSectionsParse(t *testing.T) {
	var out []string
	on := false
	for _, l := range strings.Split(string(configs.Example()), "\n") {
		switch {
		case l == "# wecom:" || l == "# feishu:" || l == "# dingtalk:" || l == "# slack:" || l == "# alerts:":
			on = true
			l = strings.TrimPrefix(l, "# ")
		case on && strings.HasPrefix(l, "#   # api_url: "):
			l = "  api_url: " + strings.Fields(strings.TrimPrefix(l, "#   # api_url: "))[0]
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
		"FEISHU_APP_SECRET": "s", "FEISHU_VERIFICATION_TOKEN": "v", "FEISHU_ENCRYPT_KEY": "e", "DINGTALK_APP_SECRET": "s",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1",
		"WECOM_WEBHOOK_URL":    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		"DINGTALK_WEBHOOK_URL": "https://oapi.dingtalk.com/robot/send?access_token=t", "DINGTALK_SECRET": "SEC1"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.WeCom.on() || cfg.WeCom.APIURL != "https://qyapi.weixin.qq.com" || cfg.Feishu.AppID == "" || cfg.Feishu.EncryptKey != "e" ||
		cfg.Feishu.APIURL != "https://open.feishu.cn" || !cfg.DingTalk.Stream || cfg.DingTalk.APIURL != "https://api.dingtalk.com" {
		t.Errorf("sections not read: %+v %+v %+v", cfg.WeCom, cfg.Feishu, cfg.DingTalk)
	}
	var kinds []string
	for _, a := range cfg.Alerts {
		kinds = append(kinds, a.Kind)
	}
	if got := strings.Join(kinds, " "); got != "webhook webhook slack feishu dingtalk" {
		t.Errorf("alert kinds read: %s", got)
	}
}

// readmeYAML returns the yaml code blocks of the README section whose
// heading line is heading, up to the next heading of the same or a higher
// level.
func readmeYAML(t *testing.T, readme, heading string) []string {
	t.Helper()
	level := strings.Index(heading, " ")
	_, rest, ok := strings.Cut(readme, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no section %q", heading)
	}
	var blocks []string
	var in bool
	var b strings.Builder
	for _, l := range strings.Split(rest, "\n") {
		if !in {
			if h := strings.Index(l, " "); strings.HasPrefix(l, "#") && h > 0 && h <= level && strings.Trim(l[:h], "#") == "" {
				break
			}
		}
		switch {
		case l == "```yaml":
			in = true
			b.Reset()
		case in && l == "```":
			in = false
			blocks = append(blocks, b.String())
		case in:
			b.WriteString(l + "\n")
		}
	}
	return blocks
}

// Every config block the README shows for WeCom, Feishu and DingTalk (and
// the alert kinds feishu and dingtalk) parses and validates as written,
// with its ${ENV} secrets set.
func TestReadmeChatSectionsParse(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	env := envOf(map[string]string{
		"WECOM_SECRET": "s", "WECOM_TOKEN": "t", "WECOM_AES_KEY": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
		"WECOM_KF_SECRET": "k", "FEISHU_APP_SECRET": "s", "FEISHU_VERIFICATION_TOKEN": "v", "FEISHU_ENCRYPT_KEY": "e",
		"DINGTALK_APP_SECRET": "s", "WECOM_WEBHOOK_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		"DINGTALK_WEBHOOK_URL": "https://oapi.dingtalk.com/robot/send?access_token=t", "DINGTALK_SECRET": "SEC1",
		"SMTP_PASSWORD": "p",
	})
	// The alert examples name the feishu and dingtalk kinds, which need
	// their sections, and the slack kind, which needs the bot token.
	sections := "feishu:\n  app_id: cli_a1\n  app_secret: s\n  long_connection: true\n" +
		"dingtalk:\n  app_key: dingk\n  app_secret: s\n  stream: true\n" +
		"slack:\n  bot_token: xoxb-1\n  app_token: xapp-1\n"
	n := 0
	for _, c := range []struct {
		heading, prefix string
		check           func(Config) bool
	}{
		{"### WeCom and WeChat customer service", "", func(c Config) bool { return c.WeCom.AgentID == 1000002 && c.WeCom.KFSecret == "k" }},
		{"### Feishu / Lark", "", func(c Config) bool {
			return c.Feishu.EncryptKey == "e" && c.Feishu.VerificationToken == "v" && len(c.Alerts) == 1 && c.Alerts[0].Kind == "feishu"
		}},
		{"### DingTalk", "", func(c Config) bool {
			return c.DingTalk.Stream && c.DingTalk.AppSecret == "s" && len(c.Alerts) == 1 && c.Alerts[0].Kind == "dingtalk"
		}},
		{"## Escalation and alerts", sections, func(c Config) bool {
			return len(c.Alerts) == 6 || (len(c.Alerts) == 0 && c.ComplaintExamples == "complaint-examples.csv")
		}},
	} {
		blocks := readmeYAML(t, readme, c.heading)
		if len(blocks) == 0 {
			t.Errorf("%s: no yaml block", c.heading)
		}
		for _, block := range blocks {
			n++
			cfg, err := ParseConfig(strings.NewReader(c.prefix+block), env)
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				t.Errorf("%s: %v\n%s", c.heading, err, block)
				continue
			}
			if !c.check(cfg) {
				t.Errorf("%s: not read as written:\n%s", c.heading, block)
			}
		}
	}
	t.Logf("%d README config blocks parse", n)
}
