package knowledge

import (
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestSectionFirst checks that a page's opening gives way to a section of
// the same page, wherever it ranks, whose heading names a word of the
// query, for customers' pages as for internal ones, and that nothing
// else moves.
func TestSectionFirst(t *testing.T) {
	cand := func(id, kind, aud string, head float64) candidate {
		c := candidate{doc: &storedDoc{ID: id, Kind: kind, Audience: aud}}
		c.f[ftHead] = head
		return c
	}
	page, faq := string(bot.KindPage), string(bot.KindFAQ)
	pub, in := string(bot.AudiencePublic), string(bot.AudienceInternal)
	tests := []struct {
		name  string
		cands []candidate
		conf  []float64
		want  string  // first id after
		wantC float64 // its confidence
	}{
		{"customer page: the section whose heading names a query word", []candidate{
			cand("delivery", page, pub, 0), cand("faq-1", faq, pub, 0), cand("delivery#same-day", page, pub, 0.8)},
			[]float64{0.7, 0.5, 0.6}, "delivery#same-day", 0.7},
		{"internal page", []candidate{
			cand("wholesale", page, in, 0), cand("wholesale#price-tiers", page, in, 0.5)},
			[]float64{0.6, 0.8}, "wholesale#price-tiers", 0.8},
		{"no heading names a query word", []candidate{
			cand("delivery", page, pub, 0), cand("delivery#same-day", page, pub, 0)},
			[]float64{0.7, 0.6}, "delivery", 0.7},
		{"a section of another page", []candidate{
			cand("delivery", page, pub, 0), cand("returns#how-to-return", page, pub, 0.9)},
			[]float64{0.7, 0.6}, "delivery", 0.7},
		{"beyond the first confTop", []candidate{
			cand("delivery", page, pub, 0), cand("a", faq, pub, 0), cand("b", faq, pub, 0), cand("delivery#same-day", page, pub, 0.9)},
			[]float64{0.7, 0.6, 0.5, 0.4}, "delivery#same-day", 0.7},
		{"a FAQ entry first", []candidate{
			cand("faq-1", faq, pub, 0), cand("delivery#same-day", page, pub, 0.9)},
			[]float64{0.7, 0.6}, "faq-1", 0.7},
		{"a section first already", []candidate{
			cand("delivery#fees", page, pub, 0), cand("delivery#same-day", page, pub, 0.9)},
			[]float64{0.7, 0.6}, "delivery#fees", 0.7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sectionFirst(tt.cands, tt.conf)
			if tt.cands[0].doc.ID != tt.want || tt.conf[0] != tt.wantC {
				t.Errorf("first %s at %.2f, want %s at %.2f", tt.cands[0].doc.ID, tt.conf[0], tt.want, tt.wantC)
			}
			seen := map[string]bool{}
			for _, c := range tt.cands {
				if seen[c.doc.ID] {
					t.Errorf("%s twice after the move", c.doc.ID)
				}
				seen[c.doc.ID] = true
			}
		})
	}
}
