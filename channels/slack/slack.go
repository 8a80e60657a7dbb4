// Package slack is Concierge's Slack adapter. It receives Slack events over
// the Events API (HTTP, request signatures verified) or Socket Mode, the /ask
// slash command and interactive button clicks; it turns them into
// bot.Message values for the Engine and renders each bot.Reply in Block Kit,
// in a thread, with its Markdown as mrkdwn (package markdown), its sources as
// links, "did you mean" choices as buttons that only the asker may click,
// and helpful / not helpful buttons.
//
// Every request is acknowledged at once and answered asynchronously by a
// bounded pool of workers, so Slack's 3-second deadline is always met; Slack
// retries are deduplicated by event id and by message, so nothing is
// answered twice. Buttons of manager alerts (acknowledge, take over,
// resolve) and agents' replies in an alert's thread are passed to
// EscalationActions.
//
// The adapter declares the small interfaces it needs (Handler,
// FeedbackRecorder, EscalationActions); cmd/concierge wires concrete types in.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/adapteropts"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/botself"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
	"github.com/concierge-bot/concierge/channels/internal/workpool"
)

// Handler is what the adapter needs of the Engine (bot.Engine satisfies it).
type Handler = chatreply.Handler

// FeedbackRecorder stores a helpful / not helpful vote on a bot message.
// messageID is bot.Reply.MessageID of the rated reply; voter is
// "<team_id>:<user_id>" of the person who clicked. Implementations should
// keep one vote per voter and message (a later vote replaces an earlier
// one) and return a *bot.Error (ENOTFOUND) for an unknown message.
type FeedbackRecorder interface {
	RecordFeedback(ctx context.Context, messageID int64, helpful bool, voter string) error
}

// EscalationActions carries out what agents do on a manager alert in Slack.
//
// The Slack alert message (posted by the alert sink with this app's bot
// token or incoming webhook) has buttons with action ids ActionEscalationAck,
// ActionEscalationTake and ActionEscalationResolve whose value is the
// escalation id in decimal; a click calls Acknowledge, TakeOver or Resolve.
// A reply an agent writes in the alert's thread calls AgentReply, which
// relays the text to the customer. agent is "<team_id>:<user_id>" of the
// Slack user. Errors that are *bot.Error (ENOTFOUND, ECONFLICT: already
// resolved, taken by someone else) are shown to the agent; any other error is
// logged and the agent sees a generic sentence.
type EscalationActions interface {
	alertaction.Escalations // Acknowledge, TakeOver, Resolve
	AgentReply(ctx context.Context, escalationID bot.EscalationID, agent, text string) error
}

// Options configures an Adapter. BotToken and Handler are required, and at
// least one of SigningSecret (HTTP endpoints) and AppToken (Socket Mode).
type Options struct {
	// BotToken is the bot user OAuth token (xoxb-…), config slack.bot_token.
	BotToken string
	// SigningSecret verifies requests to the HTTP endpoints, config
	// slack.signing_secret. Without it Register adds no routes.
	SigningSecret string
	// AppToken is the app-level token (xapp-…), config slack.app_token; when
	// set, Run also connects over Socket Mode (no public URL needed).
	AppToken string
	// APIURL overrides Slack's Web API base URL (config slack.api_url), for
	// tests: e.g. a slacktest server's GetAPIURL(). Default slack.com.
	APIURL string
	// PublicURL is the absolute base URL of this server (e.g.
	// https://help.example.com). Source URLs that are paths (/kb/<id>) are
	// linked under it; without it such sources show as titles only.
	PublicURL string
	// CustomerChannels are Slack channel ids (C…) whose members are
	// customers (Slack Connect): they get the customer audience, public
	// content only, config slack.customer_channels. Everyone else in the
	// workspace is an employee, except in externally shared channels and for
	// users of another workspace, who are always customers.
	CustomerChannels []string

	Handler     Handler           // required: the Engine
	Customers   Customers         // optional: without it Deliver reaches no one
	Feedback    FeedbackRecorder  // optional: without it no feedback buttons are shown
	Escalations EscalationActions // optional: without it alert buttons answer "not available"

	Logger *slog.Logger     // default: discard. Customer text is logged at Debug only.
	Now    func() time.Time // default: time.Now

	// Workers is the number of goroutines answering messages. Default 4.
	Workers int
	// QueueSize bounds the requests accepted but not yet answered; when it
	// is full the adapter answers 503 so Slack retries later. Default 256.
	QueueSize int
	// MaxBodyBytes limits request bodies. Default 256 KiB.
	MaxBodyBytes int64
	// DedupTTL is how long event ids and message ids are remembered to
	// drop Slack's retries. Default 1h (Slack retries within minutes).
	DedupTTL time.Duration
	// DedupSize bounds each dedup memory, in entries. Default 50,000.
	DedupSize int
	// JobTimeout bounds the answering of one request. Default 30s.
	JobTimeout time.Duration
	// DrainTimeout bounds how long Run waits, after its context is done, for
	// accepted requests to be answered. Default 8s.
	DrainTimeout time.Duration
	// HTTPClient makes the Slack Web API calls. Default: a client with a
	// 15s timeout.
	HTTPClient *http.Client
}

