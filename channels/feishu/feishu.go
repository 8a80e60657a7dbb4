// Package feishu is Concierge's Feishu (飞书) / Lark adapter: a bot that
// answers in direct messages, when @-mentioned in a group, and in the
// threads it answers in.
//
// Events arrive over HTTP at POST /feishu/events (the url_verification
// challenge, the Encrypt Key envelope — AES-256-CBC under SHA-256 of the
// key, the IV first — the verification token and the X-Lark-Signature check)
// or over the long connection (a WebSocket the adapter opens itself, so no
// public URL is needed). Every event is acknowledged at once and answered
// by a bounded pool of workers, well inside Feishu's 3-second deadline; the
// event_id and the message_id are claimed first (Dedup), so a platform
// retry is answered once.
//
// Replies are interactive cards whose Markdown is rendered by package
// markdown, with the sources as links and "did you mean" choices as buttons
// (a reply of just the choice's number works too). Manager alerts posted
// by the app (AlertCard) carry Acknowledge / Take over / Resolve buttons whose
// clicks (card.action.trigger callbacks, verified like events) act through
// EscalationActions. Deliver sends an agent's reply from the console to the
// customer in the chat they wrote from.
//
// Everything outgoing goes to Options.APIURL with a cached tenant access
// token refreshed before it expires, backing off on rate limits.
package feishu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/adapteropts"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/botself"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/jsonapi"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
	"github.com/concierge-bot/concierge/channels/internal/workpool"
)

// Channel is the bot.Message channel name of Feishu messages.
const Channel = "feishu"

// Handler is what the adapter needs of the Engine (bot.Engine satisfies it).
type Handler = chatreply.Handler

// EscalationActions carries out the buttons of a manager alert card.
// agent is "feishu:<open_id>" of the person who clicked. Errors that are
// *bot.Error are shown to the clicker; any other error is logged and the
// clicker sees a generic sentence. Its methods are Acknowledge, TakeOver
// and Resolve. escalation.Service satisfies it.
type EscalationActions = alertaction.Escalations

// Customers looks up a customer record (Customer(ctx, id)), for Deliver to
// find the customer's Feishu identity; the store satisfies it.
type Customers = recipient.Customers

// Options configures an Adapter. AppID, AppSecret and Handler are required,
// and either EncryptKey (HTTP events) or LongConnection.
type Options struct {
	AppID     string // feishu.app_id
	AppSecret string // feishu.app_secret
	// VerificationToken (feishu.verification_token), when set, must match
	// the token of every HTTP event and challenge.
	VerificationToken string
	// EncryptKey (feishu.encrypt_key) decrypts HTTP events and checks their
	// X-Lark-Signature. Required for the HTTP endpoint: without it events
	// could not be told from forgeries.
	EncryptKey string
	// LongConnection (feishu.long_connection) receives events over the
	// WebSocket long connection instead of (or besides) HTTP.
	LongConnection bool
	// CustomerChats (feishu.customer_chats) are chat ids (oc_…) whose
	// members are customers: public content only. People of another
	// organisation and external groups are customers anyway.
	CustomerChats []string
	// APIURL (feishu.api_url) is where every outgoing call goes. Default
	// DefaultAPIURL.
	APIURL string
	// PublicURL is this server's absolute base URL, for links to /kb pages.
	PublicURL string

	Handler     Handler           // required: the Engine
	Escalations EscalationActions // optional: without it alert buttons answer "not available"
	Customers   Customers         // optional: without it Deliver can only reach people seen since start
	// Dedup claims event and message ids; default NewMemoryDedup(DedupTTL,
	// DedupSize).
	Dedup Dedup

	Logger *slog.Logger     // default: discard; customer text at Debug only
	Now    func() time.Time // default: time.Now

	Workers      int           // answering goroutines; default 4
	QueueSize    int           // accepted but unanswered events; full → 503 so Feishu retries; default 256
	MaxBodyBytes int64         // default 256 KiB
	DedupTTL     time.Duration // default 24h (Feishu retries for up to ~7h)
	DedupSize    int           // default 100,000
	// ReplayWindow bounds the age of a signed request's timestamp. Default 1h.
	ReplayWindow time.Duration
	JobTimeout   time.Duration // answering one event; default 30s
	DrainTimeout time.Duration // Run's drain after its context ends; default 8s
	// Retries is how often a rate-limited or failed API call is retried;
	// default 3. MaxBackoff caps one wait; default 30s.
	Retries    int
	MaxBackoff time.Duration
	// ReconnectMin and ReconnectMax bound the long connection's
	// reconnection backoff. Defaults 1s and 2m.
	ReconnectMin, ReconnectMax time.Duration
	HTTPClient                 *http.Client // default: 15s timeout
}

// Adapter is the Feishu channel. Create it with New, mount its endpoint with
// Register, start it with Run. It is safe for concurrent use.
type Adapter struct {
	opts      Options
	log       *slog.Logger
	api       *apiClient
	publicURL string
	customer  map[string]bool
	dedup     Dedup

	sigs       *ttlcache.Cache[struct{}]  // signatures seen, against replays
	threads    *ttlcache.Cache[struct{}]  // chat:thread roots the bot answers in
	offered    *chatreply.Offers          // chat:open_id → choices of the last reply
	places     *ttlcache.Cache[place]     // open_id → where the person last wrote
	external   *ttlcache.Cache[bool]      // chat id → external group
	alertCards *ttlcache.Cache[AlertCard] // alert message id → its card, for updates

	jobs *workpool.Pool

	botOpen botself.Self[string] // the bot's open_id
}

