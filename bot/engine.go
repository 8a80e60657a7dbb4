package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// EngineOptions configures an Engine. Classifier, Retriever and Store are
// required; every other field has a sensible default.
type EngineOptions struct {
	Classifier Classifier
	Retriever  Retriever
	Store      Store
	// Generator, optional, composes answers from the retrieved passages with
	// a language model; the retrieval answer is the fallback.
	Generator Generator
	// GenerateTimeout bounds one Generator call. Default 8s.
	GenerateTimeout time.Duration
	Logger          *slog.Logger     // default: discard
	Now             func() time.Time // default: time.Now

	// Replies are the company's canned replies by intent and language
	// ("en", "zh"), used for small talk (greeting, thanks, goodbye). Missing
	// entries fall back to built-in texts.
	Replies map[string]map[string]string
	// MinAnswerConfidence is the retrieval confidence below which the bot
	// says it is not sure instead of answering. Default 0.35.
	MinAnswerConfidence float64
	// ComplaintThreshold is the complaint score at or above which a message
	// is escalated as a complaint. Default 0.6.
	ComplaintThreshold float64
	// NegativeSentiment is the sentiment at or below which a message counts
	// as negative for the two-in-a-row trend. Default -0.4.
	NegativeSentiment float64
	// Timeout bounds the handling of one message. Default 10s.
	Timeout time.Duration
}

// Engine turns one inbound message into one decision and reply, following the
// flow in DESIGN.md: store first, respect handoff, classify, decide, retrieve,
// store the reply. It is safe for concurrent use.
type Engine struct {
	opts EngineOptions
	log  *slog.Logger
}

