package ellipsis

import "testing"

func TestCuts(t *testing.T) {
	cuts := map[string]func(string, int) string{"Runes": Runes, "Bytes": Bytes, "Prefix": Prefix}
	for _, tc := range []struct {
		cut  string
		s    string
		n    int
		want string
	}{
		{"Runes", "", 1, ""},
		{"Runes", "abc", 3, "abc"},
		{"Runes", "abcd", 3, "ab…"},
		{"Runes", "多久能送到", 5, "多久能送到"},
		{"Runes", "多久能送到？", 5, "多久能送…"},
		{"Runes", "ab", 1, "…"},

		{"Bytes", "", 0, ""},
		{"Bytes", "abc", 3, "abc"},
		{"Bytes", "abcd", 3, "…"},
		{"Bytes", "abcdef", 5, "ab…"},
		{"Bytes", "abcd", 2, ""},
		{"Bytes", "多久能送到", 15, "多久能送到"},
		{"Bytes", "多久能送到", 14, "多久能…"},
		{"Bytes", "多久能送到", 11, "多久…"},
		{"Bytes", "多久能送到", 9, "多久…"},
		{"Bytes", "多久能送到", 8, "多…"},

		{"Prefix", "", 0, ""},
		{"Prefix", "abc", 3, "abc"},
		{"Prefix", "abc", 2, "ab"},
		{"Prefix", "abc", 0, ""},
		{"Prefix", "abc", -1, ""},
		{"Prefix", "多久", 6, "多久"},
		{"Prefix", "多久", 5, "多"},
		{"Prefix", "多久", 3, "多"},
		{"Prefix", "多久", 2, ""},
		{"Prefix", "a多", 3, "a"},
	} {
		if got := cuts[tc.cut](tc.s, tc.n); got != tc.want {
			t.Errorf("%s(%q, %d) = %q, want %q", tc.cut, tc.s, tc.n, got, tc.want)
		}
	}
}
