package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/configs"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestExampleConfigParses(t *testing.T) {
	cfg, err := ParseConfig(bytes.NewReader(configs.Example()), envOf(map[string]string{"CONCIERGE_API_KEY": "0123456789abcdef0123"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.API.Keys) != 1 || cfg.API.Keys[0] != "0123456789abcdef0123" {
		t.Errorf("api.keys = %v, want the expanded env var", cfg.API.Keys)
	}
	if cfg.Bot.Timeout != 10*time.Second || cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("cfg = %+v", cfg)
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
		{"short key", func(c *Config) { c.API.Keys = []string{"abc"} }, "api.keys[0]"},
		{"confidence", func(c *Config) { c.Bot.MinAnswerConfidence = 2 }, "bot.min_answer_confidence"},
		{"complaint threshold", func(c *Config) { c.Bot.ComplaintThreshold = 1.5 }, "bot.complaint_threshold"},
		{"negative sentiment", func(c *Config) { c.Bot.NegativeSentiment = 0.2 }, "bot.negative_sentiment"},
		{"negative sentiment below -1", func(c *Config) { c.Bot.NegativeSentiment = -1.5 }, "bot.negative_sentiment"},
		{"alert kind", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "pager"}} }, "alerts[0].kind"},
		{"alert url", func(c *Config) { c.Alerts = []AlertConfig{{Kind: "webhook", URL: "ftp://x"}} }, "alerts[0].url"},
		{"alert format", func(c *Config) {
			c.Alerts = []AlertConfig{{Kind: "webhook", URL: "https://x", Format: "telegram"}}
		}, "alerts[0].format"},
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
