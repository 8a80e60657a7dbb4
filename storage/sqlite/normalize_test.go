package sqlite_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

func TestNormalizeContact(t *testing.T) {
	emails := []struct{ in, want string }{
		{" Ada@Example.COM ", "ada@example.com"},
		{"a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk"},
		{"not-an-email", ""},
		{"a@b", ""},
		{"Ada <ada@example.com>", ""},
		{"a@b.c\n", "a@b.c"},
	}
	for _, tt := range emails {
		got, err := sqlite.NormalizeEmail(tt.in)
		if tt.want == "" && bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want EINVALID", tt.in, got, err)
		} else if tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	phones := []struct{ in, want string }{
		{"+44 (20) 7946-0958", "+442079460958"},
		{"138.0013.8000", "13800138000"},
		{"12345", ""},
		{"1+2345678", ""},
		{"+1 555 CALL NOW", ""},
	}
	for _, tt := range phones {
		got, err := sqlite.NormalizePhone(tt.in)
		if tt.want == "" && bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("NormalizePhone(%q) = %q, %v; want EINVALID", tt.in, got, err)
		} else if tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzNormalize feeds the normalisers of customer-supplied text (questions,
// emails, phones, tags) arbitrary input: they never panic, their output is
// valid UTF-8, and normalising twice changes nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Do you ship to Mars?", "  运费多少？ ", "ada@example.com", "+44 20 7946 0958",
		"VIP", "\xff\xfe", "a\u00a0b", strings.Repeat("x", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := sqlite.NormalizeQuestion(s)
		if utf8.ValidString(s) && !utf8.ValidString(q) {
			t.Fatalf("NormalizeQuestion(%q) = %q is not valid UTF-8", s, q)
		}
		if q2 := sqlite.NormalizeQuestion(q); q2 != q {
			t.Fatalf("NormalizeQuestion is not idempotent: %q → %q → %q", s, q, q2)
		}
		if utf8.RuneCountInString(q) > 300 {
			t.Fatalf("NormalizeQuestion(%q) is %d characters long", s, utf8.RuneCountInString(q))
		}
		for _, norm := range []func(string) (string, error){sqlite.NormalizeEmail, sqlite.NormalizePhone, sqlite.NormalizeTag} {
			out, err := norm(s)
			if err != nil {
				if bot.ErrorCode(err) != bot.EINVALID {
					t.Fatalf("error for %q is not EINVALID: %v", s, err)
				}
				continue
			}
			if again, err := norm(out); err != nil || again != out {
				t.Fatalf("normalising %q twice: %q then %q, %v", s, out, again, err)
			}
		}
	})
}
