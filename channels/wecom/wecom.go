// Package wecom is Concierge's WeCom (企业微信) adapter. It serves two
// kinds of people:
//
//   - employees, through a self-built app (自建应用): WeCom POSTs each
//     message to /wecom/callback, encrypted with the app's EncodingAESKey;
//     the adapter answers direct messages, and messages in group chats that
//     mention the app, through the message API (message/send, appchat/send);
//   - customers, through WeChat customer service (微信客服, "kf"): WeCom
//     POSTs a kf_msg_or_event notice to /wecom/kf/callback, the adapter
//     pulls the new messages with kf/sync_msg from a cursor it keeps in a
//     file, and answers with kf/send_msg within WeChat's window of 48 hours
//     and 5 messages after each message of the customer.
//
// Every callback is checked (msg_signature, timestamp, nonce replay,
// AES-256-CBC decryption, PKCS#7 padding, the corp id) and acknowledged at
// once; messages are answered asynchronously by a bounded pool of workers,
// so WeCom's 5-second deadline is always met. WeCom's retries are dropped
// by message id (Deduper), so nothing is answered twice. Employees get
// internal answers; kf customers, and members of the group chats listed in
// Options.CustomerChats, public answers only. Replies are plain text: the
// bot's Markdown is rendered by package markdown, "did you mean" choices as
// numbered lines, and a reply of just a number picks that choice.
//
// Deliver sends an agent's reply from the console (or the rating question)
// to the customer on WeCom; cmd/concierge wires it into the escalation
// service as the Deliverer of channels "wecom" and "wecom_kf".
//
// The protocol is small and documented, so it is written here by hand
// (crypto.go, api.go) and tested against WeCom's published vectors and a
// fake of WeCom (package wecomtest).
package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/accesstoken"
	"github.com/concierge-bot/concierge/channels/internal/adapteropts"
	"github.com/concierge-bot/concierge/channels/internal/botself"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
	"github.com/concierge-bot/concierge/channels/internal/workpool"
	"github.com/concierge-bot/concierge/internal/pause"
)

// Channel names of the conversations this adapter opens.
const (
	ChannelApp = "wecom"    // the self-built app: employees (and customer chats)
	ChannelKF  = "wecom_kf" // WeChat customer service: customers
)

// Handler is what the adapter needs of the Engine (bot.Engine satisfies it).
type Handler = chatreply.Handler

// Customers looks up a customer record (Customer(ctx, id)), for Deliver to
// find the customer's WeCom ids. *storage.DB satisfies it.
type Customers = recipient.Customers

