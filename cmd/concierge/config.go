package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"golang.org/x/crypto/bcrypt"
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
	// ComplaintExamples is an optional CSV file (text,label with labels
	// complaint / other) of the company's own messages, learnt together
	// with the built-in complaint examples: what a complaint, and an
	// ordinary question that sounds like one, look like in its trade.
	ComplaintExamples string `yaml:"complaint_examples"`
	// Database is where the records are kept: empty for SQLite in the data
	// directory, or a postgres:// URL (write it as a ${ENV} secret) for
	// PostgreSQL, which several replicas can share.
	Database string `yaml:"database"`
	// DatabasePool sizes the PostgreSQL connection pool.
	DatabasePool DatabasePoolConfig `yaml:"database_pool"`

	Server     ServerConfig     `yaml:"server"`
	API        APIConfig        `yaml:"api"`
	Bot        BotConfig        `yaml:"bot"`
	Slack      SlackConfig      `yaml:"slack"`
	WeCom      WeComConfig      `yaml:"wecom"`
	Feishu     FeishuConfig     `yaml:"feishu"`
	DingTalk   DingTalkConfig   `yaml:"dingtalk"`
	Alerts     []AlertConfig    `yaml:"alerts"`
	Escalation EscalationConfig `yaml:"escalation"`
	LLM        LLMConfig        `yaml:"llm"`
	Console    ConsoleConfig    `yaml:"console"`
	Insights   InsightsConfig   `yaml:"insights"`
	Customers  CustomersConfig  `yaml:"customers"`
	Log        LogConfig        `yaml:"log"`
	Metrics    MetricsConfig    `yaml:"metrics"`
	Site       SiteConfig       `yaml:"site"`
	// Sources are imported into the content directory on a schedule by
	// serve (see `concierge import`).
	Sources []SourceConfig `yaml:"sources"`

	// src says where the values came from, for errors; set by loadConfig.
	src *configSource
}

// SourceConfig is one scheduled import: a web page or sitemap (url) or a
// file or folder (path), imported every Every.
type SourceConfig struct {
	URL  string `yaml:"url"`
	Path string `yaml:"path"`
	// Every is the time between two imports (default 24h, at least 1m).
	Every time.Duration `yaml:"every"`
	// Audience (public or internal) and Lang (en, zh or auto) of the pages.
	Audience string `yaml:"audience"`
	Lang     string `yaml:"lang"`
	// Depth follows links this many levels from a page URL; MaxPages
	// bounds the pages of one run (default 500); Delay is the pause between
	// two requests to the site (default 100ms).
	Depth    int           `yaml:"depth"`
	MaxPages int           `yaml:"max_pages"`
	Delay    time.Duration `yaml:"delay"`
	// Grace is how long a page's source must stay gone before the page is
	// removed (default 72h).
	Grace time.Duration `yaml:"grace"`
}

// location is the source's URL or path.
func (s SourceConfig) location() string {
	if s.URL != "" {
		return s.URL
	}
	return s.Path
}

// CustomersConfig configures the customer records.
type CustomersConfig struct {
	// RetainText deletes message text older than this, keeping counts and
	// annotations (e.g. 8760h for a year); 0 keeps text forever.
	RetainText time.Duration `yaml:"retain_text"`
	// VIPTag, VIPMinMessages and VIPWon make a customer VIP: tagged with
	// VIPTag, or with at least VIPMinMessages messages, or (VIPWon) who
	// bought. A VIP with any negative signal is escalated.
	VIPTag         string `yaml:"vip_tag"`
	VIPMinMessages int    `yaml:"vip_min_messages"`
	VIPWon         bool   `yaml:"vip_won"`
	// LeadOwner is the salesperson new leads are assigned to.
	LeadOwner string `yaml:"lead_owner"`
}

// InsightsConfig configures the managers' digest.
type InsightsConfig struct {
	// DigestEvery is the period of the digest sent through the alert sinks,
	// in whole days (default 168h, weekly); a negative value turns it off.
	DigestEvery time.Duration `yaml:"digest_every"`
}

// ConsoleConfig configures the agent console at /console.
type ConsoleConfig struct {
	// Agents may sign in. Without any, serve creates the agent "admin" with
	// a random password kept in the data directory (file console-password).
	Agents []ConsoleAgent `yaml:"agents"`
	// Secret signs console sessions (at least 32 characters). Default: a
	// random secret kept in the data directory.
	Secret string `yaml:"secret"`
	// SecureCookies marks session cookies Secure; set it behind an HTTPS
	// proxy.
	SecureCookies bool `yaml:"secure_cookies"`
}

