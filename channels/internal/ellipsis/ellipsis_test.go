package ellipsis

import "testing"

func TestRunes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 1, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"多久能送到", 5, "多久能送到"},
		{"多久能送到？", 5, "多久能送…"},
		{"ab", 1, "…"},
	} {
		if got := Runes(tc.s, tc.n); got != tc.want {
			t.Errorf("Runes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 0, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "…"},
		{"abcdef", 5, "ab…"},
		{"abcd", 2, ""},
		{"多久能送到", 15, "多久能送到"},
		{"多久能送到", 14, "多久能…"},
		{"多久能送到", 11, "多久…"},
		{"多久能送到", 9, "多久…"},
		{"多久能送到", 8, "多…"},
	} {
		if got := Bytes(tc.s, tc.n); got != tc.want {
			t.Errorf("Bytes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if got := Bytes(tc.s, tc.n); len(got) > tc.n && len(tc.s) > tc.n {
			t.Errorf("Bytes(%q, %d) has %d bytes", tc.s, tc.n, len(got))
		}
	}
}

func TestPrefix(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 0, ""},
		{"abc", 3, "abc"},
		{"abc", 2, "ab"},
		{"abc", 0, ""},
		{"abc", -1, ""},
		{"多久", 6, "多久"},
		{"多久", 5, "多"},
		{"多久", 3, "多"},
		{"多久", 2, ""},
		{"a多", 3, "a"},
	} {
		if got := Prefix(tc.s, tc.n); got != tc.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
