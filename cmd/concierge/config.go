package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole configuration file. Only cmd/concierge knows about it;
// packages receive plain option structs built from it.
type Config struct {
	// DataDir holds the database, the index and trained models.
	DataDir string `yaml:"data_dir"`
	// Content is the knowledge content directory; empty means the embedded demo.
	Content string `yaml:"content"`
	// Intents is the intents file (YAML); empty means the embedded demo's.
	Intents string `yaml:"intents"`

	Server     ServerConfig     `yaml:"server"`
	API        APIConfig        `yaml:"api"`
	Bot        BotConfig        `yaml:"bot"`
	Slack      SlackConfig      `yaml:"slack"`
	Alerts     []AlertConfig    `yaml:"alerts"`
	Escalation EscalationConfig `yaml:"escalation"`
	LLM        LLMConfig        `yaml:"llm"`
	Log        LogConfig        `yaml:"log"`
}

// ServerConfig configures `concierge serve`.
type ServerConfig struct {
	Addr string `yaml:"addr"`
	// PublicURL is where customers reach the server, used in links.
	PublicURL string `yaml:"public_url"`
}

// APIConfig configures the server-to-server REST API.
type APIConfig struct {
	Keys []string `yaml:"keys"`
}

// BotConfig tunes the Engine's decisions.
type BotConfig struct {
	MinAnswerConfidence float64       `yaml:"min_answer_confidence"`
	ComplaintThreshold  float64       `yaml:"complaint_threshold"`
	Timeout             time.Duration `yaml:"timeout"`
}

// SlackConfig connects a Slack workspace.
type SlackConfig struct {
	BotToken         string   `yaml:"bot_token"`
	SigningSecret    string   `yaml:"signing_secret"`
	AppToken         string   `yaml:"app_token"`
	APIURL           string   `yaml:"api_url"`
	CustomerChannels []string `yaml:"customer_channels"`
}

// AlertConfig is one manager-alert sink.
type AlertConfig struct {
	Kind   string `yaml:"kind"`   // slack | email | webhook
	URL    string `yaml:"url"`    // webhook URL, or smtp://host:port for email
	Format string `yaml:"format"` // generic | wecom | dingtalk | feishu (webhooks)
	Secret string `yaml:"secret"`
	To     string `yaml:"to"` // email recipient or Slack channel
}

// EscalationConfig sets how escalations climb.
type EscalationConfig struct {
	SLA  time.Duration `yaml:"sla"`
	Next []string      `yaml:"next"`
}

// LLMConfig configures the optional OpenAI-compatible model tier.
type LLMConfig struct {
	Enabled        *bool         `yaml:"enabled"`
	BaseURL        string        `yaml:"base_url"`
	APIKey         string        `yaml:"api_key"`
	Model          string        `yaml:"model"`
	EmbeddingModel string        `yaml:"embedding_model"`
	Timeout        time.Duration `yaml:"timeout"`
	MaxTokens      int           `yaml:"max_tokens"`
	Temperature    float64       `yaml:"temperature"`
}

// LogConfig sets the log level ("debug", "info", "warn", "error") and
// format ("text" or "json").
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// DefaultConfig returns the configuration used when no file is given: the
// embedded demo company and ./concierge-data.
func DefaultConfig() Config {
	return Config{
		DataDir:    "./concierge-data",
		Server:     ServerConfig{Addr: "127.0.0.1:8080"},
		Bot:        BotConfig{MinAnswerConfidence: 0.35, ComplaintThreshold: 0.6, Timeout: 10 * time.Second},
		Escalation: EscalationConfig{SLA: 15 * time.Minute},
		LLM:        LLMConfig{Timeout: 8 * time.Second},
		Log:        LogConfig{Level: "info", Format: "text"},
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ParseConfig reads a YAML configuration over DefaultConfig. In values (not
// in comments or keys), references of the form ${NAME} are replaced by the
// environment variable NAME, looked up with getenv; an unset variable is an
// error naming it. Unknown keys are errors, so a misspelt key is not silently
// ignored.
func ParseConfig(r io.Reader, getenv func(string) string) (Config, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg := DefaultConfig()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	if len(doc.Content) == 0 { // empty file: the defaults
		return cfg, nil
	}
	var missing []string
	expandEnv(&doc, getenv, &missing)
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("config refers to environment variable %s, which is not set", strings.Join(missing, ", "))
	}
	expanded, err := yaml.Marshal(&doc)
	if err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	return cfg, nil
}

// expandEnv replaces ${NAME} references in the scalar values of n, recording
// the names that getenv does not know.
func expandEnv(n *yaml.Node, getenv func(string) string, missing *[]string) {
	if n.Kind == yaml.ScalarNode {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v := getenv(name)
			if v == "" {
				*missing = append(*missing, name)
			}
			return v
		})
		return
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue // keys are never expanded
		}
		expandEnv(c, getenv, missing)
	}
}

// Validate checks the configuration and names the field of the first problem.
func (c Config) Validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return errors.New("data_dir must not be empty")
	}
	if c.Server.Addr == "" {
		return errors.New("server.addr must not be empty")
	}
	if c.Server.PublicURL != "" {
		if u, err := url.Parse(c.Server.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("server.public_url %q must be an http or https URL", c.Server.PublicURL)
		}
	}
	for i, k := range c.API.Keys {
		if len(k) < 16 {
			return fmt.Errorf("api.keys[%d] is too short: use at least 16 random characters", i)
		}
	}
	if v := c.Bot.MinAnswerConfidence; v < 0 || v > 1 {
		return fmt.Errorf("bot.min_answer_confidence %v must be between 0 and 1", v)
	}
	if v := c.Bot.ComplaintThreshold; v < 0 || v > 1 {
		return fmt.Errorf("bot.complaint_threshold %v must be between 0 and 1", v)
	}
	if c.Slack.BotToken != "" && c.Slack.SigningSecret == "" && c.Slack.AppToken == "" {
		return errors.New("slack.signing_secret (Events API) or slack.app_token (Socket Mode) is required with slack.bot_token")
	}
	for i, a := range c.Alerts {
		switch a.Kind {
		case "slack", "email":
		case "webhook":
			if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				return fmt.Errorf("alerts[%d].url %q must be an http or https URL", i, a.URL)
			}
			switch a.Format {
			case "", "generic", "wecom", "dingtalk", "feishu":
			default:
				return fmt.Errorf("alerts[%d].format %q must be one of generic, wecom, dingtalk, feishu", i, a.Format)
			}
		default:
			return fmt.Errorf("alerts[%d].kind %q must be one of slack, email, webhook", i, a.Kind)
		}
	}
	if c.Escalation.SLA < 0 {
		return errors.New("escalation.sla must not be negative")
	}
	if c.LLM.BaseURL != "" {
		if u, err := url.Parse(c.LLM.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return fmt.Errorf("llm.base_url %q must be an http or https URL", c.LLM.BaseURL)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level %q must be one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fmt.Errorf("log.format %q must be text or json", c.Log.Format)
	}
	return nil
}
