package textdist

import "testing"

func TestOSA(t *testing.T) {
	for _, tt := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", -1, 0},
		{"content", "content", -1, 0},
		{"contnet", "content", -1, 1}, // a swap is one edit
		{"kitten", "sitting", -1, 3},
		{"kitten", "sitting", 1, 2}, // above the limit: limit+1
		{"abc", "", -1, 3},
		{"abc", "abcdef", 2, 3},
		{"退货", "退款", -1, 1},
		{"ca", "abc", -1, 3}, // OSA, not full Damerau: 3, not 2
	} {
		if got := OSAString(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("OSAString(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func FuzzOSA(f *testing.F) {
	f.Add("contnet", "content", 2)
	f.Add("", "x", -1)
	f.Fuzz(func(t *testing.T, a, b string, limit int) {
		limit = limit%8 - 1
		d := OSAString(a, b, limit)
		full := OSAString(a, b, -1)
		if OSAString(b, a, -1) != full {
			t.Fatalf("not symmetric: %q %q", a, b)
		}
		if full > max(len([]rune(a)), len([]rune(b))) {
			t.Fatalf("distance %d above the longer length", full)
		}
		if limit >= 0 && d != min(full, limit+1) {
			t.Fatalf("limit %d: %d, unlimited %d", limit, d, full)
		}
	})
}