// Adapter is the Slack channel. Create it with New, mount its endpoints with
// Register and start answering with Run. It is safe for concurrent use.
type Adapter struct {
	opts      Options
	log       *slog.Logger
	api       *slackapi.Client
	secret    []byte
	publicURL string
	customer  map[string]bool
	hooksHost string // extra host allowed for response_url (APIURL's, for tests)

	events   *ttlcache.Cache[struct{}]         // event ids seen
	messages *ttlcache.Cache[struct{}]         // channel:ts of messages acted on
	sigs     *ttlcache.Cache[struct{}]         // signatures of commands and clicks, against replays
	threads  *ttlcache.Cache[struct{}]         // channel:thread_ts where the bot answers follow-ups
	alerts   *ttlcache.Cache[bot.EscalationID] // channel:thread_ts → escalation id (0: not an alert)
	places   *ttlcache.Cache[place]            // team:user → where the person last wrote to the bot

	jobs *workpool.Pool // accepted requests and the workers answering them

	self botself.Self[*slackapi.AuthTestResponse] // who the bot is; nil until learned
}

// New returns an Adapter, or an error naming the missing or malformed option.
func New(opts Options) (*Adapter, error) {
	switch {
	case opts.Handler == nil:
		return nil, errors.New("slack: New: Handler is required")
	case strings.TrimSpace(opts.BotToken) == "":
		return nil, errors.New("slack: New: BotToken (slack.bot_token) is required")
	case opts.SigningSecret == "" && opts.AppToken == "":
		return nil, errors.New("slack: New: SigningSecret (slack.signing_secret) or AppToken (slack.app_token) is required")
	}
	adapteropts.Defaults(adapteropts.Common{Logger: &opts.Logger, Now: &opts.Now, HTTPClient: &opts.HTTPClient,
		Workers: &opts.Workers, QueueSize: &opts.QueueSize, JobTimeout: &opts.JobTimeout, DrainTimeout: &opts.DrainTimeout})
	bot.SetDefault(&opts.MaxBodyBytes, 256<<10)
	bot.SetDefault(&opts.DedupTTL, time.Hour)
	bot.SetDefault(&opts.DedupSize, 50_000)
	a := &Adapter{
		opts:     opts,
		log:      opts.Logger,
		secret:   []byte(opts.SigningSecret),
		customer: adapteropts.IDSet(opts.CustomerChannels),
		jobs: workpool.New(workpool.Options{Name: "slack", Noun: "requests", Workers: opts.Workers, QueueSize: opts.QueueSize,
			JobTimeout: opts.JobTimeout, DrainTimeout: opts.DrainTimeout, Logger: opts.Logger}),
		events:   ttlcache.New[struct{}](opts.DedupTTL, opts.DedupSize, opts.Now),
		messages: ttlcache.New[struct{}](opts.DedupTTL, opts.DedupSize, opts.Now),
		sigs:     ttlcache.New[struct{}](2*ReplayWindow+time.Minute, opts.DedupSize, opts.Now),
		threads:  ttlcache.New[struct{}](7*24*time.Hour, opts.DedupSize, opts.Now),
		alerts:   ttlcache.New[bot.EscalationID](time.Hour, opts.DedupSize, opts.Now),
		places:   ttlcache.New[place](30*24*time.Hour, opts.DedupSize, opts.Now),
	}
	publicURL, _, err := adapteropts.BaseURL("PublicURL", opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("slack: New: %w", err)
	}
	a.publicURL = publicURL
	apiOpts := []slackapi.Option{
		slackapi.OptionHTTPClient(opts.HTTPClient),
		slackapi.OptionRetry(2), // after the client: retries 429 honouring Retry-After
		slackapi.OptionLog(slogOutput{opts.Logger}),
	}
	base, host, err := adapteropts.BaseURL("APIURL", opts.APIURL)
	if err != nil {
		return nil, fmt.Errorf("slack: New: %w", err)
	}
	if base != "" {
		a.hooksHost = host
		apiOpts = append(apiOpts, slackapi.OptionAPIURL(base+"/"))
	}
	if opts.AppToken != "" {
		apiOpts = append(apiOpts, slackapi.OptionAppLevelToken(opts.AppToken))
	}
	a.api = slackapi.New(opts.BotToken, apiOpts...)
	return a, nil
}

