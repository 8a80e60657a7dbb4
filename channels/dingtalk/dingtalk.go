// Package dingtalk is Concierge's DingTalk (钉钉) adapter: an enterprise
// robot that answers in 1:1 chats and when @-mentioned in groups.
//
// Messages arrive over HTTP at POST /dingtalk/callback — checked by the
// timestamp and sign headers (Base64 HMAC-SHA256 of timestamp+"\n"+appSecret
// under the app secret; timestamps more than an hour off are refused) — or
// over Stream mode, a WebSocket the adapter opens itself (no public URL).
// Each message is acknowledged at once, claimed by its msgId (Dedup) so a
// retry is answered once, and answered by a bounded pool of workers:
// through the message's sessionWebhook while it is valid, else through the
// robot send API (groupMessages/send, oToMessages/batchSend) with a cached,
// refreshed access token, backing off on rate limits.
//
// Answers are markdown messages rendered by package markdown; "did you
// mean" choices are numbered lines, and a reply of just the number picks
// one. Manager alerts posted by the robot (PostAlert) are interactive cards
// with Acknowledge / Take over / Resolve buttons whose clicks come back over
// Stream and act through EscalationActions. Deliver sends an agent's reply
// from the console to the customer where they wrote.
package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/adapteropts"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/jsonapi"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
	"github.com/concierge-bot/concierge/channels/internal/workpool"
)

// Channel is the bot.Message channel name of DingTalk messages.
const Channel = "dingtalk"

// Handler is what the adapter needs of the Engine.
type Handler = chatreply.Handler

// EscalationActions carries out the buttons of a manager alert card
// (Acknowledge, TakeOver, Resolve); agent is "dingtalk:<userId>" of the
// clicker. escalation.Service satisfies it.
type EscalationActions = alertaction.Escalations

// Customers looks up a customer record (Customer(ctx, id)), for Deliver;
// the store satisfies it.
type Customers = recipient.Customers

// Options configures an Adapter. AppKey, AppSecret and Handler are
// required; RobotCode is needed to send outside a sessionWebhook.
type Options struct {
	AppKey    string // dingtalk.app_key (Client ID)
	AppSecret string // dingtalk.app_secret (Client Secret): signs callbacks
	RobotCode string // dingtalk.robot_code; default AppKey (as for app robots)
	// Stream (dingtalk.stream) receives messages over Stream mode.
	Stream bool
	// CustomerChats (dingtalk.customer_chats) are conversation ids whose
	// members are customers; people of another organisation are customers
	// anyway.
	CustomerChats []string
	// APIURL (dingtalk.api_url) is where every outgoing call goes, the
	// sessionWebhooks included. Default DefaultAPIURL, with sessionWebhooks
	// only on DefaultOAPIURL's host.
	APIURL    string
	PublicURL string // for links to /kb pages

	Handler     Handler
	Escalations EscalationActions
	Customers   Customers
	Dedup       Dedup

	Logger *slog.Logger
	Now    func() time.Time

	Workers      int           // default 4
	QueueSize    int           // default 256; full → 503 so DingTalk retries
	MaxBodyBytes int64         // default 256 KiB
	DedupTTL     time.Duration // default 24h
	DedupSize    int           // default 100,000
	JobTimeout   time.Duration // default 30s
	DrainTimeout time.Duration // default 8s
	Retries      int           // API retries on rate limits; default 3
	MaxBackoff   time.Duration // default 30s
	// ReconnectMin/Max bound Stream's reconnection backoff; 1s and 2m.
	ReconnectMin, ReconnectMax time.Duration
	HTTPClient                 *http.Client
}

// Adapter is the DingTalk channel. It is safe for concurrent use.
type Adapter struct {
	opts      Options
	log       *slog.Logger
	api       *apiClient
	hookHosts map[string]bool // hosts a sessionWebhook may point at
	publicURL string
	customer  map[string]bool
	dedup     Dedup

	sigs    *ttlcache.Cache[struct{}]
	offered *chatreply.Offers
	places  *ttlcache.Cache[place]
	alerts  *ttlcache.Cache[alertRef]

	jobs *workpool.Pool
}

