package alert

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// slackPost is one chat.postMessage call as the test server saw it.
type slackPost struct {
	Auth     string
	Channel  string
	Text     string
	Blocks   slack.Blocks
	Metadata slack.SlackMetadata
}

// newSlackServer starts a slacktest server whose chat.postMessage records
// the call and answers with reply (the default answer when reply is empty).
func newSlackServer(t *testing.T, reply *string) (*slacktest.Server, func() []slackPost) {
	t.Helper()
	var mu sync.Mutex
	var posts []slackPost
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			v, err := url.ParseQuery(string(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			p := slackPost{Auth: r.Header.Get("Authorization"), Channel: v.Get("channel"), Text: v.Get("text")}
			if p.Auth == "" && v.Get("token") != "" {
				p.Auth = "Bearer " + v.Get("token") // chat.postMessage may carry the token in the form
			}
			if err := json.Unmarshal([]byte(v.Get("blocks")), &p.Blocks); err != nil {
				http.Error(w, "blocks: "+err.Error(), http.StatusBadRequest)
				return
			}
			_ = json.Unmarshal([]byte(v.Get("metadata")), &p.Metadata)
			w.Header().Set("Content-Type", "application/json")
			if reply != nil && *reply != "" {
				io.WriteString(w, *reply)
				return
			}
			mu.Lock()
			posts = append(posts, p)
			mu.Unlock()
			io.WriteString(w, `{"ok":true,"channel":"C0ALERTS","ts":"1700000000.000100"}`)
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	return srv, func() []slackPost {
		mu.Lock()
		defer mu.Unlock()
		return append([]slackPost(nil), posts...)
	}
}

func TestSlackEscalationMessage(t *testing.T) {
	srv, posts := newSlackServer(t, nil)
	var postedTS string
	s, err := NewSlack(SlackOptions{Token: "xoxb-test", Channel: "C0ALERTS", APIURL: srv.GetAPIURL(),
		OnPosted: func(_ context.Context, _ Alert, _, ts string) { postedTS = ts }})
	if err != nil {
		t.Fatal(err)
	}
	a := sampleAlert()
	if err := s.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	got := posts()
	if len(got) != 1 {
		t.Fatalf("got %d posts, want 1", len(got))
	}
	p := got[0]
	if p.Channel != "C0ALERTS" || p.Auth != "Bearer xoxb-test" {
		t.Errorf("posted to %q with %q", p.Channel, p.Auth)
	}
	if postedTS != "1700000000.000100" {
		t.Errorf("OnPosted got ts %q", postedTS)
	}
	if strings.Contains(p.Text, "<!channel>") {
		t.Errorf("fallback text can mention the channel: %q", p.Text)
	}
	if p.Metadata.EventType != SlackEventType || p.Metadata.EventPayload["escalation_id"] != float64(7) ||
		p.Metadata.EventPayload["conversation_id"] != float64(42) {
		t.Errorf("metadata = %+v", p.Metadata)
	}

	var buttons []*slack.ButtonBlockElement
	var mrkdwn, plain []string
	collect := func(o *slack.TextBlockObject) {
		if o == nil {
			return
		}
		if o.Type == slack.MarkdownType {
			mrkdwn = append(mrkdwn, o.Text)
		} else {
			plain = append(plain, o.Text)
		}
	}
	for _, b := range p.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			collect(b.Text)
		case *slack.SectionBlock:
			collect(b.Text)
			for _, f := range b.Fields {
				collect(f)
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					buttons = append(buttons, btn)
				}
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if o, ok := e.(*slack.TextBlockObject); ok {
					collect(o)
				}
			}
		}
	}
	wantActions := map[string]string{ActionAcknowledge: "7", ActionTakeOver: "7", ActionResolve: "7", ActionOpen: "42"}
	for _, b := range buttons {
		if want, ok := wantActions[b.ActionID]; !ok || b.Value != want {
			t.Errorf("button %q has value %q", b.ActionID, b.Value)
		}
		delete(wantActions, b.ActionID)
	}
	if len(wantActions) != 0 {
		t.Errorf("missing buttons: %v", wantActions)
	}
	all := strings.Join(plain, "\n")
	for _, want := range []string{"Ada Lovelace", "Parcel late twice", "Where is my parcel?", "<!channel>"} {
		if !strings.Contains(all, want) {
			t.Errorf("plain text lacks %q", want)
		}
	}
	// Customer text only ever travels in plain_text; mrkdwn carries the
	// escaped link alone.
	for _, m := range mrkdwn {
		if strings.Contains(m, "channel") || strings.Contains(m, "parcel") {
			t.Errorf("customer text in mrkdwn: %q", m)
		}
	}
	if len(mrkdwn) != 1 || !strings.Contains(mrkdwn[0], "<https://support.example.com/console/conversations/42|") {
		t.Errorf("mrkdwn = %q, want one console link", mrkdwn)
	}
}

func TestSlackErrors(t *testing.T) {
	reply := `{"ok":false,"error":"channel_not_found"}`
	srv, _ := newSlackServer(t, &reply)
	s, err := NewSlack(SlackOptions{Token: "xoxb-test", Channel: "C0NOPE", APIURL: srv.GetAPIURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("got %v, want channel_not_found", err)
	}
	if _, err := NewSlack(SlackOptions{Channel: "C"}); err == nil {
		t.Error("sink without a token accepted")
	}
	if _, err := NewSlack(SlackOptions{Token: "x"}); err == nil {
		t.Error("sink without a channel accepted")
	}
}

func TestSlackRateLimit(t *testing.T) {
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	s, err := NewSlack(SlackOptions{Token: "xoxb-test", Channel: "C", APIURL: srv.GetAPIURL()})
	if err != nil {
		t.Fatal(err)
	}
	var ra *RetryAfterError
	if err := s.Send(context.Background(), sampleAlert()); !errors.As(err, &ra) || ra.After.Seconds() != 30 {
		t.Errorf("got %v, want RetryAfterError of 30s", err)
	}
}

func TestSlackBlocksOfOtherKinds(t *testing.T) {
	w := Alert{Kind: KindEarlyWarning, IdempotencyKey: "w:1", Severity: SeverityHigh,
		Warning: &EarlyWarning{Count: 11, Baseline: 2, Topics: []string{"late delivery", "refund"}}}
	d := Alert{Kind: KindDigest, IdempotencyKey: "d:1", Digest: &Digest{Title: "Week 9", Lines: []string{"Resolution 81%"}}}
	for _, a := range []Alert{w, d} {
		blocks := SlackBlocks(a)
		b, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if strings.Contains(s, ActionAcknowledge) {
			t.Errorf("%s alert offers escalation buttons", a.Kind)
		}
		for _, want := range []string{"late delivery", "Week 9"} {
			if (a.Kind == KindEarlyWarning) == (want == "late delivery") && !strings.Contains(s, want) {
				t.Errorf("%s blocks lack %q: %s", a.Kind, want, s)
			}
		}
	}
}
