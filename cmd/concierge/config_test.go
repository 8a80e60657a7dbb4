package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/configs"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestExampleConfigParses(t *testing.T) {
	// As it is, with no environment at all: nothing needs a secret.
	cfg, err := ParseConfig(bytes.NewReader(configs.Example()), envOf(nil))
	if err != nil {
		t.Fatalf("the example config needs the environment: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.API.Keys) != 0 {
		t.Errorf("api.keys = %v, want none until the key is uncommented", cfg.API.Keys)
	}
	if cfg.Bot.Timeout != 10*time.Second || cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("cfg = %+v", cfg)
	}
	// The key, uncommented as the file says, comes from the environment.
	uncommented := strings.Replace(string(configs.Example()), "  # keys:\n  #   - name: website\n  #     key: ${CONCIERGE_API_KEY}\n  #     scopes: [messages]",
		"  keys:\n    - name: website\n      key: ${CONCIERGE_API_KEY}\n      scopes: [messages]", 1)
	if uncommented == string(configs.Example()) {
		t.Fatal("the example config no longer has the commented api.keys this test uncomments")
	}
	cfg, err = ParseConfig(strings.NewReader(uncommented), envOf(map[string]string{"CONCIERGE_API_KEY": "0123456789abcdef0123"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.API.Keys) != 1 || cfg.API.Keys[0].Key != "0123456789abcdef0123" || cfg.API.Keys[0].Name == "" || len(cfg.API.Keys[0].Scopes) == 0 {
		t.Errorf("api.keys = %+v, want one named, scoped key with the expanded env var", cfg.API.Keys)
	}
}

// TestExampleConfigChats runs `concierge chat` on the example config file as
// it is in the repository, with no environment variable set.
func TestExampleConfigChats(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo index")
	}
	code, out, errOut := runCLI(t, "How long does shipping take?\n", "chat", "--json",
		"--config", "../../configs/concierge.example.yaml", "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("chat with the example config: exit %d: %s", code, errOut)
	}
	if r := decodeReplies(t, out); len(r) != 1 || len(r[0].Sources) == 0 || r[0].Sources[0].ID != "faq-shipping-01" {
		t.Errorf("chat with the example config answered %s", out)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unset env", "api:\n  keys: [\"${NOPE}\"]\n", "NOPE"},
		{"unknown key", "sevre:\n  addr: x\n", "sevre"},
		{"bad duration", "bot:\n  timeout: soon\n", "soon"},
		{"not yaml", "api: [\n", "YAML syntax"},
		{"misspelt key", "contnet: x\n", `unknown key "contnet" — did you mean "content"?`},
		{"duration", "escalation:\n  sla: abc\n", `line 2: escalation.sla: "abc" is not a duration; write it like 15m or 24h`},
	}
	for _, tt := range tests {
		_, err := ParseConfig(strings.NewReader(tt.yaml), envOf(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"short key", func(c *Config) { c.API.Keys = []APIKeyConfig{{Name: "app", Key: "abc", Scopes: []string{"messages"}}} }, "api.keys[0].key"},
		{"key without a name", func(c *Config) {
			c.API.Keys = []APIKeyConfig{{Key: "0123456789abcdef0123", Scopes: []string{"messages"}}}
		}, "api.keys[0].name"},
		{"two keys with one name", func(c *Config) {
			c.API.Keys = []APIKeyConfig{{Name: "app", Key: "0123456789abcdef0123", Scopes: []string{"messages"}},
				{Name: "app", Key: "abcdefabcdefabcdef01", Scopes: []string{"messages"}}}
		}, "api.keys[1].name"},
		{"unknown scope", func(c *Config) {
			c.API.Keys = []APIKeyConfig{{Name: "crm", Key: "0123456789abcdef0123", Scopes: []string{"messages", "customer:read"}}}
		}, "api.keys[0].scopes[1]"},
		{"empty key", func(c *Config) { c.API.Keys = []APIKeyConfig{{Name: "app", Scopes: []string{"messages"}}} }, "api.keys[0].key"},
		{"key without scopes", func(c *Config) { c.API.Keys = []APIKeyConfig{{Name: "app", Key: "0123456789abcdef0123"}} }, "api.keys[0].scopes"},
		{"confidence", func(c *Config) { c.Bot.MinAnswerConfidence = 2 }, "bot.min_answer_confidence"},
		{"suggestion above choice", func(c *Config) { c.Bot.MinSuggestConfidence = 0.3 }, "bot.min_suggest_confidence"},
		{"complaint threshold", func(c *Config) { c.Bot.ComplaintThreshold = 1.5 }, "bot.complaint_threshold"},
		{"negative sentiment", func(c *Config) { c.Bot.NegativeSentiment = 0.2 }, "bot.negative_sentiment"},
		{"negative sentiment below -1", func(c *Config) { c.Bot.NegativeSentiment = -1.5 }, "bot.negative_sentiment"},
		{"alert kind", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "pager"}} }, "alerts[0].kind"},
		{"alert url", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "webhook", URL: "ftp://x"}} }, "alerts[0].url"},
		{"alert format", func(c *Config) {
			c.Alerts = []AlertConfig{{Kind: "webhook", URL: "https://x", Format: "telegram"}}
		}, "alerts[0].format"},
		{"alert kind misspelt", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "feishou", To: "oc_1"}} }, "alerts[0].kind"},
		{"feishu alert without to", func(c *Config) {
			c.Feishu = FeishuConfig{AppID: "cli_1", AppSecret: "s", EncryptKey: "k"}
			c.Alerts = []AlertConfig{{Kind: "feishu"}}
		}, "alerts[0].to"},
		{"feishu alert without the feishu section", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "feishu", To: "oc_1"}} }, "alerts[0]"},
		{"dingtalk alert without to", func(c *Config) {
			c.DingTalk = DingTalkConfig{AppKey: "ding1", AppSecret: "s"}
			c.Alerts = []AlertConfig{{Kind: "dingtalk"}}
		}, "alerts[0].to"},
		{"dingtalk alert without the dingtalk section", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "dingtalk", To: "cid1"}} }, "alerts[0]"},
		{"feishu app secret", func(c *Config) { c.Feishu = FeishuConfig{AppID: "cli_1", EncryptKey: "k"} }, "feishu.app_secret"},
		{"feishu encrypt key", func(c *Config) { c.Feishu = FeishuConfig{AppID: "cli_1", AppSecret: "s"} }, "feishu.encrypt_key"},
		{"dingtalk app key", func(c *Config) { c.DingTalk = DingTalkConfig{AppSecret: "s"} }, "dingtalk.app_key"},
		{"slack secret", func(c *Config) { c.Slack.BotToken = "xoxb-1" }, "slack.signing_secret"},
		{"llm url", func(c *Config) { c.LLM.BaseURL = "localhost:11434" }, "llm.base_url"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"data dir", func(c *Config) { c.DataDir = " " }, "data_dir"},
		{"source without content", func(c *Config) { c.Sources = []SourceConfig{{URL: "https://x.example"}} }, "sources[0] needs content"},
		{"source url", func(c *Config) { c.Content = "c"; c.Sources = []SourceConfig{{URL: "ftp://x"}} }, "sources[0].url"},
		{"source both", func(c *Config) { c.Content = "c"; c.Sources = []SourceConfig{{URL: "https://x", Path: "d"}} }, "sources[0] needs either"},
		{"source every", func(c *Config) {
			c.Content = "c"
			c.Sources = []SourceConfig{{Path: "d"}, {Path: "e", Every: time.Second}}
		}, "sources[1].every"},
		{"source lang", func(c *Config) { c.Content = "c"; c.Sources = []SourceConfig{{Path: "d", Lang: "fr"}} }, "sources[0].lang"},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		tt.edit(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v, want it to name %s", tt.name, err, tt.field)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config invalid: %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add(string(configs.Example()))
	f.Add("api:\n  keys: [\"${X}\"]\n")
	f.Add("alerts:\n  - kind: webhook\n    url: http://x\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConfig(strings.NewReader(s), envOf(map[string]string{"X": "y", "CONCIERGE_API_KEY": "k"}))
		if err == nil {
			_ = cfg.Validate()
		}
	})
}