// NewEngine returns an Engine, or an error naming the missing dependency.
func NewEngine(opts EngineOptions) (*Engine, error) {
	switch {
	case opts.Classifier == nil:
		return nil, errors.New("bot: NewEngine: Classifier is required")
	case opts.Retriever == nil:
		return nil, errors.New("bot: NewEngine: Retriever is required")
	case opts.Store == nil:
		return nil, errors.New("bot: NewEngine: Store is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinAnswerConfidence == 0 {
		opts.MinAnswerConfidence = 0.35
	}
	if opts.ComplaintThreshold == 0 {
		opts.ComplaintThreshold = 0.6
	}
	if opts.NegativeSentiment == 0 {
		opts.NegativeSentiment = -0.4
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.GenerateTimeout == 0 {
		opts.GenerateTimeout = 8 * time.Second
	}
	return &Engine{opts: opts, log: opts.Logger}, nil
}

// ValidateText checks a message text against the Engine's input rules: valid
// UTF-8, not blank, at most MaxMessageRunes characters. The error is an
// *Error safe to show the sender.
func ValidateText(text string) error {
	if !utf8.ValidString(text) {
		return Errorf(EINVALID, "The message is not valid UTF-8 text.")
	}
	if strings.TrimSpace(text) == "" {
		return Errorf(EINVALID, "The message is empty.")
	}
	if n := utf8.RuneCountInString(text); n > MaxMessageRunes {
		return Errorf(ETOOLARGE, "The message is too long (%d characters); the limit is %d.", n, MaxMessageRunes)
	}
	return nil
}

// Handle processes one message. The inbound message is stored before
// anything else, so a message that Handle acknowledged is never lost even if
// a later step fails. Errors are *Error values when they are the sender's
// fault (EINVALID, ETOOLARGE); anything else is internal.
func (e *Engine) Handle(ctx context.Context, m Message) (Reply, error) {
	if err := ValidateText(m.Text); err != nil {
		return Reply{}, err
	}
	if m.Channel == "" || m.ExternalUserID == "" {
		return Reply{}, Errorf(EINVALID, "The message has no channel or sender.")
	}
	if m.Role == "" {
		m.Role = RoleCustomer
	}
	if m.Time.IsZero() {
		m.Time = e.opts.Now()
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()

	conv, inboundID, err := e.opts.Store.AppendInbound(ctx, Inbound{
		Channel: m.Channel, ExternalUserID: m.ExternalUserID, Role: m.Role, Text: m.Text, Time: m.Time,
	})
	if err != nil {
		return Reply{}, fmt.Errorf("store inbound message: %w", err)
	}

	cls, err := e.opts.Classifier.Classify(ctx, m.Text)
	if err != nil {
		// Degrade rather than fail: the message is stored; treat it as unknown.
		e.log.Warn("classify failed", "conversation", conv.ID, "err", err)
		cls = Classification{Intent: IntentOutOfScope, OutOfScope: true, Language: "en"}
	}
	lang := replyLanguage(cls.Language)
	ann := Annotation{Intent: cls.Intent, Confidence: cls.Confidence, Language: cls.Language,
		Sentiment: cls.Sentiment, Complaint: cls.Complaint}

	if conv.Status.HandedOff() {
		return e.relay(ctx, conv, inboundID, ann, m.Time)
	}

	d, err := e.decide(ctx, m, conv, cls, lang)
	if err != nil {
		return Reply{}, err
	}
	out := Outbound{
		ConversationID: conv.ID, InboundID: inboundID, Annotation: ann,
		Text: d.text, Action: d.action, Intent: cls.Intent, Confidence: cls.Confidence,
		Language: lang, Sources: d.sources, Time: e.opts.Now(), Escalation: d.escalation, Lead: d.lead,
	}
	stored, err := e.opts.Store.AppendOutbound(ctx, out)
	if ErrorCode(err) == ECONFLICT {
		// A human took the conversation while we were thinking: stay silent.
		return e.relay(ctx, conv, inboundID, ann, m.Time)
	} else if err != nil {
		return Reply{}, fmt.Errorf("store reply: %w", err)
	}
	e.log.Info("message handled", "channel", m.Channel, "conversation", conv.ID,
		"intent", cls.Intent, "action", string(d.action), "sources", len(d.sources))
	return Reply{
		ConversationID: conv.ID, MessageID: stored.MessageID, Text: d.text, Action: d.action,
		Intent: cls.Intent, Confidence: cls.Confidence, Language: lang, Sources: d.sources,
		Handoff: d.escalation != nil && d.escalation.Reason != ReasonLead, EscalationID: stored.EscalationID,
	}, nil
}

// relay records that the bot stayed silent because a human owns the
// conversation.
func (e *Engine) relay(ctx context.Context, conv Conversation, inboundID int64, ann Annotation, t time.Time) (Reply, error) {
	_, err := e.opts.Store.AppendOutbound(ctx, Outbound{
		ConversationID: conv.ID, InboundID: inboundID, Annotation: ann, Action: ActionRelay,
		Intent: ann.Intent, Confidence: ann.Confidence, Language: replyLanguage(ann.Language), Time: e.opts.Now(),
	})
	if err != nil {
		return Reply{}, fmt.Errorf("store relay: %w", err)
	}
	e.log.Info("message relayed to human", "channel", conv.Channel, "conversation", conv.ID)
	return Reply{ConversationID: conv.ID, Action: ActionRelay, Intent: ann.Intent, Confidence: ann.Confidence,
		Language: replyLanguage(ann.Language), Handoff: true}, nil
}

type decision struct {
	action     Action
	text       string
	sources    []Source
	escalation *Escalation
	lead       bool
}

func (e *Engine) decide(ctx context.Context, m Message, conv Conversation, cls Classification, lang string) (decision, error) {
	// Escalation triggers come first: an unhappy customer never gets a bot answer.
	if esc := e.escalation(ctx, m, conv, cls); esc != nil {
		return decision{action: ActionEscalate, text: e.text(escalationText(esc.Reason), lang), escalation: esc}, nil
	}
	switch cls.Intent {
	case IntentGreeting, IntentThanks, IntentGoodbye:
		return decision{action: ActionSmallTalk, text: e.text(cls.Intent, lang)}, nil
	}

	hits, err := e.opts.Retriever.Retrieve(ctx, Query{
		Text: m.Text, Audiences: m.Role.Audiences(), Language: cls.Language, Intent: cls.Intent, Limit: 3,
	})
	if err != nil {
		e.log.Warn("retrieve failed", "conversation", conv.ID, "err", err)
		hits = nil
	}
	var d decision
	if len(hits) > 0 && hits[0].Confidence >= e.opts.MinAnswerConfidence {
		d = decision{action: ActionAnswer, text: hits[0].Answer, sources: []Source{hits[0].Source()}}
		if e.opts.Generator != nil {
			if g, ok := e.generate(ctx, m, conv, lang, hits); ok {
				d = g
			}
		}
	} else {
		d = decision{action: ActionClarify, text: e.text(textNotSure, lang)}
	}
	if cls.Intent == IntentPurchase && m.Role == RoleCustomer {
		d.action = ActionLead
		d.lead = true
		d.text = strings.TrimSpace(d.text + "\n\n" + e.text(textLead, lang))
		if d.sources == nil { // nothing to cite: drop the "not sure" text
			d.text = e.text(textLead, lang)
		}
	}
	return d, nil
}

// generate asks the Generator for a grounded answer. ok is false when the
// retrieval answer should stand: the model failed, timed out, or cited
// nothing it was given.
func (e *Engine) generate(ctx context.Context, m Message, conv Conversation, lang string, hits []Hit) (decision, bool) {
	var passages []Hit
	for _, h := range hits {
		if h.Confidence >= e.opts.MinAnswerConfidence/2 {
			passages = append(passages, h)
		}
	}
	history, err := e.opts.Store.RecentMessages(ctx, conv.ID, 6)
	if err != nil {
		e.log.Warn("recent messages", "conversation", conv.ID, "err", err)
	}
	gctx, cancel := context.WithTimeout(ctx, e.opts.GenerateTimeout)
	defer cancel()
	g, err := e.opts.Generator.Generate(gctx, GenerateRequest{
		Question: m.Text, Language: lang, Role: m.Role, Passages: passages, History: history,
	})
	if err != nil {
		e.log.Warn("generate failed; answering from retrieval", "conversation", conv.ID, "err", err)
		return decision{}, false
	}
	if g.Refused {
		return decision{action: ActionClarify, text: g.Text}, g.Text != ""
	}
	var sources []Source
	for _, i := range g.Cited {
		if i < 0 || i >= len(passages) {
			e.log.Warn("generator cited an unknown passage; answering from retrieval", "conversation", conv.ID)
			return decision{}, false
		}
		sources = append(sources, passages[i].Source())
	}
	if len(sources) == 0 || strings.TrimSpace(g.Text) == "" {
		return decision{}, false
	}
	return decision{action: ActionAnswer, text: g.Text, sources: sources}, true
}

// escalation returns the escalation a message calls for, or nil.
func (e *Engine) escalation(ctx context.Context, m Message, conv Conversation, cls Classification) *Escalation {
	summary := func(reason string) string {
		return fmt.Sprintf("%s on %s (%s): %s", reason, conv.Channel, cls.Language, truncate(m.Text, 280))
	}
	if m.Role == RoleEmployee {
		// Employees ask about refunds, complaints and legal policy as part of
		// their work: only an explicit request for a person escalates.
		if cls.Intent == IntentAskHuman {
			return &Escalation{Reason: ReasonRequestedHuman, Severity: "normal", Summary: summary("asked for a human")}
		}
		return nil
	}
	switch {
	case len(cls.EscalationWords) > 0:
		return &Escalation{Reason: ReasonEscalationWords, Severity: "high",
			Summary: summary("escalation words [" + strings.Join(cls.EscalationWords, ", ") + "]")}
	case cls.Intent == IntentAskHuman:
		return &Escalation{Reason: ReasonRequestedHuman, Severity: "normal", Summary: summary("asked for a human")}
	case cls.Intent == IntentComplaint || cls.Complaint >= e.opts.ComplaintThreshold:
		sev := "normal"
		if cls.Complaint >= 0.9 {
			sev = "high"
		}
		return &Escalation{Reason: ReasonComplaint, Severity: sev, Summary: summary("complaint")}
	}
	// Trends over the conversation: two negative messages in a row, or two
	// answers in a row the bot could not give.
	recent, err := e.opts.Store.RecentMessages(ctx, conv.ID, 6)
	if err != nil {
		e.log.Warn("recent messages", "conversation", conv.ID, "err", err)
		return nil
	}
	var prevIn, prevOut *StoredMessage
	clarifies := 0
	for i := len(recent) - 1; i >= 0; i-- {
		msg := &recent[i]
		if msg.Inbound && prevIn == nil && i < len(recent)-1 { // skip the message being handled
			prevIn = msg
		}
		if !msg.Inbound && prevOut == nil {
			prevOut = msg
			if msg.Action == ActionClarify {
				clarifies++
			}
		}
	}
	if prevIn != nil && prevIn.Sentiment <= e.opts.NegativeSentiment && cls.Sentiment <= e.opts.NegativeSentiment {
		return &Escalation{Reason: ReasonNegativeTrend, Severity: "normal", Summary: summary("negative twice in a row")}
	}
	if clarifies > 0 && cls.OutOfScope {
		return &Escalation{Reason: ReasonRepeatedFailure, Severity: "low", Summary: summary("bot could not answer twice")}
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// replyLanguage maps a detected language to one we reply in.
func replyLanguage(lang string) string {
	if lang == "zh" {
		return "zh"
	}
	return "en"
}
