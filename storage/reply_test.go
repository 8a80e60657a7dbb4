package storage

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

func TestCustomerChangesUpdate(t *testing.T) {
	ph := func(n int) string { return "$" + strconv.Itoa(n) }
	at := func(t time.Time) any { return t.Format(time.RFC3339) }
	if q, args := (CustomerChanges{}).Update(7, ph, at); q != "" || args != nil {
		t.Errorf("no changes: got %q %v, want no statement", q, args)
	}
	until := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	q, args := CustomerChanges{Stage: bot.StageNew, Owner: "ann", Complaint: true, AtRiskUntil: until, Language: "zh"}.Update(7, ph, at)
	want := `UPDATE customers SET stage = $1, owner = $2, complaint_count = complaint_count + 1, at_risk_until = $3, language = $4 WHERE id = $5`
	if q != want {
		t.Errorf("statement:\n got %s\nwant %s", q, want)
	}
	if wantArgs := []any{bot.StageNew, "ann", "2026-01-02T03:04:05Z", "zh", int64(7)}; !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("args = %v, want %v", args, wantArgs)
	}
}

func TestCheckOutbound(t *testing.T) {
	ok := bot.Outbound{ConversationID: 1, Action: bot.ActionAnswer, Text: "hi"}
	if err := CheckOutbound(ok); err != nil {
		t.Fatalf("valid reply: %v", err)
	}
	for name, o := range map[string]bot.Outbound{
		"no conversation": {Action: bot.ActionAnswer},
		"unknown action":  {ConversationID: 1, Action: "dance"},
		"bad text":        {ConversationID: 1, Action: bot.ActionAnswer, Text: "\xff"},
		"no reason":       {ConversationID: 1, Action: bot.ActionEscalate, Escalation: &bot.Escalation{Severity: "high"}},
		"bad severity":    {ConversationID: 1, Action: bot.ActionEscalate, Escalation: &bot.Escalation{Reason: "x", Severity: "dire"}},
	} {
		if err := CheckOutbound(o); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("%s: got %v, want EINVALID", name, err)
		}
	}
}
