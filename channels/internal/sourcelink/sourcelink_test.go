package sourcelink

import "testing"

func TestAbsolute(t *testing.T) {
	for _, tc := range []struct{ public, raw, want string }{
		{"https://help.example.com", "/kb/12", "https://help.example.com/kb/12"},
		{"", "/kb/12", ""},
		{"", " https://x.example/a_(b) ", "https://x.example/a_%28b%29"},
		{"", "HTTP://x.example/", "http://x.example/"},
		{"https://help.example.com", "//evil.example/x", ""},
		{"", "mailto:a@example.com", ""},
		{"", "javascript:alert(1)", ""},
		{"", "kb/12", ""},
	} {
		if got := Absolute(tc.public, tc.raw); got != tc.want {
			t.Errorf("Absolute(%q, %q) = %q, want %q", tc.public, tc.raw, got, tc.want)
		}
	}
}
