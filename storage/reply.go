package storage

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// Storing the messages of a conversation (bot.Store's AppendInbound and
// AppendOutbound) makes the same decisions in every engine: which input is
// valid, what a reply changes about its conversation and its customer,
// which alerts it sends and which events it records. They are made here,
// once; an engine runs the statements (ReplyTx).

// CheckInbound reports whether in is a message a store may record and
// returns the role of its sender (bot.RoleCustomer when it names none).
// Errors are EINVALID *bot.Error values.
func CheckInbound(in bot.Inbound) (bot.Role, error) {
	if in.Channel == "" || in.ExternalUserID == "" {
		return "", bot.Errorf(bot.EINVALID, "The message has no channel or sender.")
	}
	if !utf8.ValidString(in.Text) || !utf8.ValidString(in.Channel) || !utf8.ValidString(in.ExternalUserID) {
		return "", bot.Errorf(bot.EINVALID, "The message is not valid UTF-8 text.")
	}
	role := in.Role
	if role == "" {
		role = bot.RoleCustomer
	}
	if role != bot.RoleCustomer && role != bot.RoleEmployee {
		return "", bot.Errorf(bot.EINVALID, "Unknown sender role %q.", role)
	}
	return role, nil
}

var validActions = map[bot.Action]bool{
	bot.ActionSmallTalk: true, bot.ActionAnswer: true, bot.ActionClarify: true,
	bot.ActionEscalate: true, bot.ActionLead: true, bot.ActionRelay: true,
}

// CheckOutbound reports whether o is a reply a store may record: it names a
// conversation and a known action, its text is valid UTF-8, and an
// escalation has a reason and a known severity. Errors are EINVALID
// *bot.Error values.
func CheckOutbound(o bot.Outbound) error {
	if o.ConversationID <= 0 {
		return bot.Errorf(bot.EINVALID, "The reply names no conversation.")
	}
	if !validActions[o.Action] {
		return bot.Errorf(bot.EINVALID, "Unknown action %q.", o.Action)
	}
	if !utf8.ValidString(o.Text) {
		return bot.Errorf(bot.EINVALID, "The reply is not valid UTF-8 text.")
	}
	if e := o.Escalation; e != nil {
		if e.Reason == "" {
			return bot.Errorf(bot.EINVALID, "The escalation has no reason.")
		}
		switch e.Severity {
		case "low", "normal", "high":
		default:
			return bot.Errorf(bot.EINVALID, "Unknown escalation severity %q.", e.Severity)
		}
	}
	return nil
}

// ReplyTx is an engine's write transaction as Replies.Store uses it. Its
// methods run statements; they decide nothing. Errors are wrapped with what
// failed.
type ReplyTx interface {
	Tx
	// AddKnowledgeGap counts the question of message messageID, in lang, as
	// one the bot could not answer.
	AddKnowledgeGap(messageID int64, lang string, customerID int64, t time.Time) error
	// AddGapPick counts the choice docID against the knowledge gap of the
	// conversation's latest question the bot was not sure of.
	AddGapPick(conversationID bot.ConversationID, docID string, t time.Time) error
}

// ReplyTo is the conversation a reply belongs to and its customer, as the
// engine read them in the reply's transaction.
type ReplyTo struct {
	Status   bot.ConversationStatus
	Channel  string
	Customer int64
	Owner    string // the customer's sales owner
	Language string // the customer's language, "" when not known yet
	SegmentInput
}

// CustomerChanges are the changes to a customer's row that a reply makes;
// the zero value changes nothing.
type CustomerChanges struct {
	Stage, Owner string    // the customer became a lead: stage new, with this owner
	Complaint    bool      // one more complaint
	AtRiskUntil  time.Time // the customer is at risk until then (later than before)
	Language     string    // the customer's language, first known
}

// Update returns the statement that makes the changes to customer id and
// its arguments, with parameters named by ph and times converted by at to
// the engine's form; "" when there are none.
func (ch CustomerChanges) Update(id int64, ph Placeholder, at func(time.Time) any) (string, []any) {
	a := NewArgs(ph)
	var set []string
	if ch.Stage != "" {
		set = append(set, "stage = "+a.Add(ch.Stage), "owner = "+a.Add(ch.Owner))
	}
	if ch.Complaint {
		set = append(set, "complaint_count = complaint_count + 1")
	}
	if !ch.AtRiskUntil.IsZero() {
		set = append(set, "at_risk_until = "+a.Add(at(ch.AtRiskUntil)))
	}
	if ch.Language != "" {
		set = append(set, "language = "+a.Add(ch.Language))
	}
	if len(set) == 0 {
		return "", nil
	}
	return `UPDATE customers SET ` + strings.Join(set, ", ") + ` WHERE id = ` + a.Add(id), a.List()
}

