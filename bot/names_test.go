package bot

import "testing"

// TestNamesAny checks the test that lets a FAQ entry or page override the
// catalogue only when it names what the catalogue found in the question.
func TestNamesAny(t *testing.T) {
	faq := Hit{Title: "有比DHL便宜的寄法吗？", Answer: "有。EMS国际经济型统一¥100。"}
	towel := Hit{Title: "Do I need to bring a towel?", Answer: "Towels are free at the front desk."}
	for _, tt := range []struct {
		hit      Hit
		mentions []string
		want     bool
	}{
		{faq, nil, true},                  // the catalogue named nothing: no check
		{faq, []string{"绿茶"}, false},      // green tea is not what it is about
		{faq, []string{"dhl"}, true},      // lower-cased, as the catalogue gives it
		{faq, []string{"国际快递"}, true},     // two characters in a row (国际) suffice
		{towel, []string{"towels"}, true}, // a plural s does not matter
		{towel, []string{"yoga", "mat"}, false},
	} {
		if got := namesAny(tt.hit, tt.mentions); got != tt.want {
			t.Errorf("namesAny(%q, %q) = %v, want %v", tt.hit.Title, tt.mentions, got, tt.want)
		}
	}
}