// Options configures an Adapter. CorpID, Token, EncodingAESKey and Handler
// are required; Secret and AgentID to answer in the self-built app;
// KFSecret (or Secret, when the app may call the customer-service API) to
// answer WeChat customer service.
type Options struct {
	// CorpID is the company's id (企业ID), config wecom.corp_id: the receive
	// id every callback must be encrypted for.
	CorpID string
	// AgentID is the self-built app's AgentId, config wecom.agent_id.
	AgentID int64
	// Secret is the self-built app's Secret, config wecom.secret.
	Secret string
	// Token and EncodingAESKey are the callback settings (接收消息 API
	// settings) of the app and of customer service, which must be the same,
	// config wecom.token and wecom.encoding_aes_key.
	Token          string
	EncodingAESKey string
	// KFSecret is the Secret of WeChat customer service (微信客服 → API),
	// config wecom.kf_secret. Empty: Secret is used for its API.
	KFSecret string
	// CustomerChats are group chat ids whose members are customers: they
	// get public answers only, config wecom.customer_chats.
	CustomerChats []string
	// APIURL is where every outgoing call goes, config wecom.api_url.
	// Default DefaultAPIURL.
	APIURL string
	// PublicURL is the absolute base URL of this server; source links that
	// are paths (/kb/<id>) are shown under it.
	PublicURL string
	// StateFile keeps the kf sync_msg cursors, the reply windows and the
	// agent replies waiting for a window, so that a restart neither replays
	// nor loses messages. Empty: memory only.
	StateFile string

	Handler   Handler   // required: the Engine
	Customers Customers // optional: without it Deliver cannot find customers
	// Dedup claims message ids; default: in memory (see Deduper).
	Dedup Deduper

	Logger *slog.Logger     // default: discard. Customer text is logged at Debug only.
	Now    func() time.Time // default: time.Now

	// Workers is the number of goroutines answering messages. Default 4.
	Workers int
	// QueueSize bounds the messages accepted but not yet answered; when it
	// is full the callback answers 503 so that WeCom retries. Default 256.
	QueueSize int
	// MaxBodyBytes limits callback bodies. Default 64 KiB.
	MaxBodyBytes int64
	// DedupTTL and DedupSize bound the in-memory Deduper and the memory of
	// nonces. Defaults 1h and 50,000.
	DedupTTL  time.Duration
	DedupSize int
	// MaxClockSkew is how far a callback's timestamp may be from the
	// adapter's clock, either way. WeCom does not require a check; replays
	// within it are caught by their nonce. Default 5 minutes; negative
	// turns the check off.
	MaxClockSkew time.Duration
	// JobTimeout bounds the answering of one message. Default 30s.
	JobTimeout time.Duration
	// DrainTimeout bounds how long Run waits, after its context is done, for
	// accepted messages to be answered. Default 8s.
	DrainTimeout time.Duration
	// HTTPClient makes the API calls. Default: a client with a 15s timeout.
	HTTPClient *http.Client
	// RetryBase, RetryMax and MaxAttempts shape the back-off on HTTP 429,
	// 5xx and WeCom's rate-limit errcodes (45009, 45011, 45033, -1):
	// RetryBase doubled per attempt, at most RetryMax, for MaxAttempts
	// attempts. Defaults 1s, 16s and 5.
	RetryBase   time.Duration
	RetryMax    time.Duration
	MaxAttempts int
}

// Adapter is the WeCom channel. Create it with New, mount its endpoints with
// Register and start answering with Run. It is safe for concurrent use.
type Adapter struct {
	opts      Options
	log       *slog.Logger
	crypto    *Crypto
	api       *client
	dedup     Deduper
	state     *kfState
	publicURL string
	kfSecret  string
	customer  map[string]bool

	nonces  *ttlcache.Cache[string] // timestamp|nonce → signature, against replays
	offered *chatreply.Offers       // channel|user → the choices last offered

	jobs *workpool.Pool // accepted messages and the workers answering them

	kfMu   sync.Mutex
	kfWant map[string]string // open_kfid → sync_msg token, to pull
	kfWake chan struct{}

	appName botself.Self[string] // the self-built app's name
}