// Apply records the changes in in, the customer's segment input, so that
// its segment can be recomputed.
func (ch CustomerChanges) Apply(in *SegmentInput) {
	if ch.Stage != "" {
		in.Stage = ch.Stage
	}
	if !ch.AtRiskUntil.IsZero() {
		in.AtRiskUntil = ch.AtRiskUntil
	}
}

// Replies stores the bot's replies (bot.Store's AppendOutbound) the same way
// in every engine.
type Replies struct {
	Alerts    AlertEncoder  // makes the alerts of escalations and leads; nil sends none
	LeadOwner string        // the owner of a new lead whose customer has none
	AtRiskFor time.Duration // how long a complaint keeps a customer at risk (SegmentRules.AtRiskFor)
	Dialect                 // the engine's parameters and times
}

// Store records the reply o to the conversation v at time t, inside tx: it
// annotates the inbound message, stores the reply (when o.Text is not
// empty), and, when asked, opens an escalation (the conversation goes to
// waiting_human, an escalations row, its alert in the outbox; an escalation
// with reason bot.ReasonLead alerts without handing off, matching the
// Engine's Reply.Handoff), marks the customer as a lead (stage new, an
// owner, a lead alert) and records a knowledge gap for a clarify. A
// complaint, or a negative message, keeps the customer at risk for
// AtRiskFor. If the conversation is handed off and o is not a relay it
// fails with ECONFLICT before changing anything. It returns what it stored
// and the changes it made to the customer's row, for the engine to
// recompute its segment.
func (r Replies) Store(tx ReplyTx, o bot.Outbound, v ReplyTo, t time.Time) (bot.Stored, CustomerChanges, error) {
	var st bot.Stored
	var ch CustomerChanges
	if v.Status.HandedOff() && o.Action != bot.ActionRelay {
		return st, ch, bot.Errorf(bot.ECONFLICT, "Conversation %d is with a human agent; the bot may not reply.", o.ConversationID)
	}
	if o.InboundID != 0 {
		if err := r.annotate(tx, o); err != nil {
			return st, ch, err
		}
	}
	var err error
	if o.Text != "" {
		if st.MessageID, err = r.insertReply(tx, o, v.Customer, t); err != nil {
			return st, ch, err
		}
	}
	complaint := o.InboundID != 0 && o.Annotation.IsComplaint
	negative := o.InboundID != 0 && o.Annotation.IsNegative
	if e := o.Escalation; e != nil {
		if st.EscalationID, err = r.escalate(tx, o, v, t); err != nil {
			return st, ch, err
		}
		complaint = complaint || e.Reason == bot.ReasonComplaint
		negative = negative || e.Reason == bot.ReasonNegativeTrend
	}
	if o.Action == bot.ActionClarify && o.InboundID != 0 {
		if err := tx.AddKnowledgeGap(o.InboundID, o.Annotation.Language, v.Customer, t); err != nil {
			return st, ch, err
		}
	}
	if o.Picked != "" {
		if err := tx.AddGapPick(o.ConversationID, o.Picked, t); err != nil {
			return st, ch, err
		}
	}
	// Only what changed is written: most replies change nothing here.
	if o.Lead && (v.Stage == bot.StageNone || v.Stage == bot.StageLost) {
		owner := v.Owner
		if owner == "" {
			owner = r.LeadOwner
		}
		if err := r.markLead(tx, o, v, owner, t); err != nil {
			return st, ch, err
		}
		ch.Stage, ch.Owner = bot.StageNew, owner
	}
	ch.Complaint = complaint
	if complaint || negative {
		if until := t.Add(r.AtRiskFor); until.After(v.AtRiskUntil) {
			ch.AtRiskUntil = until
		}
	}
	if lang := o.Annotation.Language; v.Language == "" && (lang == "en" || lang == "zh") {
		ch.Language = lang
	}
	if ch != (CustomerChanges{}) {
		q, args := ch.Update(v.Customer, r.Param, r.At)
		if _, err := tx.Exec(q, args...); err != nil {
			return st, ch, fmt.Errorf("update customer %d: %w", v.Customer, err)
		}
	}
	return st, ch, nil
}