// place is where a person last wrote to the robot.
type place struct {
	ConversationID string
	Group          bool
	StaffID        string
	Webhook        string
	WebhookExpires time.Time
}

// New returns an Adapter, or an error naming the missing or malformed option.
func New(opts Options) (*Adapter, error) {
	switch {
	case opts.Handler == nil:
		return nil, errors.New("dingtalk: New: Handler is required")
	case strings.TrimSpace(opts.AppKey) == "":
		return nil, errors.New("dingtalk: New: AppKey (dingtalk.app_key) is required")
	case strings.TrimSpace(opts.AppSecret) == "":
		return nil, errors.New("dingtalk: New: AppSecret (dingtalk.app_secret) is required")
	}
	adapteropts.Defaults(adapteropts.Common{Logger: &opts.Logger, Now: &opts.Now, HTTPClient: &opts.HTTPClient,
		Workers: &opts.Workers, QueueSize: &opts.QueueSize, JobTimeout: &opts.JobTimeout, DrainTimeout: &opts.DrainTimeout})
	if opts.RobotCode == "" {
		opts.RobotCode = opts.AppKey
	}
	adapteropts.ConnectedDefaults(adapteropts.Connected{MaxBodyBytes: &opts.MaxBodyBytes, DedupTTL: &opts.DedupTTL, DedupSize: &opts.DedupSize,
		Retries: &opts.Retries, MaxBackoff: &opts.MaxBackoff, ReconnectMin: &opts.ReconnectMin, ReconnectMax: &opts.ReconnectMax})
	urls, err := adapteropts.CheckURLs(opts.APIURL, DefaultAPIURL, opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("dingtalk: New: %w", err)
	}
	hooks := map[string]bool{"oapi.dingtalk.com": true}
	if urls.APIHost != "" {
		hooks = map[string]bool{urls.APIHost: true}
	}
	a := &Adapter{
		opts: opts, log: opts.Logger, hookHosts: hooks, publicURL: urls.Public,
		customer: adapteropts.IDSet(opts.CustomerChats), dedup: opts.Dedup,
		jobs: workpool.New(workpool.Options{Name: "dingtalk", Noun: "messages", Workers: opts.Workers, QueueSize: opts.QueueSize,
			JobTimeout: opts.JobTimeout, DrainTimeout: opts.DrainTimeout, Logger: opts.Logger}),
		sigs:    ttlcache.New[struct{}](2*MaxClockSkew, opts.DedupSize, opts.Now),
		offered: chatreply.NewOffers(opts.DedupSize, opts.Now, chatreply.Number),
		places:  ttlcache.New[place](30*24*time.Hour, opts.DedupSize, opts.Now),
		alerts:  ttlcache.New[alertRef](7*24*time.Hour, 10_000, opts.Now),
		api: newAPIClient(&apiClient{base: urls.API, appKey: opts.AppKey, appSecret: opts.AppSecret, now: opts.Now,
			retrier: &jsonapi.Retrier{Name: "dingtalk", HTTP: opts.HTTPClient, Log: opts.Logger, Retries: opts.Retries, MaxBackoff: opts.MaxBackoff}}),
	}
	if a.dedup == nil {
		a.dedup = NewMemoryDedup(opts.DedupTTL, opts.DedupSize, opts.Now)
	}
	return a, nil
}

// Register mounts POST /dingtalk/callback on mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /dingtalk/callback", a.handleCallback)
}

// Run answers accepted messages and, with Stream, keeps the Stream
// connection up (reconnecting with backoff). It returns when ctx is done,
// after draining what it accepted (at most DrainTimeout). Call it once.
func (a *Adapter) Run(ctx context.Context) error {
	runErr := a.jobs.Run(ctx, func(ctx context.Context) error {
		if a.opts.Stream {
			return a.runStream(ctx)
		}
		<-ctx.Done()
		return nil
	})
	if ctx.Err() != nil && errors.Is(runErr, context.Canceled) {
		return nil
	}
	return runErr
}
