package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Event kinds the engines write beyond bot's (storage/sqlite names them
// EventRatingRequested and EventRealerted).
const (
	eventRatingRequested = "rating_requested"
	eventRealerted       = "escalation_realert"
)

func in(channel, user, text string, at time.Time) bot.Inbound {
	return bot.Inbound{Channel: channel, ExternalUserID: user, Role: bot.RoleCustomer, Text: text, Time: at}
}

func appendIn(t testing.TB, s bot.Store, channel, user, text string, at time.Time) (bot.Conversation, int64) {
	t.Helper()
	conv, id, err := s.AppendInbound(context.Background(), in(channel, user, text, at))
	if err != nil {
		t.Fatalf("AppendInbound(%s/%s): %v", channel, user, err)
	}
	return conv, id
}

// answered stores a customer's message on channel from user and the bot's
// answer to it, both at time at, and returns the conversation, the
// customer's message id and the answer's.
func answered(t testing.TB, s bot.Store, channel, user, text, answer string, at time.Time) (bot.Conversation, int64, int64) {
	t.Helper()
	conv, in := appendIn(t, s, channel, user, text, at)
	st, err := s.AppendOutbound(context.Background(), bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: answer,
		Action: bot.ActionAnswer, Time: at})
	if err != nil {
		t.Fatalf("AppendOutbound: %v", err)
	}
	return conv, in, st.MessageID
}

func eventKinds(t *testing.T, s storage.Store, id int64) []string {
	t.Helper()
	evs, err := s.Events(context.Background(), id)
	if err != nil {
		t.Fatalf("Events(%d): %v", id, err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

// eventDetails returns the details of evs, one a line.
func eventDetails(evs []bot.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Kind + " " + string(e.Detail) + "\n")
	}
	return b.String()
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// escalateAt stores a customer message on web and an escalating reply, both
// at the clock's time, and returns the conversation and escalation ids.
func escalateAt(t *testing.T, s storage.Store, clk *Clock, user, text string, ann bot.Annotation) (bot.ConversationID, bot.EscalationID) {
	t.Helper()
	ctx := context.Background()
	conv, id, err := s.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: user, Text: text, Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Annotation: ann,
		Text: "sorry", Action: bot.ActionEscalate, Time: clk.Now(),
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "normal", Summary: "complaint"}})
	if err != nil {
		t.Fatal(err)
	}
	return conv.ID, st.EscalationID
}

// testAlerts is a storage.AlertEncoder for the suite (the real one,
// alert.Protocol, lives in a package storage must not import): its payloads
// are the store's facts in JSON, so a test can check what the store handed
// over.
type testAlerts struct{ fail bool }

const (
	kindTestEscalation = "test_escalation"
	kindTestLead       = "test_lead"
)

type testEscalationPayload struct {
	Escalation bot.EscalationInfo
	Channel    string
}

func (a testAlerts) EscalationAlert(e bot.EscalationInfo, channel string) (bot.OutboxMessage, error) {
	if a.fail {
		return bot.OutboxMessage{}, errors.New("encoder failed")
	}
	b, err := json.Marshal(testEscalationPayload{e, channel})
	return bot.OutboxMessage{Kind: kindTestEscalation, Key: fmt.Sprintf("escalation:%d", e.ID), CustomerID: e.CustomerID,
		Payload: b}, err
}

func (a testAlerts) LeadAlert(l bot.LeadInfo) (bot.OutboxMessage, error) {
	if a.fail {
		return bot.OutboxMessage{}, errors.New("encoder failed")
	}
	b, err := json.Marshal(l)
	return bot.OutboxMessage{Kind: kindTestLead, Key: fmt.Sprintf("lead:%d:%d", l.CustomerID, l.Time.UnixNano()),
		CustomerID: l.CustomerID, Payload: b}, err
}

var _ storage.AlertEncoder = testAlerts{}