// TestAPIKeysBothForms: api.keys takes {name, key, scopes} and, as before,
// plain strings, which are named by their position and get every scope so
// that setups written before scopes keep working.
func TestAPIKeysBothForms(t *testing.T) {
	yaml := "api:\n  keys:\n    - name: crm\n      key: ${CRM_KEY}\n      scopes: [customers:read]\n    - ${OLD_KEY}\n    - \"abcdefabcdefabcdef01\"\n"
	cfg, err := ParseConfig(strings.NewReader(yaml), envOf(map[string]string{"CRM_KEY": "crm-0123456789abcdef", "OLD_KEY": "old-0123456789abcdef"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	all := []string{"messages", "customers:read", "customers:write"}
	want := []APIKeyConfig{
		{Name: "crm", Key: "crm-0123456789abcdef", Scopes: []string{"customers:read"}},
		{Name: "key-2", Key: "old-0123456789abcdef", Scopes: all, Bare: true},
		{Name: "key-3", Key: "abcdefabcdefabcdef01", Scopes: all, Bare: true},
	}
	if diff := cmp.Diff(want, cfg.API.Keys); diff != "" {
		t.Errorf("api.keys (-want +got):\n%s", diff)
	}
}

// TestBareAPIKeysDeprecated: serve says once, at Info, that plain-string
// keys should be named and scoped, and says nothing when none is.
func TestBareAPIKeysDeprecated(t *testing.T) {
	for _, tt := range []struct {
		keys []APIKeyConfig
		want int
	}{
		{[]APIKeyConfig{{Name: "key-1", Key: "a", Bare: true}, {Name: "key-2", Key: "b", Bare: true}}, 1},
		{[]APIKeyConfig{{Name: "app", Key: "a", Scopes: []string{"messages"}}}, 0},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		keys := webKeys(tt.keys, log)
		if len(keys) != len(tt.keys) || keys[0].Name != tt.keys[0].Name {
			t.Errorf("web keys %+v", keys)
		}
		got := strings.Count(buf.String(), "deprecated")
		if got != tt.want || (got > 0 && !strings.Contains(buf.String(), "level=INFO") || strings.Contains(buf.String(), "keys=\"a")) {
			t.Errorf("%d deprecation lines, want %d (at Info, naming no secret):\n%s", got, tt.want, buf.String())
		}
	}
}
