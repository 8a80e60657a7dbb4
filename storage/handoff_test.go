package storage

import (
	"reflect"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestAssignment(t *testing.T) {
	claim, err := NewClaim("  ann ")
	if err != nil || claim != (Assignment{Agent: "ann"}) {
		t.Fatalf("NewClaim = %+v, %v", claim, err)
	}
	move, err := NewReassignment("bob", "boss")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClaim(" "); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("NewClaim of no name: %v, want EINVALID", err)
	}
	if _, err := NewReassignment("bob", ""); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("NewReassignment by nobody: %v, want EINVALID", err)
	}
	for _, c := range []struct {
		a        Assignment
		status   bot.ConversationStatus
		assignee string
		change   bool
		code     string
	}{
		{claim, bot.StatusWaitingHuman, "", true, ""},
		{claim, bot.StatusBot, "", true, ""},
		{claim, bot.StatusHuman, "ann", false, ""},
		{claim, bot.StatusHuman, "bob", false, bot.ECONFLICT},
		{claim, bot.StatusResolved, "", false, bot.ECONFLICT},
		{move, bot.StatusHuman, "ann", true, ""},
		{move, bot.StatusHuman, "bob", false, ""},
		{move, bot.StatusResolved, "ann", false, bot.ECONFLICT},
	} {
		change, err := c.a.Check(1, c.status, c.assignee)
		if change != c.change || (err == nil) != (c.code == "") || (err != nil && bot.ErrorCode(err) != c.code) {
			t.Errorf("%+v.Check(%s, %q) = %v, %v; want %v, %q", c.a, c.status, c.assignee, change, err, c.change, c.code)
		}
	}
	kind, detail, actor := move.Event(bot.StatusHuman, "ann")
	if want := map[string]string{"from": "human", "from_agent": "ann", "to_agent": "bob"}; kind != bot.EventReassigned ||
		actor != "boss" || !reflect.DeepEqual(detail, want) {
		t.Errorf("reassignment event = %s %v %s", kind, detail, actor)
	}
	if kind, _, actor := claim.Event(bot.StatusWaitingHuman, ""); kind != bot.EventTakenOver || actor != "ann" {
		t.Errorf("claim event = %s by %s", kind, actor)
	}
}