// annotate stores o.Annotation on the message o.InboundID; it is EINVALID
// when that is not an inbound message of o's conversation.
func (r Replies) annotate(tx ReplyTx, o bot.Outbound) error {
	a, p := o.Annotation, r.Param
	n, err := tx.Exec(`UPDATE messages SET intent = `+p(1)+`, confidence = `+p(2)+`, language = `+p(3)+`, sentiment = `+p(4)+`,
		complaint = `+p(5)+`, is_complaint = `+p(6)+`, is_negative = `+p(7)+`
		WHERE id = `+p(8)+` AND conversation_id = `+p(9)+` AND inbound`,
		a.Intent, a.Confidence, a.Language, a.Sentiment, a.Complaint, a.IsComplaint, a.IsNegative,
		o.InboundID, o.ConversationID)
	if err != nil {
		return fmt.Errorf("annotate inbound message: %w", err)
	}
	if n != 1 {
		return bot.Errorf(bot.EINVALID, "Message %d is not an inbound message of conversation %d.", o.InboundID, o.ConversationID)
	}
	return nil
}

// insertReply stores o as the bot's message to customerID at t (with
// o.InboundID, if any, as the message it replies to) and returns its id.
func (r Replies) insertReply(tx ReplyTx, o bot.Outbound, customerID int64, t time.Time) (int64, error) {
	sources, err := JSONList(o.Sources)
	if err != nil {
		return 0, fmt.Errorf("sources: %w", err)
	}
	choices, err := JSONList(o.Choices)
	if err != nil {
		return 0, fmt.Errorf("choices: %w", err)
	}
	var replyTo *int64
	if o.InboundID != 0 {
		replyTo = &o.InboundID
	}
	p := r.Param
	id, err := tx.Insert(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, intent,
		confidence, language, action, sources, choices, reply_to, time)
		VALUES (`+p(1)+`, `+p(2)+`, false, 'bot', `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`, `+p(7)+`, `+p(8)+`, `+p(9)+`, `+p(10)+`, `+p(11)+`)`,
		o.ConversationID, customerID, o.Text, o.Intent, o.Confidence, o.Language, string(o.Action), sources, choices,
		replyTo, r.At(t))
	if err != nil {
		return 0, fmt.Errorf("insert reply: %w", err)
	}
	return id, nil
}

// escalate records an escalation, hands the conversation to a human (unless
// the reason is a lead) and enqueues the alert (unless it is quiet).
func (r Replies) escalate(tx ReplyTx, o bot.Outbound, v ReplyTo, t time.Time) (bot.EscalationID, error) {
	e := o.Escalation
	p := r.Param
	var msg *int64
	if o.InboundID != 0 {
		msg = &o.InboundID
	}
	n, err := tx.Insert(`INSERT INTO escalations (conversation_id, customer_id, message_id, reason, severity, summary, created)
		VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`, `+p(7)+`)`,
		o.ConversationID, v.Customer, msg, e.Reason, e.Severity, e.Summary, r.At(t))
	if err != nil {
		return 0, fmt.Errorf("insert escalation: %w", err)
	}
	id := bot.EscalationID(n)
	if e.Reason != bot.ReasonLead {
		if _, err := tx.Exec(`UPDATE conversations SET status = 'waiting_human' WHERE id = `+p(1)+` AND status = 'bot'`,
			o.ConversationID); err != nil {
			return 0, fmt.Errorf("hand off conversation: %w", err)
		}
	}
	if r.Alerts != nil && !e.Quiet {
		m, err := r.Alerts.EscalationAlert(bot.EscalationInfo{ID: id, ConversationID: o.ConversationID,
			CustomerID: v.Customer, MessageID: o.InboundID, Reason: e.Reason, Severity: e.Severity, Summary: e.Summary,
			Status: bot.EscalationOpen, Created: t.UTC()}, v.Channel)
		if err != nil {
			return 0, fmt.Errorf("escalation alert: %w", err)
		}
		if _, _, err := Enqueue(tx, r.Dialect, m, t); err != nil {
			return 0, err
		}
	}
	detail := map[string]any{"escalation_id": id, "reason": e.Reason, "severity": e.Severity}
	if e.Quiet {
		detail["quiet"] = true
	}
	if err := tx.AddEvent(v.Customer, o.ConversationID, bot.EventEscalated, detail, "", t); err != nil {
		return 0, err
	}
	return id, nil
}

// markLead records that a customer became a sales lead and alerts its owner.
func (r Replies) markLead(tx ReplyTx, o bot.Outbound, v ReplyTo, owner string, t time.Time) error {
	if err := tx.AddEvent(v.Customer, o.ConversationID, bot.EventNewLead, map[string]string{"from": v.Stage, "to": bot.StageNew}, "", t); err != nil {
		return err
	}
	if r.Alerts == nil {
		return nil
	}
	m, err := r.Alerts.LeadAlert(bot.LeadInfo{CustomerID: v.Customer, ConversationID: o.ConversationID, Channel: v.Channel,
		Owner: owner, Time: t.UTC()})
	if err != nil {
		return fmt.Errorf("lead alert: %w", err)
	}
	_, _, err = Enqueue(tx, r.Dialect, m, t)
	return err
}