// New returns an Adapter, or an error naming the missing or malformed option.
func New(opts Options) (*Adapter, error) {
	switch {
	case opts.Handler == nil:
		return nil, errors.New("wecom: New: Handler is required")
	case strings.TrimSpace(opts.CorpID) == "":
		return nil, errors.New("wecom: New: CorpID (wecom.corp_id) is required")
	case opts.Token == "":
		return nil, errors.New("wecom: New: Token (wecom.token) is required")
	case opts.Secret == "" && opts.KFSecret == "":
		return nil, errors.New("wecom: New: Secret (wecom.secret) or KFSecret (wecom.kf_secret) is required")
	case opts.Secret != "" && opts.AgentID <= 0:
		return nil, errors.New("wecom: New: AgentID (wecom.agent_id) is required with Secret")
	}
	cr, err := NewCrypto(opts.Token, opts.EncodingAESKey, opts.CorpID)
	if err != nil {
		return nil, fmt.Errorf("wecom: New: EncodingAESKey (wecom.encoding_aes_key): %w", err)
	}
	adapteropts.Defaults(adapteropts.Common{Logger: &opts.Logger, Now: &opts.Now, HTTPClient: &opts.HTTPClient,
		Workers: &opts.Workers, QueueSize: &opts.QueueSize, JobTimeout: &opts.JobTimeout, DrainTimeout: &opts.DrainTimeout})
	bot.SetDefault(&opts.MaxBodyBytes, 64<<10)
	bot.SetDefault(&opts.DedupTTL, time.Hour)
	bot.SetDefault(&opts.DedupSize, 50_000)
	if opts.MaxClockSkew == 0 { // negative turns the check off
		opts.MaxClockSkew = 5 * time.Minute
	}
	bot.SetDefault(&opts.RetryBase, time.Second)
	bot.SetDefault(&opts.RetryMax, 16*time.Second)
	bot.SetDefault(&opts.MaxAttempts, 5)
	urls, err := adapteropts.CheckURLs(opts.APIURL, DefaultAPIURL, opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("wecom: New: %w", err)
	}
	a := &Adapter{
		opts:      opts,
		log:       opts.Logger,
		crypto:    cr,
		publicURL: urls.Public,
		customer:  adapteropts.IDSet(opts.CustomerChats),
		jobs: workpool.New(workpool.Options{Name: "wecom", Noun: "messages", Workers: opts.Workers, QueueSize: opts.QueueSize,
			JobTimeout: opts.JobTimeout, DrainTimeout: opts.DrainTimeout, Logger: opts.Logger}),
		kfWant:   map[string]string{},
		kfWake:   make(chan struct{}, 1),
		kfSecret: opts.KFSecret,
		offered:  chatreply.NewOffers(opts.DedupSize, opts.Now, chatreply.WideNumber),
		api: &client{base: urls.API, corpID: opts.CorpID, http: opts.HTTPClient, log: opts.Logger, now: opts.Now,
			retryBase: opts.RetryBase, retryMax: opts.RetryMax, maxAttempts: opts.MaxAttempts, sleep: pause.For,
			tokens: map[string]*accesstoken.Cache{}},
	}
	if a.kfSecret == "" {
		a.kfSecret = opts.Secret
	}
	nonceTTL := 2*opts.MaxClockSkew + time.Minute
	if opts.MaxClockSkew < 0 {
		nonceTTL = opts.DedupTTL
	}
	a.nonces = ttlcache.New[string](nonceTTL, opts.DedupSize, opts.Now)
	a.dedup = opts.Dedup
	if a.dedup == nil {
		a.dedup = newMemoryDeduper(opts.DedupTTL, opts.DedupSize, opts.Now)
	}
	if a.state, err = loadKFState(opts.StateFile, opts.Now); err != nil {
		return nil, fmt.Errorf("wecom: New: %w", err)
	}
	return a, nil
}

// Register mounts the callback endpoints on mux: GET and POST
// /wecom/callback (the self-built app: GET is WeCom's URL check) and GET
// and POST /wecom/kf/callback (WeChat customer service).
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /wecom/callback", a.handleVerify)
	mux.HandleFunc("POST /wecom/callback", a.handleApp)
	mux.HandleFunc("GET /wecom/kf/callback", a.handleVerify)
	mux.HandleFunc("POST /wecom/kf/callback", a.handleKF)
}

// Run answers accepted messages with Options.Workers workers and pulls
// WeChat customer-service messages when WeCom says there are some (and once
// at start, for the accounts it pulled before, to catch up on what arrived
// while it was down). It learns the self-built app's name (agent/get), to
// recognise mentions in group chats. Run returns when ctx is done, after it
// has stopped intake (new callbacks get 503) and answered what it had
// accepted, for at most DrainTimeout. Run may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	err := a.jobs.Run(ctx, func(ctx context.Context) error {
		if a.opts.Secret != "" {
			a.jobs.Go(func(context.Context) { a.learnName(ctx) })
		}
		if a.kfSecret != "" {
			a.jobs.Go(func(jobCtx context.Context) { a.runKF(ctx, jobCtx) })
		}
		<-ctx.Done()
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.state.save(); err != nil {
		a.log.Error("wecom: saving the kf state", "err", err)
	}
	a.log.Info("wecom: stopped")
	return nil
}

// learnName asks WeCom for the app's name, which members type after "@".
func (a *Adapter) learnName(ctx context.Context) {
	name, err := a.appName.Learn(ctx, 30*time.Second, func(ctx context.Context) (string, error) {
		return a.api.agentName(ctx, a.opts.Secret, a.opts.AgentID)
	})
	if err != nil {
		a.log.Warn("wecom: agent/get failed; in group chats a leading @mention is taken for the app's", "err", err)
		return
	}
	a.log.Info("wecom: connected", "agent", a.opts.AgentID, "name", name)
}

func (a *Adapter) name() string { return a.appName.Get() }
