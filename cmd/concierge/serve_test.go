package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

type nopEngine struct{}

func (nopEngine) Handle(context.Context, bot.Message) (bot.Reply, error) {
	return bot.Reply{ConversationID: 1, Text: "ok"}, nil
}

// TestAPIRefusesEveryAdapterChannel: package web, which may not import the
// adapters, refuses every adapter's channel on its own (so that a server
// wired without ReservedChannels is still safe), and serve hands the
// adapters' constants in besides.
func TestAPIRefusesEveryAdapterChannel(t *testing.T) {
	const key = "serve-test-key-0123456789"
	for _, reserved := range [][]string{nil, adapterChannels()} {
		srv, err := web.New(web.Options{Engine: nopEngine{}, APIKeys: []string{key}, ReservedChannels: reserved})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		for _, ch := range adapterChannels() {
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/messages", strings.NewReader(`{"channel":"`+ch+`","user_id":"u","text":"hi"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("channel %s (ReservedChannels %v): %d, want 400", ch, reserved, resp.StatusCode)
			}
		}
		ts.Close()
	}
}
