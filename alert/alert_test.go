package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hostile is customer text that tries every markup trick of every target.
const hostile = "<!channel> *bold* _it_ ~s~ `code` [x](http://evil) <at user_id=\"all\"></at> <font color=\"warning\">x</font> & a\nnew line # head > quote | pipe \\"

func sampleAlert() Alert {
	return Alert{
		Kind: KindEscalation, IdempotencyKey: "escalation:7", Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		EscalationID: 7, ConversationID: 42, Customer: Customer{ID: 3, Name: "Ada Lovelace"},
		Channel: "web", Reason: "complaint", Severity: SeverityHigh, Summary: "Parcel late twice; wants a refund.",
		Messages: []Message{
			{Author: "customer", Text: "Where is my parcel?"},
			{Author: "bot", Text: "It ships tomorrow."},
			{Author: "customer", Text: hostile},
		},
		ConsoleURL: "https://support.example.com/console/conversations/42",
	}
}

func TestValidate(t *testing.T) {
	ok := sampleAlert()
	tests := []struct {
		name   string
		change func(*Alert)
		valid  bool
	}{
		{"complete escalation", func(*Alert) {}, true},
		{"lead without escalation id", func(a *Alert) { a.Kind, a.EscalationID = KindLead, 0 }, true},
		{"unknown kind", func(a *Alert) { a.Kind = "pager" }, false},
		{"escalation without id", func(a *Alert) { a.EscalationID = 0 }, false},
		{"no key", func(a *Alert) { a.IdempotencyKey = "" }, false},
		{"key too long", func(a *Alert) { a.IdempotencyKey = strings.Repeat("k", MaxKeyBytes+1) }, false},
		{"negative level", func(a *Alert) { a.Level = -1 }, false},
		{"bad severity", func(a *Alert) { a.Severity = "urgent" }, false},
		{"bad utf-8", func(a *Alert) { a.Summary = "a\xffb" }, false},
		{"text too long", func(a *Alert) { a.Summary = strings.Repeat("字", MaxTextRunes+1) }, false},
		{"too many messages", func(a *Alert) { a.Messages = make([]Message, MaxMessages+1) }, false},
		{"javascript link", func(a *Alert) { a.ConsoleURL = "javascript:alert(1)" }, false},
		{"early warning without figures", func(a *Alert) { a.Kind = KindEarlyWarning }, false},
		{"early warning", func(a *Alert) {
			a.Kind, a.Warning = KindEarlyWarning, &EarlyWarning{Count: 9, Baseline: 2, Topics: []string{"delivery"}}
		}, true},
		{"digest without lines", func(a *Alert) { a.Kind = KindDigest }, false},
		{"digest", func(a *Alert) { a.Kind, a.Digest = KindDigest, &Digest{Title: "Week 9", Lines: []string{"x"}} }, true},
		{"digest too long", func(a *Alert) {
			a.Kind, a.Digest = KindDigest, &Digest{Lines: make([]string, MaxDigestLines+1)}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			a.Messages = append([]Message(nil), ok.Messages...)
			tt.change(&a)
			err := a.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate() = %v, want valid=%v", err, tt.valid)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestDecodeAlertRoundTrip(t *testing.T) {
	want := sampleAlert()
	want.Warning = &EarlyWarning{Window: 15 * time.Minute, Count: 12, Baseline: 2.5, Topics: []string{"refund"}}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAlert(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "null", "[]", `{"kind":"escalation"}`, `{"kind":1}`, "{"} {
		if _, err := DecodeAlert([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("DecodeAlert(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func FuzzDecodeAlert(f *testing.F) {
	b, _ := json.Marshal(sampleAlert())
	f.Add(b)
	f.Add([]byte(`{"kind":"digest","idempotency_key":"d:1","digest":{"title":"t","lines":["a","b"]}}`))
	f.Add([]byte(`{"kind":"early_warning","idempotency_key":"w","early_warning":{"count":5,"topics":["x"]}}`))
	f.Add([]byte(`{"kind":"lead","idempotency_key":"l","messages":[{"text":"\u0000"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeAlert(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("decoded alert does not validate: %v", err)
		}
		// Every renderer must cope with any valid alert.
		v := render(a)
		_ = v.plainText()
		md := v.markdown(true)
		if strings.Contains(md, "<at") || strings.Contains(md, "<font") {
			t.Fatalf("markdown lets a tag through: %q", md)
		}
		_ = SlackBlocks(a)
		if _, err := wecomBody(a); err != nil {
			t.Fatal(err)
		}
		if _, err := feishuBody(a, "s", time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 文字", "plain 文字"},
		{"*b* _i_ ~s~ `c`", `\*b\* \_i\_ \~s\~ \` + "`c\\`"},
		{"[x](http://e)", `\[x\](http://e)`},
		{`<at user_id="all">`, `&lt;at user\_id="all"&gt;`},
		{"a & b", "a &amp; b"},
		{`back\slash`, `back\\slash`},
		{"# not a heading | cell", `\# not a heading \| cell`},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRenderIsOneLinePerQuote(t *testing.T) {
	v := render(sampleAlert())
	if len(v.Messages) != 3 {
		t.Fatalf("got %d quotes, want 3", len(v.Messages))
	}
	for _, q := range v.Messages {
		if strings.ContainsAny(q.Text, "\r\n") {
			t.Errorf("quote %q spans lines: it could start a markdown block", q.Text)
		}
	}
	md := v.markdown(true)
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "new line") {
			t.Errorf("customer text started its own markdown line: %q", line)
		}
	}
	if !strings.Contains(v.Title, "Complaint") || !strings.Contains(v.Title, "high") {
		t.Errorf("title %q lacks reason or severity", v.Title)
	}
}

func TestRenderLimits(t *testing.T) {
	a := sampleAlert()
	a.Messages = nil
	for i := 0; i < MaxMessages; i++ {
		a.Messages = append(a.Messages, Message{Author: "customer", Text: strings.Repeat("长", MaxTextRunes)})
	}
	v := render(a)
	if len(v.Messages) != shownMessages {
		t.Errorf("quoted %d messages, want the last %d", len(v.Messages), shownMessages)
	}
	for _, q := range v.Messages {
		if n := len([]rune(q.Text)); n > shownQuoteRunes {
			t.Errorf("quote of %d runes, limit %d", n, shownQuoteRunes)
		}
	}
	body, err := wecomBody(a)
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Markdown struct{ Content string } }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Markdown.Content) > wecomMaxBytes {
		t.Errorf("WeCom content of %d bytes, limit %d", len(m.Markdown.Content), wecomMaxBytes)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"你好世界", 3, "你好…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
	if got := truncateBytes("你好世界", 8); got != "你…" {
		t.Errorf("truncateBytes = %q, want %q", got, "你…")
	}
}
