package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

type echoEngine struct{}

func (echoEngine) Handle(_ context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{Text: "echo: " + m.Text, Action: bot.ActionAnswer}, nil
}

// TestStartWeCom wires the adapter as serve does, against the fake WeCom:
// the callback routes answer, a WeChat customer is answered, the escalation
// service's Deliverer for wecom_kf reaches the customer, and stop drains and
// leaves the kf state in the data directory.
func TestStartWeCom(t *testing.T) {
	ctx := context.Background()
	const (
		corp = "ww1436e0e65a779aee"
		key  = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
		kf   = "wkTest"
		user = "wmCustomer"
	)
	fake, err := wecomtest.New(wecomtest.Options{CorpID: corp, Token: "tok", EncodingAESKey: key, AgentID: 1000002,
		Secret: "app", KFSecret: "kf"})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.WeCom = WeComConfig{CorpID: corp, AgentID: 1000002, Secret: "app", Token: "tok", EncodingAESKey: key,
		KFSecret: "kf", APIURL: fake.URL}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "concierge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &app{store: db, deliverers: map[string]escalation.Deliverer{}}
	mux := http.NewServeMux()
	stop, err := startWeCom(ctx, cfg, a, echoEngine{}, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	fake.Target = srv.URL

	if status, body, want, err := fake.VerifyURL(ctx, "/wecom/kf/callback"); err != nil || status != 200 || body != want {
		t.Fatalf("URL check: %d %q, %v", status, body, err)
	}
	fake.CustomerWrites(kf, user, "hello")
	if r := fake.NotifyKF(ctx, kf); !r.Acked() {
		t.Fatalf("notice %v", r.Attempts)
	}
	waitSent := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for len(fake.Sent()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d messages sent, want %d", len(fake.Sent()), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitSent(1)

	for _, ch := range []string{wecom.ChannelApp, wecom.ChannelKF} {
		if a.deliverers[ch] == nil {
			t.Errorf("no Deliverer for %s", ch)
		}
	}
	conv, _, err := db.AppendInbound(ctx, bot.Inbound{Channel: wecom.ChannelKF, ExternalUserID: kf + ":" + user,
		Role: bot.RoleCustomer, Text: "hello", Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.deliverers[wecom.ChannelKF].Deliver(ctx, escalation.Delivery{Channel: wecom.ChannelKF,
		ConversationID: conv.ID, CustomerID: conv.CustomerID, Author: bot.AuthorAgent, Agent: "li", Text: "Hi, Li here."}); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	waitSent(2)
	if s := fake.Sent()[1]; s.Text != "Hi, Li here." || s.ToUser != user || s.OpenKfID != kf {
		t.Errorf("delivered %+v", s)
	}
	stop()
	if _, err := os.Stat(filepath.Join(cfg.DataDir, weComStateFile)); err != nil {
		t.Errorf("kf state: %v", err)
	}

	// Without a wecom section nothing is mounted.
	cfg.WeCom = WeComConfig{}
	mux = http.NewServeMux()
	stop, err = startWeCom(ctx, cfg, &app{deliverers: map[string]escalation.Deliverer{}}, echoEngine{}, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wecom/callback", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without wecom, POST /wecom/callback answered %d", rec.Code)
	}
}
