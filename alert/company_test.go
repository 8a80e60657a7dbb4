package alert

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// TestCompanyInEveryFormat: the company's name heads every alert and signs
// it at the foot, in each sink's format, escaped like any other text.
func TestCompanyInEveryFormat(t *testing.T) {
	const company = "Bob's <at>all</at> *Bakes*"
	a := Alert{Kind: KindEscalation, IdempotencyKey: "k", EscalationID: 7, Reason: "complaint", Severity: SeverityHigh,
		Customer: Customer{ID: 3, Name: "Ann"}, Company: company, Time: time.Unix(0, 0)}
	v := render(a)
	if !strings.HasPrefix(v.Title, company+" · Escalation") || v.Footer != "Sent by Concierge for "+company {
		t.Errorf("title %q, footer %q", v.Title, v.Footer)
	}
	if text := v.plainText(); !strings.HasSuffix(text, "\n-- \nSent by Concierge for "+company+"\n") {
		t.Errorf("plain text does not end with the footer:\n%s", text)
	}
	escaped := `Bob's &lt;at&gt;all&lt;/at&gt; \*Bakes\*`
	for name, body := range map[string]func(Alert) ([]byte, error){
		"wecom": wecomBody, "dingtalk": dingtalkBody,
		"feishu": func(a Alert) ([]byte, error) { return feishuBody(a, "", time.Unix(0, 0)) },
	} {
		b, err := body(a)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		_ = json.Unmarshal(b, &out)
		var js strings.Builder
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(out)
		// Titles are plain text fields; the markdown is escaped.
		if !strings.Contains(js.String(), "Sent by Concierge for "+strings.ReplaceAll(escaped, `\`, `\\`)+`\n`) {
			t.Errorf("%s: the company is not escaped in the footer: %s", name, js.String())
		}
	}
	var html bytes.Buffer
	if err := emailHTML.Execute(&html, v); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "<at>") || !strings.Contains(html.String(), "Sent by Concierge for Bob&#39;s &lt;at&gt;all&lt;/at&gt; *Bakes*") {
		t.Errorf("email HTML:\n%s", html.String())
	}
	blocks := SlackBlocks(a)
	last, ok := blocks[len(blocks)-1].(*slack.ContextBlock)
	if !ok || last.ContextElements.Elements[0].(*slack.TextBlockObject).Type != slack.PlainTextType ||
		last.ContextElements.Elements[0].(*slack.TextBlockObject).Text != "Sent by Concierge for "+company {
		t.Errorf("the Slack alert does not end with the footer as plain text: %#v", blocks[len(blocks)-1])
	}

	// Without a company, alerts read as before.
	a.Company = ""
	if v := render(a); strings.Contains(v.Title, "·") || v.Footer != "" {
		t.Errorf("without a company: title %q, footer %q", v.Title, v.Footer)
	}
}
