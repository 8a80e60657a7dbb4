package storage

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestContactUpdateQuery(t *testing.T) {
	ph := func(n int) string { return "?" + strconv.Itoa(n) }
	if q, args, changed := ContactUpdateQuery(3, bot.ContactUpdate{}, "now", ph); q != "" || args != nil || changed != nil {
		t.Errorf("empty update: got %q %v %v, want nothing", q, args, changed)
	}
	q, args, changed := ContactUpdateQuery(3, bot.ContactUpdate{Name: "Li", Phone: "+8613800000000"}, "now", ph)
	if want := `UPDATE customers SET name = ?1, phone = ?2, updated = ?3 WHERE id = ?4`; q != want {
		t.Errorf("statement:\n got %s\nwant %s", q, want)
	}
	if want := []any{"Li", "+8613800000000", "now", int64(3)}; !reflect.DeepEqual(args, want) {
		t.Errorf("args = %v, want %v", args, want)
	}
	if want := []string{"name", "phone"}; !reflect.DeepEqual(changed, want) {
		t.Errorf("changed = %v, want %v", changed, want)
	}
}