// ConsoleAgent is one person who may sign in to the console.
type ConsoleAgent struct {
	Name string `yaml:"name"`
	// PasswordHash is a bcrypt hash: `concierge console hash-password`.
	PasswordHash string `yaml:"password_hash"`
	// Manager lets the agent take over a conversation another agent holds
	// (recorded as a reassignment).
	Manager bool `yaml:"manager"`
}

// ServerConfig configures `concierge serve`.
type ServerConfig struct {
	Addr string `yaml:"addr"`
	// PublicURL is where customers reach the server, used in links.
	PublicURL string `yaml:"public_url"`
	// AllowedOrigins are the sites (scheme://host[:port]) that embed the
	// chat widget from another origin.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// TrustedProxies are the networks (CIDR) of reverse proxies whose
	// X-Forwarded-For is believed for per-IP rate limits.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// SessionSecret signs widget visitor tokens (at least 32 characters).
	// Default: a random secret kept in the data directory.
	SessionSecret string `yaml:"session_secret"`
}

// linkBase is public_url without a trailing slash: what the adapters that
// link back to the server (alerts, Slack, WeCom, Feishu, DingTalk) append
// their paths to. Empty when public_url is not set.
func (s ServerConfig) linkBase() string {
	return strings.TrimSuffix(s.PublicURL, "/")
}

// APIConfig configures the server-to-server REST API.
type APIConfig struct {
	// Keys are the API keys, each {name, key, scopes}. The old form, a
	// bare key string, is still read: see APIKeyConfig.Bare.
	Keys []APIKeyConfig `yaml:"keys"`
}

// APIKeyConfig is one API key: a name the audit trail records what it
// changes under (as api:<name>), the secret (write ${ENV_VAR}), and its
// scopes: messages, customers:read, customers:write.
type APIKeyConfig struct {
	Name   string   `yaml:"name"`
	Key    string   `yaml:"key"`
	Scopes []string `yaml:"scopes"`
	// Bare is true for a key written in the old form, as a plain string:
	// ParseConfig names it key-N by its position (key-1 first) and gives
	// it every scope, so that setups written before keys had scopes keep
	// working; serve logs that the form is deprecated.
	Bare bool `yaml:"-"`
}

// UnmarshalYAML reads a key written either as {name, key, scopes} or, in
// the old form, as a plain string.
func (k *APIKeyConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*k = APIKeyConfig{Key: n.Value, Bare: true}
		return n.Decode(&k.Key)
	}
	type plain APIKeyConfig // without this method
	return n.Decode((*plain)(k))
}

// apiScopes are the scopes an API key may have (package web's).
var apiScopes = web.Scopes()

// nameBareKeys names the keys written in the old form by their position
// and gives them every scope.
func (c *APIConfig) nameBareKeys() {
	for i := range c.Keys {
		if k := &c.Keys[i]; k.Bare {
			k.Name, k.Scopes = fmt.Sprintf("key-%d", i+1), slices.Clone(apiScopes)
		}
	}
}

// BotConfig tunes the Engine's decisions.
type BotConfig struct {
	MinAnswerConfidence float64 `yaml:"min_answer_confidence"`
	// MinChoiceConfidence is the confidence from which hits the bot is not
	// sure enough to answer with are offered as "did you mean" choices, and
	// from which an employee gets the closest internal page, said to be the
	// closest; negative turns both off.
	MinChoiceConfidence float64 `yaml:"min_choice_confidence"`
	// MinSuggestConfidence is the confidence from which further hits join
	// the choices (also beside an answer short of sure), and from which
	// hits are suggested beside "I'm not sure" when none reaches
	// MinChoiceConfidence; negative suggests none.
	MinSuggestConfidence float64 `yaml:"min_suggest_confidence"`
	ComplaintThreshold   float64 `yaml:"complaint_threshold"`
	// NegativeSentiment is the sentiment (-1..1) at or below which a message
	// counts as negative, for the bot, the segments and the reports alike.
	NegativeSentiment float64       `yaml:"negative_sentiment"`
	Timeout           time.Duration `yaml:"timeout"`
}

