// Package bot is the domain of Concierge: the vocabulary types (Message, Reply,
// Classification, Hit, Conversation), the small interfaces the Engine consumes
// (Classifier, Retriever, Store) and the Engine itself, which turns one inbound
// message into one decision and reply.
//
// Package bot imports none of the implementations. Adapters (channels/web, channels/slack,
// the terminal in cmd/concierge) call Engine.Handle; implementations (intents,
// knowledge, storage) satisfy the interfaces declared here and are wired in by
// cmd/concierge.
package bot

import (
	"time"
)

// Audience says which content a reader may see. Customers see public content
// only; employees see public and internal content.
type Audience string

// The audiences of knowledge content.
const (
	AudiencePublic   Audience = "public"
	AudienceInternal Audience = "internal"
)

// Role is who sends a message: a customer or an employee of the company.
type Role string

// Roles of the people who write to the bot.
const (
	RoleCustomer Role = "customer"
	RoleEmployee Role = "employee"
)

// Audiences returns the knowledge audiences a role may read.
func (r Role) Audiences() []Audience {
	if r == RoleEmployee {
		return []Audience{AudiencePublic, AudienceInternal}
	}
	return []Audience{AudiencePublic}
}

// Well-known channel names. Adapters may use others; names must be short,
// lower-case and bounded in number because they are used as metric labels.
const (
	ChannelWeb      = "web"
	ChannelAPI      = "api"
	ChannelSlack    = "slack"
	ChannelTerminal = "terminal"
)

// MaxMessageRunes is the longest message, in characters, the Engine accepts.
const MaxMessageRunes = 4000

// Message is one inbound message from a channel, as an adapter hands it to the
// Engine.
type Message struct {
	Channel        string    // e.g. "web", "api", "slack", "terminal"
	ExternalUserID string    // the sender's id on that channel
	Text           string    // the message text, valid UTF-8
	Time           time.Time // when it was received; zero means now
	Role           Role      // customer (default) or employee: decides the audience
	// Choice, when set, is the id of one of the choices the bot offered
	// ("did you mean …?") that the sender picked, by a button or by typing
	// its number; Text is what the sender saw or typed. The Engine answers
	// with that document (if the sender may read it) and records the pick.
	Choice string
	// ProviderMessageID, when set, is the id the channel's platform gave
	// this message (Feishu message_id, DingTalk msgId, WeCom MsgId). With
	// Channel it names one delivery of one message, so a platform's retry
	// carries the same pair: a store may keep it under a unique key and
	// refuse the second copy. Empty when the channel has no such id.
	ProviderMessageID string
	// Origin names where the message came from beyond its sender, for
	// limits on what one source may cause: "addr:<client address>" for a
	// widget visitor (an IPv6 client's /64), "api:<API key name>" for a
	// REST client. Empty when the channel vouches for its senders (Slack,
	// WeCom, a terminal).
	Origin string
}

// Source is a knowledge document a reply was built from, for citation.
type Source struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// Action is the kind of decision the Engine took for a message.
type Action string

// The decisions the Engine can take.
const (
	ActionSmallTalk Action = "small_talk" // greeting, thanks, goodbye
	ActionAnswer    Action = "answer"     // answered from knowledge
	ActionClarify   Action = "clarify"    // not sure: asks to rephrase, offers a human
	ActionEscalate  Action = "escalate"   // handed to a human
	ActionLead      Action = "lead"       // purchase intent: answered and passed to sales
	ActionRelay     Action = "relay"      // conversation is with a human: bot stays silent
)

// Reply is the Engine's answer to one Message. Adapters render it for their
// channel.
type Reply struct {
	ConversationID ConversationID
	MessageID      int64 // id of the stored outbound message (0 when the bot stayed silent)
	Text           string
	Action         Action
	Intent         string
	Confidence     float64
	Language       string // "en", "zh" or "other"
	Sources        []Source
	// Choices, when set, are the documents the bot offers, best first, at
	// most MaxChoices: when it is not sure which one the sender means ("did
	// you mean …?"), when it is not sure of any (suggestions), or after an
	// answer with other documents close behind it (at most two); Text says
	// which. Adapters render them as buttons (widget, Slack) or
	// numbered lines (terminal); picking one sends a Message with Choice set.
	Choices []Source
	// Handoff is true when the conversation is now with a human (waiting or
	// taken over): the bot will not answer further messages until it is resolved.
	Handoff      bool
	EscalationID EscalationID // set when this message opened an escalation
}

// MaxChoices is the most choices a reply offers.
const MaxChoices = 3