// Register mounts the HTTP endpoints on mux: POST /slack/events (Events API),
// POST /slack/commands (slash commands) and POST /slack/interactive (button
// clicks). Every request must carry a valid Slack signature. Without a
// SigningSecret (Socket Mode only) it mounts nothing.
func (a *Adapter) Register(mux *http.ServeMux) {
	if len(a.secret) == 0 {
		a.log.Info("slack: no signing secret; HTTP endpoints not mounted (Socket Mode only)")
		return
	}
	mux.HandleFunc("POST /slack/events", a.handleEvents)
	mux.HandleFunc("POST /slack/commands", a.handleCommands)
	mux.HandleFunc("POST /slack/interactive", a.handleInteractive)
}

// Run answers accepted requests with Options.Workers workers and, when an
// AppToken is set, receives events over Socket Mode. It learns the bot's own
// user id with auth.test (logging a warning if that fails). Run returns when
// ctx is done, after it has stopped intake (new requests get 503) and
// answered the requests already accepted, for at most DrainTimeout; it
// returns an error if Socket Mode cannot connect for good (e.g. a revoked
// token). Run may be called once.
func (a *Adapter) Run(ctx context.Context) error {
	a.learnIdentity(ctx)
	err := a.jobs.Run(ctx, func(ctx context.Context) error {
		if a.opts.AppToken == "" {
			<-ctx.Done()
			return nil
		}
		sockCtx, cancelSock := context.WithCancel(ctx)
		sockDone := make(chan error, 1)
		go func() { sockDone <- a.runSocketMode(sockCtx) }()
		select {
		case <-ctx.Done():
			cancelSock()
			<-sockDone
		case err := <-sockDone:
			cancelSock()
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("slack: socket mode: %w", err)
			}
		}
		return nil
	})
	a.log.Info("slack: stopped")
	return err
}

// learnIdentity asks Slack who the bot is, to recognise its own messages and
// mentions.
func (a *Adapter) learnIdentity(ctx context.Context) {
	resp, err := a.self.Learn(ctx, 10*time.Second, a.api.AuthTestContext)
	if err != nil {
		a.log.Warn("slack: auth.test failed; own messages are recognised by bot_id only", "err", err)
		return
	}
	a.log.Info("slack: connected", "team", resp.TeamID, "bot_user", resp.UserID)
}

func (a *Adapter) identity() (userID, botID string) {
	if resp := a.self.Get(); resp != nil {
		return resp.UserID, resp.BotID
	}
	return "", ""
}

// slogOutput adapts slog to the logger interface of slack-go, at Debug level
// (its messages may contain payloads).
type slogOutput struct{ l *slog.Logger }

func (o slogOutput) Output(_ int, s string) error {
	o.l.Debug("slack-go: " + strings.TrimSpace(s))
	return nil
}