// SlackConfig connects a Slack workspace.
type SlackConfig struct {
	BotToken         string   `yaml:"bot_token"`
	SigningSecret    string   `yaml:"signing_secret"`
	AppToken         string   `yaml:"app_token"`
	APIURL           string   `yaml:"api_url"`
	CustomerChannels []string `yaml:"customer_channels"`
}

// AlertConfig is one manager-alert sink and the alerts routed to it.
type AlertConfig struct {
	// Name identifies the sink in logs and in the outbox; it must be unique
	// and stable. Default: the kind, plus the format for webhooks.
	Name   string `yaml:"name"`
	Kind   string `yaml:"kind"`   // slack | email | webhook | feishu | dingtalk
	URL    string `yaml:"url"`    // webhook URL, or smtp://host:port (smtps:// for implicit TLS) for email
	Format string `yaml:"format"` // generic | wecom | dingtalk | feishu (webhooks)
	Secret string `yaml:"secret"` // webhook signing secret
	// To is the Slack channel for slack, the recipients (comma-separated)
	// for email, the chat (oc_…) or person (ou_…) for feishu, the group
	// (openConversationId) or person (user:<userId>) for dingtalk.
	To string `yaml:"to"`
	// From, Username and Password are for email.
	From     string `yaml:"from"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Reasons and MinSeverity route alerts: only escalations with one of
	// these reasons (e.g. complaint, lead) and at least this severity (low,
	// normal, high) go to this sink. Empty: every alert.
	Reasons     []string `yaml:"reasons"`
	MinSeverity string   `yaml:"min_severity"`
}

// alertKinds are the values of alerts[].kind.
var alertKinds = []string{"slack", "email", "webhook", "feishu", "dingtalk"}

// name returns the sink name of an alert config.
func (a AlertConfig) name() string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Kind == "webhook" && a.Format != "":
		return "webhook-" + a.Format
	}
	return a.Kind
}

// checkURL checks the url of alerts[i], a sink that posts to a server:
// present (else the message says why it is needed: need) and an absolute
// URL with a host and one of schemes (else the message says what it must
// be: want).
func (a AlertConfig) checkURL(i int, need, want string, schemes ...string) error {
	if a.URL == "" {
		return fmt.Errorf("alerts[%d].url is missing: %s", i, need)
	}
	if _, ok := hostURL(a.URL, schemes...); !ok {
		return fmt.Errorf("alerts[%d].url %q must be %s", i, a.URL, want)
	}
	return nil
}

// EscalationConfig sets how escalations are handled and climb.
type EscalationConfig struct {
	// SLA is the time to acknowledge an alert before it is re-sent to the
	// next level in Next (people or channels named in the alert).
	SLA  time.Duration `yaml:"sla"`
	Next []string      `yaml:"next"`
	// IdleTimeout resolves a handed-off conversation nobody wrote in for
	// this long, so the bot resumes. Default 24h.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// ExpectedWait is the wait the holding message announces. Default 15m.
	ExpectedWait time.Duration `yaml:"expected_wait"`
	// LeadValue is the estimated order value (in the shop's currency) from
	// which purchase intent is routed to sales as a lead. Default 2000;
	// negative turns it off.
	LeadValue float64 `yaml:"lead_value"`
	// EarlyWarning raises one grouped alert when complaints spike.
	EarlyWarning EarlyWarningConfig `yaml:"early_warning"`
	// Flood limits the escalations one widget address, API key or customer
	// opens with alerts of their own; the rest are opened quietly and one
	// grouped warning stands for them.
	Flood FloodConfig `yaml:"flood"`
}

// FloodConfig sets escalation.Flood: within Window, PerOrigin escalations
// of one address or API key and PerCustomer of one customer alert on their
// own; GroupAt quiet ones of an origin send its grouped warning.
type FloodConfig struct {
	Window      time.Duration `yaml:"window"`
	PerOrigin   int           `yaml:"per_origin"`
	PerCustomer int           `yaml:"per_customer"`
	GroupAt     int           `yaml:"group_at"`
}

// EarlyWarningConfig sets the complaint-spike detector: at least
// MinComplaints complaints within Window and Factor times the rate of the
// Baseline before it.
type EarlyWarningConfig struct {
	Window        time.Duration `yaml:"window"`
	Baseline      time.Duration `yaml:"baseline"`
	Factor        float64       `yaml:"factor"`
	MinComplaints int           `yaml:"min_complaints"`
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
	// DailyTokenBudget caps prompt and completion tokens per day; 0 means
	// unlimited.
	DailyTokenBudget int `yaml:"daily_token_budget"`
	// PromptsDir holds the company's own prompt templates, overriding the
	// built-in ones file by file.
	PromptsDir string `yaml:"prompts_dir"`
	// MaskOrderNumbers is a regular expression matching the company's order
	// numbers, masked like contact data before text leaves the process.
	MaskOrderNumbers string `yaml:"mask_order_numbers"`
}

// on reports whether the model tier is configured and not disabled.
func (c LLMConfig) on() bool {
	return c.BaseURL != "" && (c.Enabled == nil || *c.Enabled)
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
		Bot:        BotConfig{MinAnswerConfidence: bot.DefaultMinAnswerConfidence, MinChoiceConfidence: bot.DefaultMinChoiceConfidence, MinSuggestConfidence: bot.DefaultMinSuggestConfidence, ComplaintThreshold: 0.6, NegativeSentiment: -0.4, Timeout: 10 * time.Second},
		Escalation: EscalationConfig{SLA: 15 * time.Minute, IdleTimeout: 24 * time.Hour, ExpectedWait: 15 * time.Minute},
		LLM:        LLMConfig{Timeout: 8 * time.Second},
		Log:        LogConfig{Level: "info", Format: "text"},
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ParseConfig reads a YAML configuration over DefaultConfig. In values (not
// in comments or keys), references of the form ${NAME} are replaced by the
// environment variable NAME, looked up with getenv; an unset variable is an
// error naming it. Unknown keys are errors, so a misspelt key is not silently
// ignored. Mistakes in the file are *ConfigError values with their line: an
// unknown key with the nearest known one, a value of the wrong kind (such as
// a duration without a unit), a key written twice, a YAML syntax error.
func ParseConfig(r io.Reader, getenv func(string) string) (Config, error) {
	cfg, _, err := parseConfig(r, getenv)
	return cfg, err
}

// maxConfigBytes is the largest config file read.
const maxConfigBytes = 1 << 20

// parseConfig is ParseConfig that also returns the line of every field
// written in the file, so that later errors about a value can point at it.
func parseConfig(r io.Reader, getenv func(string) string) (Config, fieldLines, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return Config{}, nil, fmt.Errorf("read config: %w", err)
	}
	if len(raw) > maxConfigBytes {
		// Cutting it would start a server with half a configuration.
		return Config{}, nil, fmt.Errorf("the config file is larger than %d KiB; a configuration is a few KiB — is this the right file?", maxConfigBytes>>10)
	}
	cfg := DefaultConfig()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return Config{}, nil, syntaxError(raw, err)
	}
	if len(doc.Content) == 0 { // empty file: the defaults
		return cfg, fieldLines{}, nil
	}
	var missing []unsetEnv
	expandEnv(&doc, getenv, &missing)
	if len(missing) > 0 {
		msg := fmt.Sprintf("${%s} is not set in the environment; set it, or write the value in the file", missing[0].name)
		if len(missing) > 1 {
			var rest []string
			for _, m := range missing[1:] {
				rest = append(rest, m.name)
			}
			msg += " (also unset: " + strings.Join(rest, ", ") + ")"
		}
		return Config{}, nil, &ConfigError{Line: missing[0].line, Msg: msg}
	}
	lines := fieldLines{}
	if err := checkConfigNode(&doc, reflect.TypeFor[Config](), "", lines); err != nil {
		return Config{}, nil, err
	}
	if err := doc.Decode(&cfg); err != nil { // checkConfigNode lets nothing through that fails here
		return Config{}, nil, &ConfigError{Msg: strings.TrimPrefix(singleLine(err.Error()), "yaml: ")}
	}
	cfg.API.nameBareKeys()
	return cfg, lines, nil
}

// unsetEnv is a ${NAME} reference to an unset variable and its line.
type unsetEnv struct {
	name string
	line int
}

// expandEnv replaces ${NAME} references in the scalar values of n, recording
// the names that getenv does not know.
func expandEnv(n *yaml.Node, getenv func(string) string, missing *[]unsetEnv) {
	if n.Kind == yaml.ScalarNode {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v := getenv(name)
			if v == "" {
				*missing = append(*missing, unsetEnv{name, n.Line})
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
	if err := c.validateDatabase(); err != nil {
		return err
	}
	if err := checkListenAddr(c.Server.Addr); err != nil {
		return fmt.Errorf("server.addr %w", err)
	}
	if c.Server.PublicURL != "" {
		if _, ok := hostURL(c.Server.PublicURL, "http", "https"); !ok {
			return fmt.Errorf("server.public_url %q must be an http or https URL, like https://help.example.com", c.Server.PublicURL)
		}
	}
	for i, o := range c.Server.AllowedOrigins {
		if u, ok := hostURL(o, "http", "https"); !ok || u.Path != "" {
			return fmt.Errorf("server.allowed_origins[%d] %q must be scheme://host[:port]", i, o)
		}
	}
	for i, p := range c.Server.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			return fmt.Errorf("server.trusted_proxies[%d] %q must be a network in CIDR form, like 10.0.0.0/8", i, p)
		}
	}
	if s := c.Server.SessionSecret; s != "" && len(s) < 32 {
		return errors.New("server.session_secret must be at least 32 characters")
	}
	agents := map[string]int{}
	for i, a := range c.Console.Agents {
		if strings.TrimSpace(a.Name) == "" {
			return fmt.Errorf("console.agents[%d].name is missing: each agent needs the name they sign in with", i)
		}
		if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
			return fmt.Errorf("console.agents[%d].password_hash is not a bcrypt hash; make one with `echo 'a long password' | concierge console hash-password`", i)
		}
		name := strings.ToLower(strings.TrimSpace(a.Name))
		if j, dup := agents[name]; dup {
			return fmt.Errorf("console.agents[%d].name %q is already used by console.agents[%d]", i, a.Name, j)
		}
		agents[name] = i
	}
	if s := c.Console.Secret; s != "" && len(s) < 32 {
		return errors.New("console.secret must be at least 32 characters")
	}
	if err := c.API.validate(); err != nil {
		return err
	}
	if v := c.Bot.MinAnswerConfidence; v < 0 || v > 1 {
		return fmt.Errorf("bot.min_answer_confidence %v must be between 0 and 1", v)
	}
	if v := c.Bot.MinSuggestConfidence; v > 1 || v > c.Bot.MinChoiceConfidence && c.Bot.MinChoiceConfidence >= 0 {
		return fmt.Errorf("bot.min_suggest_confidence %v must not be above bot.min_choice_confidence (%v)", v, c.Bot.MinChoiceConfidence)
	}
	if v := c.Bot.NegativeSentiment; v < -1 || v >= 0 {
		return fmt.Errorf("bot.negative_sentiment %v must be from -1 up to (not including) 0", v)
	}
	if v := c.Bot.ComplaintThreshold; v < 0 || v > 1 {
		return fmt.Errorf("bot.complaint_threshold %v must be between 0 and 1", v)
	}
	if c.Bot.Timeout < 0 {
		return fmt.Errorf("bot.timeout %v must not be negative; it is the deadline for one message, like 10s", c.Bot.Timeout)
	}
	if c.Slack.BotToken != "" && c.Slack.SigningSecret == "" && c.Slack.AppToken == "" {
		return errors.New("slack.signing_secret (Events API) or slack.app_token (Socket Mode) is required with slack.bot_token")
	}
	if err := c.WeCom.validate(); err != nil {
		return err
	}
	if err := c.Site.validate(); err != nil {
		return err
	}
	if err := c.Feishu.validate(); err != nil {
		return err
	}
	if err := c.DingTalk.validate(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, a := range c.Alerts {
		if names[a.name()] {
			return fmt.Errorf("alerts[%d].name %q is used twice: give each alert sink its own name", i, a.name())
		}
		names[a.name()] = true
		switch a.MinSeverity {
		case "", "low", "normal", "high":
		default:
			return fmt.Errorf("alerts[%d].min_severity %q must be low, normal or high", i, a.MinSeverity)
		}
		switch a.Kind {
		case "":
			return fmt.Errorf("alerts[%d].kind is missing: write kind: webhook, email, slack, feishu or dingtalk", i)
		case "slack":
			if a.To == "" {
				return fmt.Errorf("alerts[%d].to must name the Slack channel for the alerts", i)
			}
			if c.Slack.BotToken == "" {
				return fmt.Errorf("alerts[%d] is a Slack alert: slack.bot_token is required", i)
			}
		case "feishu":
			if strings.TrimSpace(a.To) == "" {
				return fmt.Errorf("alerts[%d].to must name the Feishu chat (oc_…) or person (ou_…) the alert cards go to", i)
			}
			if !c.Feishu.on() {
				return fmt.Errorf("alerts[%d] is a Feishu alert: the feishu section (app_id, app_secret) is required; for a group robot's webhook use kind: webhook with format: feishu", i)
			}
		case "dingtalk":
			if strings.TrimSpace(a.To) == "" {
				return fmt.Errorf("alerts[%d].to must name the DingTalk group (its openConversationId, cid…) or person (user:<userId>) the alert cards go to", i)
			}
			if !c.DingTalk.on() {
				return fmt.Errorf("alerts[%d] is a DingTalk alert: the dingtalk section (app_key, app_secret) is required; for a group robot's webhook use kind: webhook with format: dingtalk", i)
			}
		case "email":
			if err := a.checkURL(i, "an email alert needs the mail server, like smtp://mail.example.com:587", "smtp://host:port or smtps://host:port", "smtp", "smtps"); err != nil {
				return err
			}
			if strings.TrimSpace(a.To) == "" {
				return fmt.Errorf("alerts[%d].to is missing: an email alert needs the recipients, separated by commas", i)
			}
			if strings.TrimSpace(a.From) == "" {
				return fmt.Errorf("alerts[%d].from is missing: an email alert needs the sender address", i)
			}
		case "webhook":
			if err := a.checkURL(i, "a webhook alert needs the URL its robot or service gave you", "an http or https URL", "http", "https"); err != nil {
				return err
			}
			switch a.Format {
			case "", "generic", "wecom", "dingtalk", "feishu":
			default:
				return didYouMean(fmt.Sprintf("alerts[%d].format %q must be one of generic, wecom, dingtalk, feishu", i, a.Format),
					a.Format, []string{"generic", "wecom", "dingtalk", "feishu"})
			}
			if (a.Format == "" || a.Format == "generic") && a.Secret == "" {
				return fmt.Errorf("alerts[%d].secret is missing: a generic webhook signs every call with it (write secret: ${ALERT_WEBHOOK_SECRET} and set the variable)", i)
			}
		default:
			return didYouMean(fmt.Sprintf("alerts[%d].kind %q must be one of slack, email, webhook, feishu, dingtalk", i, a.Kind),
				a.Kind, alertKinds)
		}
	}
	if d := c.Insights.DigestEvery; d > 0 && (d < 24*time.Hour || d%(24*time.Hour) != 0) {
		return errors.New("insights.digest_every must be a whole number of days, such as 24h or 168h")
	}
	if c.Customers.RetainText < 0 || c.Customers.VIPMinMessages < 0 {
		return errors.New("customers.retain_text and customers.vip_min_messages must not be negative")
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"escalation.sla", c.Escalation.SLA}, {"escalation.idle_timeout", c.Escalation.IdleTimeout},
		{"escalation.expected_wait", c.Escalation.ExpectedWait}, {"llm.timeout", c.LLM.Timeout}} {
		if d.v < 0 {
			return fmt.Errorf("%s %v must not be negative", d.field, d.v)
		}
	}
	if ew := c.Escalation.EarlyWarning; ew.Window < 0 || ew.Baseline < 0 || ew.Factor < 0 || ew.MinComplaints < 0 {
		return errors.New("escalation.early_warning values must not be negative")
	}
	if f := c.Escalation.Flood; f.Window < 0 || f.PerOrigin < 0 || f.PerCustomer < 0 || f.GroupAt < 0 {
		return errors.New("escalation.flood values must not be negative")
	}
	if t := c.Metrics.Token; t != "" && len(t) < 16 {
		return fmt.Errorf("metrics.token must be at least 16 characters (it is %d); generate one with: openssl rand -hex 16", len(t))
	}
	if c.LLM.BaseURL != "" {
		if _, ok := hostURL(c.LLM.BaseURL, "http", "https"); !ok {
			msg := fmt.Sprintf("llm.base_url %q must be an http or https URL", c.LLM.BaseURL)
			if !strings.Contains(c.LLM.BaseURL, "://") {
				msg += fmt.Sprintf(" — did you mean %q?", "http://"+c.LLM.BaseURL)
			}
			return errors.New(msg)
		}
		if c.LLM.Model == "" {
			return errors.New("llm.model is required with llm.base_url")
		}
	}
	if c.LLM.MaskOrderNumbers != "" {
		if _, err := regexp.Compile(c.LLM.MaskOrderNumbers); err != nil {
			return fmt.Errorf("llm.mask_order_numbers is not a valid regular expression: %w", err)
		}
	}
	if c.LLM.DailyTokenBudget < 0 {
		return errors.New("llm.daily_token_budget must not be negative (0 means no limit)")
	}
	for i, src := range c.Sources {
		switch {
		case (src.URL == "") == (src.Path == ""):
			return fmt.Errorf("sources[%d] needs either url (a web page or sitemap) or path (a file or folder), not both", i)
		case src.URL != "":
			if _, ok := hostURL(src.URL, "http", "https"); !ok {
				return fmt.Errorf("sources[%d].url %q must be an http or https URL", i, src.URL)
			}
		}
		if src.Every != 0 && src.Every < time.Minute {
			return fmt.Errorf("sources[%d].every %v must be at least 1m (default 24h)", i, src.Every)
		}
		switch src.Audience {
		case "", "public", "internal":
		default:
			return fmt.Errorf("sources[%d].audience %q must be public or internal", i, src.Audience)
		}
		switch src.Lang {
		case "", "auto", "en", "zh":
		default:
			return fmt.Errorf("sources[%d].lang %q must be en, zh or auto", i, src.Lang)
		}
		if src.Depth < 0 || src.MaxPages < 0 || src.Delay < 0 || src.Grace < 0 {
			return fmt.Errorf("sources[%d]: depth, max_pages, delay and grace must not be negative", i)
		}
		if c.Content == "" {
			return fmt.Errorf("sources[%d] needs content: the folder the imported pages are written to (the embedded demo cannot be written)", i)
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

// apiKeyName is what an API key's name may be (package web's rule).
var apiKeyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validate checks the API keys and names the field of the first problem.
func (c APIConfig) validate() error {
	names := map[string]int{}
	secrets := map[string]int{}
	for i, k := range c.Keys {
		f := fmt.Sprintf("api.keys[%d]", i)
		switch {
		case strings.TrimSpace(k.Name) == "":
			return fmt.Errorf("%s.name is missing: name each key (like name: mobile-app); the audit log records what it changes as api:<name>", f)
		case !apiKeyName.MatchString(k.Name):
			return fmt.Errorf("%s.name %q must be 1-64 letters, digits, '.', '_' or '-'", f, k.Name)
		case k.Key == "":
			return fmt.Errorf("%s.key is empty: write key: ${ENV_VAR} and set the variable to a long random string (openssl rand -hex 24)", f)
		case len(k.Key) < 16:
			return fmt.Errorf("%s.key is too short: use at least 16 random characters", f)
		case len(k.Scopes) == 0:
			return fmt.Errorf("%s.scopes is missing: give the key one or more of %s", f, strings.Join(apiScopes, ", "))
		}
		if j, dup := names[k.Name]; dup {
			return fmt.Errorf("%s.name %q is already used by api.keys[%d]: give each key its own name", f, k.Name, j)
		}
		if j, dup := secrets[k.Key]; dup {
			return fmt.Errorf("%s.key is the same secret as api.keys[%d]'s: give each key its own", f, j)
		}
		names[k.Name], secrets[k.Key] = i, i
		for j, sc := range k.Scopes {
			if !slices.Contains(apiScopes, sc) {
				return didYouMean(fmt.Sprintf("%s.scopes[%d] %q is not a scope; use %s", f, j, sc, strings.Join(apiScopes, ", ")),
					sc, apiScopes)
			}
		}
	}
	return nil
}

// didYouMean is the error msg, about word, that a config value is not one
// of choices; when one of them is near word (nearest) the message ends with
// ` — did you mean "that one"?`.
func didYouMean(msg, word string, choices []string) error {
	if near := nearest(word, choices); near != "" {
		msg += fmt.Sprintf(" — did you mean %q?", near)
	}
	return errors.New(msg)
}

// hostURL parses raw and reports whether it is an absolute URL with a host
// and one of schemes, the shape every URL in the config must have; callers
// check the rest (no path, no user) on the URL it returns.
func hostURL(raw string, schemes ...string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return nil, false
	}
	return u, true
}

// checkListenAddr checks a listen address: host:port, where the host may be
// empty (every interface) and the port 0 (any free port).
func checkListenAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port, like 127.0.0.1:8080 or :8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port: use a number from 1 to 65535, like %s", addr, net.JoinHostPort(host, "8080"))
	}
	return nil
}
