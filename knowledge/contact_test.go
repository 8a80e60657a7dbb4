package knowledge

import (
	"context"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/contact"
)

// TestContactFirst checks that a customer asking how to reach the shop or
// when it is open gets first, answerable, a passage that states it, in
// their language; that staff get their own search; and that a question
// about the sender's own phone number is left to the ranking.
func TestContactFirst(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, tc := range []struct {
		text string
		kind contact.Kind
	}{
		{"what's your phone number", contact.Phone},
		{"where are you", contact.Address},
		{"do you have an email", contact.Email},
		{"what time do u close tonight", contact.Hours},
		{"你们电话多少", contact.Phone},
		{"你们地址是啥", contact.Address},
		{"周末营业吗", contact.Hours},
		{"we want to buy 50 tins of tea for our company, any discount?", contact.Business},
	} {
		hits, err := ix.Retrieve(ctx, bot.Query{Text: tc.text, Audiences: bot.RoleCustomer.Audiences()})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Errorf("%q: no hits", tc.text)
			continue
		}
		h := hits[0]
		if !contact.Holds(h.Answer, tc.kind) || h.Confidence < defaultMinAnswer {
			t.Errorf("%q: first hit %s (%.2f) does not state the %v answerably", tc.text, h.ID, h.Confidence, tc.kind)
		}
		if want := detectLang(tc.text); h.Language != want {
			t.Errorf("%q: first hit %s in %q, want %q", tc.text, h.ID, h.Language, want)
		}
		seen := map[string]bool{}
		for _, h := range hits {
			if seen[h.ID] {
				t.Errorf("%q: %s twice", tc.text, h.ID)
			}
			seen[h.ID] = true
		}
	}

	// Staff get the ranking's own order: the internal page with the
	// number they want, not the public hotline.
	q := bot.Query{Text: "what's your phone number", Audiences: bot.RoleEmployee.Audiences()}
	staff, err := ix.Retrieve(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Text = ix.searchText(ctx, q.Text)
	plain, err := ix.search(ctx, q, AllSignals)
	if err != nil {
		t.Fatal(err)
	}
	if len(staff) == 0 || len(plain) == 0 || staff[0].ID != plain[0].ID {
		t.Errorf("staff: first hit changed by the contact rule")
	}
}