// place is where a person last wrote to the bot.
type place struct {
	ChatID    string
	MessageID string
	Group     bool
}

// New returns an Adapter, or an error naming the missing or malformed option.
func New(opts Options) (*Adapter, error) {
	switch {
	case opts.Handler == nil:
		return nil, errors.New("feishu: New: Handler is required")
	case strings.TrimSpace(opts.AppID) == "":
		return nil, errors.New("feishu: New: AppID (feishu.app_id) is required")
	case strings.TrimSpace(opts.AppSecret) == "":
		return nil, errors.New("feishu: New: AppSecret (feishu.app_secret) is required")
	case opts.EncryptKey == "" && !opts.LongConnection:
		return nil, errors.New("feishu: New: EncryptKey (feishu.encrypt_key) is required for HTTP events, or set LongConnection (feishu.long_connection)")
	}
	adapteropts.Defaults(adapteropts.Common{Logger: &opts.Logger, Now: &opts.Now, HTTPClient: &opts.HTTPClient,
		Workers: &opts.Workers, QueueSize: &opts.QueueSize, JobTimeout: &opts.JobTimeout, DrainTimeout: &opts.DrainTimeout})
	adapteropts.ConnectedDefaults(adapteropts.Connected{MaxBodyBytes: &opts.MaxBodyBytes, DedupTTL: &opts.DedupTTL, DedupSize: &opts.DedupSize,
		Retries: &opts.Retries, MaxBackoff: &opts.MaxBackoff, ReconnectMin: &opts.ReconnectMin, ReconnectMax: &opts.ReconnectMax})
	bot.SetDefault(&opts.ReplayWindow, time.Hour)
	urls, err := adapteropts.CheckURLs(opts.APIURL, DefaultAPIURL, opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("feishu: New: %w", err)
	}
	a := &Adapter{
		opts:      opts,
		log:       opts.Logger,
		publicURL: urls.Public,
		customer:  adapteropts.IDSet(opts.CustomerChats),
		dedup:     opts.Dedup,
		jobs: workpool.New(workpool.Options{Name: "feishu", Noun: "events", Workers: opts.Workers, QueueSize: opts.QueueSize,
			JobTimeout: opts.JobTimeout, DrainTimeout: opts.DrainTimeout, Logger: opts.Logger}),
		sigs:       ttlcache.New[struct{}](2*opts.ReplayWindow, opts.DedupSize, opts.Now),
		threads:    ttlcache.New[struct{}](7*24*time.Hour, opts.DedupSize, opts.Now),
		offered:    chatreply.NewOffers(opts.DedupSize, opts.Now, chatreply.Number),
		places:     ttlcache.New[place](30*24*time.Hour, opts.DedupSize, opts.Now),
		external:   ttlcache.New[bool](time.Hour, 10_000, opts.Now),
		alertCards: ttlcache.New[AlertCard](7*24*time.Hour, 10_000, opts.Now),
		api: newAPIClient(&apiClient{base: urls.API, appID: opts.AppID, appSecret: opts.AppSecret, now: opts.Now, log: opts.Logger,
			retrier: &jsonapi.Retrier{Name: "feishu", HTTP: opts.HTTPClient, Log: opts.Logger, Retries: opts.Retries, MaxBackoff: opts.MaxBackoff}}),
	}
	if a.dedup == nil {
		a.dedup = NewMemoryDedup(opts.DedupTTL, opts.DedupSize, opts.Now)
	}
	return a, nil
}

// Register mounts POST /feishu/events on mux (events and card callbacks).
// Without an EncryptKey (long connection only) it mounts nothing.
func (a *Adapter) Register(mux *http.ServeMux) {
	if a.opts.EncryptKey == "" {
		a.log.Info("feishu: no encrypt key; HTTP endpoint not mounted (long connection only)")
		return
	}
	mux.HandleFunc("POST /feishu/events", a.handleEvents)
}

// Run answers accepted events with Options.Workers workers and, with
// LongConnection, receives events over the long connection, reconnecting
// with backoff when it drops. It learns the bot's own open_id first. Run
// returns when ctx is done, after it has stopped intake and answered what
// it accepted (for at most DrainTimeout). It may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	a.learnIdentity(ctx)
	runErr := a.jobs.Run(ctx, func(ctx context.Context) error {
		if a.opts.LongConnection {
			return a.runLongConnection(ctx)
		}
		<-ctx.Done()
		return nil
	})
	a.log.Info("feishu: stopped")
	if ctx.Err() != nil && errors.Is(runErr, context.Canceled) {
		return nil
	}
	return runErr
}

// learnIdentity asks who the bot is, to recognise mentions of it.
func (a *Adapter) learnIdentity(ctx context.Context) {
	id, err := a.botOpen.Learn(ctx, 10*time.Second, a.api.botInfo)
	if err != nil {
		a.log.Warn("feishu: bot info failed; any mention in a group is taken for the bot's", "err", err)
		return
	}
	a.log.Info("feishu: connected", "bot", id)
}

func (a *Adapter) botOpenID() string { return a.botOpen.Get() }
